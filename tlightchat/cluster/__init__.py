"""Several server processes behind one address, on one Redis (TLC_REDIS_URL).

`from_config` is the one place the choice is made: without REDIS_URL it gives `Alone`
(one process: node.py's `LocalNode`, the store in memory, limits counted here), with it
`Cluster` (this module: the Redis connections and settings), whose node is
`member.ClusterNode`. Both answer the same questions for create_app (the node, the
limiters, the WSGI layer), so nothing else asks which one it has. The realtime layer
sees node.py's `Node` interface only.

    member.py   every node duty: replicate, tick, moves, ghosts, handoff, leave, relay
    log.py      the store replicated through one ordered Redis Stream (entries.py: its
                scripts and encoding)
    direct.py   relayed ICE candidates straight to the peer's node (pub/sub)
    nodes.py    heartbeats, the clock lease, lost nodes
    outbox.py   pushes to other nodes' tabs, kept while the log is down
    ghosts.py, handoff.py   clients without a socket; a node cut off from Redis
    limits.py   the chat rate, sign-in, registration and new-guest limits shared by
                every node

docs/scaling.md says what each part costs and how it would be split further.
"""
import os
import secrets
import socket


class Cluster:
    # none: a node's store waits on Redis, and a reader waiting on Redis reads no pongs
    # (a stall of a few seconds would close exactly the sockets that were signalling)
    inline_events = frozenset()

    def __init__(self, config):
        import redis  # the Redis client only when REDIS_URL says so (issue 33.3)
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.url = config["REDIS_URL"]
        self.prefix = config.get("REDIS_PREFIX") or "tlc"
        self.node = config.get("NODE_ID") or (
            f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(2)}")
        # This process: a node restarted under the same NODE_ID is a new incarnation.
        self.incarnation = secrets.token_hex(6)
        # Where the other nodes reach this one (handoff.py asks whether it is ready).
        host = config.get("HOST") or "127.0.0.1"
        host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.address = config.get("CLUSTER_ADVERTISE_URL") or (
            f"http://{host}:{config['PORT']}" if config.get("PORT") else "")
        self.snapshot_every = int(config.get("CLUSTER_SNAPSHOT_EVERY") or 1000)
        self.lease_ms = int(config.get("CLUSTER_LEASE_MS") or 3000)
        self.lapse_ms = int(config.get("CLUSTER_NODE_LAPSE_MS") or 5000)
        self.direct_relay = bool(config.get("CLUSTER_DIRECT_RELAY", True))
        # Every command is bounded (issue 24): a paused or cut-off Redis answers
        # `unavailable` within ~1 s instead of holding every client event for the
        # default 5 s times redis-py's retries. No retry on a time-out (the command
        # may have run: an append would be appended twice); one on a refused connect.
        timeout = int(config.get("CLUSTER_REDIS_TIMEOUT_MS") or 500) / 1000
        self.redis = redis.Redis.from_url(self.url, decode_responses=True,
                                          socket_timeout=timeout,
                                          socket_connect_timeout=timeout,
                                          retry=Retry(NoBackoff(), 1, (redis.ConnectionError,)),
                                          health_check_interval=10)
        # The follower's blocking read and the direct relay's subscription wait on
        # purpose: their own connections, with a time-out past the read's (1 s).
        self.reader = redis.Redis.from_url(self.url, decode_responses=True,
                                           socket_timeout=2.5,
                                           socket_connect_timeout=timeout,
                                           retry=Retry(NoBackoff(), 1, (redis.ConnectionError,)),
                                           health_check_interval=10)

    def replicate(self, store, on_send, sleep):
        from .log import ReplicatedStore

        return ReplicatedStore(store, self.redis, self.node, self.prefix, on_send, sleep,
                               reader=self.reader)

    def direct(self, replicated, sleep):
        from .direct import DirectRelay

        return DirectRelay(replicated, self.redis, self.node, self.prefix, sleep,
                           reader=self.reader)

    def membership(self):
        from .nodes import Membership

        return Membership(self.redis, self.node, self.prefix, self.lease_ms, self.lapse_ms,
                          self.incarnation, self.address)

    def chat_limits(self, limits):
        from .limits import SharedBuckets

        return SharedBuckets(self.redis, limits, f"{self.prefix}:rate:chat")

    def login_limiter(self, per_name, per_address, window):
        from .limits import SharedLoginLimiter

        return SharedLoginLimiter(self.redis, per_name, per_address, window,
                                  f"{self.prefix}:login")

    def window_limiter(self, limit, window, name):
        from .limits import SharedWindow

        return SharedWindow(self.redis, limit, window, f"{self.prefix}:{name}")

    def make_node(self, socketio, connections, ctx):
        from .member import ClusterNode

        return ClusterNode(self, socketio, connections, ctx)

    def wsgi(self, app, node):
        """Every response names this node (the proxy's sticky sessions); a node cut off
        from Redis answers a new handshake 503 (sticky.py)."""
        from .sticky import NodeCookie

        return NodeCookie(app, self.node, refusing=lambda: not node.healthy)


class Alone:
    """One process, no Redis: the same questions as `Cluster`, answered here."""

    # handled in the connection's reader, without a green thread each (realtime/wire.py):
    # here the store they wait on is this process's memory
    inline_events = frozenset({"call:signal"})

    def login_limiter(self, per_name, per_address, window):
        from ..ratelimit import LoginLimiter

        return LoginLimiter(per_name, per_address, window)

    def window_limiter(self, limit, window, name):
        from ..ratelimit import WindowLimiter

        return WindowLimiter(limit, window)

    def make_node(self, socketio, connections, ctx):
        from .node import LocalNode

        return LocalNode()

    def wsgi(self, app, node):
        return app


def from_config(config):
    """`Cluster` (its connections and settings) with REDIS_URL, else `Alone`."""
    return Cluster(config) if config.get("REDIS_URL") else Alone()
