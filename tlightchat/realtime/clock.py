"""The clock: one background task that ticks the hub every TICK_SECONDS.

Time enters the store only as `clock/ticked` actions made here (ring time-outs, grace
periods running out), so the reducers stay pure and a replay gives the same verdicts.
The lobby's "N online" push rides on the same tick, paced by LobbyViews.count_interval.
"""
import logging

log = logging.getLogger(__name__)
TICK_SECONDS = 0.25


class Clock:
    def __init__(self, socketio, tick, count_every, lobby):
        self.socketio = socketio
        self.tick = tick              # hub.tick(): what one tick does
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

    def _forever(self):
        while not self.stopped:
            self.socketio.sleep(TICK_SECONDS)
            try:
                self.tick()
            except Exception:
                log.exception("clock tick failed")
