"""Chat over real Socket.IO test clients: delivery, offline, multi-tab, idempotent
resend, ack only after commit, authorization, validation."""
import pytest
from sqlalchemy import event, select

from tlightchat.db import Message

# Storage tests: each runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.storage


def send(tab, to, cid, text="hello"):
    return tab.ask("chat:send", {"to": to, "clientMsgId": cid, "text": text})


def stored(app, cid=None):
    with app.extensions["tlightchat"].db.session() as s:
        q = select(Message)
        if cid:
            q = q.where(Message.client_msg_id == cid)
        return s.scalars(q).all()


def test_delivery_to_an_online_recipient(tab):
    alice, bob = tab(), tab()
    bob.clear()
    ack = send(alice, bob.user_id, "m1", "hi *bob*")
    assert ack["ok"] and not ack["duplicate"]
    msg = ack["message"]
    assert msg["html"] == "<p>hi <em>bob</em></p>" and msg["from"] == alice.user_id
    got = bob.events("chat:message")
    assert got == [{"message": msg}]
    assert alice.events("chat:message") == []  # the sending tab has the ack instead


def test_offline_then_online_gets_what_it_missed(app, tab):
    alice, bob = tab(), tab()
    bob_browser = bob.browser
    bob.sio.disconnect()
    acks = [send(alice, bob.user_id, f"m{i}", f"while away {i}") for i in range(3)]
    assert all(a["ok"] for a in acks)
    # bob comes back in the same browser: a new tab with the same identity
    from tests.support.clients import Tab
    back = Tab(app, browser=bob_browser)
    listing = back.ask("chat:conversations")
    assert listing["ok"] and listing["unreadTotal"] == 3
    conv = listing["conversations"][0]
    assert conv["with"]["id"] == alice.user_id and conv["unread"] == 3
    assert conv["lastMessage"]["text"] == "while away 2" and conv["myDeliveredUpTo"] == 0
    page = back.ask("chat:history", {"with": alice.user_id})
    assert [m["text"] for m in page["messages"]] == [f"while away {i}" for i in range(3)]
    # confirming delivery and reading reach alice as receipts
    alice.clear()
    last = page["messages"][-1]["id"]
    assert back.ask("chat:delivered", {"with": alice.user_id, "upTo": last})["deliveredUpTo"] == last
    assert alice.events("chat:receipt") == [
        {"with": back.user_id, "deliveredUpTo": last, "readUpTo": 0}]
    read = back.ask("chat:read", {"with": alice.user_id, "upTo": last})
    assert read["ok"] and read["unread"] == 0 and read["readUpTo"] == last
    assert alice.events("chat:receipt")[-1]["readUpTo"] == last


def test_every_tab_of_both_users_sees_the_message(tab):
    alice, bob = tab(), tab()
    alice2, bob2 = alice.second_tab(), bob.second_tab()
    for t in (alice, alice2, bob, bob2):
        t.clear()
    msg = send(alice, bob.user_id, "m1")["message"]
    assert bob.events("chat:message") == [{"message": msg}]
    assert bob2.events("chat:message") == [{"message": msg}]
    assert alice2.events("chat:message") == [{"message": msg}]
    assert alice.events("chat:message") == []
    # reading in one tab updates the unread count in the user's other tab
    bob.ask("chat:read", {"with": alice.user_id, "upTo": msg["id"]})
    assert bob2.events("chat:unread") == [{"with": alice.user_id, "unread": 0,
                                            "readUpTo": msg["id"], "deliveredUpTo": msg["id"]}]


def test_a_resend_is_stored_once_and_acked_with_the_same_message(app, tab):
    alice, bob = tab(), tab()
    first = send(alice, bob.user_id, "same-id", "once")
    again = send(alice, bob.user_id, "same-id", "once")
    assert first["ok"] and again["ok"] and again["duplicate"]
    assert again["message"] == first["message"]
    assert len(stored(app, "same-id")) == 1
    page = bob.ask("chat:history", {"with": alice.user_id})
    assert [m["text"] for m in page["messages"]] == ["once"]


def test_a_resend_is_delivered_again_with_the_same_id(tab):
    """By design (chat_handlers.send): the first delivery may have been cut short by a
    crash. The browser counts the second one as known, not as a second unread message
    (tests/js/chat-state.test.mjs, issue 34 item 2)."""
    alice, bob = tab(), tab()
    bob.clear()
    first = send(alice, bob.user_id, "twice", "hello")
    again = send(alice, bob.user_id, "twice", "hello")
    assert again["duplicate"] and again["message"] == first["message"]
    assert bob.events("chat:message") == [{"message": first["message"]}] * 2


