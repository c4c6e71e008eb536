"""TLightChat: peer-to-peer video calls and chat, with a Flask-SocketIO server."""
import os
from dataclasses import dataclass

from flask import Flask
from flask_socketio import SocketIO
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from .version import SOCKETIO_CLIENT_VERSION, __version__  # noqa: F401  (tlightchat.__version__)

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
    if app.config["ENV_NAME"] == "development" and app.config["SECRET_KEY"] == DEV_SECRET:
        app.config["SECRET_KEY"] = local_secret(
            app.config.get("SECRET_KEY_FILE") or os.path.join(app.instance_path, "secret_key"))


def local_secret(path):
    """The development secret: random, made on first start and kept in `path` (under
    instance/), so nobody can forge a cookie with a constant published in the source."""
    import secrets

    try:
        with open(path, encoding="ascii") as f:
            value = f.read().strip()
        if len(value) >= 32:
            return value
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(value + "\n")
    return value


@dataclass
class Parts:
    """What create_app built, for the entry point (app.py) and the tests. The parts
    themselves get their collaborators as arguments; none looks another up here."""
    socketio: SocketIO
    db: object
    identity: object
    chat: object
    chat_writer: object
    context: object     # realtime/context.py: the store, delivery, clock; what handlers get
    node: object        # cluster/node.py: LocalNode, or member.ClusterNode with REDIS_URL
    life: object        # realtime/lifecycle.py: connect, disconnect, grace, the clock
    hub: object         # realtime/hub.py: one client event's pipeline
    call_log: object
    login_limiter: object
    faults: object
    metrics: object
    stopper: object

    def close(self):
        """Stop everything this app started (tests that build several apps, cluster
        nodes on one Redis): the call log's waiting entries are dropped, the clock's and
        the node's background tasks end before this returns."""
        self.call_log.close()
        self.life.close()
        self.hub.close()


