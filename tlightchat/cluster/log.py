"""The replicated store: one ordered log in a Redis Stream, applied by every node.

    dispatch ─→ XADD the action to the stream and read back everything up to it
             ─→ apply each entry in order to this node's copy of the store
             ─→ the verdict on our own entry (a Refusal, or none) is the answer

Every node appends the actions it would dispatch and applies the whole log in stream
order, so every copy of the store goes through the same states and the guards (part of
the reducer step) reach the same verdict on every node: of two accepts of one ring the
first in the log wins everywhere. Ids and times are made at the edge, so replaying an
action anywhere gives the same result.

`ReplicatedStore` looks like `store.Store` to the hub (`dispatch`, `get_state`, `lock`,
`subscribe`), so the realtime layer is the same with or without a cluster. Appending
and catching up happen in one Lua script (one round trip) while this node's store lock
is held, so this node's own entries are applied by the thread that appended them, in
order with everything before them; `follow()` (a background task) applies what other
nodes append. Besides actions, the stream carries `send` entries: a message for a
user's tabs wherever they are served (chat fan-out), delivered by each node to its own.

A starting node loads the newest snapshot (written by the clock holder every
`snapshot_every` entries, see lease.py) and replays the stream from there; the stream
is trimmed behind the previous snapshot.
"""
import json
import logging

import redis

from ..errors import Refusal
from ..store.core import check_action

log = logging.getLogger(__name__)
RETRY_MS = 2000

# KEYS[1] the stream; ARGV: the entry's fields (kind, origin, body), the cursor.
# Returns {new id, entries after the cursor up to and including it, first id}.
APPEND = """
local id = redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 'o', ARGV[2], 'b', ARGV[3])
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
return {id, redis.call('XRANGE', KEYS[1], '(' .. ARGV[4], id), first[1][1]}
"""


