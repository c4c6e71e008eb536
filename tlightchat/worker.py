"""The one serial worker: a queue drained by one background task, in order.

Three parts need "do this later, one at a time, in the order it was asked for": the
chat group commit (a batch of sends in one transaction), the call log (timeline
entries written after a call's setup) and deferred disconnects (a departure noticed
inside one of our own socket writes). Each gives a `SerialWorker` the function that
handles a batch; the worker starts a background task when work arrives and lets it end
when the queue is empty, so an idle server runs no task for it.

The task comes from the server's async mode (`spawn` is Flask-SocketIO's
start_background_task), and the lock is `threading.Lock`, green after eventlet's or
gevent's monkey-patching: the same code under threading, eventlet and gevent.
"""
import logging
import threading
from collections import deque

log = logging.getLogger(__name__)


class SerialWorker:
    def __init__(self, spawn, handle, max_batch=1, name="worker"):
        self.spawn = spawn          # spawn(fn): run fn in a background task
        self.handle = handle        # handle(list of items); exceptions are logged
        self.max_batch = max_batch
        self.name = name
        self._queue = deque()
        self._lock = threading.Lock()
        self._running = False

    def submit(self, item):
        """Queue one item; the drain starts if it is not running."""
        with self._lock:
            self._queue.append(item)
            start, self._running = not self._running, True
        if start:
            self.spawn(self._drain)

    def idle(self):
        """Nothing queued and no batch being handled."""
        return not self._running

    def _take(self):
        with self._lock:
            if not self._queue:
                self._running = False
                return None
            count = min(self.max_batch, len(self._queue))
            return [self._queue.popleft() for _ in range(count)]

    def _drain(self):
        while (batch := self._take()) is not None:
            try:
                self.handle(batch)
            except Exception:  # the worker must outlive one bad batch
                log.exception("%s: a batch failed", self.name)
