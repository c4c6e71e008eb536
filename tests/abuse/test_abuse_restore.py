"""Abuse of call restoring after a server restart: a stranger who knows a call id (a
call id is shown to both parties and may leak) claims it first, naming one of the real
anchors as its peer. Through test clients (Socket.IO packets, the browser's cookie)
against a fresh app on the same database and secret: a restart.

Before: claims were kept one per call id, so the stranger's claim sat in the slot and
both real parties' claims were refused `forbidden`: the call was never restored."""
from tests.support.clients import Tab
from tests.support.calls import connect
from tests.support.calls import restarted, resume_auth


def test_a_strangers_first_claim_does_not_block_the_real_parties(tmp_path, app, pair, tab):
    ann, bob = pair
    mallory = tab()
    mallory_anchor = mallory.new_anchor("Mallory slot")
    call_id = connect(ann, bob)
    new = restarted(tmp_path, app)
    # after the restart mallory is first back, claiming the call with ann's anchor as peer
    m2 = Tab(new, browser=mallory.browser,
             auth=resume_auth(mallory, call_id, mallory_anchor, ann.anchor, False))
    assert m2.events("error") == []  # a claim of its own anchor: taken, and harmless
    ann2 = Tab(new, browser=ann.browser, auth=resume_auth(ann, call_id, ann.anchor, bob.anchor, True))
    bob2 = Tab(new, browser=bob.browser, auth=resume_auth(bob, call_id, bob.anchor, ann.anchor, False))
    assert ann2.events("error") == [] and bob2.events("error") == []
    assert ann2.events("call:state") == [{"callId": call_id, "state": "connecting"}]
    assert bob2.events("call:state") == [{"callId": call_id, "state": "connecting"}]
    # the stranger is no party: it cannot signal into, hang up or end the call
    offer = {"type": "offer", "sdp": "v=0"}
    assert not m2.ask("call:signal", {"callId": call_id, "description": offer})["ok"]
    assert not m2.ask("call:hangup", {"callId": call_id})["ok"]
    assert m2.ask("anchor:remove", {"anchorId": mallory_anchor})["ok"]
    assert ann2.events("call:ended") == [] and bob2.events("call:ended") == []
    assert ann2.ask("call:signal", {"callId": call_id, "description": offer})["ok"]
    assert bob2.events("call:signal")[0]["fromAnchorId"] == ann.anchor


def test_a_stranger_claiming_after_the_real_party_is_refused(tmp_path, app, pair, tab):
    ann, bob = pair
    mallory = tab()
    mallory_anchor = mallory.new_anchor("Mallory slot")
    call_id = connect(ann, bob)
    new = restarted(tmp_path, app)
    ann2 = Tab(new, browser=ann.browser, auth=resume_auth(ann, call_id, ann.anchor, bob.anchor, True))
    m2 = Tab(new, browser=mallory.browser,
             auth=resume_auth(mallory, call_id, mallory_anchor, ann.anchor, False))
    assert [e["error"]["code"] for e in m2.events("error")] == ["forbidden"]
    bob2 = Tab(new, browser=bob.browser, auth=resume_auth(bob, call_id, bob.anchor, ann.anchor, False))
    assert ann2.events("call:state") == [{"callId": call_id, "state": "connecting"}]
    assert bob2.events("call:state") == [{"callId": call_id, "state": "connecting"}]
