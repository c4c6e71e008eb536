"""The store's Redux guarantees, and the reducers as a state machine (table-driven)."""
import copy
import os

import pytest

from tlightchat.errors import Refusal
from tlightchat.store import InvalidAction, Store, create_store
from tlightchat.store import actions as A
from tlightchat.store import selectors as S
from tlightchat.store.reducers import initial_state, root_reducer
from tests.support.store_world import invite, world
from tests.support.paths import ROOT



# -- the Store itself ---------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    None, "clients/connected", 42, [], {"payload": {}},
    {"type": "noslash"}, {"type": "Bad/Case"}, {"type": "a/b", "payload": []},
    {"type": "a/b", "meta": "x"}, {"type": "a/b", "extra": 1}, {"type": 7},
])
def test_malformed_actions_are_rejected_and_change_nothing(bad):
    store = create_store()
    before = store.get_state()
    with pytest.raises(InvalidAction):
        store.dispatch(bad)
    assert store.get_state() is before


def test_unknown_action_keeps_the_whole_state_identical():
    store = create_store()
    before = store.get_state()
    store.dispatch({"type": "nothing/happened", "payload": {}})
    assert store.get_state() is before


def test_subscribers_get_action_prev_and_next_and_can_unsubscribe():
    store = create_store()
    seen = []
    unsubscribe = store.subscribe(lambda action, prev, nxt: seen.append((action["type"], prev, nxt)))
    start = store.get_state()
    store.dispatch(A.client_connected("c1", "u1", "Ann", 1.0))
    assert seen == [("clients/connected", start, store.get_state())]
    unsubscribe()
    store.dispatch(A.client_disconnected("c1"))
    assert len(seen) == 1


def test_a_reducer_may_not_dispatch():
    holder = {}

    def reducer(state, action):
        if action["type"] == "x/y":
            holder["store"].dispatch({"type": "x/z"})
        return state or {}

    holder["store"] = store = Store(reducer)
    with pytest.raises(InvalidAction, match="may not dispatch"):
        store.dispatch({"type": "x/y"})
    store.dispatch({"type": "x/z"})  # the store is usable afterwards


def test_guard_rejection_leaves_state_and_subscribers_untouched():
    def guard(state, action):
        raise Refusal("forbidden", "no")

    store = Store(lambda s, a: s or {"n": 0}, guard=guard)
    calls = []
    store.subscribe(lambda *a: calls.append(a))
    before = store.get_state()
    with pytest.raises(Refusal) as info:
        store.dispatch({"type": "a/b"})
    assert info.value.as_dict() == {"code": "forbidden", "message": "no"}
    assert store.get_state() is before and calls == []


# -- reducers: a scenario runner -------------------------------------------------------


def run(state, *actions, guard=True):
    store = create_store(max_anchors_per_client=3)
    store._state = state
    for action in actions:
        store.dispatch(action)
    return store.get_state()


def status(state, anchor_id):
    return S.anchor_status(state, state["anchors"][anchor_id])


def test_reducers_never_mutate_their_input():
    s = world()
    frozen = copy.deepcopy(s)
    for action in [invite(), A.client_disconnected("c2"), A.anchor_removed("c1", "a1"),
                   A.user_renamed("c1", "u1", "Ann B"), A.clock_ticked(99.0)]:
        root_reducer(s, action)
    assert s == frozen


def test_unchanged_slices_keep_their_identity():
    s = world()
    nxt = root_reducer(s, A.anchor_renamed("c1", "a1", "Renamed"))
    assert nxt["anchors"] is not s["anchors"]
    assert nxt["anchors"]["b1"] is s["anchors"]["b1"]
    for name in ("users", "clients", "invitations", "calls"):
        assert nxt[name] is s[name]
    assert root_reducer(s, A.anchor_renamed("c1", "a1", "A one")) is s  # same name: no change


