"""The replicated store: one ordered log in a Redis Stream, applied by every node.

    dispatch ─→ XADD the action to the stream and read back everything up to it
             ─→ apply each entry in order to this node's copy of the store
             ─→ the verdict on our own entry (a Refusal, or none) is the answer

Every node appends the actions it would dispatch and applies the whole log in stream
order, so every copy of the store goes through the same states and the guards (part of
the reducer step) reach the same verdict on every node: of two accepts of one ring the
first in the log wins everywhere. Ids and times are made at the edge, so replaying an
action anywhere gives the same result.

`ReplicatedStore` looks like `store.Store` to the realtime layer (`dispatch`,
`get_state`, `lock`, `subscribe`), so that layer is the same with or without a cluster. Appending
and catching up happen in one Lua script (one round trip) while this node's store lock
is held, so this node's own entries are applied by the thread that appended them, in
order with everything before them; `follow()` (a background task) applies what other
nodes append. Besides actions, the stream carries `send` entries: a message for a
user's tabs wherever they are served (chat fan-out), delivered by each node to its own.

A starting node loads the newest snapshot (written by the clock holder every
`snapshot_every` entries, see node.py) and replays the stream from there; the stream
is trimmed behind the previous snapshot. The scripts and the encoding: entries.py.
"""
import json
import logging
import time
from collections import OrderedDict

import redis

from ..errors import Refusal
from ..store.core import check_action
from ..store.reducers import initial_state
from .entries import (  # noqa: F401  (encode, thaw, ClusterDown: read from here too)
    APPEND, BATCH, PROBE_S, PUSHERS, SNAPSHOT, ClusterDown, encode, entry_key, thaw)

log = logging.getLogger(__name__)


