"""The real server as a subprocess (python app.py, eventlet): messages acked before a
SIGKILL are all in the history after a restart on the same database, none twice, and
resending the unacked ones (as the browser's outbox does) stores each exactly once."""
import signal
import threading

import pytest

from e2e.conftest import Server
from tests.support.processes import Person

# On SQLite and on PostgreSQL (tests/conftest.py): the server runs eventlet, so this is
# also the check that the group commit's OS thread works with either driver.
pytestmark = pytest.mark.storage


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