def entry_key(entry_id):
    """Stream ids ("ms-seq") in order."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def thaw(state):
    """A state read back from JSON: the tuples the reducers build on are tuples again."""
    for user in state["users"].values():
        user["clientIds"] = tuple(user["clientIds"])
    for client in state["clients"].values():
        client["anchorIds"] = tuple(client["anchorIds"])
    for call in state["calls"].values():
        call["relayOnly"] = tuple(call.get("relayOnly", ()))
    return state


def encode(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class ClusterDown(Refusal):
    def __init__(self):
        super().__init__("unavailable", "The server cannot reach its cluster log right now; "
                         "nothing was changed. It retries by itself: try again in a moment.",
                         retry_after_ms=RETRY_MS)


class ReplicatedStore:
    def __init__(self, store, client, node, prefix="tlc", on_send=None, sleep=None):
        self.store = store            # this node's copy (store.core.Store)
        self.redis = client           # redis.Redis(decode_responses=True)
        self.node = node
        self.stream = f"{prefix}:log"
        self.snapshot_key = f"{prefix}:snapshot"
        self.on_send = on_send        # (user_id, event, data, skip_client) for send entries
        self.sleep = sleep
        self.cursor = "0-0"           # the last entry applied here
        self.applied = 0              # entries applied since start
        self.healthy = True           # False while Redis cannot be reached
        self.origin_here = True       # while applying: did this node append the entry?
        self.verdicts = None          # tests: a list to record (id, refusal code or None)
        self.stopped = False
        self.last_entry = None        # the id of this node's newest own action
        self._append = client.register_script(APPEND)

    # -- what the hub sees: the Store interface --------------------------------------
    @property
    def lock(self):
        return self.store.lock

    def get_state(self):
        return self.store.get_state()

    def subscribe(self, listener):
        return self.store.subscribe(listener)

    def dispatch(self, action):
        """Append `action` to the log, apply the log up to it; raise its Refusal."""
        check_action(action)
        with self.store.lock:
            entry_id, verdict = self._append_and_apply("a", encode(action))
            self.last_entry = entry_id
        if verdict is not None:
            raise verdict
        return action

    def send(self, user_id, event, data, skip_client=None):
        """A message for every tab of `user_id` on every node (not this one: the caller
        delivers here itself)."""
        body = encode({"u": user_id, "e": event, "d": data, "x": skip_client})
        with self.store.lock:
            self._append_and_apply("s", body)

    # -- the log ---------------------------------------------------------------------
    def _append_and_apply(self, kind, body):
        try:
            entry_id, entries, first = self._append(
                keys=[self.stream], args=[kind, self.node, body, self.cursor])
        except redis.RedisError as err:
            self._down(err)
            raise ClusterDown() from None
        self._up()
        self._check_gap(first)
        verdict = None
        for eid, fields in entries:
            result = self._apply(eid, _fields(fields))
            if eid == entry_id:
                verdict = result
        return entry_id, verdict

    def _check_gap(self, first):
        """Our cursor fell behind the trimmed start of the stream: reload the snapshot."""
        if self.cursor != "0-0" and first and entry_key(first) > entry_key(self.cursor):
            log.error("cluster log trimmed past this node's cursor %s; reloading", self.cursor)
            self.join()

    def _apply(self, entry_id, fields):
        """Apply one entry (the store lock is held); returns the action's Refusal or None."""
        if entry_key(entry_id) <= entry_key(self.cursor):
            return None
        self.cursor = entry_id
        self.applied += 1
        kind, origin = fields.get("k"), fields.get("o")
        try:
            body = json.loads(fields.get("b", "null"))
        except ValueError:
            log.error("cluster log entry %s is not JSON; skipped", entry_id)
            return None
        if kind == "s":
            if origin != self.node and self.on_send is not None:
                self.on_send(body["u"], body["e"], body["d"], body.get("x"))
            return None
        verdict = None
        self.origin_here = origin == self.node
        try:
            self.store.dispatch(body)
        except Refusal as err:
            verdict = err
        except Exception:  # InvalidAction or a bug: the same on every node, logged
            log.exception("cluster log entry %s could not be applied", entry_id)
            verdict = Refusal("internal", "the server could not apply this change; it "
                              "has been logged, please retry")
        finally:
            self.origin_here = True
        if self.verdicts is not None:
            self.verdicts.append((entry_id, verdict.code if verdict else None))
        return verdict

    def catch_up(self, batch=1000):
        """Apply everything appended so far (a starting node; tests)."""
        while True:
            entries = self.redis.xrange(self.stream, f"({self.cursor}", "+", count=batch)
            if not entries:
                return
            with self.store.lock:
                for eid, fields in entries:
                    self._apply(eid, fields)

    def follow(self, block_ms=1000, batch=500):
        """Background task: apply what other nodes append, for as long as we run."""
        while not self.stopped:
            try:
                reply = self.redis.xread({self.stream: self.cursor}, count=batch, block=block_ms)
            except redis.RedisError as err:
                if self.stopped:
                    return
                self._down(err)
                self.sleep(0.5)
                continue
            self._up()
            for _stream, entries in reply or ():
                with self.store.lock:
                    for eid, fields in entries:
                        self._apply(eid, fields)

    # -- snapshots -------------------------------------------------------------------
    def join(self):
        """Load the newest snapshot (if any) and replay the log after it. What was sent
        before we joined is not delivered again (nobody here could have missed it)."""
        on_send, self.on_send = self.on_send, None
        try:
            self._join()
        finally:
            self.on_send = on_send

    def _join(self):
        raw = self.redis.get(self.snapshot_key)
        with self.store.lock:
            if raw:
                snap = json.loads(raw)
                self.store.load(thaw(snap["state"]))
                self.cursor = snap["id"]
            else:
                self.cursor = "0-0"
        self.catch_up()

    def write_snapshot(self):
        """The clock holder: save this copy of the state, trim behind the last snapshot."""
        with self.store.lock:
            body = encode({"id": self.cursor, "state": self.store.get_state(),
                           "node": self.node})
            cursor = self.cursor
        previous = self.redis.get(self.snapshot_key)
        self.redis.set(self.snapshot_key, body)
        if previous:
            # Entries before the previous snapshot are needed by nobody: a node joining
            # now loads the new one, a lagging node still finds everything after the old.
            self.redis.xtrim(self.stream, minid=json.loads(previous)["id"], approximate=False)
        return cursor

    # -- health ----------------------------------------------------------------------
    def _down(self, err):
        if self.healthy:
            log.error("cluster log (Redis) unreachable: %s", err)
        self.healthy = False

    def _up(self):
        if not self.healthy:
            log.warning("cluster log (Redis) reachable again at %s", self.cursor)
        self.healthy = True


def _fields(fields):
    """A Lua reply's entry fields come as a flat list [k, v, k, v, ...]."""
    if isinstance(fields, dict):
        return fields
    return dict(zip(fields[0::2], fields[1::2]))
