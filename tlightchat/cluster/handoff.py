"""A node cut off from Redis hands its clients to the nodes that can take them.

Cut off, a node can change nothing (every change goes through the log), so its
clients wait while other nodes could serve them. Once it has been unable to reach
Redis for AFTER_S, it asks the other nodes it knew (their addresses come with the
heartbeats, nodes.py) whether they are ready (`/healthz/ready`); if one is, it tells its
clients `session:closing {reason: "cut-off", reconnectInMs}` and closes their
transports: the browser reconnects by itself, with its resume token, and the proxy
takes it elsewhere, because this node answers new Engine.IO handshakes 503 while cut
off (sticky.py; nginx passes a 503 to the next node). When Redis is down for every
node, nobody is ready: the clients stay, their changes answered `unavailable`.
"""
import logging
import time
import urllib.request

log = logging.getLogger(__name__)
AFTER_S = 1.0      # cut off this long before looking for another node
PROBE_TIMEOUT_S = 1.0
MESSAGE = ("This server lost its connection to the rest of the service; this page "
           "reconnects by itself to another one and your calls continue.")


def ready(url, timeout=PROBE_TIMEOUT_S):
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/healthz/ready", timeout=timeout) as r:
            return r.status == 200
    except OSError:  # refused, timed out, or an HTTP error (503: not ready either)
        return False


class Handoff:
    def __init__(self, probe=ready, clock=time.monotonic):
        self.probe = probe
        self.clock = clock
        self.down_since = None
        self.tried_at = None

    def up(self):
        self.down_since = self.tried_at = None

    def due(self, peers):
        """Called on every failed heartbeat; True when the clients should move now:
        cut off for AFTER_S and some other node (`peers`: {node: url}) is ready. Asks
        at most once per AFTER_S."""
        now = self.clock()
        if self.down_since is None:
            self.down_since = now
        if now - self.down_since < AFTER_S:
            return False
        if self.tried_at is not None and now - self.tried_at < AFTER_S:
            return False
        self.tried_at = now
        taker = next((node for node, url in sorted(peers.items()) if self.probe(url)), None)
        if taker is not None:
            log.warning("cut off from the cluster log for %.1f s; %s is ready: handing "
                        "this node's clients over", now - self.down_since, taker)
        return taker is not None
