"""Group calls through real Socket.IO test clients (issue 26, docs/protocol.md "Group
calls"): four parties build a call by an add and a multi-ring, signal per pair, report
media per pair, one leaves, one reloads, the last two hang up; the refusals."""
import pytest

from tlightchat import create_app

from tests.support.calls import come_back, drop
from tests.support.clients import Tab

OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}


@pytest.fixture
def people(app, clock):
    """people(n, protocol=4, on=app): n browsers of that protocol, one online anchor each."""
    def make(n, protocol=4, on=app):
        tabs = []
        for i in range(n):
            t = Tab(on, auth={"protocol": protocol})
            t.anchor = t.new_anchor(f"Slot {i}")
            tabs.append(t)
        for t in tabs:
            t.clear()
        return tabs
    return make


def ok(ack):
    assert ack["ok"], ack
    return ack


def test_four_parties_build_a_call_by_a_multi_ring_and_an_add_then_leave_one_by_one(people, life):
    ann, bob, cat, dan = people(4)
    many = ok(ann.ask("call:invite-many", {"fromAnchorId": ann.anchor,
                                          "toAnchorIds": [bob.anchor, cat.anchor]}))
    call_id = many["callId"]
    assert [e["toAnchorId"] for e in many["invitations"]] == [bob.anchor, cat.anchor]
    [ring] = bob.events("call:ring")
    assert ring["call"]["callId"] == call_id
    assert [p["anchorId"] for p in ring["call"]["parties"]] == [ann.anchor]
    assert "clientId" not in ring["call"]["parties"][0]

    assert ok(bob.ask("call:accept", {"invitationId": ring["invitationId"]}))["callId"] == call_id
    [a_start], [b_start] = ann.events("call:started"), bob.events("call:started")
    assert (a_start["initiator"], b_start["polite"]) == (True, True)
    assert "parties" not in a_start and "parties" not in b_start  # a call of two, as ever

    [cat_ring] = cat.events("call:ring")
    ok(cat.ask("call:accept", {"invitationId": cat_ring["invitationId"]}))
    [c_start] = cat.events("call:started")
    assert c_start["peer"]["anchorId"] == ann.anchor and c_start["initiator"] is True
    assert c_start["polite"] is False
    assert sorted(p["peer"]["anchorId"] for p in c_start["parties"]) == sorted(
        [ann.anchor, bob.anchor])
    assert all(p["initiator"] and not p["polite"] for p in c_start["parties"])
    for old in (ann, bob):
        [joined] = old.events("call:party-joined")
        assert joined["peer"]["anchorId"] == cat.anchor and joined["anchorId"] == old.anchor
        assert (joined["initiator"], joined["polite"]) == (False, True)

    # bob adds dan
    added = ok(bob.ask("call:invite", {"fromAnchorId": bob.anchor, "toAnchorId": dan.anchor}))
    assert added["callId"] == call_id and "invitationId" in added
    [dan_ring] = dan.events("call:ring")
    assert [p["anchorId"] for p in dan_ring["call"]["parties"]] == [ann.anchor, bob.anchor,
                                                                    cat.anchor]
    ok(dan.ask("call:accept", {"invitationId": dan_ring["invitationId"]}))
    [d_start] = dan.events("call:started")
    assert d_start["peer"]["anchorId"] == bob.anchor and len(d_start["parties"]) == 3
    for t in (ann, bob, cat):
        t.clear()

    # a signal names its party: relayed to that one only
    assert ok(dan.ask("call:signal", {"callId": call_id, "to": cat.anchor, "description": OFFER}))
    assert cat.events("call:signal") == [{"callId": call_id, "fromAnchorId": dan.anchor,
                                          "description": OFFER}]
    assert ann.events("call:signal") == [] and bob.events("call:signal") == []
    missing = dan.ask("call:signal", {"callId": call_id, "description": OFFER})
    assert missing["error"]["code"] == "invalid-payload"
    ok(dan.ask("call:peer-state", {"callId": call_id, "audio": True, "video": False}))
    assert all(len(t.events("call:peer-state")) == 1 for t in (ann, bob, cat))

    # media per pair: connected once every pair reported both ways
    tabs = (ann, bob, cat, dan)
    for me in tabs:
        for peer in tabs:
            if peer is not me:
                ok(me.ask("call:media", {"callId": call_id, "to": peer.anchor, "flowing": True}))
    assert ann.events("call:state")[-1] == {"callId": call_id, "state": "connected"}
    assert dan.ask("call:media", {"callId": call_id, "flowing": True})["error"]["code"] \
        == "invalid-payload"

    # a reload: every other party is told
    drop(life, cat)
    cat2 = come_back(ann.app, cat, protocol=4, reloaded=True)
    cat2.anchor = cat.anchor
    for t in (ann, bob, dan):
        assert t.events("call:peer-reloaded") == [{"callId": call_id, "fromAnchorId": cat.anchor}]
    state = cat2.ask("me:state")
    assert state["calls"][call_id]["parties"] == [a.anchor for a in tabs]

    # bob leaves; the call goes on for three
    ok(bob.ask("call:hangup", {"callId": call_id}))
    assert bob.events("call:ended") == [{"callId": call_id, "anchorId": bob.anchor,
                                         "reason": "hangup", "by": "you"}]
    for t in (ann, cat2, dan):
        assert t.events("call:party-left") == [{"callId": call_id, "anchorId": t.anchor,
                                                "peerAnchorId": bob.anchor, "reason": "hangup"}]
        assert t.events("call:ended") == []
    # dan's tab closes: peer-left for the two that remain
    dan.sio.disconnect()
    for t in (ann, cat2):
        assert [e["reason"] for e in t.events("call:party-left")] == ["peer-left"]
    # the last two end it as a call of two ends
    ok(ann.ask("call:hangup", {"callId": call_id}))
    assert cat2.events("call:ended") == [{"callId": call_id, "anchorId": cat.anchor,
                                          "reason": "hangup", "by": "peer"}]
    assert ann.events("call:ended")[0]["by"] == "you"