class ReplicatedStore:
    def __init__(self, store, client, node, prefix="tlc", on_send=None, sleep=None,
                 reader=None):
        self.store = store            # this node's copy (store.core.Store)
        self.redis = client           # redis.Redis(decode_responses=True), short time-outs
        self.reader = reader or client  # the follower's blocking reads
        self.node = node
        self.stream = f"{prefix}:log"
        self.counter = f"{prefix}:seq"
        self.snapshot_key = f"{prefix}:snapshot"
        self.seq = None               # the number of the last entry applied (None: unknown)
        self.on_send = on_send        # (user_id, event, data, skip_client) for send entries
        self.sleep = sleep
        self.cursor = "0-0"           # the last entry applied here
        self.applied = 0              # entries applied since start
        self.healthy = True           # False while Redis cannot be reached
        self.failed_at = 0.0          # time.monotonic() of the last failed Redis call
        self.origin_here = True       # while applying: did this node append the entry?
        self.verdicts = None          # tests: a list to record (id, refusal code or None)
        self.stopped = False
        self.last_entry = None        # the id of this node's newest own action
        self.pushed = OrderedDict()   # {outbox: the highest push number applied from it}
        self._append = client.register_script(APPEND)
        self._snapshot = client.register_script(SNAPSHOT)

    # -- what the realtime layer sees: the Store interface ---------------------------
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

    def send(self, user_id, event, data, skip_client=None, push_id=None):
        """A message for every tab of `user_id` on every node (not this one: the caller
        delivers here itself). `push_id` ("<sender>:<n>", outbox.py): applied once."""
        body = encode({"u": user_id, "e": event, "d": data, "x": skip_client, "i": push_id})
        with self.store.lock:
            self._append_and_apply("s", body)

    # -- the log ---------------------------------------------------------------------
    def _refuse_while_down(self):
        """Known down and tried less than PROBE_S ago: refuse without asking."""
        if not self.healthy and time.monotonic() - self.failed_at < PROBE_S:
            raise ClusterDown()

    def _append_and_apply(self, kind, body):
        self._refuse_while_down()
        try:
            entry_id, entries = self._append(
                keys=[self.stream, self.counter],
                args=[kind, self.node, body, self.cursor, BATCH])
            verdict = self._apply_all(entries, entry_id)
            while entry_key(self.cursor) < entry_key(entry_id):  # far behind: read on
                more = self.redis.xrange(self.stream, f"({self.cursor}", entry_id, count=BATCH)
                if not more:
                    break
                verdict = self._apply_all(more, entry_id) or verdict
        except redis.RedisError as err:
            # If the append itself ran but its reply was lost, the entry is in the log
            # and takes effect: "unavailable" then means "not known to be done".
            self.down(err)
            raise ClusterDown() from None
        self.up()
        return entry_id, verdict

    def _apply_all(self, entries, own_id=None):
        verdict = None
        for eid, fields in entries:
            result = self._apply(eid, _fields(fields))
            if eid == own_id:
                verdict = result
        return verdict

    def _apply(self, entry_id, fields):
        """Apply one entry (the store lock is held); returns the action's Refusal or None."""
        if entry_key(entry_id) <= entry_key(self.cursor):
            return None
        n = int(fields["n"]) if fields.get("n") else None
        if n is not None and self.seq is not None and n != self.seq + 1:
            # Entries between ours and this one were trimmed before we read them.
            log.error("cluster log: entries %d-%d are gone (trimmed); reloading the "
                      "snapshot", self.seq + 1, n - 1)
            self._reload()
            if entry_key(entry_id) <= entry_key(self.cursor):
                return None
        self.cursor = entry_id
        self.seq = n if n is not None else self.seq
        self.applied += 1
        kind, origin = fields.get("k"), fields.get("o")
        try:
            body = json.loads(fields.get("b", "null"))
        except ValueError:
            log.error("cluster log entry %s is not JSON; skipped", entry_id)
            return None
        if kind == "s":
            if not self._first_push(body.get("i")):
                return None  # appended again after a lost reply: delivered already
            if origin != self.node and self.on_send is not None:
                try:
                    self.on_send(body["u"], body["e"], body["d"], body.get("x"))
                except Exception:
                    log.exception("delivering cluster log entry %s failed", entry_id)
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

    def _first_push(self, push_id):
        """False for a push applied already: its outbox's numbers only go up (outbox.py),
        so a number not above the last one applied from that outbox is a repeat."""
        sender, _, n = (push_id or "").rpartition(":")
        if not sender or not n.isdigit():
            return True  # no id (an older node's push): as before
        if int(n) <= self.pushed.get(sender, 0):
            return False
        self.pushed[sender] = int(n)
        self.pushed.move_to_end(sender)
        if len(self.pushed) > PUSHERS:  # outboxes of processes long gone
            self.pushed.popitem(last=False)
        return True

    def catch_up(self, batch=BATCH):
        """Apply everything appended so far (a starting node, a connect; tests)."""
        self._refuse_while_down()
        while True:
            try:
                entries = self.redis.xrange(self.stream, f"({self.cursor}", "+", count=batch)
            except redis.RedisError as err:
                self.down(err)
                raise ClusterDown() from None
            if not entries:
                return
            with self.store.lock:
                self._apply_all(entries)

    def follow(self, block_ms=1000, batch=500):
        """Background task: apply what other nodes append, for as long as we run."""
        while not self.stopped:
            try:
                reply = self.reader.xread({self.stream: self.cursor}, count=batch, block=block_ms)
            except redis.RedisError as err:
                if self.stopped:
                    return
                self.down(err)
                self.sleep(0.5)
                continue
            if self.stopped:  # closed while blocked: what came is for the nodes still on
                return
            self.up()
            for _stream, entries in reply or ():
                try:
                    with self.store.lock:
                        self._apply_all(entries)
                except Exception:  # never let the follower die: log, carry on
                    log.exception("cluster log: applying a batch failed")

    # -- snapshots -------------------------------------------------------------------
    def join(self):
        """Load the newest snapshot (if any) and replay the log after it. What was sent
        before we joined is not delivered again (nobody here could have missed it)."""
        on_send, self.on_send = self.on_send, None
        try:
            with self.store.lock:
                self._load_snapshot()
            self.catch_up()
        finally:
            self.on_send = on_send

    def _load_snapshot(self):
        raw = self.redis.get(self.snapshot_key)
        if raw:
            snap = json.loads(raw)
            self.store.load(thaw(snap["state"]))
            self.cursor, self.seq = snap["id"], snap.get("seq")
        else:
            self.store.load(initial_state())
            self.cursor, self.seq = "0-0", 0

    def _reload(self):
        """Missed entries: start again from the newest snapshot (its later entries are
        read next). Local views are not rebuilt; clients get fresh ones when they
        reconnect. Rare: only a node cut off for longer than two snapshots' worth.
        (Loading applies no entry, so nothing is delivered again.)"""
        self._load_snapshot()

    def write_snapshot(self):
        """The clock holder: save this copy of the state, trim behind the last snapshot."""
        with self.store.lock:
            state, cursor, seq = self.store.get_state(), self.cursor, self.seq
        # Encoded outside the lock: a state is never changed in place (the reducers
        # build new dicts), so this reference is a consistent copy at `cursor`.
        body = encode({"id": cursor, "seq": seq, "state": state, "node": self.node})
        # Entries before the previous snapshot are needed by nobody: a node joining now
        # loads the new one, a lagging node still finds everything after the old.
        stored = self._snapshot(keys=[self.snapshot_key, self.snapshot_key + ":id", self.stream],
                                args=[body, cursor])
        return cursor if stored else None

    # -- health ----------------------------------------------------------------------
    def down(self, err):
        self.failed_at = time.monotonic()
        if self.healthy:
            log.error("cluster log (Redis) unreachable: %s", err)
        self.healthy = False

    def up(self):
        if not self.healthy:
            log.warning("cluster log (Redis) reachable again at %s", self.cursor)
        self.healthy = True


def _fields(fields):
    """A Lua reply's entry fields come as a flat list [k, v, k, v, ...]."""
    if isinstance(fields, dict):
        return fields
    return dict(zip(fields[0::2], fields[1::2]))
