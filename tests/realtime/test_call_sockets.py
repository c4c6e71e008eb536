"""Every call transition, and every refused one, through real Socket.IO test clients."""
import pytest
from tests.support.calls import connect, ring

OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
ANSWER = {"type": "answer", "sdp": "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n"}


def anchor_statuses(tab_):
    snap = {}
    for delta in tab_.events("lobby:anchor"):
        snap[delta["anchor"]["id"]] = delta["anchor"]["status"]
    return snap


def test_full_call_ring_accept_signal_media_hangup(pair):
    ann, bob = pair
    inv = ring(ann, bob)
    [rung] = bob.events("call:ring")
    assert rung["invitationId"] == inv and rung["toAnchorId"] == bob.anchor
    assert rung["from"]["userId"] == ann.user_id and rung["from"]["anchorName"] == "Ann slot"
    assert anchor_statuses(ann) == {ann.anchor: "ringing", bob.anchor: "ringing"}

    call_id = bob.ask("call:accept", {"invitationId": inv})["callId"]
    [a_start], [b_start] = ann.events("call:started"), bob.events("call:started")
    assert (a_start["initiator"], a_start["polite"]) == (True, False)
    assert (b_start["initiator"], b_start["polite"]) == (False, True)
    assert a_start["peer"]["anchorId"] == bob.anchor and b_start["peer"]["userId"] == ann.user_id
    assert ann.events("call:invite-ended")[0]["reason"] == "accepted"

    assert ann.ask("call:signal", {"callId": call_id, "description": OFFER})["ok"]
    assert bob.events("call:signal") == [{"callId": call_id, "fromAnchorId": ann.anchor,
                                          "description": OFFER}]
    assert bob.ask("call:signal", {"callId": call_id, "description": ANSWER})["ok"]
    cand = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}
    assert bob.ask("call:signal", {"callId": call_id, "candidate": cand})["ok"]
    relayed = ann.events("call:signal")
    assert [r.get("description", r.get("candidate")) for r in relayed] == [ANSWER, cand]
    assert all(r["fromAnchorId"] == bob.anchor for r in relayed)

    ann.clear(), bob.clear()
    assert ann.ask("call:media", {"callId": call_id, "flowing": True})["ok"]
    assert ann.events("call:state") == []  # one side is not enough
    assert bob.ask("call:media", {"callId": call_id, "flowing": True})["ok"]
    assert ann.events("call:state") == [{"callId": call_id, "state": "connected"}]
    lobby = [d["anchor"] for d in bob.events("lobby:anchor")]
    assert {a["id"]: (a["status"], a["connected"]) for a in lobby} == {
        ann.anchor: ("in-call", True), bob.anchor: ("in-call", True)}

    assert bob.ask("call:hangup", {"callId": call_id})["ok"]
    assert ann.events("call:ended") == [{"callId": call_id, "anchorId": ann.anchor,
                                         "reason": "hangup", "by": "peer"}]
    assert bob.events("call:ended")[0]["by"] == "you"
    assert anchor_statuses(ann) == {ann.anchor: "online", bob.anchor: "online"}
    # the finished call can no longer be signalled or hung up
    gone = ann.ask("call:signal", {"callId": call_id, "description": OFFER})
    assert gone["error"]["code"] == "not-found"
    assert ann.ask("call:hangup", {"callId": call_id})["error"]["code"] == "not-found"


@pytest.mark.parametrize("who, event, reason", [
    ("bob", "call:decline", "declined"),
    ("ann", "call:cancel", "cancelled"),
])
def test_decline_and_cancel_tell_both_sides(pair, who, event, reason):
    ann, bob = pair
    inv = ring(ann, bob)
    actor = bob if who == "bob" else ann
    assert actor.ask(event, {"invitationId": inv}) == {"ok": True}
    for side in (ann, bob):
        assert [e["reason"] for e in side.events("call:invite-ended")] == [reason]
    assert anchor_statuses(ann) == {ann.anchor: "online", bob.anchor: "online"}
    assert bob.ask("call:accept", {"invitationId": inv})["error"]["code"] == "not-found"


