"""Defaults for every setting. Each can be overridden by an environment variable
TLC_<NAME> (values are parsed as JSON when they parse, else kept as strings), by
the file named in TLC_CONFIG_FILE, or by the dict given to create_app()."""
from datetime import timedelta

# Must be replaced in production: the app refuses to start in production with it. In
# development it stands for a random secret made on first start in SECRET_KEY_FILE
# (None: instance/secret_key).
SECRET_KEY = "dev-insecure-secret-change-me"
SECRET_KEY_FILE = None
# Addresses (or networks) of the reverse proxies whose X-Forwarded-* headers are
# believed; from anywhere else they are dropped. The deploy files put nginx on loopback.
TRUSTED_PROXIES = ["127.0.0.1", "::1"]
# Socket.IO connections (tabs) one user may have open at once, away ones (in their
# reconnect grace) included: a new one replaces the user's oldest away client.
MAX_CONNECTIONS_PER_USER = 20
# None means sqlite:///<instance folder>/tlightchat.sqlite3
DATABASE_URL = None
# A cluster of several processes (docs/scaling.md): e.g. "redis://127.0.0.1:6379/0".
# None: one process, the live state in memory (the default; needs no Redis).
REDIS_URL = None
REDIS_PREFIX = "tlc"          # every key this cluster uses starts with it
NODE_ID = None                # this node's name in the cluster (None: host-pid-random)
CLUSTER_SNAPSHOT_EVERY = 1000 # the clock holder snapshots the store every N log entries
CLUSTER_LEASE_MS = 3000       # the clock lease lapses this long after its holder stops
CLUSTER_NODE_LAPSE_MS = 5000  # a node silent this long is lost: its clients go away
CLUSTER_DIRECT_RELAY = True   # ICE candidates go straight to the peer's node, not through the log
CLUSTER_ADVERTISE_URL = ""    # how other nodes reach this one ("": http://HOST:PORT, a wildcard HOST as 127.0.0.1)
CLUSTER_REDIS_TIMEOUT_MS = 500 # one Redis command (connect or reply); past it the change is `unavailable`
# "threading" works under `flask run`; `python app.py` chooses eventlet (TLC_ASYNC_MODE).
ASYNC_MODE = "threading"
HOST = "127.0.0.1"
PORT = 5000
# eventlet's WSGI server admits 1,024 connections by default; python app.py raises it.
MAX_CONNECTIONS = 20000
# Presence liveness: a silent client is dropped after PING_INTERVAL + PING_TIMEOUT seconds.
PING_INTERVAL = 5
PING_TIMEOUT = 5
# Socket.IO transports offered to browsers, in order.
TRANSPORTS = ["polling", "websocket"]
# Origins allowed to open Socket.IO connections; None = same origin only, "*" = any.
CORS_ALLOWED_ORIGINS = None
# Seconds an invitation rings before it ends as "missed".
RING_TIMEOUT = 30
MAX_ANCHORS_PER_CLIENT = 8
# Parties of one group call, pending rings into it included (docs/protocol.md, "Group
# calls": a mesh, each party sends its media to every other; at most limits.CALL_PARTIES_MAX).
MAX_CALL_PARTIES = 6
# Call links (issue 27, tlightchat/reach/links.py): seconds a link rings its maker's slot
# (the maker may choose "until I turn it off"), and how many link openings one network
# address may make in the window (wrong tokens count too).
CALL_LINK_TTL = 24 * 3600
CALL_LINK_VISITS_PER_ADDRESS = 30
CALL_LINK_VISIT_WINDOW = 600
# Web Push rings (tlightchat/reach/push.py): the hosts (or parent domains) of the browsers'
# push services that subscriptions may name, hosts allowed over plain http at any
# address (a test's loopback push service only), and the VAPID contact (RFC 8292).
PUSH_SERVICE_HOSTS = ["fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com",
                      "push.apple.com"]
