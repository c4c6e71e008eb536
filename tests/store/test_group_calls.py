"""Group calls in the store (issue 26): every transition with N parties, through the
guard and the reducers, on the in-memory store and on the replicated one (a real Redis:
the same actions appended to the log and applied back)."""
import pytest

from tlightchat.errors import Refusal
from tlightchat.store import actions as A
from tlightchat.store import selectors as S
from tests.support.cluster import redis_server, redis_url  # noqa: F401  (fixtures)
from tests.support.group_world import (accept, group, memory_store, populate,
                                       replicated_store, ring)

OFFER = {"type": "offer", "sdp": "v=0"}
ANSWER = {"type": "answer", "sdp": "v=0"}
HOST = {"candidate": "candidate:1 1 udp 2122260223 192.168.1.20 50000 typ host"}


@pytest.fixture(params=["memory", "replicated"])
def make(request):
    """make(max_parties=6, protocol=4): a populated store of the kind this run tests."""
    def build(max_parties=6, protocol=4):
        if request.param == "memory":
            store = memory_store(max_parties)
        else:
            store = replicated_store(request.getfixturevalue("redis_url"), max_parties)
        return populate(store, protocol=protocol)
    return build


def status(store, x):
    state = store.get_state()
    return S.anchor_status(state, state["anchors"][f"{x}1"])


def refused(store, action):
    before = store.get_state()
    with pytest.raises(Refusal) as err:
        store.dispatch(action)
    assert store.get_state() is before or store.get_state() == before
    return err.value.code


def test_adding_someone_rings_into_the_call_and_the_newcomer_joins_as_initiator(make):
    store = make()
    call_id = group(store, "a", "b")
    ring(store, "a", "c", "i2")
    state = store.get_state()
    assert state["invitations"]["i2"]["callId"] == call_id
    assert (status(store, "a"), status(store, "c")) == ("in-call", "ringing")
    assert state["anchors"]["a1"]["invitationId"] is None  # the inviter holds no ring
    accept(store, "c", "i2")
    call = store.get_state()["calls"][call_id]
    assert call["parties"] == ("a1", "b1", "c1")
    assert S.pair_of(call, "c1", "a1")[("initiator")] == "c1"
    assert S.pair_of(call, "c1", "b1") == {"initiator": "c1", "polite": "b1", "relayOnly": ()}
    assert S.pair_of(call, "a1", "b1")["initiator"] == "a1"  # the first pair is as it was
    assert call["media"]["c1"] == {"a1": False, "b1": False}
    assert call["media"]["a1"] == {"b1": False, "c1": False}
    assert status(store, "c") == "in-call" and not store.get_state()["invitations"]


def test_a_ring_into_a_call_carries_no_offer_and_reaches_no_one_busy(make):
    store = make()
    group(store, "a", "b")
    assert refused(store, A.invitation_created("ca", "i9", "a1", "c1", 10.0, 40.0, "x",
                                               offer=OFFER)) == "invalid-payload"
    assert refused(store, A.invitation_created("ca", "i9", "a1", "b1", 10.0, 40.0, "x")) == "busy"
    group(store, "c", "d", call_id="k2")
    assert refused(store, A.invitation_created("ca", "i9", "a1", "c1", 10.0, 40.0, "x")) == "busy"
    store.dispatch(A.anchor_created("ce", "e2", "Two"))
    store.dispatch(A.anchor_online_set("ce", "e2", True))
    ring(store, "a", "e", "i3")
    # e's other anchor: that tab is being rung into this call already
    assert refused(store, A.invitation_created("cb", "i4", "b1", "e2", 10.0, 40.0, "x")) == "busy"