def test_only_the_right_side_may_answer_or_cancel(pair, tab):
    ann, bob = pair
    inv = ring(ann, bob)
    assert ann.ask("call:accept", {"invitationId": inv})["error"]["code"] == "forbidden"
    assert ann.ask("call:decline", {"invitationId": inv})["error"]["code"] == "forbidden"
    assert bob.ask("call:cancel", {"invitationId": inv})["error"]["code"] == "forbidden"
    eve = tab()
    assert eve.ask("call:accept", {"invitationId": inv})["error"]["code"] == "forbidden"
    assert bob.ask("call:accept", {"invitationId": inv})["ok"]  # still ringing, still valid


def test_ring_times_out_as_missed(pair, life, clock):
    ann, bob = pair
    ring(ann, bob)
    clock.advance(life.ctx.ring_timeout - 0.5)
    life.tick()
    assert ann.events("call:invite-ended") == []
    clock.advance(1)
    life.tick()
    for side in (ann, bob):
        assert [e["reason"] for e in side.events("call:invite-ended")] == ["missed"]


def test_busy_and_unavailable_answer_at_once(pair, tab):
    ann, bob = pair
    cyd = tab()
    cyd.anchor = cyd.new_anchor()
    call_id = connect(ann, bob)
    busy = cyd.ask("call:invite", {"fromAnchorId": cyd.anchor, "toAnchorId": bob.anchor})
    assert busy["error"]["code"] == "busy"
    assert bob.events("call:ring") == []  # the busy side is not disturbed
    offline = bob.new_anchor(online=False)
    gone = cyd.ask("call:invite", {"fromAnchorId": cyd.anchor, "toAnchorId": offline})
    assert gone["error"]["code"] == "unavailable"
    assert call_id


def test_signalling_rules(pair, tab):
    ann, bob = pair
    call_id = connect(ann, bob)
    early = bob.ask("call:signal", {"callId": call_id, "description": ANSWER})
    assert early["error"]["code"] == "invalid-state"      # answer without an offer
    eve = tab()
    intruder = eve.ask("call:signal", {"callId": call_id, "description": OFFER})
    assert intruder["error"]["code"] == "forbidden"
    assert eve.ask("call:hangup", {"callId": call_id})["error"]["code"] == "forbidden"
    assert ann.events("call:signal") == [] and bob.events("call:signal") == []


def test_peer_leaving_mid_call_is_announced_at_once(pair):
    ann, bob = pair
    call_id = connect(ann, bob)
    bob.sio.disconnect()
    assert ann.events("call:ended") == [{"callId": call_id, "anchorId": ann.anchor,
                                         "reason": "peer-left"}]
    assert ann.ask("me:state")["anchors"][ann.anchor]["status"] == "online"


def test_peer_leaving_while_ringing_is_announced(pair):
    ann, bob = pair
    inv = ring(ann, bob)
    bob.sio.disconnect()
    assert ann.events("call:invite-ended") == [{"invitationId": inv, "reason": "peer-left",
                                                "anchorId": ann.anchor}]


def test_removing_an_anchor_in_a_call_ends_it_for_the_peer(pair):
    ann, bob = pair
    connect(ann, bob)
    assert bob.ask("anchor:remove", {"anchorId": bob.anchor})["ok"]
    assert ann.events("call:ended")[0]["reason"] == "peer-left"


def test_going_offline_mid_call_is_refused(pair):
    ann, bob = pair
    connect(ann, bob)
    refused = ann.ask("anchor:set-online", {"anchorId": ann.anchor, "online": False})
    assert refused["error"]["code"] == "invalid-state"


def test_glare_gives_one_call(pair):
    ann, bob = pair
    first = ring(ann, bob)
    second = bob.ask("call:invite", {"fromAnchorId": bob.anchor, "toAnchorId": ann.anchor})
    assert second["ok"] and "callId" in second and first
    [a_start], [b_start] = ann.events("call:started"), bob.events("call:started")
    assert a_start["callId"] == b_start["callId"] == second["callId"]
    assert a_start["initiator"] and not b_start["initiator"]


