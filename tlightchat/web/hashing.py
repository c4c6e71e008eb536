"""Password hashing (scrypt) on a small pool of its own, off the event loop.

One scrypt hash takes tens of milliseconds of CPU; under eventlet or gevent, run inline,
it stalls every connection of the process. It used to run in eventlet's tpool, the same
OS threads that commit chat (worker.run_blocking): 24 sign-in loops filled them and a
bystander's `chat:send` ack went from a p50 of 4 ms to 400 ms. Now hashes run on
HASH_THREADS real OS threads that nothing else uses (hashlib.scrypt releases the GIL), at
most HASH_QUEUE more wait for them, and past that a sign-in is refused at once (`Busy`)
instead of queueing without bound. The request waits in the way its async mode allows:

- eventlet: the green thread sleeps on a pipe the hashing thread writes one byte to;
- gevent: a gevent ThreadPool of its own (not the hub's);
- threading: the request's own thread waits on an Event.
"""
import importlib
import sys
import threading

from werkzeug.security import check_password_hash, generate_password_hash


class Busy(Exception):
    """Every hashing thread is busy and the queue is full: try again shortly."""


def _real(module):
    """The unpatched module: the pool's threads must be OS threads under eventlet."""
    if "eventlet" not in sys.modules:  # only an imported eventlet can have patched it
        return importlib.import_module(module)
    from eventlet import patcher
    return patcher.original(module)


class _Job:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args
        self.result = self.error = None
        self.notify = None  # called (in the hashing thread) when done


class HashPool:
    """`threads` OS threads running hash jobs in order; `run(fn, *args)` waits for one."""

    def __init__(self, threads, queue, mode="threading"):
        self.size, self.queue_max, self.mode = threads, queue, mode
        real_threading, real_queue = _real("threading"), _real("queue")
        self._lock = real_threading.Lock()
        self._jobs = real_queue.Queue()
        self._pending = 0  # running + waiting
        self._gevent_pool = None
        self.threads = []
        if mode == "gevent":
            from gevent.threadpool import ThreadPool
            self._gevent_pool = ThreadPool(threads)
            return
        for n in range(threads):
            thread = real_threading.Thread(target=self._serve, name=f"tlc-hash-{n}",
                                           daemon=True)
            thread.start()
            self.threads.append(thread)

    def _serve(self):
        while True:
            job = self._jobs.get()
            try:
                job.result = job.fn(*job.args)
            except BaseException as err:  # handed to the waiting request
                job.error = err
            job.notify()

    def run(self, fn, *args):
        with self._lock:
            if self._pending >= self.size + self.queue_max:
                raise Busy()
            self._pending += 1
        try:
            if self._gevent_pool is not None:
                return self._gevent_pool.apply(fn, args)
            job = _Job(fn, args)
            if self.mode == "eventlet":
                self._wait_green(job)
            else:
                done = threading.Event()
                job.notify = done.set
                self._jobs.put(job)
                done.wait()
        finally:
            with self._lock:
                self._pending -= 1
        if job.error is not None:
            raise job.error
        return job.result

    def _wait_green(self, job):
        from eventlet.hubs import trampoline

        real_os = _real("os")
        read_fd, write_fd = real_os.pipe()
        try:
            job.notify = lambda: real_os.write(write_fd, b"x")
            self._jobs.put(job)
            trampoline(read_fd, read=True)  # this green thread sleeps; the loop runs on
            real_os.read(read_fd, 1)
        finally:
            real_os.close(read_fd)
            real_os.close(write_fd)


_pool = {"value": None}
_pools = {}  # (threads, queue, mode) -> HashPool: apps built alike (tests) share one


def init_app(app):
    key = (int(app.config["HASH_THREADS"]), int(app.config["HASH_QUEUE"]),
           app.config.get("ASYNC_MODE", "threading"))
    if key not in _pools:
        _pools[key] = HashPool(*key)
    _pool["value"] = _pools[key]


def pool():
    if _pool["value"] is None:  # used without an app (scripts): a default pool
        _pool["value"] = HashPool(2, 32)
    return _pool["value"]


def check(password_hash, password):
    return pool().run(check_password_hash, password_hash, password)


def generate(password):
    return pool().run(generate_password_hash, password)