@pytest.mark.parametrize("steps, expect", [
    # (actions after world(), {anchor: status} afterwards)
    ([], {"a1": "online", "b1": "online"}),
    ([A.anchor_online_set("c1", "a1", False)], {"a1": "offline"}),
    ([invite()], {"a1": "ringing", "b1": "ringing", "b2": "online"}),
    ([invite(), A.invitation_accepted("c2", "i1", "k1", 11.0)], {"a1": "in-call", "b1": "in-call"}),
    ([invite(), A.invitation_declined("c2", "i1")], {"a1": "online", "b1": "online"}),
    ([invite(), A.invitation_cancelled("c1", "i1")], {"a1": "online", "b1": "online"}),
    ([invite(ttl=5), A.clock_ticked(14.9)], {"a1": "ringing", "b1": "ringing"}),
    ([invite(ttl=5), A.clock_ticked(15.0)], {"a1": "online", "b1": "online"}),
    ([invite(), A.invitation_accepted("c2", "i1", "k1", 11.0), A.call_hung_up("c2", "k1")],
     {"a1": "online", "b1": "online"}),
    ([invite(), A.invitation_accepted("c2", "i1", "k1", 11.0), A.client_disconnected("c2")],
     {"a1": "online"}),
    ([invite(), A.anchor_removed("c2", "b1")], {"a1": "online", "b2": "online"}),
])
def test_anchor_status_transitions(steps, expect):
    s = run(world(), *steps)
    for anchor_id, wanted in expect.items():
        assert status(s, anchor_id) == wanted


def test_accept_creates_a_call_with_roles_and_clears_the_invitation():
    s = run(world(), invite(), A.invitation_accepted("c2", "i1", "k1", 11.0))
    assert s["invitations"] == {}
    call = s["calls"]["k1"]
    assert (call["parties"], S.pair_of(call, "a1", "b1")["initiator"]) == (("a1", "b1"), "a1")
    assert call["clients"] == {"a1": "c1", "b1": "c2"}
    assert S.call_state(s, call) == "connecting"


def test_call_is_connected_only_when_both_sides_report_media():
    s = run(world(), invite(), A.invitation_accepted("c2", "i1", "k1", 11.0),
            A.call_media_reported("c1", "k1", True))
    assert S.call_state(s, s["calls"]["k1"]) == "connecting"
    s = run(s, A.call_media_reported("c2", "k1", True))
    assert S.call_state(s, s["calls"]["k1"]) == "connected"
    assert S.public_anchor(s, "a1")["connected"] is True
    s = run(s, A.call_media_reported("c2", "k1", False))
    assert S.call_state(s, s["calls"]["k1"]) == "connecting"


def test_glare_turns_the_second_invitation_into_the_call():
    s = run(world(), invite(), invite(iid="i2", frm="b1", to="a1", actor="c2", call_id="k9"))
    assert s["invitations"] == {}
    call = s["calls"]["k9"]
    assert S.pair_of(call, "a1", "b1")["initiator"] == "a1"  # the first inviter initiates
    assert status(s, "a1") == status(s, "b1") == "in-call"


def test_disconnect_removes_client_anchors_and_the_user_with_no_tabs_left():
    s = run(world(), A.client_connected("c3", "u2", "Bob", 2.0),
            A.client_disconnected("c2"))
    assert "c2" not in s["clients"] and "b1" not in s["anchors"] and "b2" not in s["anchors"]
    assert s["users"]["u2"]["clientIds"] == ("c3",)
    s = run(s, A.client_disconnected("c3"))
    assert "u2" not in s["users"]


def test_offer_answer_bookkeeping():
    s = run(world(), invite(), A.invitation_accepted("c2", "i1", "k1", 11.0))
    offer = {"type": "offer", "sdp": "v=0"}
    answer = {"type": "answer", "sdp": "v=0"}
    s = run(s, A.call_signalled("c1", "k1", description=offer))
    assert s["calls"]["k1"]["offers"] == {"a1": {"b1": True}, "b1": {"a1": False}}
    s = run(s, A.call_signalled("c2", "k1", description=answer))
    assert s["calls"]["k1"]["offers"] == {"a1": {"b1": False}, "b1": {"a1": False}}
    same = run(s, A.call_signalled("c2", "k1", candidate={"candidate": ""}))
    assert same["calls"] is s["calls"]


# -- the guard: every refused transition -----------------------------------------------

def in_call():
    return run(world(), invite(), A.invitation_accepted("c2", "i1", "k1", 11.0))


