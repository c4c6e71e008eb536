"""The cluster tests' fixtures: a Redis server per module, a fresh Redis database per
test, two nodes in this process (tests/support/cluster.py)."""
from tests.support.cluster import nodes, redis_server, redis_url  # noqa: F401  (fixtures)