PUSH_INSECURE_HOSTS = []
PUSH_SUBJECT = "mailto:admin@localhost"
# Seconds a client whose connection dropped (without saying goodbye) keeps its anchors
# and calls; peers see "reconnecting" meanwhile. 0 removes it at once.
RECONNECT_GRACE = 30
# Seconds it is kept instead when its page said it is going (client:leaving, sent on the
# pagehide of a tab in a call: a reload or a close, the page cannot tell): a reload
# resumes in ~1 s; a closed tab leaves the lobby this soon. Longer than the 5 s after which
# the peer hangs up by itself (static/js/rejoin.js LEAVE_GRACE_MS), so the peer reads
# "closed the page" (its own hang-up), not "lost the connection" (the server's end).
LEAVING_GRACE = 10
# Seconds before a call event (started, ended, missed, declined) is written to the chat
# timeline: out of the way of the call's setup. It keeps the time it happened.
CALL_LOG_DELAY = 1.0
# The lobby each client sees: itself, the users it pinned (its conversation partners, at
# most LOBBY_PINS_MAX) and a window of up to LOBBY_WINDOW other users (newest first, or
# matching its search). Below LOBBY_WINDOW users online, everyone sees everyone. The
# number online is pushed at most every LOBBY_COUNT_INTERVAL seconds.
LOBBY_WINDOW = 100
LOBBY_PINS_MAX = 200
LOBBY_COUNT_INTERVAL = 2.0
# Client events per second (sustained) and burst size, per connection.
RATE_LIMIT_PER_SECOND = 50
RATE_LIMIT_BURST = 200
# RTCIceServer dicts handed to browsers, e.g. [{"urls": "stun:stun.example.org:3478"}].
ICE_SERVERS = []
ICE_TRANSPORT_POLICY = "all"
# TURN with short-lived credentials (coturn use-auth-secret): URLs such as
# ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:443?transport=tcp"],
# the secret shared with coturn (static-auth-secret), and the credential lifetime.
TURN_URLS = []
TURN_SECRET = None
TURN_TTL = 6 * 3600
# The addresses coturn relays from when they differ from the TURN_URLS hosts (its
# `relay-ip` / `external-ip`), e.g. ["198.51.100.9"]: a relay-only side's relay
# candidates must name one of these or a TURN_URLS host (resolved at start).
TURN_RELAY_ADDRESSES = []
# Address privacy for users who never chose: calls with people they have not verified
# go through the TURN relay only (no host or srflx candidates). Needs TURN configured.
RELAY_FOR_STRANGERS = False
LOG_LEVEL = "INFO"
# "text" for people, "json" for log collectors (one JSON object per line).
LOG_FORMAT = "text"
# Client events are logged one line each at DEBUG; at INFO, one summary per this many
# seconds (totals, and refusals per connection with counts by code).
LOG_SUMMARY_INTERVAL = 60
# Serve the whole app under this path when a proxy forwards it without stripping it
# (e.g. "/port3000"); "" serves at the root.
URL_PREFIX = ""

SESSION_COOKIE_NAME = "tlc_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PERMANENT_SESSION_LIFETIME = timedelta(days=365)

# Chat: longest message in characters (at most 10,000, the protocol's cap), and how many
# messages a user may send per second (sustained) and in a burst, over all their tabs.
CHAT_MAX_LENGTH = 4000
CHAT_RATE_PER_SECOND = 5
CHAT_RATE_BURST = 30
# Files sent in a call, peer to peer (issue 29): the largest file a page may offer, in
# bytes (file:offer refuses more, saying so; the receiving page checks it too).
MAX_FILE_BYTES = 2 * 1024 ** 3
# Accounts: failed sign-ins allowed per username and address within the window (seconds),
# and per address over all usernames.
LOGIN_MAX_ATTEMPTS = 5
LOGIN_MAX_ATTEMPTS_PER_ADDRESS = 30
LOGIN_WINDOW_SECONDS = 300
# Accounts registered per address (an IPv6 address counts as its /64) within the window.
REGISTER_MAX_PER_ADDRESS = 10
REGISTER_WINDOW_SECONDS = 3600
# New guests stored per address (IPv6: per /64) within the window: a guest row is made on
# a browser's first connection. Generous, for many people behind one NAT.
GUEST_MAX_PER_ADDRESS = 60
GUEST_WINDOW_SECONDS = 600
# Password hashing (scrypt) runs on this many OS threads of its own, never on the
# threads that commit chat; at most HASH_QUEUE more sign-ins wait, later ones are told
# to retry (503).
HASH_THREADS = 2
HASH_QUEUE = 32
# Forms carry a CSRF token (Flask-WTF); it lives as long as the session.
WTF_CSRF_TIME_LIMIT = None

# Graceful stop (SIGTERM): seconds to finish in-flight events, commit and ack every chat
# send, tell clients to reconnect and exit. deploy/tlightchat.service waits longer.
STOP_TIMEOUT = 10
# Storage faults (disk full, read-only database): the log reports them at most once per
# this many seconds, with a count; clients are told to retry after STORAGE_RETRY_MS.
STORAGE_FAULT_LOG_INTERVAL = 10
STORAGE_RETRY_MS = 2000
# Prometheus metrics at /metrics: off unless true; answered only to these client
# addresses (loopback: scrape through the machine, or list your Prometheus server).
METRICS_ENABLED = False
METRICS_ALLOW = ["127.0.0.1", "::1"]
# Operators: account names (comma-separated, or a list) allowed on the operators' pages
# (/doctor, the connectivity doctor); nobody by default.
ADMINS = ""
