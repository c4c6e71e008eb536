"""Fixtures for the cluster tests: a real redis-server (e2e/services.py's Redis, in a
temp dir, on a free port), started once per module and emptied before each test."""
import pytest
import redis as redis_py

from e2e.services import Redis


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