@pytest.mark.parametrize("state_fn, action, code", [
    (world, A.anchor_renamed("c2", "a1", "x"), "forbidden"),
    (world, A.anchor_renamed("c1", "nope", "x"), "not-found"),
    (world, A.anchor_removed("c2", "a1"), "forbidden"),
    (world, A.anchor_online_set("c9", "a1", True), "invalid-state"),  # unknown client
    (lambda: run(world(), A.anchor_created("c2", "b3", "3")), A.anchor_created("c2", "b4", "4"), "limit"),
    (world, invite(frm="b1"), "forbidden"),                     # c1 inviting from c2's anchor
    (world, invite(to="zz"), "not-found"),
    (lambda: run(world(), A.anchor_online_set("c1", "a1", False)), invite(), "invalid-state"),
    (lambda: run(world(), A.anchor_online_set("c2", "b1", False)), invite(), "unavailable"),
    (world, invite(iid="i5", frm="b1", to="b2", actor="c2"), "invalid-state"),  # same tab
    (lambda: run(world(), invite()), invite(iid="i2", frm="b2", to="b1", actor="c2"), "invalid-state"),
    (in_call, invite(iid="i2", frm="b2", to="b1", actor="c2"), "invalid-state"),
    (lambda: run(world(), A.client_connected("c3", "u3", "Cy", 1.0),
                 A.anchor_created("c3", "c3a", "C"), A.anchor_online_set("c3", "c3a", True),
                 invite()),
     invite(iid="i3", frm="c3a", to="b1", actor="c3"), "busy"),   # callee ringing
    (lambda: run(in_call(), A.client_connected("c3", "u3", "Cy", 1.0),
                 A.anchor_created("c3", "c3a", "C"), A.anchor_online_set("c3", "c3a", True)),
     invite(iid="i3", frm="c3a", to="b1", actor="c3"), "busy"),   # callee in a call
    (lambda: run(world(), invite()), A.invitation_cancelled("c2", "i1"), "forbidden"),
    (lambda: run(world(), invite()), A.invitation_accepted("c1", "i1", "k1", 1.0), "forbidden"),
    (lambda: run(world(), invite()), A.invitation_declined("c1", "i1"), "forbidden"),
    (world, A.invitation_accepted("c2", "i1", "k1", 1.0), "not-found"),
    (lambda: run(world(), invite()), A.anchor_online_set("c1", "a1", False), "invalid-state"),
    (in_call, A.call_signalled("c1", "k2", candidate={"candidate": ""}), "not-found"),
    (lambda: run(in_call(), A.client_connected("c3", "u3", "Cy", 1.0)),
     A.call_signalled("c3", "k1", candidate={"candidate": ""}), "forbidden"),
    (in_call, A.call_signalled("c2", "k1", description={"type": "answer", "sdp": "x"}), "invalid-state"),
    (lambda: run(in_call(), A.call_hung_up("c1", "k1")), A.call_signalled("c1", "k1", candidate={"candidate": ""}), "not-found"),
    (lambda: run(in_call(), A.client_connected("c3", "u3", "Cy", 1.0)),
     A.call_hung_up("c3", "k1"), "forbidden"),
    (lambda: run(in_call(), A.client_connected("c3", "u3", "Cy", 1.0)),
     A.call_media_reported("c3", "k1", True), "forbidden"),
])
def test_guard_refuses(state_fn, action, code):
    state = state_fn()
    with pytest.raises(Refusal) as info:
        run(state, action)
    assert info.value.code == code


def test_client_slice_holds_only_that_clients_things():
    s = run(in_call(), A.client_connected("c3", "u3", "Cy", 1.0))
    mine = S.client_slice(s, "c1")
    assert set(mine["anchors"]) == {"a1"} and set(mine["calls"]) == {"k1"}
    assert S.client_slice(s, "c3")["calls"] == {}
    assert set(S.client_slice(s, "c2")["anchors"]) == {"b1", "b2"}


def test_lobby_snapshot_is_public_fields_only():
    snap = S.lobby_snapshot(world())
    from tlightchat.names import name_tag
    assert snap["users"]["u1"] == {"id": "u1", "displayName": "Ann", "tag": name_tag("u1"),
                                   "account": False}
    assert snap["clients"]["c1"] == {"id": "c1", "userId": "u1", "away": False, "tab": 1,
                                     "device": ""}  # no socket id
    assert snap["anchors"]["a1"] == {"id": "a1", "clientId": "c1", "name": "A one",
                                     "status": "online", "connected": False}


def test_initial_state_has_every_slice():
    assert set(initial_state()) == {"users", "clients", "anchors", "invitations", "calls", "claims"}


