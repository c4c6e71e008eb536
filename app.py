"""Production entry point: `python app.py` (what `make run` runs).

The async library must patch the standard library before anything else is imported,
so this file chooses it first (TLC_ASYNC_MODE: eventlet by default, or gevent, or
threading). `flask run` does not come through here; it imports create_app and gets
the threading mode from config/defaults.py, which is what works under it.
"""
import os
import sys

# Optional imports of the runtime (each a `try: import x / except ImportError`) that this
# server never uses: python-socketio's client transports (aiohttp, requests,
# websocket-client) and its other message queues (redis, valkey, kombu, kafka, zmq,
# aio-pika: the cluster has its own Redis client, imported when REDIS_URL is set), and
# eventlet's pyOpenSSL support. Installed for the tests and the benchmarks, they cost the
# server 19 MiB before its first client (issue 33.3, bench/startup_rss.py); python-socketio
# alone imports them too, so the bare baseline pays them.
UNUSED_BY_THE_SERVER = frozenset(("aiohttp", "requests", "websocket", "redis", "valkey",
                                  "kombu", "kafka", "zmq", "aio_pika", "OpenSSL"))


class NotLoaded:
    """On sys.meta_path while `python app.py` imports its runtime and the app: those
    names are "not installed" then. Nothing is cached, so an import after it is gone
    (the cluster's `import redis`) loads the module as usual."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in UNUSED_BY_THE_SERVER:
            raise ModuleNotFoundError(f"{name}: not loaded by the server (app.py)", name=name)
        return None


if __name__ == "__main__":
    sys.meta_path.insert(0, NotLoaded)
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

from tlightchat import create_app, doctor, parts  # noqa: E402  (after monkey-patching, on purpose)
from tlightchat import db as storage  # noqa: E402

if NotLoaded in sys.meta_path:  # the runtime is imported: later imports are the app's
    sys.meta_path.remove(NotLoaded)


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


def install_stop(app, stopper):
    """SIGTERM (systemd, docker stop, the tests) and SIGINT start the graceful stop; a
    second signal while stopping changes nothing (the stop has its own deadline)."""
    import signal

    def on_signal(signum, _frame=None):
        stopper.begin("restart")

    if ASYNC_MODE == "gevent":
        import gevent

        gevent.signal_handler(signal.SIGTERM, on_signal, signal.SIGTERM)
        gevent.signal_handler(signal.SIGINT, on_signal, signal.SIGINT)
    else:
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        if ASYNC_MODE == "eventlet":
            wake_hub_on_signal(signal)


def wake_hub_on_signal(signal):
    """eventlet's hub sleeps in epoll until its next timer. A signal interrupts that
    sleep, Python runs the handler and then resumes the sleep (PEP 475), so the stop the
    handler spawned waited for the next timer: with no clients, SIGTERM took up to 60 s.
    With a wake-up fd the signal also writes a byte to a pipe the hub watches, which ends
    the sleep at once (gevent's own signal_handler does the same for its loop)."""
    import eventlet
    from eventlet.hubs import trampoline

    readable, writable = os.pipe()
    os.set_blocking(readable, False)
    os.set_blocking(writable, False)
    signal.set_wakeup_fd(writable)

    def drain():
        while True:
            trampoline(readable, read=True)
            try:
                os.read(readable, 64)
            except BlockingIOError:
                pass

    eventlet.spawn(drain)


def no_delay(listener):
    """TCP_NODELAY on the listening socket; Linux hands it to every accepted socket.
    Without it, when the server writes two frames in a row to one client (an event,
    then the ack: `anchor:rename` sends a lobby delta first) the second waits for the
    client's delayed ACK (Nagle's algorithm): 44-61 ms per round trip, measured, against
    1-5 ms for an ack alone. Node's Socket.IO server sets it too."""
    import socket

    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listener


def serve_eventlet(app, host, port, max_connections, stopper):
    """Flask-SocketIO's eventlet runner, with the listener ours so the stop can close
    it. The server's own shutdown then waits for the open connections; the stop ends
    the process when it is done, so the call below never returns first."""
    import eventlet
    from eventlet import wsgi

    listener = no_delay(eventlet.listen((host, port)))
    stopper.stop_accepting = listener.close
    try:
        wsgi.server(listener, app, log_output=False, max_size=max_connections,
                    protocol=lean_eventlet_protocol())
    except OSError:  # accept() on the listener the stop closed
        pass
    if stopper.started:
        stopper.wait()


def serve_gevent(app, host, port, stopper):
    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    from gevent import socket as gsocket

    listener = gsocket.socket(gsocket.AF_INET, gsocket.SOCK_STREAM)
    listener.setsockopt(gsocket.SOL_SOCKET, gsocket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(1024)
    server = pywsgi.WSGIServer(no_delay(listener), app, handler_class=WebSocketHandler,
                               log=None)
    stopper.stop_accepting = server.stop_accepting
    server.serve_forever()


def main():
    app = create_app(migrate=storage.migrate_apart)  # Alembic in a child, not here
    tlc = parts(app)
    socketio = tlc.socketio
    host, port = app.config["HOST"], int(app.config["PORT"])
    max_connections = int(app.config["MAX_CONNECTIONS"])
    raise_fd_limit(max_connections + 256)
    if ASYNC_MODE != "threading":  # with threads it hurt: 103 of 1,000 relay clients left
        tune_gc()
    install_stop(app, tlc.stopper)
    print(f"TLightChat serving on http://{host}:{port} ({ASYNC_MODE})", flush=True)
    doctor.at_start(app.config, socketio.start_background_task)  # logs its findings; never blocks
    if ASYNC_MODE == "eventlet":
        serve_eventlet(app, host, port, max_connections, tlc.stopper)
    elif ASYNC_MODE == "gevent":
        serve_gevent(app, host, port, tlc.stopper)
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
