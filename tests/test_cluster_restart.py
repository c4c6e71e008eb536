"""A rolling restart of a cluster (two `python app.py` nodes on one Redis and one
PostgreSQL database, behind nginx
with deploy/nginx-cluster.conf): SIGTERM each node in turn during a chat storm, and
restart Redis mid-storm. Every acked message is stored once, in order; no call drops
(its two sides resume on the surviving node with their tokens and keep the call); the
lobby is exact afterwards. Under eventlet and under gevent."""
import json
import signal
import threading

import pytest
import requests
import socketio

from e2e.services import wait_for

from .cluster_support import nodes_behind_nginx

NODES = ("n5001", "n5002")
MESSAGES = 20000  # at most: the storm runs until the test has restarted everything


class Client:
    """One tab over python-socketio, through the proxy; reconnects with its resume
    token (as the browser does) when the server says it is closing or drops it."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()
        self.http.get(url + "/").raise_for_status()  # the guest identity (and node) cookie
        self.token = None
        self.closing = threading.Event()
        self.connect()

    def connect(self):
        self.sio = socketio.Client(http_session=self.http, reconnection=False)
        welcome = threading.Event()

        def welcomed(data):
            self.welcome = data
            welcome.set()

        self.sio.on("session:welcome", welcomed)
        self.sio.on("session:closing", lambda data: self.closing.set())
        self.sio.on("lobby:snapshot", lambda data: setattr(self, "snapshot", data))
        auth = {"resume": self.token} if self.token else None
        self.sio.connect(self.url, transports=["websocket"], wait_timeout=10, auth=auth)
        assert welcome.wait(10)
        self.token = self.welcome["resumeToken"]
        self.client_id = self.welcome["clientId"]
        self.id = self.welcome["user"]["id"]

    def reconnect(self):
        self.sio.disconnect()
        self.closing.clear()
        wait_for(self._try_connect, 20, "reconnected through the proxy", poll=0.2)

    def _try_connect(self):
        try:
            self.connect()
            return True
        except Exception:
            return False

    def ask(self, event, payload=None, timeout=10):
        return self.sio.call(event, payload, timeout=timeout)


def history(client, peer):
    ids, before = [], None
    while True:
        payload = {"with": peer, "limit": 100, **({"before": before} if before else {})}
        page = client.ask("chat:history", payload)
        assert page["ok"], page
        ids = [m["clientMsgId"] for m in page["messages"]] + ids
        if not page["hasMore"]:
            return ids
        before = page["messages"][0]["id"]


class Storm:
    """Alice sends MESSAGES in order, like the browser's outbox: a message is done once
    acked; `unavailable`, a closing server or a lost connection keeps it for the next
    connection. Counted: sends the server had and never answered."""

    def __init__(self, alice, bob):
        self.alice, self.bob = alice, bob
        self.acked, self.lost_connection, self.error = [], 0, None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        try:
            self._run()
        except BaseException as err:  # shown by progressed(), not lost in the thread
            self.error = err
            raise

    def progressed(self, n):
        if self.error is not None:
            raise AssertionError(f"the storm failed: {self.error!r}")
        return len(self.acked) >= n

    def _run(self):
        i = 0
        while i < MESSAGES and not self.stop.is_set():
            cid = f"m{i:05d}"
            try:
                if self.alice.closing.is_set() or not self.alice.sio.connected:
                    raise ConnectionError("closing")
                ack = self.alice.ask("chat:send", {"to": self.bob.id, "clientMsgId": cid,
                                                   "text": f"#{i}"}, timeout=8)
            except Exception:
                self.lost_connection += 1
                self.alice.reconnect()
                continue  # the same message again: the server's unique key dedupes it
            if ack["ok"]:
                self.acked.append(cid)
                i += 1
            elif ack["error"]["code"] == "unavailable":
                self.stop.wait(ack["error"]["retryAfterMs"] / 1000)
            else:
                raise AssertionError(ack)


@pytest.fixture(params=["eventlet", "gevent"])
def cluster(request, postgres):
    def env(redis_url, database_url):
        return {"TLC_REDIS_URL": redis_url, "TLC_ASYNC_MODE": request.param,
                "TLC_DATABASE_URL": database_url,
                "TLC_SECRET_KEY": "cluster-restart-secret-key", "TLC_RECONNECT_GRACE": "30",
                "TLC_CHAT_RATE_PER_SECOND": "10000", "TLC_CHAT_RATE_BURST": "10000",
                "TLC_RATE_LIMIT_PER_SECOND": "100000", "TLC_RATE_LIMIT_BURST": "100000"}

    with nodes_behind_nginx(postgres, env, NODES, spare_ports=1) as cluster:
        yield cluster


def a_call(url):
    """Two more people in a call (the server's view: no media here, just the call)."""
    ann, bob = Client(url), Client(url)
    anchors = []
    for person in (ann, bob):
        ack = person.ask("anchor:create", {})
        anchors.append(ack["anchor"]["id"])
        assert person.ask("anchor:set-online", {"anchorId": anchors[-1], "online": True})["ok"]
    wait_for(lambda: ann.ask("call:invite", {"fromAnchorId": anchors[0],
                                             "toAnchorId": anchors[1]})["ok"], 5, "rang")
    state = wait_for(lambda: [i for i in bob.ask("me:state")["invitations"]], 5, "ring seen")
    accepted = bob.ask("call:accept", {"invitationId": state[0]})
    assert accepted["ok"], accepted
    return (ann, bob), accepted["callId"], anchors


def answers(person):
    try:
        return person.ask("me:state", timeout=5)["ok"]
    except Exception:  # the connection is gone (its node exited): no answer
        return False


def follow_moves(people):
    """Those the stopped node served (it has exited) were told it is closing or lose
    their connection: they reconnect through the proxy, with their tokens, as a browser
    does. Whoever still gets an answer is served by the other node and stays. (Before,
    each person waited 2 s for a notice that never comes to the other node's clients.)"""
    for person in people:
        if not person.closing.is_set() and person.sio.connected and answers(person):
            continue
        person.reconnect()


def test_rolling_restart_and_a_redis_restart_lose_no_acked_message_and_drop_no_call(cluster):
    redis, nodes, proxy = cluster
    alice, bob = Client(proxy.url), Client(proxy.url)
    pair, call_id, anchors = a_call(proxy.url)
    storm = Storm(alice, bob)
    storm.thread.start()
    try:
        for name, srv in nodes.items():
            try:
                wait_for(lambda n=len(storm.acked): storm.progressed(n + 30), 30,
                         f"the storm makes progress before {name} stops", poll=0.01)
            except AssertionError as err:
                logs = "\n".join(f"--- {k}\n{v.log()[-1500:]}" for k, v in nodes.items())
                raise AssertionError(f"{err}: acked {len(storm.acked)}, reconnects "
                                     f"{storm.lost_connection}\n{logs}") from None
            srv.proc.send_signal(signal.SIGTERM)
            assert srv.proc.wait(15) == 0, "a graceful stop exits 0"
            follow_moves([bob, *pair])  # Alice's reconnects are the storm's business
            try:  # the same node again: it joins from the snapshot and the log
                srv.start()
            except (RuntimeError, TimeoutError) as err:
                raise AssertionError(f"{name} did not come back: {err}\n{srv.log()[-3000:]}")
        wait_for(lambda n=len(storm.acked): storm.progressed(n + 30), 30,
                 "the storm makes progress before Redis restarts", poll=0.01)
        redis.restart()  # SIGKILL: the append-only file (fsync always) keeps the log
        wait_for(lambda n=len(storm.acked): storm.progressed(n + 30), 30,
                 "the storm goes on after Redis is back", poll=0.01)
    finally:
        storm.stop.set()
        storm.thread.join(30)
    assert not storm.thread.is_alive() and storm.error is None, storm.error

    stored = history(bob, alice.id)
    sent = len(storm.acked)
    assert stored[:sent] == [f"m{i:05d}" for i in range(sent)], "each acked message once, in order"
    assert len(stored) - sent <= 1  # at most the one in flight when the storm stopped
    assert storm.acked == stored[:sent]
    for person in pair:
        state = person.ask("me:state")
        assert state["ok"] and call_id in json.dumps(state), f"the call survived: {state}"
    # The lobby is exact on every node: the five people, every tab back, nobody away.
    people = {p.id for p in (alice, bob, *pair)}
    tabs = {p.client_id for p in (alice, bob, *pair)}
    observers = []  # one per node, each still there when the next one looks
    for srv in nodes.values():
        observers.append(Client(srv.url))
        lobby = wait_for(lambda: getattr(observers[-1], "snapshot", None), 5, "lobby:snapshot")
        assert set(lobby["users"]) == people | {o.id for o in observers}
        assert set(lobby["clients"]) == tabs | {o.client_id for o in observers}
        assert not any(c["away"] for c in lobby["clients"].values()), lobby["clients"]
        assert lobby["online"] == len(people) + len(observers)
    assert storm.lost_connection >= 1, "the storm's sender was on a node that stopped"