def test_ringing_several_starts_with_the_first_accept_and_the_others_join(make):
    store = make()
    store.dispatch(A.call_opened("ca", "k1", "a1"))
    for x in "bcd":
        ring(store, "a", x, f"i-{x}")
    assert status(store, "a") == "ringing" and store.get_state()["calls"]["k1"]["parties"] == ("a1",)
    store.dispatch(A.invitation_declined("cb", "i-b"))
    assert status(store, "a") == "ringing"
    accept(store, "c", "i-c")
    call = store.get_state()["calls"]["k1"]
    assert call["parties"] == ("a1", "c1") and call["startedAt"] == 11.0
    assert S.pair_of(call, "a1", "c1") == {"initiator": "a1", "polite": "c1", "relayOnly": ()}
    assert status(store, "a") == "in-call"
    accept(store, "d", "i-d")
    assert store.get_state()["calls"]["k1"]["parties"] == ("a1", "c1", "d1")


def test_ringing_several_that_nobody_answers_frees_the_anchor(make):
    store = make()
    store.dispatch(A.call_opened("ca", "k1", "a1"))
    ring(store, "a", "b", "i-b")
    ring(store, "a", "c", "i-c")
    store.dispatch(A.invitation_declined("cb", "i-b"))
    store.dispatch(A.clock_ticked(40.0))
    state = store.get_state()
    assert state["calls"] == {} and state["invitations"] == {}
    assert status(store, "a") == "online" and status(store, "c") == "online"


def test_a_party_leaves_while_two_or_more_remain_and_the_last_two_end_it(make):
    store = make()
    call_id = group(store, "a", "b", "c", "d")
    store.dispatch(A.call_hung_up("cb", call_id))
    call = store.get_state()["calls"][call_id]
    assert call["parties"] == ("a1", "c1", "d1") and status(store, "b") == "online"
    assert all("b1" not in key for key in call["pairs"]) and len(call["pairs"]) == 3
    assert "b1" not in call["clients"] and all("b1" not in m for m in call["media"].values())
    store.dispatch(A.client_disconnected("cc"))  # peer-left: the same, by the client going
    assert store.get_state()["calls"][call_id]["parties"] == ("a1", "d1")
    store.dispatch(A.call_hung_up("cd", call_id))
    assert store.get_state()["calls"] == {}
    assert status(store, "a") == "online" and status(store, "d") == "online"


def test_the_rings_a_leaving_party_made_end_and_a_call_that_ends_ends_its_rings(make):
    store = make()
    call_id = group(store, "a", "b", "c")
    ring(store, "c", "d", "i-d")
    ring(store, "a", "e", "i-e")
    store.dispatch(A.call_hung_up("cc", call_id))
    state = store.get_state()
    assert set(state["invitations"]) == {"i-e"} and status(store, "d") == "online"
    assert state["calls"][call_id]["parties"] == ("a1", "b1")
    store.dispatch(A.call_hung_up("cb", call_id))  # a call of two ends: e's ring too
    assert store.get_state()["invitations"] == {} and status(store, "e") == "online"


def test_two_parties_add_different_people_at_once_and_the_same_person_once(make):
    store = make()
    call_id = group(store, "a", "b")
    ring(store, "a", "c", "i-c")
    ring(store, "b", "d", "i-d")
    assert refused(store, A.invitation_created("cb", "i-x", "b1", "c1", 10.0, 40.0, "x")) == "busy"
    accept(store, "d", "i-d")
    accept(store, "c", "i-c")
    call = store.get_state()["calls"][call_id]
    assert call["parties"] == ("a1", "b1", "d1", "c1") and len(call["pairs"]) == 6


def test_the_limit_counts_parties_and_pending_rings(make):
    store = make(max_parties=4)
    call_id = group(store, "a", "b", "c")
    ring(store, "b", "d", "i-d")
    assert refused(store, A.invitation_created("ca", "i-e", "a1", "e1", 10.0, 40.0, "x")) \
        == "call-full"
    store.dispatch(A.invitation_declined("cd", "i-d"))
    ring(store, "a", "e", "i-e")  # a place again
    accept(store, "e", "i-e")
    assert len(store.get_state()["calls"][call_id]["parties"]) == 4


