"""A server restart restores every party of a group call (issue 26): each party claims
one pair per peer, and a claim joins the call once its pair with a party matches that
party's own claim, in any order; on the in-memory and the replicated store."""
import itertools

import pytest

from tlightchat.errors import Refusal
from tlightchat.store import actions as A
from tlightchat.store import selectors as S
from tests.support.cluster import redis_server, redis_url  # noqa: F401  (fixtures)
from tests.support.group_world import memory_store, populate, replicated_store


@pytest.fixture(params=["memory", "replicated"])
def make(request):
    def build():
        if request.param == "memory":
            return populate(memory_store())
        return populate(replicated_store(request.getfixturevalue("redis_url")))
    return build


def claim(x, y, initiator, relay=()):
    """x's claim to its pair with y in call k1 (the earlier party initiates)."""
    return A.call_claimed(f"c{x}", "k1", f"{x}1", f"{y}1", initiator, 50.0, 80.0, relay)


def claims_of(people, order=None):
    """Every party's claims, one per peer (x before y in `people`: x initiates), a
    client's all together (it sends them on one connect), clients in `order`."""
    return [claim(x, y, people.index(x) < people.index(y))
            for x in (order or people) for y in people if x != y]


@pytest.mark.parametrize("people", ["abc", "abcd"])
def test_every_party_comes_back_whatever_the_order_of_the_claims(make, people):
    orders = list(itertools.permutations(people))
    for order in orders[:: max(1, len(orders) // 6)]:  # both ends, and between
        store = make()
        for action in claims_of(people, order):
            store.dispatch(action)
        call = store.get_state()["calls"]["k1"]
        assert sorted(call["parties"]) == [f"{x}1" for x in people]
        for x, y in itertools.combinations(people, 2):  # the roles the claims named
            assert S.pair_of(call, f"{x}1", f"{y}1")["initiator"] == f"{x}1"
            assert S.pair_of(call, f"{x}1", f"{y}1")["polite"] == f"{y}1"
        for x in people:
            assert store.get_state()["anchors"][f"{x}1"]["callId"] == "k1"


def test_a_claim_the_other_side_does_not_make_adds_no_one(make):
    store = make()
    for action in claims_of("abc"):
        store.dispatch(action)
    for x in "ab":  # a and b claimed their pairs, none with d: d is refused, not added
        with pytest.raises(Refusal) as err:
            store.dispatch(claim("d", x, False))
        assert err.value.code == "forbidden"
    assert store.get_state()["calls"]["k1"]["parties"] == ("a1", "b1", "c1")


def test_a_pair_only_one_side_claimed_adds_no_one(make):
    store = make()
    store.dispatch(claim("a", "b", True))  # a claims b and c; only c comes back
    store.dispatch(claim("a", "c", True))
    store.dispatch(claim("c", "b", False))
    assert "k1" not in store.get_state()["calls"]
    store.dispatch(claim("c", "a", False))
    assert store.get_state()["calls"]["k1"]["parties"] == ("a1", "c1")


def test_a_claim_that_contradicts_the_other_sides_is_refused(make):
    store = make()
    store.dispatch(claim("a", "b", True))
    store.dispatch(claim("a", "c", True))
    store.dispatch(claim("b", "a", False))
    with pytest.raises(Refusal) as err:
        store.dispatch(claim("c", "a", True))  # both would initiate
    assert err.value.code == "forbidden"
    assert "c1" not in store.get_state()["calls"]["k1"]["parties"]


def test_relay_only_is_kept_per_pair_as_each_claim_was_told(make):
    """b hides its address from a and c (the server found each pair's relay-only anchors
    when the claim came); a and c come back first, then b, whose last claim lets it in:
    each of b's pairs keeps its own relay-only, not only the pair of that last claim."""
    store = make()
    store.dispatch(claim("a", "b", True, relay=("b1",)))
    store.dispatch(claim("a", "c", True))
    store.dispatch(claim("c", "a", False))
    store.dispatch(claim("c", "b", True, relay=("b1",)))
    assert store.get_state()["calls"]["k1"]["parties"] == ("a1", "c1")
    store.dispatch(claim("b", "a", False, relay=("b1",)))
    store.dispatch(claim("b", "c", False, relay=("b1",)))
    call = store.get_state()["calls"]["k1"]
    assert sorted(call["parties"]) == ["a1", "b1", "c1"]
    assert S.pair_of(call, "a1", "b1")["relayOnly"] == ("b1",)
    assert S.pair_of(call, "a1", "c1")["relayOnly"] == ()
    assert S.pair_of(call, "b1", "c1")["relayOnly"] == ("b1",)


def test_one_party_cannot_bring_in_an_anchor_that_was_never_in_the_call(make):
    """a and b were in the call; a (with g's help) claims g too: g comes in only if
    every party claims it, so b's restore is not joined by a stranger."""
    store = make()
    for action in claims_of("ab"):
        store.dispatch(action)
    store.dispatch(claim("a", "g", True))
    store.dispatch(claim("g", "a", False))
    assert store.get_state()["calls"]["k1"]["parties"] == ("a1", "b1")


def test_a_full_call_takes_no_more_claims(make):
    store = make()
    for action in claims_of("abcdef"):
        store.dispatch(action)
    assert len(store.get_state()["calls"]["k1"]["parties"]) == 6
    with pytest.raises(Refusal) as err:
        store.dispatch(claim("g", "a", False))
    assert err.value.code == "call-full"


def test_a_restored_group_call_records_no_joins_in_its_chat(make):
    from tlightchat.chat import grouplog

    store = make()
    seen = []
    for action in claims_of("abc"):
        prev = store.get_state()
        store.dispatch(action)
        seen += grouplog.entries(action, prev, store.get_state(), 50.0)
    assert len(store.get_state()["calls"]["k1"]["parties"]) == 3
    assert seen == []
