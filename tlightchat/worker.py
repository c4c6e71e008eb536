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

A background task under eventlet or gevent is a green thread: a blocking call in it (a
database COMMIT and its fsync, a lock wait) stalls every connection of the process.
`run_blocking` runs such a call in a real OS thread (eventlet's tpool, gevent's
threadpool) while the calling green thread waits cooperatively; without green threads
it simply calls. What runs there must not contend for locks with the event loop (under
eventlet a green lock cannot wait across OS threads): give it resources of its own (the
group commit's engine, db.Database.writing) and keep logging on the loop side.
"""
import logging
import sys
import threading
from collections import deque

log = logging.getLogger(__name__)

_offload = None


def _choose_offload():
    # Only a library that is already imported can have patched anything.
    if "eventlet" in sys.modules:
        from eventlet import patcher
        if patcher.is_monkey_patched("thread"):
            from eventlet import tpool
            return tpool.execute
    if "gevent.monkey" in sys.modules:
        from gevent import monkey
        if monkey.is_module_patched("threading"):
            import gevent
            return lambda fn, *args: gevent.get_hub().threadpool.apply(fn, args)
    return lambda fn, *args: fn(*args)


def run_blocking(fn, *args):
    """fn(*args) in a real OS thread if the process runs green threads; its result or
    its exception, once it is done."""
    global _offload
    if _offload is None:  # decided on first use: monkey-patching happens at start-up
        _offload = _choose_offload()
    return _offload(fn, *args)


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
