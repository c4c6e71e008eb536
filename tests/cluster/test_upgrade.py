"""A rolling upgrade: a node of this version reads a snapshot that a node of the
previous version wrote, where a call was its caller and callee (issue 25 changed a call
to its parties and per-pair facts). The call must come back whole, in today's shape."""
import json

from tlightchat.cluster.entries import encode, thaw
from tlightchat.store import selectors as S


def old_snapshot(relay_only):
    """A state as the previous version encoded it (JSON), with one call in progress."""
    anchors = {a: {"id": a, "clientId": c, "name": "Slot", "online": True, "callId": "k1"}
               for a, c in (("c1.a1", "c1"), ("c2.b1", "c2"))}
    return json.loads(json.dumps({
        "users": {}, "clients": {}, "anchors": anchors, "invitations": {}, "claims": {},
        "calls": {"k1": {"id": "k1", "callerAnchorId": "c1.a1", "calleeAnchorId": "c2.b1",
                         "clients": {"c1.a1": "c1", "c2.b1": "c2"}, "startedAt": 11.0,
                         "media": {"c1.a1": True, "c2.b1": False},
                         "offers": {"c1.a1": False, "c2.b1": False},
                         "relayOnly": list(relay_only)}}}))


def test_a_call_of_the_previous_version_reads_back_as_its_parties_and_their_pair():
    state = thaw(old_snapshot(relay_only=["c2.b1"]))
    call = state["calls"]["k1"]
    assert call["parties"] == ("c1.a1", "c2.b1")
    assert "callerAnchorId" not in call and "relayOnly" not in call
    pair = S.pair_of(call, "c1.a1", "c2.b1")
    assert pair == {"initiator": "c1.a1", "polite": "c2.b1", "relayOnly": ("c2.b1",)}
    assert S.peers_of(state, "k1", "c2.b1") == ("c1.a1",)
    # media and offers per peer (issue 26: a party has one connection per other party)
    assert call["media"] == {"c1.a1": {"c2.b1": True}, "c2.b1": {"c1.a1": False}}
    assert call["offers"] == {"c1.a1": {"c2.b1": False}, "c2.b1": {"c1.a1": False}}


def test_a_call_of_this_version_is_read_back_unchanged():
    state = thaw(old_snapshot(relay_only=[]))
    again = thaw(json.loads(encode(state)))
    assert again["calls"]["k1"] == state["calls"]["k1"]
