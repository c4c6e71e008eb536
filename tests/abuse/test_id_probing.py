"""Without a conversation, chat:history, chat:read and trust:set answer an existing
user's id exactly as an unknown one: no existence, no name (issue 23, item 8)."""
import pytest

from tests.support.clients import Tab

CODE = "1234 5678 9012 3456"
pytestmark = pytest.mark.storage


def gone(app):
    """A user who exists (a stored guest with a name) but is not online."""
    tab = Tab(app)
    assert tab.ask("me:rename", {"displayName": "Secret Sam"})["ok"]
    tab.sio.disconnect()
    return tab.user_id


def same_but_id(a, b, real_id, fake_id):
    import json
    return json.loads(json.dumps(a).replace(real_id, "ID")) == \
        json.loads(json.dumps(b).replace(fake_id, "ID"))


def test_history_of_an_existing_stranger_is_answered_as_an_unknown_id(app):
    sam, eve = gone(app), Tab(app)
    unknown = "no-such-user-at-all"
    for payload in ({}, {"limit": 5}, {"before": 1}, {"after": 1}):
        real = eve.ask("chat:history", {"with": sam, **payload})
        fake = eve.ask("chat:history", {"with": unknown, **payload})
        assert same_but_id(real, fake, sam, unknown), (payload, real, fake)
        assert "Secret Sam" not in str(real)
    page = eve.ask("chat:history", {"with": sam})
    assert page["ok"] and page["messages"] == [] and page["with"]["displayName"] is None
    for event in ("chat:read", "chat:delivered"):
        real = eve.ask(event, {"with": sam, "upTo": 1})
        fake = eve.ask(event, {"with": unknown, "upTo": 1})
        assert not real["ok"] and same_but_id(real, fake, sam, unknown), (real, fake)


def test_history_with_a_conversation_names_the_peer(app):
    ann, bob = Tab(app), Tab(app)
    assert ann.ask("me:rename", {"displayName": "Ann"})["ok"]
    assert ann.ask("chat:send", {"to": bob.user_id, "clientMsgId": "m1", "text": "hi"})["ok"]
    ann.sio.disconnect()
    assert bob.ask("chat:history", {"with": ann.user_id})["with"] == {
        "id": ann.user_id, "displayName": "Ann", "account": False}


def test_trust_set_on_an_existing_stranger_is_answered_as_an_unknown_id(app):
    sam, eve = gone(app), Tab(app)
    mark = {"code": CODE, "verified": True}
    real = eve.ask("trust:set", {"peerUserId": sam, **mark})
    fake = eve.ask("trust:set", {"peerUserId": "no-such-user-at-all", **mark})
    assert real == fake == {"ok": False, "error": {"code": "not-found",
                                                   "message": "no such user"}}
    assert eve.ask("trust:list")["marks"] == {}


def test_trust_set_works_for_a_peer_online_or_written_with(app):
    ann, bob, cat = Tab(app), Tab(app), Tab(app)
    assert ann.ask("trust:set", {"peerUserId": bob.user_id, "code": CODE,
                                 "verified": True})["ok"]  # online: in the lobby anyway
    assert ann.ask("chat:send", {"to": cat.user_id, "clientMsgId": "m1", "text": "hi"})["ok"]
    cat.sio.disconnect()
    assert ann.ask("trust:set", {"peerUserId": cat.user_id, "code": CODE,
                                 "verified": False})["ok"]
