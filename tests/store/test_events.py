"""Store changes → outgoing messages (pure), and the pyee emitter tree's life cycle."""
from tlightchat.names import name_tag
from tlightchat.realtime.delivery import EmitterNode, EmitterTree
from tlightchat.realtime.outgoing import LOBBY, outgoing
from tlightchat.realtime.lobby import LobbyViews
from tlightchat.store import actions as A
from tlightchat.store import create_store

from tests.support.store_world import invite, world


def step(state, action):
    store = create_store()
    store._state = state
    store.dispatch(action)
    return store.get_state(), outgoing(action, state, store.get_state())


def by_event(msgs):
    out = {}
    for path, event, data in msgs:
        out.setdefault(event, []).append((path, data))
    return out


def test_a_join_is_one_small_delta_not_the_whole_list():
    s = world()
    _, msgs = step(s, A.client_connected("c3", "u3", "Cy", 5.0))
    assert msgs == [(LOBBY, "lobby:client-joined", {
        "client": {"id": "c3", "userId": "u3", "away": False, "tab": 1, "device": ""},
        "user": {"id": "u3", "displayName": "Cy", "tag": name_tag("u3"), "account": False}})]


def test_anchor_changes_are_single_anchor_deltas():
    _, msgs = step(world(), A.anchor_renamed("c1", "a1", "Desk"))
    assert msgs == [(LOBBY, "lobby:anchor", {"anchor": {
        "id": "a1", "clientId": "c1", "name": "Desk", "status": "online", "connected": False}})]
    _, msgs = step(world(), A.anchor_removed("c1", "a1"))
    assert msgs == [(LOBBY, "lobby:anchor-removed", {"anchorId": "a1"})]


def test_a_leave_is_one_delta_and_no_anchor_noise():
    _, msgs = step(world(), A.client_disconnected("c2"))
    assert msgs == [(LOBBY, "lobby:client-left", {"clientId": "c2"})]


def test_ring_goes_to_the_callee_anchor_only():
    _, msgs = step(world(), invite())
    ev = by_event(msgs)
    [(path, ring)] = ev["call:ring"]
    assert path == ("c2", "b1")
    assert ring["from"] == {"anchorId": "a1", "clientId": "c1", "userId": "u1",
                            "displayName": "Ann", "anchorName": "A one"}
    assert ring["expiresInMs"] == 30_000
    assert {d["anchor"]["id"] for _, d in ev["lobby:anchor"]} == {"a1", "b1"}


def test_accept_tells_both_sides_their_roles():
    s, _ = step(world(), invite())
    _, msgs = step(s, A.invitation_accepted("c2", "i1", "k1", 11.0))
    ev = by_event(msgs)
    assert sorted(p for p, _ in ev["call:invite-ended"]) == [("c1", "a1"), ("c2", "b1")]
    started = {p: d for p, d in ev["call:started"]}
    assert started[("c1", "a1", "k1")]["initiator"] is True
    assert started[("c1", "a1", "k1")]["polite"] is False
    assert started[("c2", "b1", "k1")]["polite"] is True
    assert started[("c2", "b1", "k1")]["peer"]["displayName"] == "Ann"


def test_disconnect_tells_the_peer_once_and_not_the_leaver():
    s, _ = step(world(), invite())
    s, _ = step(s, A.invitation_accepted("c2", "i1", "k1", 11.0))
    _, msgs = step(s, A.client_disconnected("c2"))
    ev = by_event(msgs)
    assert ev["call:ended"] == [(("c1", "a1", "k1"), {"callId": "k1", "anchorId": "a1", "reason": "peer-left"})]


def test_hangup_tells_both_who_hung_up():
    s, _ = step(world(), invite())
    s, _ = step(s, A.invitation_accepted("c2", "i1", "k1", 11.0))
    _, msgs = step(s, A.call_hung_up("c2", "k1"))
    ended = {p[0]: d["by"] for p, d in by_event(msgs)["call:ended"]}
    assert ended == {"c1": "peer", "c2": "you"}


def test_signal_is_relayed_to_the_other_side_stamped_with_the_sender():
    s, _ = step(world(), invite())
    s, _ = step(s, A.invitation_accepted("c2", "i1", "k1", 11.0))
    _, msgs = step(s, A.call_signalled("c1", "k1", candidate={"candidate": "cand"}))
    assert msgs == [(("c2", "b1", "k1"), "call:signal",
                     {"callId": "k1", "fromAnchorId": "a1", "candidate": {"candidate": "cand"}})]


def test_missed_ring_reaches_both():
    s, _ = step(world(), invite(ttl=2))
    _, msgs = step(s, A.clock_ticked(12.0))
    reasons = {p: d["reason"] for p, d in by_event(msgs)["call:invite-ended"]}
    assert reasons == {("c1", "a1"): "missed", ("c2", "b1"): "missed"}


