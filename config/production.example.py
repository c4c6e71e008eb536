"""Production example. Copy to a private path and start with
TLC_ENV=production TLC_CONFIG_FILE=/etc/tlightchat/production.py python app.py
(every value here can also be given as a TLC_* environment variable)."""
ENV_NAME = "production"
SECRET_KEY = "replace with: python -c 'import secrets; print(secrets.token_hex(32))'"
DATABASE_URL = "sqlite:////var/lib/tlightchat/tlightchat.sqlite3"
ASYNC_MODE = "eventlet"
HOST = "127.0.0.1"
PORT = 5000
SESSION_COOKIE_SECURE = True
# X-Forwarded-* headers are believed only from these proxies (nginx on the same host):
TRUSTED_PROXIES = ["127.0.0.1", "::1"]
# Behind a proxy that rewrites Host, list the public origin(s):
CORS_ALLOWED_ORIGINS = ["https://chat.example.org"]
ICE_SERVERS = [{"urls": "stun:stun.example.org:3478"}]
LOG_LEVEL = "INFO"
LOG_FORMAT = "json"