def test_expired_clients_leave_a_hundred_per_tick():
    from tlightchat.store.reducers import EXPIRE_PER_TICK
    store = create_store()
    for i in range(EXPIRE_PER_TICK * 2 + 50):
        store.dispatch(A.client_connected(f"c{i}", f"u{i}", f"U{i}", 1.0))
        store.dispatch(A.client_went_away(f"c{i}", 5.0))
    store.dispatch(A.client_connected("stay", "u-stay", "Stay", 1.0))
    left = []
    for _ in range(3):
        store.dispatch(A.clock_ticked(6.0))
        left.append(len(store.get_state()["clients"]))
    assert left == [EXPIRE_PER_TICK + 51, 51, 1]
    assert list(store.get_state()["clients"]) == ["stay"]


def test_every_process_lets_the_same_expired_clients_go_first():
    """Cluster nodes are separate processes, each with its own string-hash salt, so a
    map's iteration order differs between them: the hundred that leave in one tick must
    not depend on it, or the nodes' copies of the store part ways."""
    import subprocess
    import sys

    script = (
        "from tlightchat.store import actions as A, create_store\n"
        "store = create_store()\n"
        "for i in range(250):\n"
        "    store.dispatch(A.client_connected(f'c{i}', f'u{i}', 'U', 1.0))\n"
        "    store.dispatch(A.client_went_away(f'c{i}', 5.0 + (i % 3)))\n"
        "store.dispatch(A.clock_ticked(9.0))\n"
        "print(sorted(store.get_state()['clients']))\n")
    left = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)},
                           cwd=ROOT).stdout for seed in (1, 2, 3)}
    assert len(left) == 1, "processes with different hash salts kept different clients"
    assert len(eval(left.pop())) == 150


def test_keyed_buckets_forget_a_bucket_once_it_is_full_again():
    from tlightchat.ratelimit import KeyedBuckets

    now = [0.0]
    buckets = KeyedBuckets(lambda: (1.0, 2), clock=lambda: now[0])
    assert [buckets.take("ann") for _ in range(3)] == [True, True, False]
    assert buckets.take("bob")
    now[0] = 2.0
    assert buckets.take("ann")
    now[0] = 2.5
    buckets.prune()          # ann has 1.5 of 2 tokens, bob 2 of 2: bob is forgotten
    assert sorted(buckets.buckets) == ["ann"]
    now[0] = 5.0
    buckets.prune()
    assert buckets.buckets == {}
    assert [buckets.take("ann") for _ in range(3)] == [True, True, False]  # same verdicts


def test_each_tab_of_a_user_gets_the_lowest_free_tab_number():
    """Issue 15: two tabs of one person are told apart in the lobby ("tab 2")."""
    s = world()                                   # u2 has one tab, c2
    s = root_reducer(s, A.client_connected("c3", "u2", "Bob", 2.0, "Firefox on Android"))
    s = root_reducer(s, A.client_connected("c4", "u2", "Bob", 3.0))
    assert [S.public_client(s["clients"][c])["tab"] for c in ("c2", "c3", "c4")] == [1, 2, 3]
    assert S.public_client(s["clients"]["c3"])["device"] == "Firefox on Android"
    s = root_reducer(s, A.client_disconnected("c3"))
    s = root_reducer(s, A.client_connected("c5", "u2", "Bob", 4.0))
    assert s["clients"]["c5"]["tab"] == 2          # the freed number is taken again
    s = root_reducer(s, A.client_connected("c6", "u9", "Ida", 4.0))
    assert s["clients"]["c6"]["tab"] == 1          # numbers are per user


def test_a_join_copies_no_slice_however_many_are_online():
    """The large slices are persistent maps: a change allocates O(log N), where a dict
    copy of 20,000 clients allocated ~1 MB per join (and took 3.3 ms at 40,000, on every
    node of a cluster). The state before the change is left as it was."""
    import tracemalloc

    store = create_store()
    for i in range(20_000):
        store.dispatch(A.client_connected(f"c{i}", f"u{i}", f"U{i}", 1.0))
    before = store.get_state()
    action = A.client_connected("new", "u-new", "New", 2.0)
    tracemalloc.start()
    try:
        store.dispatch(action)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64_000, f"one join allocated {peak} bytes"
    after = store.get_state()
    assert "new" in after["clients"] and "new" not in before["clients"]
    assert len(before["clients"]) == 20_000 and len(after["users"]) == 20_001


