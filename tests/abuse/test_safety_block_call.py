"""Issue 35: a block during a call ends the call between the two (docs/protocol.md,
`safety:block`). The blocker leaves every call the blocked person is a party of, exactly
as by `call:hangup`: a call of two ends for both (`call:ended`, `reason: "hangup"`, the
blocked side's `by: "peer"`: nothing tells them of a block); in a call of three or more
the others see the blocker leave (`call:party-left`, `hangup`) and go on. On one process
(the in-memory store) and on two cluster nodes (the replicated store)."""
import pytest

from e2e.services import wait_for
from tests.support.cluster import nodes, redis_server, redis_url  # noqa: F401  (fixtures)
from tests.support.cluster_calls import heard, mentions
from tests.support.clients import Tab
from tlightchat import create_app

V4 = {"protocol": 4}  # group-call pages


@pytest.fixture(params=["memory", "replicated"])
def apps(request, tmp_path):
    """(app for Ann, app for Bob): one app, or two nodes of a cluster."""
    if request.param == "memory":
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TESTING": True})
        yield app, app
        app.extensions["tlightchat"].close()
    else:
        make = request.getfixturevalue("nodes")
        yield make("n1"), make("n2")


def tab(app, *others):
    t = Tab(app, auth=V4)
    t.anchor = t.new_anchor()
    for other in others:
        heard(other, "lobby:anchor", mentions(t.anchor))
    return t


def ok(ack):
    assert ack["ok"], ack
    return ack


def ring_in(frm, to):
    """`frm` rings `to` (into frm's call, if any) and `to` accepts: the call's id."""
    ok(frm.ask("call:invite", {"fromAnchorId": frm.anchor, "toAnchorId": to.anchor}))
    ring = heard(to, "call:ring", lambda r: r["toAnchorId"] == to.anchor)
    return ok(to.ask("call:accept", {"invitationId": ring["invitationId"]}))["callId"]


def calls_on(*tabs):
    return [t.app.extensions["tlightchat"].life.store.get_state()["calls"] for t in tabs]


@pytest.mark.parametrize("blocker", ["caller", "callee"])
def test_a_block_ends_a_call_of_two_as_a_hangup_by_the_blocker(apps, blocker):
    ann = tab(apps[0])
    bob = tab(apps[1], ann)
    call_id = ring_in(ann, bob)
    heard(ann, "call:started")
    me, peer = (ann, bob) if blocker == "caller" else (bob, ann)
    ok(me.ask("safety:block", {"userId": peer.user_id}))
    assert heard(peer, "call:ended") == {"callId": call_id, "anchorId": peer.anchor,
                                         "reason": "hangup", "by": "peer"}
    assert heard(me, "call:ended") == {"callId": call_id, "anchorId": me.anchor,
                                       "reason": "hangup", "by": "you"}
    wait_for(lambda: all(call_id not in c for c in calls_on(ann, bob)), 5, "the call gone")
    # the blocked side hung up the same way as after any hangup: the call is not-found
    assert peer.ask("call:hangup", {"callId": call_id})["error"]["code"] == "not-found"


def test_in_a_group_call_the_blocker_leaves_and_the_others_go_on(apps):
    ann = tab(apps[0])
    bob = tab(apps[1], ann)
    cat = tab(apps[0], bob)
    call_id = ring_in(ann, bob)
    assert ring_in(bob, cat) == call_id
    heard(ann, "call:party-joined", lambda d: d["peer"]["anchorId"] == cat.anchor)
    ok(ann.ask("safety:block", {"userId": bob.user_id}))
    assert heard(ann, "call:ended") == {"callId": call_id, "anchorId": ann.anchor,
                                        "reason": "hangup", "by": "you"}
    for t in (bob, cat):
        assert heard(t, "call:party-left") == {"callId": call_id, "anchorId": t.anchor,
                                               "peerAnchorId": ann.anchor, "reason": "hangup"}
    wait_for(lambda: all(c.get(call_id, {}).get("parties") == (bob.anchor, cat.anchor)
                         for c in calls_on(ann, bob)), 5, "bob and cat go on")
    assert bob.events("call:ended") == [] and cat.events("call:ended") == []


def test_a_block_leaves_a_call_without_the_blocked_person_alone(apps):
    """Ann in a call with Cat blocks Bob (not in it): nothing ends."""
    ann = tab(apps[0])
    bob = tab(apps[1], ann)
    cat = tab(apps[1], ann)
    call_id = ring_in(ann, cat)
    heard(ann, "call:started")
    ok(ann.ask("safety:block", {"userId": bob.user_id}))
    heard(bob, "lobby:snapshot", lambda snap: ann.user_id not in snap["users"])
    assert ann.events("call:ended") == [] and cat.events("call:ended") == []
    assert all(c[call_id]["parties"] == (ann.anchor, cat.anchor) for c in calls_on(ann, cat))
