"""Two `python app.py` nodes on one Redis and one PostgreSQL database, behind nginx with
deploy/nginx-cluster.conf (sticky by the node cookie): two browsers pinned to different
nodes see each other, call with real media, chat and hang up; when the node serving one
side is killed mid-call, that browser reconnects through nginx to the other node, the
call is restored with media flowing, and hang-up works afterwards."""
import os
import signal
import time

import pytest

from .conftest import ARTIFACTS, Server
from .pages import CallPage, assert_media_flows
from .services import ClusterNginx, Redis, free_port
from .calls import connect, wait_signaling
from .chat import bubble_with, open_conversation, type_message

NODES = ("n5001", "n5002")


class Cluster:
    def __init__(self, postgres, mode="eventlet"):
        self.postgres = postgres
        self.mode = mode
        self.redis = Redis()
        self.nodes = {}
        self.proxy = None

    def start(self):
        self.redis.start()
        mode = self.mode
        self.database = self.postgres.create_database()
        env = {"TLC_REDIS_URL": self.redis.url, "TLC_ASYNC_MODE": mode,
               "TLC_DATABASE_URL": self.postgres.url(self.database),
               "TLC_SECRET_KEY": "e2e-cluster-secret-key", "TLC_RECONNECT_GRACE": "20",
               "TLC_CLUSTER_LEASE_MS": "3000", "TLC_CLUSTER_NODE_LAPSE_MS": "5000"}
        for name in NODES:  # one after the other: the first creates the database
            self.nodes[name] = Server({**env, "TLC_NODE_ID": name})
            self.nodes[name].start()
        self.proxy = ClusterNginx([s.port for s in self.nodes.values()] + [free_port()]).start()
        self.url = self.proxy.url
        return self

    def stop(self):
        if self.proxy is not None:
            self.proxy.stop()
        for name, srv in self.nodes.items():
            srv.stop()
            os.makedirs(ARTIFACTS, exist_ok=True)  # each node's log, for a failed run
            if srv.proc is not None:
                with open(os.path.join(ARTIFACTS, f"cluster-{name}.log"), "w") as f:
                    f.write(srv.log())
            srv.cleanup()
        self.redis.stop()
        if getattr(self, "database", None):
            self.postgres.drop_database(self.database)


@pytest.fixture(scope="module")
def postgres():
    """The cluster's database: a throw-away PostgreSQL (tests/support/pgserver.py)."""
    from tests.support.pgserver import running

    yield from running(pytest.skip)


@pytest.fixture(params=["eventlet", "gevent"])
def cluster(request, postgres):
    made = Cluster(postgres, request.param)
    try:
        yield made.start()
    finally:
        made.stop()


def node_of(driver):
    """Which node serves this browser now (its /healthz, through the proxy, as pinned)."""
    return driver.execute_async_script(
        "const done = arguments[0];"
        "fetch('/healthz', {cache: 'no-store'}).then((r) => r.json()).then((j) => done(j.node), () => done(null))")


def pinned(browsers, cluster, node):
    driver = browsers()
    driver.get(cluster.url + "/about")
    # The page registers the service worker, whose install fetches the call page's files
    # through the proxy, each answer naming the node that served it (tlc_node): pin once
    # it is done, or a late answer names the other node again.
    assert driver.execute_async_script(
        "const done = arguments[0]; navigator.serviceWorker.ready.then(() => done(true), () => done(false))")
    driver.add_cookie({"name": "tlc_node", "value": node, "path": "/"})
    assert node_of(driver) == node
    return driver


def test_two_browsers_on_two_nodes_call_chat_and_hang_up(cluster, browsers):
    a = CallPage(pinned(browsers, cluster, "n5001"), cluster).open()
    b = CallPage(pinned(browsers, cluster, "n5002"), cluster).open()
    a.wait_sees(b)
    b.wait_sees(a)
    a_anchor, b_anchor = connect(a, b, label="across two nodes")
    assert (node_of(a.driver), node_of(b.driver)) == ("n5001", "n5002")

    # Chat between the two nodes, on the standalone chat page of each.
    for page, peer in ((a, b), (b, a)):
        page.driver.switch_to.new_window("tab")
        page.driver.get(f"{cluster.url}/chat?with={peer.user_id}")
    type_message(a.driver, "hello across nodes")
    open_conversation(b.driver, a.user_id)
    bubble_with(b.driver, "hello across nodes")
    for page in (a, b):
        page.driver.switch_to.window(page.driver.window_handles[0])

    a.click(a_anchor, "hangup")
    assert "hung up" in b.wait_idle(b_anchor, "hangup")
    a.wait_idle(a_anchor, "hangup")
    assert a.session_count() == b.session_count() == 0


def test_killing_the_node_of_one_side_mid_call_restores_the_call_on_the_other(cluster, browsers, record_property):
    a = CallPage(pinned(browsers, cluster, "n5001"), cluster).open()
    b = CallPage(pinned(browsers, cluster, "n5002"), cluster).open()
    a.wait_sees(b)
    a_anchor, b_anchor = connect(a, b, label="before the kill")
    call_id = a.tile_attr(a_anchor, "data-call-id")

    cluster.nodes["n5002"].stop(signal.SIGKILL)
    killed_at = time.monotonic()
    b.wait("return window.tlc.signaling.status !== 'connected'", 5.0, "B notices its node is gone")
    wait_signaling(b, "connected", 15.0)
    back_s = time.monotonic() - killed_at
    assert node_of(b.driver) == "n5001"
    me = b.js("return window.tlc.store.getState().me")
    assert me["clientId"] == b.client_id, me
    b.wait_phase(b_anchor, "connected", 10.0)
    probes = assert_media_flows((a, a_anchor), (b, b_anchor), timeout=10.0)
    restored_s = time.monotonic() - killed_at
    assert {p["callId"] for p in probes} == {call_id}
    print(f"\nnode killed: B reconnected to the other node in {back_s:.1f} s, the call was "
          f"restored with media in {restored_s:.1f} s")
    record_property("cluster_kill_reconnected_s", round(back_s, 2))
    record_property("cluster_kill_restored_s", round(restored_s, 2))

    b.click(b_anchor, "hangup")
    assert "hung up" in a.wait_idle(a_anchor, "hangup")
    b.wait_idle(b_anchor, "hangup")
    assert os.path.exists(cluster.redis.dir)
