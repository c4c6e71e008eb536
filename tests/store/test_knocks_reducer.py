"""The knocks reducer (store/reducers/knocks.py; issue 27): pure, its state survives a
JSON round trip unchanged (a cluster snapshot), knocks end with their call, an
admission is refused once its knock is gone, and join links are bounded."""
import json

import pytest

from tlightchat.errors import Refusal
from tlightchat.store import actions as A
from tlightchat.store import create_store
from tlightchat.store.reducers import knocks as K
from tlightchat.store.reducers import plain


def in_a_call():
    store = create_store()
    for cid, uid in (("c1", "u1"), ("c2", "u2"), ("c3", "u3")):
        store.dispatch(A.client_connected(cid, uid, uid.upper(), 0.0, protocol=4))
        store.dispatch(A.anchor_created(cid, f"{cid}.a", "Slot"))
        store.dispatch(A.anchor_online_set(cid, f"{cid}.a", True))
    store.dispatch(A.invitation_created("c1", "i1", "c1.a", "c2.a", 1.0, 31.0, "call-1"))
    store.dispatch(A.invitation_accepted("c2", "i1", "call-1", 2.0))
    return store


def test_a_knock_is_kept_then_ends_with_its_call_and_the_state_is_json_stable():
    store = in_a_call()
    store.dispatch(K.link_made("c1", "h" * 64, "call-1", "c1.a", 1000.0))
    before = store.get_state()
    snapshot = json.dumps(before, default=plain, sort_keys=True)
    store.dispatch(K.asked("c3", "k1", "h" * 64, "c3.a", "u3", 3.0, 33.0))
    after = store.get_state()
    assert json.dumps(before, default=plain, sort_keys=True) == snapshot  # nothing mutated
    assert after["knocks"]["k1"]["callId"] == "call-1"
    assert json.loads(json.dumps(after["joinLinks"])) == after["joinLinks"]  # as a snapshot keeps it
    store.dispatch(K.asked("c3", "k2", "h" * 64, "c3.a", "u3", 4.0, 34.0))  # one open knock each
    assert list(store.get_state()["knocks"]) == ["k1"]
    store.dispatch(A.call_hung_up("c1", "call-1"))
    assert store.get_state()["knocks"] == {}


def test_a_tick_ends_a_knock_at_its_time_and_a_link_at_its_expiry():
    store = in_a_call()
    store.dispatch(K.link_made("c1", "h" * 64, "call-1", "c1.a", 100.0))
    store.dispatch(K.asked("c3", "k1", "h" * 64, "c3.a", "u3", 3.0, 33.0))
    store.dispatch(A.clock_ticked(32.0))
    assert "k1" in store.get_state()["knocks"]
    store.dispatch(A.clock_ticked(33.0))
    assert store.get_state()["knocks"] == {} and store.get_state()["joinLinks"]
    store.dispatch(A.clock_ticked(100.0))
    assert store.get_state()["joinLinks"] == {}


def admit(store, knock_id, invitation_id="i9", to="c3.a"):
    """The ring of an admission (reach/knock_handlers.py): carries the knock."""
    ring = A.invitation_created("c2", invitation_id, "c2.a", to, 5.0, 35.0, "x")
    return store.dispatch({**ring, "payload": {**ring["payload"], "knockId": knock_id}})


def knocked():
    store = in_a_call()
    store.dispatch(K.link_made("c1", "h" * 64, "call-1", "c1.a", 1000.0))
    store.dispatch(K.asked("c3", "k1", "h" * 64, "c3.a", "u3", 3.0, 33.0))
    return store


@pytest.mark.parametrize("first", ["denied", "timed out", "left", "withdrawn"])
def test_a_knock_that_ended_cannot_be_admitted_from_a_stale_state(first):
    """Issue 27 review: party A denies on node 1, party B admits on node 2 from a state
    that still had the knock; B's ring lands after the deny in the log. The guard every
    node applies refuses it: no ring, no new party."""
    store = knocked()
    if first == "denied":
        store.dispatch(K.answered("c1", "k1", False))
    elif first == "timed out":
        store.dispatch(A.clock_ticked(33.0))
    elif first == "withdrawn":
        store.dispatch(K.withdrawn("c3", "k1"))
    else:
        store.dispatch(A.anchor_online_set("c3", "c3.a", False))
        store.dispatch(A.anchor_online_set("c3", "c3.a", True))
    assert store.get_state()["knocks"] == {}
    with pytest.raises(Refusal) as refused:
        admit(store, "k1")
    assert refused.value.code == "not-found"
    state = store.get_state()
    assert state["invitations"] == {} and state["anchors"]["c3.a"]["invitationId"] is None
    assert sorted(state["calls"]["call-1"]["parties"]) == ["c1.a", "c2.a"]


def test_an_admission_is_the_ring_and_ends_the_knock_in_one_action():
    store = knocked()
    with pytest.raises(Refusal):
        admit(store, "k1", to="c1.a")  # a ring to another line than the knocker's
    admit(store, "k1")
    state = store.get_state()
    assert state["knocks"] == {} and state["anchors"]["c3.a"]["invitationId"] == "i9"
    with pytest.raises(Refusal):  # a late deny: the knock is gone
        store.dispatch(K.answered("c1", "k1", False))


