"""Relayed ICE candidates straight to the peer's node, beside the log.

A candidate of a live call changes no state: the reducer returns the state as it was,
and its only effect is one message for the call's other side. Through the log each one
cost an append (with Redis's fsync) and an apply on every node: 1.74 ms of server CPU
per message on one node against 0.40 ms in a single process (BENCHMARKS.md). So:

    sender's node ─→ guard and apply on its own copy (the same store.dispatch, which
                     delivers to a peer it serves itself: no Redis at all)
                  ─→ peer served elsewhere: PUBLISH {after, action} on tlc:to:<node>
    peer's node   ─→ apply the log up to `after` first, then the action the same way

`after` is the last log entry the sender's node had applied. Everything the candidate
depends on went through the log before it (the call's start, the offer or answer it
belongs to, which stay log entries because they change state), so the peer's node
catching up to `after` first means a candidate never overtakes them. The sender's node
publishes while it holds its store lock, so its candidates stay in order too.

Pub/sub delivers at most once: a message for a node that is down, or reconnecting to
Redis, is lost, as a network packet can be; ICE copes with a lost candidate, and a
node's loss restarts ICE anyway (recovery.js). Set CLUSTER_DIRECT_RELAY = False to send
candidates through the log like everything else (bench/cluster_relay.py measures both).
"""
import json
import logging

import redis

from ..errors import Refusal
from .entries import ClusterDown, encode, entry_key

log = logging.getLogger(__name__)


class DirectRelay:
    def __init__(self, replicated, client, node, prefix="tlc", sleep=None, reader=None):
        self.log = replicated         # the ReplicatedStore (its copy, cursor, catch_up)
        self.redis = client
        self.reader = reader or client  # the subscription's own connection
        self.node = node
        self.prefix = prefix
        self.sleep = sleep
        self.stopped = False
        self.published = 0            # tests and /metrics-style counts
        self.applied = 0

    def channel(self, node):
        return f"{self.prefix}:to:{node}"

    def dispatch(self, action, recipient, deliver):
        """Guard a state-free `action` on this node's copy, `deliver(action)` to the
        clients served here (EmitterTree.relay; no dispatch: the state stays as it is)
        and pass it to the node serving `recipient(state)` (a client id) if that is
        another node. Raises the guard's Refusal, or ClusterDown when Redis cannot take it."""
        store = self.log.store
        with store.lock:
            store.check(action)
            deliver(action)
            state = store.get_state()
            client = state["clients"].get(recipient(state) or "")
            node = client.get("node", "") if client else self.node
            if node == self.node:
                return
            try:
                self.redis.publish(self.channel(node), encode(
                    {"after": self.log.cursor, "action": action}))
            except redis.RedisError as err:
                self.log.down(err)
                raise ClusterDown() from None
            self.published += 1

    def listen(self, poll_s=1.0):
        """Background task: apply what other nodes publish for this node's clients."""
        while not self.stopped:
            pubsub = self.reader.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel(self.node))
                while not self.stopped:
                    message = pubsub.get_message(timeout=poll_s)
                    if message is not None and not self.stopped:
                        self._apply(message["data"])
            except redis.RedisError as err:
                if self.stopped:
                    return
                self.log.down(err)
                self.sleep(0.5)
            finally:
                try:
                    pubsub.close()
                except redis.RedisError:
                    pass

    def _apply(self, data):
        try:
            body = json.loads(data)
            after, action = body["after"], body["action"]
            if entry_key(after) > entry_key(self.log.cursor):
                self.log.catch_up()  # what the sender's node knew: the call, the offer
            with self.log.store.lock:
                self.log.store.dispatch(action)
            self.applied += 1
        except Refusal as err:  # e.g. the call ended in between: nothing to deliver
            log.debug("direct relay refused here: %s", err.code)
        except Exception:
            log.exception("direct relay: a message could not be applied")