def test_several_calls_at_once_on_different_anchors(pair, tab):
    ann, bob = pair
    cyd = tab()
    cyd.anchor = cyd.new_anchor()
    second = ann.new_anchor("Ann two")
    one = connect(ann, bob)
    inv = cyd.ask("call:invite", {"fromAnchorId": cyd.anchor, "toAnchorId": second})["invitationId"]
    two = ann.ask("call:accept", {"invitationId": inv})["callId"]
    assert one != two
    calls = ann.ask("me:state")["calls"]
    assert set(calls) == {one, two}
    assert bob.ask("call:hangup", {"callId": one})["ok"]
    assert set(ann.ask("me:state")["calls"]) == {two}


def test_ice_servers_come_from_config(tmp_path):
    from tlightchat import create_app
    from tests.support.clients import Tab

    servers = [{"urls": "stun:stun.example.org:3478"}]
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "ICE_SERVERS": servers,
                      "ICE_TRANSPORT_POLICY": "relay", "RING_TIMEOUT": 7})
    welcome = Tab(app).welcome
    assert welcome["iceServers"] == servers and welcome["iceTransportPolicy"] == "relay"
    assert welcome["ringTimeoutMs"] == 7000


def test_peer_state_is_relayed_to_the_other_side_only_and_stamped(pair, tab):
    """Issue 15: "muted" / "camera off" reach the peer through call:peer-state."""
    ann, bob = pair
    call_id = connect(ann, bob)
    ann.clear(), bob.clear()
    assert ann.ask("call:peer-state", {"callId": call_id, "audio": False, "video": True}) \
        == {"ok": True}
    assert bob.events("call:peer-state") == [
        {"callId": call_id, "fromAnchorId": ann.anchor, "audio": False, "video": True, "screen": False}]
    assert ann.events("call:peer-state") == []
    eve = tab()
    intruder = eve.ask("call:peer-state", {"callId": call_id, "audio": True, "video": True})
    assert intruder["error"]["code"] == "forbidden"
    gone = ann.ask("call:peer-state", {"callId": "nope", "audio": True, "video": True})
    assert gone["error"]["code"] == "not-found"
    forged = ann.ask("call:peer-state", {"callId": call_id, "audio": True, "video": True,
                                         "fromAnchorId": bob.anchor})
    assert forged["error"]["code"] == "invalid-payload"
    assert bob.events("call:peer-state") == []


def test_a_signal_may_name_the_party_it_is_for(pair, tab):
    """Issue 25: call:signal's optional `to` names the party the signal is for; it must be
    another party of that call (`invalid-payload` otherwise), and nothing is relayed."""
    ann, bob = pair
    call_id = connect(ann, bob)
    cand = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}
    assert ann.ask("call:signal", {"callId": call_id, "to": bob.anchor, "description": OFFER})["ok"]
    assert bob.ask("call:signal", {"callId": call_id, "to": ann.anchor, "description": ANSWER})["ok"]
    assert bob.ask("call:signal", {"callId": call_id, "to": ann.anchor, "candidate": cand})["ok"]
    # relayed exactly as without `to`
    assert bob.events("call:signal") == [{"callId": call_id, "fromAnchorId": ann.anchor,
                                          "description": OFFER}]
    assert ann.events("call:signal") == [
        {"callId": call_id, "fromAnchorId": bob.anchor, "description": ANSWER},
        {"callId": call_id, "fromAnchorId": bob.anchor, "candidate": cand}]
    ann.clear(), bob.clear()
    cyd = tab()
    cyd.anchor = cyd.new_anchor()
    for to in (ann.anchor, cyd.anchor, "no-such-anchor"):  # yourself; not a party; unknown
        for body in ({"description": OFFER}, {"candidate": cand}):
            refused = ann.ask("call:signal", {"callId": call_id, "to": to, **body})
            assert refused["error"]["code"] == "invalid-payload", (to, refused)
    assert bob.events("call:signal") == [] and cyd.events("call:signal") == []
    assert not ann.ask("call:signal", {"callId": call_id, "to": 7, "candidate": cand})["ok"]