def test_the_join_links_of_a_call_go_when_the_call_ends():
    store = knocked()
    store.dispatch(K.link_made("c2", "g" * 64, "call-1", "c2.a", 1000.0))
    assert len(store.get_state()["joinLinks"]) == 2
    store.dispatch(A.call_hung_up("c1", "call-1"))  # two parties: the call ends
    state = store.get_state()
    assert "call-1" not in state["calls"] and state["joinLinks"] == {}
    assert sorted(state["endedLinks"]) == ["g" * 64, "h" * 64]  # "the call has ended"


def test_the_reducer_keeps_at_most_five_links_of_a_live_call_only():
    store = in_a_call()
    for i in range(7):  # two nodes may each have checked 4 before the other's landed
        store.dispatch(K.link_made("c1", f"{i}" * 64, "call-1", "c1.a", 1000.0, 5.0))
    assert len(store.get_state()["joinLinks"]) == K.MAX_LINKS_PER_CALL
    store.dispatch(A.clock_ticked(1000.0))  # all expired: they no longer count
    store.dispatch(K.link_made("c1", "n" * 64, "call-1", "c1.a", 2000.0, 1000.0))
    assert list(store.get_state()["joinLinks"]) == ["n" * 64]
    store.dispatch(K.link_made("c3", "m" * 64, "no-call", "c3.a", 2000.0, 1000.0))
    assert "m" * 64 not in store.get_state()["joinLinks"]


def test_a_denied_person_knocks_no_more_through_that_link_and_the_list_is_bounded():
    store = knocked()
    store.dispatch(K.answered("c1", "k1", False))
    store.dispatch(K.asked("c3", "k2", "h" * 64, "c3.a", "u3", 4.0, 34.0))
    assert store.get_state()["knocks"] == {}
    link = dict(store.get_state()["joinLinks"]["h" * 64])
    state = {**store.get_state(), "joinLinks": {"h" * 64: {**link, "denied": [
        f"x{i}" for i in range(K.MAX_DENIED)]}}}
    store.load(state)
    store.dispatch(K.asked("c3", "k3", "h" * 64, "c3.a", "u3", 5.0, 35.0))
    store.dispatch(K.answered("c1", "k3", False))
    denied = store.get_state()["joinLinks"]["h" * 64]["denied"]
    assert len(denied) == K.MAX_DENIED and denied[-1] == "u3" and "x0" not in denied


def test_only_the_knocking_tab_withdraws_its_knock():
    """The reducer itself keeps another's withdrawal out (a log entry the guard did not
    see); the guard words it: `forbidden`, then `not-found` once the knock is gone."""
    store = knocked()
    state = store.get_state()
    assert K.reduce_withdrawn(state, {"knockId": "k1"}, {"clientId": "c1"}) is state
    with pytest.raises(Refusal) as refused:
        store.dispatch(K.withdrawn("c1", "k1"))
    assert refused.value.code == "forbidden" and "k1" in store.get_state()["knocks"]
    store.dispatch(K.withdrawn("c3", "k1"))
    assert store.get_state()["knocks"] == {}
    with pytest.raises(Refusal) as again:
        store.dispatch(K.withdrawn("c3", "k1"))
    assert again.value.code == "not-found"


def test_only_its_maker_turns_a_join_link_off_and_its_open_knocks_end_with_it():
    store = in_a_call()
    store.dispatch(K.link_made("c1", "h" * 64, "call-1", "c1.a", 1000.0, 1.0, "u1"))
    store.dispatch(K.link_made("c2", "g" * 64, "call-1", "c2.a", 1000.0, 1.0, "u2"))
    store.dispatch(K.asked("c3", "k1", "h" * 64, "c3.a", "u3", 3.0, 33.0))
    state = store.get_state()
    assert [link["id"] for link in K.links_of(state, "u1")] == ["h" * 64]
    assert K.reduce_link_revoked(state, {"hash": "h" * 64, "userId": "u2"}, {}) is state
    with pytest.raises(Refusal) as refused:
        store.dispatch(K.link_revoked("u2", "h" * 64))  # a party, not its maker
    assert refused.value.code == "not-found" and store.get_state() is state
    store.dispatch(K.link_revoked("u1", "h" * 64))
    after = store.get_state()
    assert list(after["joinLinks"]) == ["g" * 64] and after["knocks"] == {}
    assert after["revokedLinks"] == ["h" * 64]
    assert json.loads(json.dumps(after["revokedLinks"])) == after["revokedLinks"]
    with pytest.raises(Refusal):
        store.dispatch(K.link_revoked("u1", "h" * 64))  # twice
    store.dispatch(K.asked("c3", "k2", "h" * 64, "c3.a", "u3", 4.0, 34.0))  # through it: nothing
    assert store.get_state()["knocks"] == {}
