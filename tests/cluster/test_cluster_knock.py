"""A knock across two cluster nodes (issue 27, "Knocking on a running call"): the join
link made on n1 is known on n2 from the replicated store, a knock on n2 is seen on n1,
an admission on n2 rings the knocker into the call, and the knock is gone on both; an
admission sent by a node that had not yet seen a deny rings nobody."""
import pytest

from e2e.services import wait_for
from tlightchat.errors import Refusal
from tlightchat.store import actions as A
from tests.support.clients import Tab
from tests.support.cluster_calls import heard, mentions


def ok(ack):
    assert ack["ok"], ack
    return ack


def in_a_call_with_a_link(nodes):
    """Ann (on n1) and Bob (on n2) in a call, Ann's join link made on n1, and Cat on n2."""
    n1, n2 = nodes("n1"), nodes("n2")
    v4 = {"protocol": 4}
    ann, bob, cat = Tab(n1, auth=v4), Tab(n2, auth=v4), Tab(n2, auth=v4)
    for t in (ann, bob, cat):
        t.anchor = t.new_anchor()
    heard(ann, "lobby:anchor", mentions(bob.anchor))
    ok(ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor}))
    ok(bob.ask("call:accept", {"invitationId": heard(bob, "call:ring")["invitationId"]}))
    return n1, n2, ann, bob, cat, ok(ann.ask("knock:link", {"anchorId": ann.anchor}))


def test_a_knock_crosses_cluster_nodes_through_the_replicated_store(nodes):
    n1, n2, ann, bob, cat, link = in_a_call_with_a_link(nodes)  # made on n1
    stores = [app.extensions["tlightchat"].context.store for app in (n1, n2)]
    wait_for(lambda: link["callId"] in stores[1].get_state()["calls"]
             and stores[1].get_state().get("joinLinks"), 5, "n2 knows the link")
    asked = ok(cat.ask("knock:ask", {"token": link["token"], "fromAnchorId": cat.anchor}))  # knocked on n2
    assert heard(ann, "knock:asked")["knockId"] == asked["knockId"]  # seen on n1
    ok(bob.ask("knock:answer", {"knockId": asked["knockId"], "admit": True}))
    ring = heard(cat, "call:ring")
    assert ring["call"]["callId"] == link["callId"]
    assert heard(ann, "knock:ended")["reason"] == "admitted"
    wait_for(lambda: stores[0].get_state().get("knocks") == stores[1].get_state().get("knocks") == {},
             5, "the knock is gone on both nodes")


def test_an_admission_from_a_stale_node_after_a_deny_rings_nobody(nodes):
    """Issue 27 review: Ann denies on n1; Bob's node n2 had checked the knock before the
    deny reached it and sends its ring into the call. The replicated log applies the
    deny first, and the guard every node applies refuses the ring: nobody is rung."""
    n1, n2, ann, bob, cat, link = in_a_call_with_a_link(nodes)
    ctx2 = n2.extensions["tlightchat"].context
    wait_for(lambda: ctx2.store.get_state().get("joinLinks"), 5, "n2 knows the link")
    asked = ok(cat.ask("knock:ask", {"token": link["token"], "fromAnchorId": cat.anchor}))
    heard(ann, "knock:asked")
    ok(ann.ask("knock:answer", {"knockId": asked["knockId"], "admit": False}))  # on n1
    assert heard(cat, "knock:ended")["reason"] == "denied"
    ring = A.invitation_created(bob.client_id, "late-ring", bob.anchor, cat.anchor, ctx2.now(),
                                ctx2.now() + 30, "x")
    with pytest.raises(Refusal) as refused:  # what n2's knock:answer sends after its check
        ctx2.dispatch({**ring, "payload": {**ring["payload"], "knockId": asked["knockId"]}})
    assert refused.value.code == "not-found"
    assert cat.events("call:ring") == []
    assert ctx2.store.get_state()["anchors"][cat.anchor]["invitationId"] is None


def test_a_knock_withdrawn_on_one_node_ends_on_the_other_and_admits_nobody(nodes):
    """Cat withdraws on n2; Ann on n1 sees the ask go; an admission sent from n1 after
    it (its node had checked the knock before) rings nobody."""
    n1, n2, ann, bob, cat, link = in_a_call_with_a_link(nodes)
    ctx1 = n1.extensions["tlightchat"].context
    wait_for(lambda: n2.extensions["tlightchat"].context.store.get_state().get("joinLinks"),
             5, "n2 knows the link")
    asked = ok(cat.ask("knock:ask", {"token": link["token"], "fromAnchorId": cat.anchor}))
    heard(ann, "knock:asked")
    refused = ann.ask("knock:cancel", {"knockId": asked["knockId"]})  # on n1: not Ann's knock
    assert refused["error"]["code"] == "forbidden"
    ok(cat.ask("knock:cancel", {"knockId": asked["knockId"]}))  # on n2
    assert heard(ann, "knock:ended")["reason"] == "withdrawn"
    assert heard(bob, "knock:ended")["reason"] == "withdrawn"
    ring = A.invitation_created(ann.client_id, "late-ring", ann.anchor, cat.anchor, ctx1.now(),
                                ctx1.now() + 30, "x")
    with pytest.raises(Refusal) as late:
        ctx1.dispatch({**ring, "payload": {**ring["payload"], "knockId": asked["knockId"]}})
    assert late.value.code == "not-found"
    assert cat.events("call:ring") == []


def test_a_join_link_turned_off_on_one_node_is_off_on_the_other(nodes):
    """Ann's link (made on n1) is turned off through n2 (/me may be served by any node):
    Cat's open knock ends for everyone, and a knock on n1 hears the link is off."""
    from tlightchat.store.reducers import knocks as K

    n1, n2, ann, bob, cat, link = in_a_call_with_a_link(nodes)
    ctx2 = n2.extensions["tlightchat"].context
    wait_for(lambda: ctx2.store.get_state().get("joinLinks"), 5, "n2 knows the link")
    asked = ok(cat.ask("knock:ask", {"token": link["token"], "fromAnchorId": cat.anchor}))
    heard(ann, "knock:asked")
    [link_hash] = ctx2.store.get_state()["joinLinks"]
    ctx2.dispatch(K.link_revoked(ann.user_id, link_hash))  # what /me's form sends, on n2
    assert heard(ann, "knock:ended")["reason"] == "revoked"
    assert heard(cat, "knock:ended")["knockId"] == asked["knockId"]
    dan = Tab(n1, auth={"protocol": 4})
    dan.anchor = dan.new_anchor()
    wait_for(lambda: n1.extensions["tlightchat"].context.store.get_state().get("revokedLinks"),
             5, "n1 knows it is off")
    refused = dan.ask("knock:ask", {"token": link["token"], "fromAnchorId": dan.anchor})
    assert refused["error"]["message"].startswith("This join link was turned off")
