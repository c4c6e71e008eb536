"""A server restart mid group call, through Socket.IO test clients (issue 26): each
party comes back claiming every pair (what rejoin.js callClaims sends) and the call is
back with every party; each sees it `connecting`, as a two-party restore does."""
from tests.support.calls import restarted
from tests.support.clients import Tab


def test_three_parties_come_back_after_a_restart(tmp_path, app, clock):
    ann, bob, cat = tabs = [Tab(app, auth={"protocol": 4}) for _ in range(3)]
    for i, t in enumerate(tabs):
        t.anchor = t.new_anchor(f"Slot {i}")
    inv = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})
    call_id = bob.ask("call:accept", {"invitationId": inv["invitationId"]})["callId"]
    inv = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": cat.anchor})
    assert cat.ask("call:accept", {"invitationId": inv["invitationId"]})["ok"]
    pairs = {}  # each party's pairs and its roles in them, as its browser knows them
    for t in tabs:
        [start] = t.events("call:started")
        known = (start.get("parties") or [start]) + t.events("call:party-joined")
        pairs[t.anchor] = {p["peer"]["anchorId"]: p["initiator"] for p in known}
    assert all(len(p) == 2 for p in pairs.values())

    new = restarted(tmp_path, app)
    back = []
    for t in (cat, ann, bob):  # any order
        back.append(Tab(new, browser=t.browser, auth={
            "resume": t.welcome["resumeToken"], "protocol": 4,
            "anchors": [{"anchorId": t.anchor, "name": "Slot", "online": True}],
            "calls": [{"callId": call_id, "anchorId": t.anchor, "peerAnchorId": peer,
                       "initiator": ini} for peer, ini in pairs[t.anchor].items()]}))
    life = new.extensions["tlightchat"].life
    call = life.store.get_state()["calls"][call_id]
    assert sorted(call["parties"]) == sorted(t.anchor for t in tabs)
    for t in back:
        assert t.events("error") == []
        assert {"callId": call_id, "state": "connecting"} in t.events("call:state")
        # a restored party is told nothing that would replace its working connections
        assert t.events("call:started") == [] and t.events("call:party-joined") == []
    offer = {"type": "offer", "sdp": "v=0"}
    assert back[0].ask("call:signal", {"callId": call_id, "to": bob.anchor,
                                       "description": offer})["ok"]
    assert back[2].events("call:signal")[0]["fromAnchorId"] == cat.anchor


def test_a_restored_two_party_call_hangs_up_as_any_call(tmp_path, app, clock):
    """Claims are kept a while after a restore (for later parties): the call's end must
    still tell each side once, as a hangup (a stale claim told the side that hung up
    'the other person left' first: e2e/test_recovery.py saw it)."""
    ann, bob = [Tab(app, auth={"protocol": 4}) for _ in range(2)]
    ann.anchor, bob.anchor = ann.new_anchor("Slot 1"), bob.new_anchor("Slot 1")
    inv = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})
    call_id = bob.ask("call:accept", {"invitationId": inv["invitationId"]})["callId"]
    new = restarted(tmp_path, app)
    back = [Tab(new, browser=t.browser, auth={
        "resume": t.welcome["resumeToken"], "protocol": 4,
        "anchors": [{"anchorId": t.anchor, "name": "Slot", "online": True}],
        "calls": [{"callId": call_id, "anchorId": t.anchor, "peerAnchorId": peer, "initiator": ini}]})
        for t, peer, ini in ((ann, bob.anchor, True), (bob, ann.anchor, False))]
    state = new.extensions["tlightchat"].life.store.get_state
    assert call_id in state()["calls"]
    assert back[1].ask("call:hangup", {"callId": call_id})["ok"]
    assert back[1].events("call:ended") == [
        {"callId": call_id, "anchorId": bob.anchor, "reason": "hangup", "by": "you"}]
    assert back[0].events("call:ended") == [
        {"callId": call_id, "anchorId": ann.anchor, "reason": "hangup", "by": "peer"}]
    assert not state()["claims"] and not state()["calls"]
    # both lines are free again: a new call between them rings
    assert back[0].ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})["ok"]
