"""Issue 24, "done when": a chat storm through nginx (deploy/nginx-cluster.conf as it
ships) in front of three nodes on one Redis and one PostgreSQL, while the node serving
the recipient is SIGKILLed and back within the lapse, Redis is killed (and comes back
from its append-only file), Redis is paused until no node is ready, and PostgreSQL is
stopped until a send is refused. Asserted: every acked message stored once, in order,
and shown in the recipient's open tab (live, or by the catch-up its page does when it
reconnects); every node's lobby exact afterwards (no ghost, nobody away); no failed
request through nginx while a healthy node exists. Every wait is for a condition."""
import signal
import threading

import pytest
import requests

from e2e.services import wait_for

from tests.support.cluster import nodes_behind_nginx
from tests.support.storm import Visitors
from tests.support.storm import Client, Storm, history

NODES = ("n5001", "n5002", "n5003")


def pinned(cls, url, node):
    """A tab whose first request already carries node's cookie (a browser that was
    served by it): nginx sends it there, so the test knows who is where."""
    client = cls.__new__(cls)
    client.url, client.http = url, requests.Session()
    client.http.cookies.set("tlc_node", node)
    client.http.get(url + "/").raise_for_status()
    client.token, client.closing = None, threading.Event()
    client.connect()
    return client


class Tab(Client):
    """Bob's open tab: records every chat:message it is shown; after each reconnect it
    catches up from the history, as the page does."""

    def connect(self):
        super().connect()
        self.sio.on("chat:message", lambda data: self.shown.append(data["message"]["clientMsgId"]))

    shown = None

    def watch(self, peer, stop):
        while not stop.is_set():
            if self.closing.is_set() or not self.sio.connected:
                self.reconnect()
                self.shown.extend(history(self, peer))
            stop.wait(0.05)


@pytest.fixture
def storm_cluster(postgres):
    def env(redis_url, database_url):
        return {"TLC_REDIS_URL": redis_url, "TLC_DATABASE_URL": database_url,
                "TLC_SECRET_KEY": "cluster-storm-secret-key", "TLC_RECONNECT_GRACE": "60",
                # "back within the lapse" whatever this machine's start-up time
                "TLC_CLUSTER_NODE_LAPSE_MS": "60000",
                "TLC_CHAT_RATE_PER_SECOND": "10000", "TLC_CHAT_RATE_BURST": "10000",
                "TLC_RATE_LIMIT_PER_SECOND": "100000", "TLC_RATE_LIMIT_BURST": "100000"}

    with nodes_behind_nginx(postgres, env, NODES) as cluster:
        yield cluster


def ready(srv):
    try:
        return requests.get(srv.url + "/healthz/ready", timeout=5).status_code
    except requests.RequestException:
        return None


def test_a_chat_storm_through_every_fault_loses_nothing_and_leaves_no_ghost(
        storm_cluster, postgres):
    redis, nodes, proxy = storm_cluster
    Tab.shown = []
    # Alice and Bob on different nodes (every push crosses the log); Carol on Bob's
    # node, a laptop closed when it dies: she never comes back.
    alice, bob = pinned(Client, proxy.url, "n5001"), pinned(Tab, proxy.url, "n5002")
    carol = pinned(Client, proxy.url, "n5002")
    storm = Storm(alice, bob)
    stop_watch = threading.Event()
    watcher = threading.Thread(target=bob.watch, args=(alice.id, stop_watch), daemon=True)

    def progress(why, n=20):
        wait_for(lambda m=len(storm.acked): storm.progressed(m + n), 60, why, poll=0.02)

    with Visitors(proxy.url) as visitors:
        storm.thread.start()
        watcher.start()
        try:
            progress("the storm runs")
            # Bob's node SIGKILLed and back at once (its heartbeat never lapses).
            victim = nodes["n5002"]
            victim.proc.kill()
            victim.proc.wait()
            carol.sio.disconnect()  # gone with it (no goodbye reached any node)
            victim.start()
            progress("the storm goes on after a node's restart")
            redis.restart()  # SIGKILL; the append-only file keeps the log
            progress("the storm goes on after Redis came back")
            redis.proc.send_signal(signal.SIGSTOP)
            try:
                for srv in nodes.values():
                    wait_for(lambda s=srv: ready(s) == 503, 10, "no node ready: Redis paused")
                for session in [*visitors.sessions.values(), requests]:  # a monitor
                    session.get(proxy.url + "/healthz/ready", timeout=10)
            finally:
                redis.proc.send_signal(signal.SIGCONT)
            progress("the storm goes on after Redis ran again")
            postgres.pause()
            try:
                wait_for(lambda: ready(nodes["n5001"]) == 503, 10, "the database is down")
            finally:
                postgres.resume()
            progress("the storm goes on after the database is back")
        finally:
            storm.stop.set()
            storm.thread.join(30)
    assert not storm.thread.is_alive() and storm.error is None, storm.error
    assert visitors.failures == [], f"{len(visitors.failures)} of {visitors.answers} failed"

    sent = len(storm.acked)
    wait_for(lambda: set(storm.acked) <= set(bob.shown), 15, "every acked message shown")
    stop_watch.set()
    watcher.join(30)
    stored = history(bob, alice.id)
    assert stored[:sent] == [f"m{i:05d}" for i in range(sent)], "each acked message once, in order"
    assert len(stored) - sent <= 1  # at most the one in flight when the storm stopped

    people, tabs = {alice.id, bob.id}, {alice.client_id, bob.client_id}
    observers = []
    for srv in nodes.values():  # the lobby is exact on every node
        observers.append(Client(srv.url))
        lobby = wait_for(lambda: getattr(observers[-1], "snapshot", None), 5, "lobby:snapshot")
        expected = tabs | {o.client_id for o in observers}
        assert set(lobby["users"]) - {carol.id} == people | {o.id for o in observers}
        assert set(lobby["clients"]) - {carol.client_id} == expected, lobby["clients"]
        assert not any(c["away"] for i, c in lobby["clients"].items() if i != carol.client_id)
        gone = lobby["clients"].get(carol.client_id)
        assert gone is None or gone["away"], f"Carol is a ghost on {srv.url}: {gone}"
