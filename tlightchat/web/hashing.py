"""Password hashing (scrypt) off the event loop.

One scrypt hash takes tens of milliseconds of CPU; under eventlet or gevent, run inline,
it stalls every connection of the process (40 sign-ins, 4 at a time, raised another
user's socket latency to a p50 of 344 ms). hashlib.scrypt releases the GIL, so a real OS
thread runs it in parallel; the request waits in the way its async mode allows:

- eventlet: `eventlet.tpool.execute` (a real thread; the greenlet yields until done);
- gevent: the hub's threadpool (`gevent.get_hub().threadpool.apply`);
- threading: every request already has its own thread; the hash runs inline.
"""
from werkzeug.security import check_password_hash, generate_password_hash

_mode = {"value": "threading"}


def init_app(app):
    _mode["value"] = app.config.get("ASYNC_MODE", "threading")


def off_loop(fn, *args):
    mode = _mode["value"]
    if mode == "eventlet":
        from eventlet import tpool
        return tpool.execute(fn, *args)
    if mode == "gevent":
        import gevent
        return gevent.get_hub().threadpool.apply(fn, args)
    return fn(*args)


def check(password_hash, password):
    return off_loop(check_password_hash, password_hash, password)


def generate(password):
    return off_loop(generate_password_hash, password)
