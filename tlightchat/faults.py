"""Storage faults: said once, counted, answered with a code a client can act on.

A database that cannot take writes (disk full, file or mount read-only, server down)
is not a bug in the handler that met it: the client gets `unavailable` with
`retryAfterMs` (docs/protocol.md), its message stays in the browser's outbox, and the
log says what is wrong once per `interval` seconds with how many requests failed since,
instead of a traceback per request (measured before: 20 MB of log in one disk-full
scenario, ~1 MB/s while clients retried).

Recovery needs no restart: after a fault the next unit of work recycles the pool
(Database.faulted), so the first request after the fault is fixed opens a fresh
connection instead of reusing one that SQLite opened read-only.
"""
import logging
import time

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

from .db import describe_fault
from .errors import Refusal

log = logging.getLogger(__name__)
# IntegrityError and the like are outcomes the services handle (or bugs): not faults.
FAULTS = (OperationalError, DisconnectionError)


def is_storage_fault(err):
    return isinstance(err, FAULTS) or (isinstance(err, DBAPIError) and err.connection_invalidated)


class StorageFaults:
    def __init__(self, db, interval=10.0, retry_after_ms=2000, clock=time.monotonic,
                 on_fault=None):
        self.db = db
        self.interval = interval
        self.retry_after_ms = retry_after_ms
        self.clock = clock
        self.on_fault = on_fault      # e.g. a metrics counter: on_fault()
        self.total = 0                # every fault since start
        self.last_reason = None
        self.last_at = None           # clock() of the newest fault
        self._unreported = 0
        self._reported_at = None

    def refusal(self, err):
        """Count and (at most once per interval) log the fault; the Refusal to answer."""
        now = self.clock()
        self.total += 1
        self._unreported += 1
        self.last_reason, self.last_at = describe_fault(err), now
        if self.on_fault:
            self.on_fault()
        self.db.faulted()
        if self._reported_at is None or now - self._reported_at >= self.interval:
            log.error("storage unavailable: %s (%d failed requests since the last report, "
                      "%d in all)", self.last_reason, self._unreported, self.total)
            self._reported_at, self._unreported = now, 0
        return Refusal("unavailable", "the server cannot store this right now; it is "
                       "kept and sent again automatically", retry_after_ms=self.retry_after_ms)

    def recent(self, within):
        """The reason of a fault seen in the last `within` seconds, or None."""
        if self.last_at is not None and self.clock() - self.last_at < within:
            return self.last_reason
        return None