def test_the_ack_comes_only_after_the_commit(app, tab):
    alice, bob = tab(), tab()
    db = app.extensions["tlightchat"].db

    # the commit fails: no ok ack, nothing delivered, nothing stored
    def failing_commit(conn):
        raise RuntimeError("disk full")
    event.listen(db.writer, "commit", failing_commit)
    bob.clear()
    ack = send(alice, bob.user_id, "m1", "will fail")
    assert ack["ok"] is False and ack["error"]["code"] == "internal"
    assert bob.events("chat:message") == []
    event.remove(db.writer, "commit", failing_commit)
    assert stored(app) == []

    # the resend succeeds, and by the time the ack exists the row is committed: a fresh
    # connection (another session) sees it
    ack = send(alice, bob.user_id, "m1", "will fail")
    assert ack["ok"]
    with db.engine.connect() as other:
        seen_at_ack = other.exec_driver_sql(
            "SELECT body FROM messages WHERE client_msg_id = 'm1'").all()
    assert seen_at_ack == [("will fail",)]


def test_the_ack_is_sent_after_the_row_is_visible(app, tab, monkeypatch):
    """Stronger: observe the database at the moment the handler returns its ack."""
    alice, bob = tab(), tab()
    hub = app.extensions["tlightchat"].hub
    db = app.extensions["tlightchat"].db
    real_handle, rows_when_acking = hub.handle, []

    def spying_handle(sid, event, args):
        ack = real_handle(sid, event, args)
        if event == "chat:send":
            with db.engine.connect() as c:
                rows_when_acking.append(c.exec_driver_sql("SELECT count(*) FROM messages").scalar())
        return ack
    monkeypatch.setattr(hub, "handle", spying_handle)
    assert send(alice, bob.user_id, "x1")["ok"]
    assert rows_when_acking == [1]


def test_another_users_history_is_refused(tab):
    alice, bob, carol = tab(), tab(), tab()
    secret = send(alice, bob.user_id, "s1", "secret")["message"]
    # carol can only name conversations she is in; her view of alice has no secret
    page = carol.ask("chat:history", {"with": alice.user_id})
    assert page["ok"] and page["messages"] == []
    # a cursor from alice–bob is refused
    ack = carol.ask("chat:history", {"with": alice.user_id, "before": secret["id"]})
    assert ack == {"ok": False, "error": {"code": "not-found",
                                          "message": "that cursor is not in this conversation"}}
    # and she cannot move bob's read marks
    ack = carol.ask("chat:read", {"with": bob.user_id, "upTo": secret["id"]})
    assert not ack["ok"] and ack["error"]["code"] == "not-found"
    assert bob.ask("chat:conversations")["unreadTotal"] == 1
    # nor speak as anyone else: the sender is the socket's user, a `from` field is refused
    ack = carol.ask("chat:send", {"to": bob.user_id, "clientMsgId": "f1", "text": "x",
                                  "from": alice.user_id})
    assert ack["error"]["code"] == "invalid-payload" and "from" in ack["error"]["message"]


@pytest.mark.parametrize("payload, code", [
    ({"to": "nobody-here", "clientMsgId": "a", "text": "x"}, "not-found"),
    ({"to": "SELF", "clientMsgId": "a", "text": "x"}, "invalid-payload"),
    ({"to": "PEER", "clientMsgId": "a", "text": ""}, "invalid-payload"),
    ({"to": "PEER", "clientMsgId": "a", "text": 5}, "invalid-payload"),
    ({"to": "PEER", "clientMsgId": "bad id!", "text": "x"}, "invalid-payload"),
    ({"to": "PEER", "clientMsgId": "a", "text": "x" * 4001}, "payload-too-large"),
    ({"to": "PEER", "clientMsgId": "a", "text": "x" * 10_001}, "invalid-payload"),
    ({"to": "PEER", "clientMsgId": "a", "text": "\U0001F600" * 9000}, "payload-too-large"),
    ({"to": "PEER", "text": "x"}, "invalid-payload"),
])
def test_bad_sends_get_coded_errors_and_store_nothing(app, tab, payload, code):
    alice, bob = tab(), tab()
    payload = {k: {"SELF": alice.user_id, "PEER": bob.user_id}.get(v, v) if isinstance(v, str)
               else v for k, v in payload.items()}
    ack = alice.ask("chat:send", payload)
    assert ack["ok"] is False and ack["error"]["code"] == code, ack
    assert len(ack["error"]["message"]) < 200
    assert stored(app) == []


def test_history_limits_and_cursors_are_validated(tab):
    alice, bob = tab(), tab()
    for payload in ({"with": bob.user_id, "limit": 0}, {"with": bob.user_id, "limit": 101},
                    {"with": bob.user_id, "before": "1"}, {"with": bob.user_id, "before": 1, "after": 2},
                    {"with": bob.user_id, "before": -1}, {}):
        ack = alice.ask("chat:history", payload)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid-payload", (payload, ack)


def test_chat_sends_are_rate_limited_per_user(app, tab):
    app.config.update(CHAT_RATE_PER_SECOND=0.001, CHAT_RATE_BURST=3)
    alice, bob = tab(), tab()
    alice2 = alice.second_tab()
    codes = [send(t, bob.user_id, f"r{i}")["ok"] for i, t in enumerate([alice, alice2] * 3)]
    assert codes == [True, True, True, False, False, False]
    assert send(alice, bob.user_id, "r9")["error"]["code"] == "rate-limited"