def test_a_party_below_protocol_4_refuses_group_calls_and_two_party_calls_still_work(make):
    store = make(protocol=3)
    call_id = group(store, "a", "b")  # a call of two between version 3 clients
    assert store.get_state()["calls"][call_id]["parties"] == ("a1", "b1")
    assert refused(store, A.invitation_created("ca", "i9", "a1", "c1", 10.0, 40.0, "x")) \
        == "unsupported"
    assert refused(store, A.call_opened("cc", "k9", "c1")) == "unsupported"
    store.dispatch(A.client_connected("cz", "uz", "Zed", 1.0, protocol=4))
    store.dispatch(A.anchor_created("cz", "z1", "Slot"))
    store.dispatch(A.anchor_online_set("cz", "z1", True))
    store.dispatch(A.client_resumed("ca", "ua", protocol=4))  # a reloaded a newer page
    with pytest.raises(Refusal, match="Bnn's app is too old"):  # b, a party, speaks 3
        store.dispatch(A.invitation_created("ca", "i9", "a1", "z1", 10.0, 40.0, "x"))


def test_signals_name_their_party_offers_are_per_pair_and_relay_only_is_per_pair(make):
    store = make()
    call_id = group(store, "a", "b")
    ring(store, "a", "c", "i-c")
    accept(store, "c", "i-c", pair_relay={"b1": []})  # a's pair with c: from the ring
    store.dispatch(A.call_signalled("cc", call_id, description=OFFER, to="b1"))
    assert refused(store, A.call_signalled("cc", call_id, description=OFFER)) == "invalid-payload"
    assert refused(store, A.call_signalled("ca", call_id, description=ANSWER, to="c1")) \
        == "invalid-state"  # c's offer went to b, not to a
    store.dispatch(A.call_signalled("cb", call_id, description=ANSWER, to="c1"))
    assert store.get_state()["calls"][call_id]["offers"]["c1"] == {"a1": False, "b1": False}
    # c joined hiding from a (the ring's rule) but not from b
    store = make()
    call_id = group(store, "a", "b")
    ring(store, "a", "c", "i-c", relay_only=("c1",))
    accept(store, "c", "i-c", pair_relay={"b1": []})
    store.dispatch(A.call_signalled("cc", call_id, candidate=HOST, to="b1"))
    assert refused(store, A.call_signalled("cc", call_id, candidate=HOST, to="a1")) \
        == "relay-required"


def test_a_call_is_connected_when_every_pair_reports_media_both_ways(make):
    store = make()
    call_id = group(store, "a", "b", "c")
    assert refused(store, A.call_media_reported("ca", call_id, True)) == "invalid-payload"
    for me, peer in [("a", "b"), ("b", "a"), ("a", "c"), ("c", "a"), ("b", "c")]:
        store.dispatch(A.call_media_reported(f"c{me}", call_id, True, to=f"{peer}1"))
        assert S.call_state(store.get_state(), store.get_state()["calls"][call_id]) == "connecting"
    store.dispatch(A.call_media_reported("cc", call_id, True, to="b1"))
    state = store.get_state()
    assert S.call_state(state, state["calls"][call_id]) == "connected"
    store.dispatch(A.client_went_away("cc", 99.0))
    assert S.call_state(store.get_state(), store.get_state()["calls"][call_id]) == "reconnecting"


def test_me_state_shows_the_parties_and_only_this_clients_pairs(make):
    store = make()
    call_id = group(store, "a", "b", "c")
    mine = S.client_slice(store.get_state(), "cb")["calls"][call_id]
    assert mine["parties"] == ["a1", "b1", "c1"] and mine["state"] == "connecting"
    assert (mine["callerAnchorId"], mine["calleeAnchorId"]) == ("a1", "b1")
    assert sorted(tuple(p["anchorIds"]) for p in mine["pairs"]) == [("a1", "b1"), ("b1", "c1")]