def test_refusals_offer_limit_versions_and_a_multi_ring_without_any_ring(database_url, people):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "MAX_CALL_PARTIES": 3})
    ann, bob, cat, dan = people(4, on=app)
    old, = people(1, protocol=3, on=app)
    many = ok(ann.ask("call:invite-many", {"fromAnchorId": ann.anchor,
                                          "toAnchorIds": [bob.anchor, old.anchor]}))
    assert many["invitations"][1]["error"]["code"] == "unsupported"
    ring = bob.events("call:ring")[0]
    call_id = ok(bob.ask("call:accept", {"invitationId": ring["invitationId"]}))["callId"]
    with_offer = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": cat.anchor,
                                         "offer": OFFER})
    assert with_offer["error"]["code"] == "invalid-payload"
    ok(ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": cat.anchor}))
    full = bob.ask("call:invite", {"fromAnchorId": bob.anchor, "toAnchorId": dan.anchor})
    assert full["error"]["code"] == "call-full"
    again = bob.ask("call:invite", {"fromAnchorId": bob.anchor, "toAnchorId": cat.anchor})
    assert again["error"]["code"] == "busy"  # being rung into this call already
    too_many = dan.ask("call:invite-many", {"fromAnchorId": dan.anchor,
                                            "toAnchorIds": [ann.anchor, bob.anchor, cat.anchor]})
    assert too_many["error"]["code"] == "call-full"
    none = ok(dan.ask("call:invite-many", {"fromAnchorId": dan.anchor,
                                          "toAnchorIds": [ann.anchor]}))
    assert none["invitations"][0]["error"]["code"] == "busy"
    assert dan.ask("me:state")["calls"] == {}  # no ring made: nothing changed
    assert call_id in ann.ask("me:state")["calls"]
    dup = dan.ask("call:invite-many", {"fromAnchorId": dan.anchor,
                                       "toAnchorIds": [cat.anchor, cat.anchor]})
    assert dup["error"]["code"] == "invalid-payload"
