"""Issue 24, item 3: deploy/nginx-cluster.conf as it ships, in front of three real
nodes (`python app.py` on one Redis and one PostgreSQL database): readiness 503s polled
through it (Redis paused: no node ready) take no node out once they are ready; a rolling restart of
every node with requests from every kind of client (pinned to each node by its
cookie, and new visitors) fails none of them, and after it a SIGKILLed node's pinned
clients are served by another node at once (within 2 s). Before, nginx marked servers
down per block and, once a block's servers had each failed once, answered 502 ("no
live upstreams") though healthy nodes were up."""
import signal
import time

import pytest
import requests

from e2e.services import wait_for

from tests.support.cluster import nodes_behind_nginx
from tests.support.storm import Visitors

NODES = ("n5001", "n5002", "n5003")


@pytest.fixture
def cluster(postgres):
    def env(redis_url, database_url):
        return {"TLC_REDIS_URL": redis_url, "TLC_DATABASE_URL": database_url,
                "TLC_SECRET_KEY": "cluster-proxy-secret-key"}

    with nodes_behind_nginx(postgres, env, NODES) as (redis, nodes, proxy):
        yield nodes, proxy, redis


def ready(url):
    return requests.get(url + "/healthz/ready", timeout=10).status_code


def test_the_deploy_file_never_answers_502_while_a_node_is_healthy(cluster):
    nodes, proxy, redis = cluster
    with Visitors(proxy.url) as visitors:
        # Readiness polled through the proxy while no node is ready (Redis paused): the
        # 503s must not take the nodes out once they are ready again.
        redis.proc.send_signal(signal.SIGSTOP)
        try:
            for srv in nodes.values():
                wait_for(lambda s=srv: ready(s.url) == 503, 10, "not ready without Redis")
            for session in [*visitors.sessions.values(), requests]:
                assert session.get(proxy.url + "/healthz/ready", timeout=10).status_code == 503
        finally:
            redis.proc.send_signal(signal.SIGCONT)
        for srv in nodes.values():
            wait_for(lambda s=srv: ready(s.url) == 200, 10, "ready again")
        for session in [*visitors.sessions.values(), requests]:
            assert session.get(proxy.url + "/healthz/ready", timeout=10).status_code == 200
        assert visitors.failures == [], f"{len(visitors.failures)} of {visitors.answers} failed"

        for name, srv in nodes.items():  # a rolling restart
            before = visitors.answers
            srv.proc.send_signal(signal.SIGTERM)
            assert srv.proc.wait(20) == 0, f"{name}: a graceful stop exits 0"
            srv.start()
            wait_for(lambda b=before: visitors.answers > b + 20, 20, "requests went on")
    assert visitors.failures == [], f"{len(visitors.failures)} of {visitors.answers} failed"

    # A node SIGKILLed: a client pinned to it is served by another node at once.
    pinned = visitors.sessions["n5002"]
    pinned.cookies.set("tlc_node", "n5002")
    assert pinned.get(proxy.url + "/healthz/live").cookies.get("tlc_node") == "n5002"
    nodes["n5002"].proc.kill()
    nodes["n5002"].proc.wait()
    started = time.monotonic()
    response = pinned.get(proxy.url + "/healthz/live", timeout=10)
    took = time.monotonic() - started
    assert response.status_code == 200 and response.cookies.get("tlc_node") != "n5002"
    assert took < 2.0, f"moved after {took:.2f} s"