def test_a_state_from_json_is_persistent_again_and_reduces_the_same():
    from tlightchat.cluster.log import encode, thaw
    import json

    store = create_store()
    store.dispatch(A.client_connected("c1", "u1", "Ann", 1.0))
    store.dispatch(A.anchor_created("c1", "a1", "Slot 1"))
    loaded = create_store()
    loaded.load(thaw(json.loads(encode(store.get_state()))))
    for s in (store, loaded):
        s.dispatch(A.client_connected("c2", "u2", "Bob", 2.0))
        s.dispatch(A.anchor_removed("c1", "a1"))
    assert encode(loaded.get_state()) == encode(store.get_state())
    assert type(loaded.get_state()["clients"]) is type(store.get_state()["clients"])


# -- a call is its parties, with facts per pair (issue 25) ---------------------------

def test_a_call_is_its_parties_with_the_roles_kept_per_pair():
    s = run(world(), invite(), A.invitation_accepted("c2", "i1", "k1", 11.0, relay_only=["b1"]))
    call = s["calls"]["k1"]
    assert call["parties"] == ("a1", "b1")      # in the order they joined: the caller first
    assert call["pairs"] == {"a1|b1": {"initiator": "a1", "polite": "b1", "relayOnly": ("b1",)}}
    assert S.pair_key("b1", "a1") == S.pair_key("a1", "b1") == "a1|b1"
    assert S.pair_of(call, "b1", "a1") is S.pair_of(call, "a1", "b1")
    assert "callerAnchorId" not in call and "relayOnly" not in call


def test_a_glare_call_keeps_the_first_inviter_as_the_pairs_initiator():
    s = run(world(), invite(), invite(iid="i2", frm="b1", to="a1", actor="c2", call_id="k9"))
    call = s["calls"]["k9"]
    assert call["parties"] == ("a1", "b1")
    assert S.pair_of(call, "a1", "b1")["initiator"] == "a1"
    assert S.pair_of(call, "a1", "b1")["polite"] == "b1"


def test_a_claimed_call_takes_its_parties_and_roles_from_the_claims():
    s = world()
    s = run(s, A.call_claimed("c2", "k5", "b1", "a1", True, 20.0, 30.0),
            A.call_claimed("c1", "k5", "a1", "b1", False, 21.0, 31.0))
    call = s["calls"]["k5"]
    assert call["parties"] == ("b1", "a1")      # the initiator joined first
    assert S.pair_of(call, "a1", "b1") == {"initiator": "b1", "polite": "a1", "relayOnly": ()}


def test_peers_of_is_the_other_parties_of_that_call_only():
    s = run(world(), invite(), A.invitation_accepted("c2", "i1", "k1", 11.0))
    assert S.peers_of(s, "k1", "a1") == ("b1",)
    assert S.peers_of(s, "k1", "b1") == ("a1",)
    assert S.peers_of(s, "k1", "b2") == ()      # not a party
    assert S.peers_of(s, "nope", "a1") == ()    # no such call
    # three parties (group calls will build them): everyone but the one asking, by joining
    call = s["calls"]["k1"]
    s3 = {**s, "calls": {"k1": {**call, "parties": ("a1", "b1", "x9")}}}
    assert S.peers_of(s3, "k1", "b1") == ("a1", "x9")


def test_a_signal_names_another_party_or_nobody_in_a_call_of_two():
    s = run(world(), invite(), A.invitation_accepted("c2", "i1", "k1", 11.0))
    offer = {"type": "offer", "sdp": "v=0"}
    answer = {"type": "answer", "sdp": "v=0"}
    s = run(s, A.call_signalled("c1", "k1", description=offer, to="b1"))
    s = run(s, A.call_signalled("c2", "k1", description=answer, to="a1"))
    assert s["calls"]["k1"]["offers"] == {"a1": {"b1": False}, "b1": {"a1": False}}
    for to in ("a1", "b2", "zz"):               # itself, not a party, unknown
        with pytest.raises(Refusal) as err:
            run(s, A.call_signalled("c1", "k1", description=offer, to=to))
        assert err.value.code == "invalid-payload"
    call = s["calls"]["k1"]
    s3 = {**s, "calls": {"k1": {**call, "parties": ("a1", "b1", "x9")}}}
    with pytest.raises(Refusal) as err:         # more than two: `to` is required
        run(s3, A.call_signalled("c1", "k1", candidate={"candidate": ""}))
    assert err.value.code == "invalid-payload"