def test_emitter_tree_delivers_bubbling_and_tears_down_subtrees():
    store = create_store()
    views = LobbyViews()
    tree = EmitterTree(store, views)
    got = {"c1": [], "c2": [], "lobby": []}
    tree.on_lobby(lambda to, e, d: got["lobby"].append((sorted(to), e)))
    for action in [A.client_connected("c1", "u1", "Ann", 1.0),
                   A.client_connected("c2", "u2", "Bob", 1.0)]:
        store.dispatch(action)
        views.build(store.get_state(), action["payload"]["client"]["id"])
    tree.attach_client("c1", lambda e, d: got["c1"].append(e))
    tree.attach_client("c2", lambda e, d: got["c2"].append(e))
    for action in [A.anchor_created("c1", "a1", "A"), A.anchor_created("c2", "b1", "B"),
                   A.anchor_online_set("c1", "a1", True), A.anchor_online_set("c2", "b1", True),
                   invite(), A.invitation_accepted("c2", "i1", "k1", 2.0)]:
        store.dispatch(action)
    assert "call:ring" in got["c2"] and "call:started" in got["c1"]
    assert tree.root.find(("c1", "a1", "k1")) is not None  # nested call node
    store.dispatch(A.client_disconnected("c2"))
    assert tree.root.find(("c2",)) is None                   # whole subtree gone
    assert tree.root.find(("c1", "a1", "k1")) is None        # the call node too
    assert got["c1"][-1] == "call:ended"
    assert (["c1"], "lobby:client-left") in got["lobby"]


def test_deliver_bubbles_to_the_nearest_listening_node():
    root = EmitterNode()
    assert root.node(("ghost", "a1")).deliver("x", {}) is False
    seen = []
    root.child("c1").emitter.on("message", lambda e, d: seen.append(e))
    assert root.node(("c1", "a1", "k1")).deliver("x", {}) is True and seen == ["x"]
    root.child("c1").teardown()
    assert root.find(("c1",)) is None


def test_messages_for_a_departed_client_leave_no_ghost_nodes():
    store = create_store()
    tree = EmitterTree(store, LobbyViews())
    store._state = world()            # c1 and c2 exist; only c1 has a socket listener
    tree.attach_client("c1", lambda e, d: None)
    store.dispatch(invite())          # the ring is addressed to (c2, b1)
    assert tree.root.find(("c2",)) is None
    assert tree.root.size() == 2      # root + c1


def test_the_call_level_holds_the_parties_and_fans_call_events_out_to_them():
    """Issue 25: a message for the whole call (call:state) reaches every party through the
    tree's call node, which follows the store's call and goes with it."""
    store = create_store()
    tree = EmitterTree(store, LobbyViews())
    store._state = world()
    got = {"c1": [], "c2": []}
    tree.attach_client("c1", lambda e, d: got["c1"].append((e, d)))
    tree.attach_client("c2", lambda e, d: got["c2"].append((e, d)))
    store.dispatch(invite())
    store.dispatch(A.invitation_accepted("c2", "i1", "k1", 2.0))
    assert tree.calls["k1"].parties == {"a1": "c1", "b1": "c2"}
    store.dispatch(A.call_media_reported("c1", "k1", True))
    store.dispatch(A.call_media_reported("c2", "k1", True))
    connected = ("call:state", {"callId": "k1", "state": "connected"})
    assert got["c1"][-1] == connected and got["c2"][-1] == connected
    store.dispatch(A.call_hung_up("c1", "k1"))
    assert "k1" not in tree.calls


def test_a_tree_started_on_a_live_call_still_fans_its_call_events_out():
    """Review of issue 25, finding 1: a cluster node loads the state (calls already live)
    before its tree subscribes. A call event for such a call (a party goes away: the call
    is `reconnecting`, its record unchanged) must still reach the parties this node
    serves, as the per-party paths did before the call level had a job."""
    store = create_store()
    EmitterTree(store, LobbyViews())  # the node that served the call so far
    store._state = world()
    store.dispatch(invite())
    store.dispatch(A.invitation_accepted("c2", "i1", "k1", 2.0))
    store.dispatch(A.call_media_reported("c1", "k1", True))
    store.dispatch(A.call_media_reported("c2", "k1", True))
    joined = EmitterTree(store, LobbyViews())  # a node that started during the call
    got = []
    joined.attach_client("c2", lambda e, d: got.append((e, d)))
    store.dispatch(A.client_went_away("c1", until=99.0))
    assert ("call:state", {"callId": "k1", "state": "reconnecting"}) in got
