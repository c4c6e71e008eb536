"""The real server as a subprocess (python app.py, eventlet): messages acked before a
SIGKILL are all in the history after a restart on the same database, none twice, and
resending the unacked ones (as the browser's outbox does) stores each exactly once."""
import signal
import threading

import pytest
import requests
import socketio

from e2e.conftest import Server

# On SQLite and on PostgreSQL (tests/conftest.py): the server runs eventlet, so this is
# also the check that the group commit's OS thread works with either driver.
pytestmark = pytest.mark.storage


class Person:
    def __init__(self, url):
        self.http = requests.Session()
        self.http.get(url + "/").raise_for_status()  # the guest identity cookie
        self.url = url
        self.connect()

    def connect(self):
        self.sio = socketio.Client(http_session=self.http, reconnection=False)
        welcome = threading.Event()
        self.sio.on("session:welcome", lambda data: (setattr(self, "welcome", data), welcome.set()))
        self.sio.connect(self.url, transports=["websocket"], wait_timeout=10)
        assert welcome.wait(10)
        self.id = self.welcome["user"]["id"]

    def ask(self, event, payload=None, timeout=10):
        return self.sio.call(event, payload, timeout=timeout)

    def history(self, peer):
        texts, before = [], None
        while True:
            payload = {"with": peer, "limit": 100, **({"before": before} if before else {})}
            page = self.ask("chat:history", payload)
            assert page["ok"], page
            texts = [m["clientMsgId"] for m in page["messages"]] + texts
            if not page["hasMore"]:
                return texts
            before = page["messages"][0]["id"]


@pytest.fixture
def server_pair(database_url):
    first = Server(env={"TLC_CHAT_RATE_PER_SECOND": "10000", "TLC_CHAT_RATE_BURST": "10000",
                        "TLC_DATABASE_URL": database_url})
    yield first
    first.stop()
    first.cleanup()


def test_every_acked_message_survives_a_sigkill_and_none_is_stored_twice(server_pair):
    srv = server_pair.start()
    alice, bob = Person(srv.url), Person(srv.url)
    acked, attempted = [], []
    enough = threading.Event()

    def keep_sending():
        for i in range(10_000):
            cid = f"m{i:05d}"
            attempted.append(cid)
            try:
                ack = alice.ask("chat:send", {"to": bob.id, "clientMsgId": cid, "text": f"#{i}"},
                                timeout=5)
            except Exception:
                return  # the server is gone
            if ack.get("ok"):
                acked.append(cid)
            if len(acked) >= 40:
                enough.set()

    sender = threading.Thread(target=keep_sending, daemon=True)
    sender.start()
    assert enough.wait(30), "the server did not ack 40 messages"
    srv.proc.send_signal(signal.SIGKILL)  # mid-stream: some sends are in flight
    srv.proc.wait(10)
    sender.join(15)
    assert not sender.is_alive()
    for person in (alice, bob):
        try:
            person.sio.disconnect()
        except Exception:
            pass

    # same port, same database, same cookies
    again = Server(env={**server_pair.env}, port=server_pair.port)
    again.env["TLC_DATABASE_URL"] = server_pair.env["TLC_DATABASE_URL"]
    again.start()
    try:
        alice.connect()
        bob.connect()
        stored = bob.history(alice.id)
        assert len(stored) == len(set(stored)), "a message was stored twice"
        missing = [cid for cid in acked if cid not in stored]
        assert missing == [], f"acked but lost: {missing}"
        assert set(stored) <= set(attempted)

        # the outbox resends everything it has no ack for (and a few it has): idempotent
        for i, cid in enumerate(attempted):
            if cid not in acked or i % 10 == 0:
                ack = alice.ask("chat:send", {"to": bob.id, "clientMsgId": cid,
                                              "text": f"#{int(cid[1:])}"})
                assert ack["ok"], ack
        stored = bob.history(alice.id)
        assert stored == attempted  # each exactly once, in send order
    finally:
        for person in (alice, bob):
            person.sio.disconnect()
        again.stop()
        again.cleanup()
