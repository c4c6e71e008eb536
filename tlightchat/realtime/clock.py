"""The clock: one background task that ticks the life cycle (lifecycle.py) every TICK_SECONDS.

Time enters the store only as `clock/ticked` actions made here (ring time-outs, grace
periods running out), so the reducers stay pure and a replay gives the same verdicts.
The lobby's "N online" push rides on the same tick, paced by LobbyViews.count_interval.
"""
import logging

from .outgoing import named_ids, slice_changes

log = logging.getLogger(__name__)
TICK_SECONDS = 0.25


class Clock:
    def __init__(self, socketio, tick, count_every, lobby):
        self.socketio = socketio
        self.tick = tick              # SocketLifecycle.tick: what one tick does
        self.count_every = count_every
        self.lobby = lobby
        self._counted_at = 0.0
        self._task = None
        self.stopped = False

    def start(self):
        """Idempotent: the first connection starts the one ticking task."""
        if self._task is None:
            self._task = self.socketio.start_background_task(self._forever)

    def counts_due(self, now):
        """Whether to push lobby counts at `now` (and, if so, mark them pushed)."""
        if now - self._counted_at < self.lobby.count_interval(self.count_every):
            return False
        self._counted_at = now
        return True

    def stop(self):
        self.stopped = True

    def join(self):
        """After stop(): wait for the ticking task to end (at most one tick)."""
        if self._task is not None:
            self._task.join()

    def _forever(self):
        while not self.stopped:
            self.socketio.sleep(TICK_SECONDS)
            if self.stopped:
                return
            try:
                self.tick()
            except Exception:
                log.exception("clock tick failed")


class AwayClients:
    """Which clients are away (socket gone, grace period running): the clock ticks the
    store only while someone is. Kept in step with each change from the ids its action
    names (outgoing.slice_changes), so a tick does not scan every client: at 40,000
    clients a scan of the clients map took 10 ms, up to four times a second while people
    came and went. A state it did not see arrive (a cluster node loading a snapshot) is
    scanned once."""

    def __init__(self, store):
        self.store = store
        self.ids = set()
        self.seen = None       # the clients slice `ids` describes
        store.subscribe(self._on_change)

    def any(self):
        clients = self.store.get_state()["clients"]
        if clients is not self.seen:
            self.ids = {cid for cid, c in clients.items() if c["awayUntil"] is not None}
            self.seen = clients
        return bool(self.ids)

    def _on_change(self, action, prev, nxt):
        before, after = prev["clients"], nxt["clients"]
        if before is after or before is not self.seen:
            return  # unchanged, or not in step anyway (any() scans)
        added, removed, changed = slice_changes(before, after, named_ids(action))
        self.ids.difference_update(removed)
        for cid in (*added, *changed):
            if after[cid]["awayUntil"] is None:
                self.ids.discard(cid)
            else:
                self.ids.add(cid)
        self.seen = after
