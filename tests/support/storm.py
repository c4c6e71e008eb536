"""Load through a cluster's proxy: visitors pinned to each node, and a chat storm."""
import threading

import requests
import socketio

from e2e.services import wait_for

NODES = ("n5001", "n5002", "n5003")  # the nodes Visitors pins a session to (test_cluster_proxy's)
MESSAGES = 20000  # at most: the storm runs until the test has restarted everything


class Visitors:
    """Sessions that request a page in a loop through the proxy: one pinned to each
    node by its cookie (re-pinned by whichever node answers, as a browser is) and one
    new visitor each time. Every answer that is not a 200 is a failure."""

    def __init__(self, url):
        self.url = url
        self.failures, self.answers = [], 0
        self.stop = threading.Event()
        self.sessions = {}
        for name in NODES:
            session = requests.Session()
            session.cookies.set("tlc_node", name)
            self.sessions[name] = session
        self.threads = [threading.Thread(target=self.run, args=(s,), daemon=True)
                        for s in [*self.sessions.values(), None]]

    def get(self, session):
        try:
            response = (session or requests).get(self.url + "/healthz/live", timeout=10)
        except requests.RequestException as err:
            return f"{type(err).__name__}: {err}"
        return None if response.status_code == 200 else f"{response.status_code}"

    def run(self, session):
        while not self.stop.is_set():
            failure = self.get(session)
            self.answers += 1
            if failure:
                self.failures.append(failure)
            self.stop.wait(0.02)  # paced: a few hundred requests a node restart

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(15)


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
