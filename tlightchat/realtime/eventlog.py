"""The log of client events: each event at DEBUG, a summary per interval at INFO.

A line per client event made the log grow with what clients send, not with time: 21.7 MB
in 10 minutes at INFO, and ~130 bytes written for every refused 4-byte packet, the
rate-limited ones too. Now each event's line is DEBUG, and at INFO there is, once per
interval (LOG_SUMMARY_INTERVAL seconds), one line of totals and one line per connection
that had refusals, with counts by code. At most MAX_CLIENT_LINES connections get a line
of their own (the most refused first); the rest are one more line. So INFO volume is
bounded by the interval, whatever clients send.

Counts are keyed only by what the server chose: event names are counted by name only
when they are protocol events (an unknown name counts as "?"), so a client cannot grow
the summary by inventing names.
"""
import logging
import time
from collections import Counter

from ..protocol import HANDLERS

log = logging.getLogger("tlightchat.realtime.hub")
MAX_CLIENT_LINES = 20


def _counts(counter):
    return ",".join(f"{key}={n}" for key, n in counter.most_common())


class EventLog:
    def __init__(self, interval=60.0, clock=time.monotonic, spawn=None, sleep=None,
                 logger=log):
        self.interval = float(interval)
        self.log = logger
        self.clock = clock
        self.spawn, self.sleep = spawn, sleep  # a background flusher, when given
        self._task = None
        self.stopped = False
        self._reset(clock())

    def _reset(self, now):
        self.since = now
        self.events = Counter()   # event name → count
        self.codes = Counter()    # refusal code → count
        self.refusals = {}        # client id → Counter of refusal codes

    def record(self, event, client_id, result, extra):
        """One client event: its DEBUG line (`extra`: ids, outcome, ms) and its counts."""
        if self.log.isEnabledFor(logging.DEBUG):
            self.log.debug("client event", extra=extra)
        self.events[event if event in HANDLERS else "?"] += 1
        if not result["ok"]:
            code = result["error"]["code"]
            self.codes[code] += 1
            self.refusals.setdefault(client_id or "-", Counter())[code] += 1
        if self._task is None and self.spawn is not None and not self.stopped:
            self._task = self.spawn(self._forever)
        self.flush_if_due()

    def flush_if_due(self):
        now = self.clock()
        if now - self.since >= self.interval:
            self.flush(now)

    def flush(self, now=None):
        """Write the interval's summary (nothing if no event came) and start anew."""
        now = self.clock() if now is None else now
        events, codes, refusals = self.events, self.codes, self.refusals
        seconds = round(now - self.since, 1)
        self._reset(now)
        if not events:
            return
        self.log.info("client events in %s s", seconds, extra={
            "events": sum(events.values()), "refused": sum(codes.values()),
            "counts": _counts(events), "codes": _counts(codes), "clients": len(refusals)})
        ranked = sorted(refusals.items(), key=lambda item: -sum(item[1].values()))
        for client_id, counter in ranked[:MAX_CLIENT_LINES]:
            self.log.info("refusals in %s s", seconds, extra={
                "client": client_id, "refused": sum(counter.values()),
                "codes": _counts(counter)})
        rest = ranked[MAX_CLIENT_LINES:]
        if rest:
            self.log.info("refusals in %s s on more connections", seconds, extra={
                "clients": len(rest), "refused": sum(sum(c.values()) for _, c in rest)})

    def _forever(self):
        # Wakes at least once a second so that close() ends it promptly.
        while not self.stopped:
            self.sleep(min(self.interval, 1.0))
            try:
                self.flush_if_due()
            except Exception:
                self.log.exception("writing the event summary failed")

    def close(self):
        """Stop the background flusher; it has ended when this returns."""
        self.stopped = True
        if self._task is not None:
            self._task.join()