def create_app(config=None, migrate=None):
    """Build the parts and wire them: page → handler → reducer → delivery → socket.
    `migrate(db)` brings a database behind the newest migration up to it (db.py:
    `migrate_here` unless told; app.py: `migrate_apart`)."""
    app = Flask(__name__, root_path=ROOT, instance_path=os.path.join(ROOT, "instance"),
                template_folder="templates", static_folder="static")
    load_config(app, config)

    from . import cluster as clustering, db as storage, logs, protocol
    from .chat.calllog import CallLog
    from .chat.groupcommit import GroupCommit
    from .chat.service import ChatService
    from .faults import StorageFaults
    from .identity import Identity
    from .privacy import AddressPrivacy
    from .reach import webpush
    from .reach.links import LinkService
    from .reach.push import PushService
    from .realtime import polling, server, wire
    from .realtime.connections import Connections
    from .realtime.context import Context
    from .realtime.hub import Hub
    from .realtime.lifecycle import SocketLifecycle
    from .trust import TrustService
    from .shutdown import GracefulStop
    from . import doctor
    from .web import (accounts, assets, chat_pages, export, hashing, headers, i18n, pages,
                      password, proxies, urls)
    from .web import install, links as links_pages, push as push_pages

    logs.init_app(app)
    hashing.init_app(app)
    headers.init_app(app)
    db = storage.open_database(app, migrate or storage.migrate_here)
    identity = Identity(db)
    identity.init_app(app)
    urls.init_app(app)
    i18n.init_app(app, db)
    assets.init_app(app)
    export.init_app(app)
    doctor.init_app(app)  # `flask --app app doctor` (issue 30.4)
    chat = ChatService(db, app.config.get("CHAT_MAX_LENGTH", 4000))

    socketio = SocketIO(
        app,
        async_mode=app.config["ASYNC_MODE"],
        ping_interval=app.config["PING_INTERVAL"],
        ping_timeout=app.config["PING_TIMEOUT"],
        cors_allowed_origins=app.config["CORS_ALLOWED_ORIGINS"],
        transports=app.config["TRANSPORTS"],
        allow_upgrades="websocket" in app.config["TRANSPORTS"],
        max_http_buffer_size=wire.MAX_FRAME_BYTES,  # over it: closed; wire.py
    )
    metrics = None
    if app.config["METRICS_ENABLED"]:  # prometheus_client only when asked for (issue 33.3)
        from .metrics import Metrics

        metrics = Metrics()
    faults = StorageFaults(db, app.config["STORAGE_FAULT_LOG_INTERVAL"],
                           app.config["STORAGE_RETRY_MS"],
                           on_fault=metrics.storage_failures.inc if metrics else None)
    send_many = metrics.timed_batches(chat.send_many) if metrics else chat.send_many
    writer = GroupCommit(socketio, send_many)
    identity.store_guest = GroupCommit(socketio, identity.store_guests).submit
    protocol.check_registry()
    trust = TrustService(db)
    privacy = AddressPrivacy(app.config, identity, trust)
    # One process, or a node of a cluster (REDIS_URL): the only place that choice is made.
    deployment = clustering.from_config(app.config)
    guests = (app.config["GUEST_MAX_PER_ADDRESS"], app.config["GUEST_WINDOW_SECONDS"])
    identity.guest_limiter = deployment.window_limiter(*guests, "guests")
    # The realtime layer: what handlers get, the sockets, the node (alone, or one of a
    # cluster: the only place that choice is made), the life cycle, the event pipeline.
    visits = (app.config["CALL_LINK_VISITS_PER_ADDRESS"], app.config["CALL_LINK_VISIT_WINDOW"])
    push = PushService(db, webpush.load_or_make_key(os.path.join(app.instance_path,
                                                                  "vapid_private.pem")),
                       app.config["PUSH_SUBJECT"], app.config["PUSH_SERVICE_HOSTS"],
                       app.config["PUSH_INSECURE_HOSTS"], ttl=app.config["RING_TIMEOUT"],
                       spawn=socketio.start_background_task)
    links = LinkService(db, app.config["CALL_LINK_TTL"], deployment.window_limiter(
        *visits, "link-visits"), push=push)
    ctx = Context(app.config, identity, chat=chat, chat_writer=writer, trust=trust,
                  privacy=privacy, links=links)
    connections = Connections(
        socketio, (app.config["RATE_LIMIT_PER_SECOND"], app.config["RATE_LIMIT_BURST"]),
        ctx.now)
    node = deployment.make_node(socketio, connections, ctx)
    ctx.assemble(node, connections)
    from .safety import Safety  # blocks, who may ring or write, ring limits (issue 35)

    safety = Safety(db, app.config, deployment)
    safety.attach(ctx, chat)
    life = SocketLifecycle(ctx, socketio)
    safety.end_sessions = life.end_sessions  # a ban ends the user's sessions (issue 35)
    node.start(life)
    hub = Hub(ctx, socketio, faults=faults, metrics=metrics)
    server.attach(app, socketio, hub, life, identity)
    wire.install(socketio, deployment.inline_events)  # every packet bounded and decoded first
    call_log = CallLog(app, ctx.store, chat, ctx.send_to_user, ctx.now,
                       socketio, app.config["CALL_LOG_DELAY"])
    stopper = GracefulStop(ctx, hub, writer, call_log, socketio, app.config["STOP_TIMEOUT"],
                           exit=os._exit)

    app.register_blueprint(pages.blueprint(identity, db, ctx, privacy))
    app.register_blueprint(chat_pages.bp)
    from .safety import web as safety_pages

    safety_pages.init_app(app, safety, identity, db)  # /me: who may ring me, blocks (issue 35)
    from .web import admin

    admin.init_app(app, safety)  # /admin: reports, warn / suspend / ban, the log (issue 35)
    app.register_blueprint(links_pages.blueprint(links, identity))
    app.register_blueprint(push_pages.blueprint(push, identity))
    app.register_blueprint(install.blueprint())  # the service worker (issue 27.2)
    if metrics:
        metrics.watch(ctx.store)
        metrics.registry.register(safety.operators.collector())  # reports, actions (issue 35)
        app.register_blueprint(metrics.blueprint(app.config["METRICS_ALLOW"]))
    limiter = accounts.init_app(app, db, ctx.user_renamed, deployment, identity.sessions,
                                life.end_sessions)
    password.init_app(app, db, identity.sessions, life.end_sessions, limiter)
    from .web import mydata

    mydata.init_app(app, db, life.end_sessions, limiter, call_log)  # download / delete (35)
    app.extensions["tlightchat"] = Parts(socketio, db, identity, chat, writer, ctx, node, life,
                                         hub, call_log, limiter, faults, metrics, stopper)

    # WSGI layers, outermost first: ProxyFix (X-Forwarded-* incl. Prefix, from
    # TRUSTED_PROXIES only) → the URL_PREFIX mount → the polling guard → Socket.IO →
    # Flask. Flask-SocketIO has already wrapped wsgi_app.
    app.wsgi_app = polling.PollingGuard(app.wsgi_app, socketio.server.eio)
    polling.allow_burst(app.config["RATE_LIMIT_BURST"])
    prefix = app.config["URL_PREFIX"].rstrip("/")
    if prefix:
        app.wsgi_app = DispatcherMiddleware(NotFound(), {prefix: app.wsgi_app})
    app.wsgi_app = proxies.TrustedProxyFix(app.wsgi_app, app.config["TRUSTED_PROXIES"],
                                           x_for=1, x_proto=1, x_host=1, x_prefix=1)
    app.wsgi_app = deployment.wsgi(app.wsgi_app, node)  # a cluster's: which node served it

    @app.context_processor
    def globals_for_templates():
        return {"app_version": __version__, "transports": app.config["TRANSPORTS"]}

    return app


def parts(app):
    """The parts of an app built by create_app."""
    return app.extensions["tlightchat"]
