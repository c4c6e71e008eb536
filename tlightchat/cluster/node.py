"""What a server process is to the others: the `Node` interface, and `LocalNode`, the one
process that has no others (no REDIS_URL).

The realtime layer (tlightchat/realtime/) talks to the node through this interface only,
so it has no `if cluster` branch: cluster/__init__.py's `Alone` makes `LocalNode`, and
with REDIS_URL its `Cluster` makes `member.ClusterNode`, the same way python-socketio
picks its Manager or PubSubManager.
`LocalNode` does nothing a process alone does not need: the store stays in memory, every
client is its own, time is always its to keep, nobody else is told anything.
"""
from typing import Protocol

from ..errors import Refusal
from ..ratelimit import KeyedBuckets


class Node(Protocol):
    name: str                 # the node id put in client actions ("" for one process)
    departure_node: object    # what a departure action names as its node (None alone)
    healthy: bool             # False while the node cannot change the shared state

    def replicate(self, store):
        """The store the realtime layer uses: `store` itself, or one replicated to
        every node (loaded before anything subscribes to it)."""

    def chat_limits(self, rate):
        """The per-user chat buckets: here, or shared by every node."""

    def start(self, life):
        """Everything is built (realtime/lifecycle.py's `life`): start what runs in
        the background."""

    def tick(self, now):
        """One clock tick's node duties; True when this process keeps time (it then
        appends the clock's actions: ring time-outs, grace periods ending)."""

    def catch_up(self):
        """Bring the store up to date before deciding whether a client resumes."""

    def relay(self, action, recipient, deliver):
        """A state-free action (a relayed ICE candidate) for the client that
        `recipient(state)` names: guarded, then `deliver(action)` (EmitterTree.relay)
        for a client served here, under the store's lock; returns the ack's fields."""

    def send_elsewhere(self, user_id, event, data, skip_client=None):
        """A message for the user's tabs that other nodes serve."""

    def sessions_ended(self, user_id, sessions, reconnect):
        """Account sessions ended: other nodes close their sockets too."""

    def depart(self, action, before):
        """A socket of ours closed: call `before()` and dispatch the departure
        `action`; False when nothing is to be done (this node left already)."""

    def readiness(self):
        """(ready, {check: reason}) for /healthz/ready."""

    def leave(self):
        """A clean stop: hand this node's clients to the others."""

    def close(self):
        """Stop the background work (returns once it has ended)."""


class LocalNode:
    """One process: its own store, its own clients, its own clock."""
    name = ""
    departure_node = None
    healthy = True

    def __init__(self):
        self.store = None

    def replicate(self, store):
        self.store = store
        return store

    def chat_limits(self, rate):
        return KeyedBuckets(rate)

    def start(self, life):
        pass

    def tick(self, now):
        return True

    def catch_up(self):
        pass

    def relay(self, action, recipient, deliver):
        with self.store.lock:  # no dispatch: the state stays as it is (Store.check)
            self.store.check(action)
            deliver(action)
        return {}

    def send_elsewhere(self, user_id, event, data, skip_client=None):
        pass

    def sessions_ended(self, user_id, sessions, reconnect):
        pass

    def depart(self, action, before):
        before()
        try:
            self.store.dispatch(action)
        except Refusal:
            pass  # e.g. a departure the guard no longer applies to
        return True

    def readiness(self):
        return True, {}

    def leave(self):
        pass

    def close(self):
        pass
