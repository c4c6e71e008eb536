"""Fixtures for the cluster tests: a real redis-server (e2e/services.py's Redis, in a
temp dir, on a free port), started once per module and emptied before each test; nodes
(apps) on it and one PostgreSQL database."""
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


def connect(url):
    return redis_py.Redis.from_url(url, decode_responses=True, socket_timeout=5)


@pytest.fixture
def nodes(postgres, redis_url):
    """make(name): a node on the shared Redis and one PostgreSQL database (the cluster's
    database: tests/pgserver.py, a fresh one per test)."""
    made = []
    database = postgres.create_database()

    def make(name):
        app = create_app({
            "DATABASE_URL": postgres.url(database), "TESTING": True,
            "REDIS_URL": redis_url, "NODE_ID": name, "CLUSTER_LEASE_MS": 600,
            "CLUSTER_NODE_LAPSE_MS": 900, "RECONNECT_GRACE": 30,
            "CHAT_RATE_PER_SECOND": 0.05})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["tlightchat"].hub.close()
        app.extensions["tlightchat"].db.dispose()
    postgres.drop_database(database)
