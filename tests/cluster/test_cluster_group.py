"""A group call across two nodes (issue 26): parties on n1 and n2 build a call of three,
signal per pair across nodes, and n2 is lost mid-call: its party is `reconnecting`, then
leaves (`peer-left`) when its grace runs out, and the call goes on for the two on n1."""
from e2e.services import wait_for
from tests.support.clients import Tab
from tests.support.cluster_calls import heard, mentions

CANDIDATE = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}


def test_a_call_of_three_on_two_nodes_goes_on_when_one_node_is_lost(nodes):
    n1, n2 = nodes("n1", RECONNECT_GRACE=2), nodes("n2", RECONNECT_GRACE=2)
    life1, life2 = (app.extensions["tlightchat"].life for app in (n1, n2))
    v4 = {"protocol": 4}
    ann, cat, bob = Tab(n1, auth=v4), Tab(n1, auth=v4), Tab(n2, auth=v4)
    for t in (ann, cat, bob):
        t.anchor = t.new_anchor()
    heard(ann, "lobby:anchor", mentions(bob.anchor))

    inv = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})
    assert inv["ok"], inv
    accepted = bob.ask("call:accept", {"invitationId": heard(bob, "call:ring")["invitationId"]})
    assert accepted["ok"], accepted
    call_id = accepted["callId"]
    heard(ann, "call:started")
    # bob (on n2) adds cat (on n1)
    added = bob.ask("call:invite", {"fromAnchorId": bob.anchor, "toAnchorId": cat.anchor})
    assert added["ok"] and added["callId"] == call_id, added
    ring = heard(cat, "call:ring")
    assert [p["anchorId"] for p in ring["call"]["parties"]] == [ann.anchor, bob.anchor]
    assert cat.ask("call:accept", {"invitationId": ring["invitationId"]})["ok"]
    started = heard(cat, "call:started")
    assert started["peer"]["anchorId"] == bob.anchor and len(started["parties"]) == 2
    assert heard(bob, "call:party-joined")["peer"]["anchorId"] == cat.anchor
    assert heard(ann, "call:party-joined")["peer"]["anchorId"] == cat.anchor
    for life in (life1, life2):  # the replicated store carries the same call record
        wait_for(lambda life=life: len(life.store.get_state()["calls"].get(call_id, {})
                                       .get("parties", ())) == 3, 5, "three parties")
    assert life1.store.get_state()["calls"][call_id] == life2.store.get_state()["calls"][call_id]

    # cat's candidate for bob crosses to n2, and only bob gets it
    assert cat.ask("call:signal", {"callId": call_id, "to": bob.anchor, "candidate": CANDIDATE})["ok"]
    assert heard(bob, "call:signal")["fromAnchorId"] == cat.anchor
    assert ann.events("call:signal") == []

    life2.close()  # n2 is lost mid-call: bob goes away, then leaves
    heard(ann, "call:state", lambda d: d["state"] == "reconnecting", timeout=10)
    left = heard(cat, "call:party-left", timeout=15)
    assert left == {"callId": call_id, "anchorId": cat.anchor, "peerAnchorId": bob.anchor,
                    "reason": "peer-left"}
    assert heard(ann, "call:party-left")["peerAnchorId"] == bob.anchor
    assert life1.store.get_state()["calls"][call_id]["parties"] == (ann.anchor, cat.anchor)
    assert ann.events("call:ended") == [] and cat.events("call:ended") == []
