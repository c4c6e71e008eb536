"""Fixtures for the cluster tests: a real redis-server (e2e/services.py's Redis, in a
temp dir, on a free port), started once per module and emptied before each test; nodes
(apps) on it and one PostgreSQL database."""
import contextlib

import pytest
import redis as redis_py

from e2e.services import Redis
from tlightchat import create_app


@pytest.fixture(scope="module")
def redis_server():
    server = Redis().start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    client = redis_py.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@contextlib.contextmanager
def nodes_behind_nginx(postgres, env, names, spare_ports=0):
    """`python app.py` nodes (one per name, on one Redis and a fresh PostgreSQL
    database) behind deploy/nginx-cluster.conf; yields (redis, nodes by name, proxy)
    and stops all of it afterwards. `env(redis_url, database_url)` gives the nodes'
    settings; `spare_ports` adds upstreams where nothing listens (a node that is down)."""
    from e2e.conftest import Server
    from e2e.services import ClusterNginx, free_port

    redis = Redis().start()
    database = postgres.create_database()
    settings = env(redis.url, postgres.url(database))
    nodes, proxy = {}, None
    try:
        for name in names:  # one after the other: the first migrates the database
            nodes[name] = Server({**settings, "TLC_NODE_ID": name}).start()
        proxy = ClusterNginx([n.port for n in nodes.values()]
                             + [free_port() for _ in range(spare_ports)]).start()
        yield redis, nodes, proxy
    finally:
        if proxy is not None:
            proxy.stop()
        for srv in nodes.values():
            srv.stop()
            srv.cleanup()
        redis.stop()
        postgres.drop_database(database)


def connect(url):
    return redis_py.Redis.from_url(url, decode_responses=True, socket_timeout=5)


@pytest.fixture
def nodes(postgres, redis_url):
    """make(name, **config): a node on the shared Redis and one PostgreSQL database (the cluster's
    database: tests/support/pgserver.py, a fresh one per test)."""
    made = []
    database = postgres.create_database()

    def make(name, **extra):
        app = create_app({
            "DATABASE_URL": postgres.url(database), "TESTING": True,
            "REDIS_URL": redis_url, "NODE_ID": name, "CLUSTER_LEASE_MS": 600,
            "CLUSTER_NODE_LAPSE_MS": 900, "RECONNECT_GRACE": 30,
            "CHAT_RATE_PER_SECOND": 0.05, **extra})
        made.append(app)
        return app

    yield make
    for app in made:  # everything it started ends before its database is dropped
        app.extensions["tlightchat"].close()
        app.extensions["tlightchat"].db.dispose()
    postgres.drop_database(database)


class Cuttable:
    """A small TCP proxy in front of Redis for one node: `cut()` closes every forwarded
    connection and stops listening (the node's connections fail, new ones are refused),
    as a network partition between that node and Redis does."""

    def __init__(self, target_port):
        import socket
        import threading

        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.pairs = []
        self.is_cut = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        import socket
        import threading

        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # cut
            with self.lock:
                if self.is_cut:  # accepted as the cut happened: refused all the same
                    conn.close()
                    return
                upstream = socket.create_connection(self.target)
                self.pairs.append((conn, upstream))
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.close()
            except OSError:
                pass

    def cut(self):
        import socket

        with self.lock:
            self.is_cut = True
            try:  # wakes the accepting thread (a close alone leaves it listening)
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            for pair in self.pairs:
                for s in pair:
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    s.close()
