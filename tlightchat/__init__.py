"""TLightChat: peer-to-peer video calls and chat, with a Flask-SocketIO server."""
import os

from flask import Flask
from flask_socketio import SocketIO
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

__version__ = "0.2.0"
SOCKETIO_CLIENT_VERSION = "4.8.4"  # static/vendor/socket.io.esm.min.js

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV_SECRET = "dev-insecure-secret-change-me"


def load_config(app, config=None):
    """defaults → config/<TLC_ENV>.py → TLC_CONFIG_FILE → TLC_* variables → `config`."""
    app.config.from_pyfile(os.path.join(ROOT, "config", "defaults.py"))
    env = os.environ.get("TLC_ENV", "development")
    env_file = os.path.join(ROOT, "config", f"{env}.py")
    if os.path.exists(env_file):
        app.config.from_pyfile(env_file)
    if os.environ.get("TLC_CONFIG_FILE"):
        app.config.from_pyfile(os.environ["TLC_CONFIG_FILE"])
    app.config.from_prefixed_env("TLC")
    if config:
        app.config.update(config)
    app.config.setdefault("ENV_NAME", env)
    if isinstance(app.config["TRANSPORTS"], str):
        app.config["TRANSPORTS"] = [t.strip() for t in app.config["TRANSPORTS"].split(",")]
    for key, low in (("LOBBY_WINDOW", 1), ("LOBBY_PINS_MAX", 0)):
        if not isinstance(app.config[key], int) or app.config[key] < low:
            raise RuntimeError(f"{key} must be a whole number, at least {low}: "
                               f"got {app.config[key]!r}.")
    if app.config["ENV_NAME"] == "production" and app.config["SECRET_KEY"] == DEV_SECRET:
        raise RuntimeError("Refusing to start in production with the development SECRET_KEY: "
                           "set TLC_SECRET_KEY to a long random value.")


def create_app(config=None):
    app = Flask(__name__, root_path=ROOT, instance_path=os.path.join(ROOT, "instance"),
                template_folder="templates", static_folder="static")
    load_config(app, config)

    from . import (accounts, calllog, chat, chat_pages, db, export, identity, logs, pages,
                   polling, sockets, urls, wire)
    from .groupcommit import GroupCommit

    logs.init_app(app)
    db.init_app(app)
    identity.init_app(app)
    urls.init_app(app)
    export.init_app(app)
    app.register_blueprint(pages.bp)
    chat.init_app(app)
    app.register_blueprint(chat_pages.bp)
    accounts.init_app(app)

    socketio = SocketIO(
        app,
        async_mode=app.config["ASYNC_MODE"],
        ping_interval=app.config["PING_INTERVAL"],
        ping_timeout=app.config["PING_TIMEOUT"],
        cors_allowed_origins=app.config["CORS_ALLOWED_ORIGINS"],
        transports=app.config["TRANSPORTS"],
        allow_upgrades="websocket" in app.config["TRANSPORTS"],
        max_http_buffer_size=128 * 1024,
    )
    app.extensions["tlc_socketio"] = socketio
    hub = sockets.init_app(app, socketio)
    wire.install(socketio)  # every packet bounded and decoded before python-socketio
    app.extensions["tlc_chat_writer"] = GroupCommit(socketio, app.extensions["tlc_chat"].send_many)
    calllog.init_app(app, hub)

    # WSGI layers, outermost first: ProxyFix (X-Forwarded-* incl. Prefix) → the
    # URL_PREFIX mount → Socket.IO → Flask. Flask-SocketIO has already wrapped wsgi_app.
    app.wsgi_app = polling.PollingGuard(app.wsgi_app, socketio.server.eio)
    prefix = app.config["URL_PREFIX"].rstrip("/")
    if prefix:
        app.wsgi_app = DispatcherMiddleware(NotFound(), {prefix: app.wsgi_app})
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)

    @app.context_processor
    def globals_for_templates():
        return {"app_version": __version__, "transports": app.config["TRANSPORTS"]}

    return app
