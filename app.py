"""Production entry point: `python app.py` (what `make run` runs).

The async library must patch the standard library before anything else is imported,
so this file chooses it first (TLC_ASYNC_MODE: eventlet by default, or gevent, or
threading). `flask run` does not come through here; it imports create_app and gets
the threading mode from config/defaults.py, which is what works under it.
"""
import os

if __name__ == "__main__":
    ASYNC_MODE = os.environ.setdefault("TLC_ASYNC_MODE", "eventlet")
    if ASYNC_MODE == "eventlet":
        import warnings

        # eventlet announces its maintenance mode on import; we know (README), and
        # gevent is one setting away: TLC_ASYNC_MODE=gevent.
        warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    elif ASYNC_MODE == "gevent":
        from gevent import monkey

        monkey.patch_all()

from tlightchat import create_app, parts  # noqa: E402  (after monkey-patching, on purpose)


def raise_fd_limit(wanted):
    """Each connection is a file descriptor; ask for enough of them."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = min(hard, max(soft, wanted))
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ImportError, ValueError, OSError):
        pass


def lean_eventlet_protocol():
    """eventlet's HTTP handler keeps an 8 KiB read and a 16 KiB write buffer for the
    whole life of a connection, and a WebSocket lives for hours: 24 KiB each, a third
    of what an idle client costs (measured with tracemalloc, 800 clients). 4 KiB each
    still holds any request head; larger writes bypass the buffer."""
    from eventlet import wsgi

    class LeanHttpProtocol(wsgi.HttpProtocol):
        rbufsize = 4096
        wbufsize = 4096

    return LeanHttpProtocol


def tune_gc():
    """CPython's full collection walks every live object, and each connection keeps a
    few hundred: at 10,000 clients (1.3 million objects) one took 1.1-1.2 s and came
    every ~5 s, and under eventlet that stalls every connection (pongs go unanswered,
    sockets are closed as gone). Objects that already exist at start are frozen out of
    collection; young collections run every 10,000 allocations instead of 700, so
    short-lived objects die young rather than reaching the old generation, and a full
    collection is considered 10x less often. TLC_GC_THRESHOLD overrides the three
    thresholds (relay p99 at 1,000 msgs/s, one run each: 700,10,10 → 72 ms;
    10000,10,100 → 48 ms; 50000,20,100 → 66 ms)."""
    import gc

    gc.collect()
    gc.freeze()
    raw = os.environ.get("TLC_GC_THRESHOLD", "10000,10,100")
    gc.set_threshold(*(int(x) for x in raw.split(",")))


def main():
    app = create_app()
    socketio = parts(app).socketio
    host, port = app.config["HOST"], int(app.config["PORT"])
    max_connections = int(app.config["MAX_CONNECTIONS"])
    raise_fd_limit(max_connections + 256)
    if ASYNC_MODE != "threading":  # with threads it hurt: 103 of 1,000 relay clients left
        tune_gc()
    options = {"host": host, "port": port, "allow_unsafe_werkzeug": True}
    if ASYNC_MODE == "eventlet":
        options = {"host": host, "port": port, "max_size": max_connections,
                   "log_output": False, "protocol": lean_eventlet_protocol()}
    elif ASYNC_MODE == "gevent":
        options = {"host": host, "port": port}
    print(f"TLightChat serving on http://{host}:{port} ({ASYNC_MODE})", flush=True)
    socketio.run(app, **options)


if __name__ == "__main__":
    main()
