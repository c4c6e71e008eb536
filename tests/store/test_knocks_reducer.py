"""The knocks reducer (store/reducers/knocks.py; issue 27): pure, its state survives a
JSON round trip unchanged (a cluster snapshot), and knocks end with their call."""
import json

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
