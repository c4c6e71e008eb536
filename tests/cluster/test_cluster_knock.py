"""A knock across two cluster nodes (issue 27, "Knocking on a running call"): the join
link made on n1 is known on n2 from the replicated store, a knock on n2 is seen on n1,
an admission on n2 rings the knocker into the call, and the knock is gone on both."""
from e2e.services import wait_for
from tests.support.clients import Tab
from tests.support.cluster_calls import heard, mentions


def ok(ack):
    assert ack["ok"], ack
    return ack


def test_a_knock_crosses_cluster_nodes_through_the_replicated_store(nodes):
    n1, n2 = nodes("n1"), nodes("n2")
    v4 = {"protocol": 4}
    ann, bob, cat = Tab(n1, auth=v4), Tab(n2, auth=v4), Tab(n2, auth=v4)
    for t in (ann, bob, cat):
        t.anchor = t.new_anchor()
    heard(ann, "lobby:anchor", mentions(bob.anchor))
    ok(ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor}))
    ok(bob.ask("call:accept", {"invitationId": heard(bob, "call:ring")["invitationId"]}))
    link = ok(ann.ask("knock:link", {"anchorId": ann.anchor}))  # made on n1
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
