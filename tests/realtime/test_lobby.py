"""Lobby views: each client sees itself, its pinned users and a bounded window; deltas go
only to the views holding their user. First LobbyViews against a real store, then the
same through Socket.IO test clients with a small window."""
import pytest

from tlightchat import create_app
from tlightchat.realtime.delivery import EmitterTree
from tlightchat.realtime.lobby import LobbyViews
from tlightchat.store import actions as A
from tlightchat.store import create_store

from tests.support.clients import FakeClock, Tab


class Lobby:
    """A store plus views; `got[clientId]` collects the lobby deltas each client gets."""

    def __init__(self, size=2, pins_max=200):
        self.store = create_store()
        self.views = LobbyViews(size, pins_max)
        self.tree = EmitterTree(self.store, self.views)
        self.got = {}
        self.tree.on_lobby(lambda to, e, d: [self.got.setdefault(c, []).append((e, d)) for c in to])
        self.snapshots = {}

    def join(self, cid, uid, name=None, **view):
        self.store.dispatch(A.client_connected(cid, uid, name or uid.title(), 1.0))
        self.snapshots[cid] = snap = self.views.build(self.store.get_state(), cid, **view)
        return snap

    def leave(self, cid):
        self.store.dispatch(A.client_disconnected(cid))

    def events(self, cid):
        out, self.got[cid] = self.got.get(cid, []), []
        return [e for e, _ in out]


def test_below_the_window_everyone_sees_everyone():
    lobby = Lobby(size=3)
    lobby.join("c1", "ann")
    lobby.join("c2", "bob")
    snap = lobby.join("c3", "cat")
    assert set(snap["users"]) == {"ann", "bob", "cat"}
    assert snap["complete"] and snap["online"] == 3 and snap["window"] == 3
    assert lobby.events("c1") == ["lobby:client-joined", "lobby:client-joined"]
    assert lobby.events("c2") == ["lobby:client-joined"]


def test_a_full_window_stops_taking_new_users_and_is_no_longer_complete():
    lobby = Lobby(size=1)
    lobby.join("c1", "ann")
    lobby.join("c2", "bob")            # ann's window (1) takes bob
    assert lobby.events("c1") == ["lobby:client-joined"]
    lobby.join("c3", "cat")            # ann's window is full: nothing, and incomplete
    assert lobby.events("c1") == []
    assert lobby.views.views["c1"].complete is False
    # cat's own view: itself plus the newest other user
    assert set(lobby.snapshots["c3"]["users"]) == {"cat", "bob"}
    assert lobby.snapshots["c3"]["complete"] is False
    counts = dict((tuple(sorted(ids)), p["complete"]) for ids, p in lobby.views.counts())
    assert counts == {("c1", "c2"): False}  # cat's snapshot already said 3, incomplete
    assert lobby.views.counts() == []  # nothing changed since


def test_a_count_is_not_pushed_to_a_view_whose_snapshot_already_said_it():
    lobby = Lobby(size=5)
    lobby.join("c1", "ann")
    assert lobby.views.counts() == []          # ann's snapshot said 1, complete
    lobby.join("c2", "bob")
    assert [sorted(ids) for ids, _ in lobby.views.counts()] == [["c1"]]  # only ann
    lobby.leave("c2")
    assert [sorted(ids) for ids, p in lobby.views.counts()] == [["c1"]]  # 2 → 1


def test_a_join_costs_only_the_views_that_take_it():
    lobby = Lobby(size=5)
    for i in range(40):
        lobby.join(f"c{i}", f"u{i:02d}")
    for i in range(40):
        lobby.events(f"c{i}")
    lobby.join("new", "newbie")
    reached = [c for c, msgs in lobby.got.items() if msgs]
    assert reached == []               # every window is full: no one is told
    assert len(lobby.snapshots["new"]["users"]) == 6  # itself + window of 5


def test_deltas_about_a_user_reach_only_the_views_that_hold_them():
    lobby = Lobby(size=1)
    lobby.join("c1", "ann")
    lobby.join("c2", "bob")
    lobby.join("c3", "cat")            # cat sees bob; ann sees bob; bob sees ann
    for c in ("c1", "c2", "c3"):
        lobby.events(c)
    lobby.store.dispatch(A.anchor_created("c3", "c3.x", "Desk"))   # cat: only cat holds cat
    assert [lobby.events(c) for c in ("c1", "c2", "c3")] == [[], [], ["lobby:anchor"]]
    lobby.store.dispatch(A.anchor_created("c2", "c2.x", "Desk"))   # bob: held by ann and cat
    assert lobby.events("c1") == ["lobby:anchor"] and lobby.events("c3") == ["lobby:anchor"]
    assert lobby.events("c2") == ["lobby:anchor"]                  # its own view holds itself
    lobby.store.dispatch(A.user_renamed("c2", "bob", "Robert"))
    assert lobby.events("c1") == ["lobby:user"] and lobby.events("c3") == ["lobby:user"]


def test_another_tab_of_a_held_user_reaches_its_holders():
    lobby = Lobby(size=1)
    lobby.join("c1", "ann")
    lobby.join("c2", "bob")
    lobby.events("c1")
    lobby.join("c2b", "bob")           # bob's second tab
    assert lobby.events("c1") == ["lobby:client-joined"]
    assert lobby.events("c2") == ["lobby:client-joined"]  # bob's first tab sees its twin


def test_a_user_leaving_frees_the_window_for_the_next_one():
    lobby = Lobby(size=1)
    lobby.join("c1", "ann")
    lobby.join("c2", "bob")
    lobby.join("c3", "cat")
    lobby.events("c1")
    lobby.leave("c2")
    assert lobby.events("c1") == ["lobby:client-left"]
    assert "bob" not in lobby.views.watchers          # nobody holds a user who left
    assert "c2" not in lobby.views.views             # nor the view of a client that left
    lobby.join("c4", "dan")                           # ann's window has room again
    assert lobby.events("c1") == ["lobby:client-joined"]


def test_pinned_users_are_in_view_whenever_online_and_do_not_use_the_window():
    lobby = Lobby(size=1)
    lobby.join("c1", "ann")
    lobby.join("c2", "bob")
    snap = lobby.views.build(lobby.store.get_state(), "c1", pins=frozenset({"zed"}))
    assert set(snap["users"]) == {"ann", "bob"}       # zed is offline: pinned, not shown
    lobby.events("c1")
    lobby.join("c3", "cat")                           # window full: not shown
    lobby.join("c9", "zed")                           # pinned: shown although full
    assert [d["user"]["id"] for _, d in lobby.got["c1"]] == ["zed"]
    lobby.events("c1")
    lobby.leave("c9")
    assert lobby.events("c1") == ["lobby:client-left"]
    assert lobby.views.watchers["zed"] == ["c1"]      # still pinned for next time


def test_a_query_picks_matching_users_and_keeps_taking_matching_ones():
    lobby = Lobby(size=2)
    for cid, uid, name in [("c1", "ann", "Ann"), ("c2", "bob", "Bob Marley"),
                           ("c3", "cat", "Cat"), ("c4", "bo", "Bo Diddley")]:
        lobby.join(cid, uid, name)
    snap = lobby.views.build(lobby.store.get_state(), "c1", query="BO")
    assert set(snap["users"]) == {"ann", "bob", "bo"} and snap["query"] == "BO"
    snap = lobby.views.build(lobby.store.get_state(), "c1", query="cat")
    assert set(snap["users"]) == {"ann", "cat"} and snap["complete"]
    lobby.events("c1")
    lobby.join("c5", "dee", "Dee")                    # no match: not taken
    lobby.join("c6", "kat", "Catherine")              # matches: taken (window has room)
    assert lobby.events("c1") == ["lobby:client-joined"]
    # the query is kept when the view is rebuilt without one (a resumed connection)
    assert lobby.views.build(lobby.store.get_state(), "c1")["query"] == "cat"


def test_newest_users_fill_the_window():
    lobby = Lobby(size=2)
    for i in range(5):
        lobby.join(f"c{i}", f"u{i}")
    assert set(lobby.snapshots["c4"]["users"]) == {"u4", "u3", "u2"}


def test_newest_first_survives_loading_the_state_from_a_snapshot():
    """A cluster node that loads a snapshot has no join order of its own: it takes the
    users oldest first by when each one's oldest tab connected."""
    import json

    from tlightchat.cluster.log import encode, thaw

    store = create_store()
    for i, at in enumerate((1.0, 2.0, 3.0, 4.0)):
        store.dispatch(A.client_connected(f"c{i}", f"u{i}", f"U{i}", at))
    store.dispatch(A.client_connected("c0b", "u0", "U0", 5.0))  # u0's second tab: still oldest
    store.dispatch(A.client_disconnected("c1"))                   # u1 leaves
    node = create_store()
    node.load(thaw(json.loads(encode(store.get_state()))))
    node.dispatch(A.client_connected("c9", "u9", "U9", 9.0))
    views = LobbyViews(size=2)
    snap = views.build(node.get_state(), "c9")
    assert set(snap["users"]) == {"u9", "u3", "u2"} and not snap["complete"]
    assert list(views.newest_first(node.get_state())) == ["u9", "u3", "u2", "u0"]


def test_a_state_loaded_behind_the_views_back_is_read_again():
    """A cluster node that reloads a snapshot (it missed trimmed entries) replaces the
    state without a change to follow: as many users as before, but other ones."""
    lobby = Lobby(size=5)
    for i in range(3):
        lobby.join(f"c{i}", f"old{i}")
    other = create_store()
    for i in range(3):
        other.dispatch(A.client_connected(f"d{i}", f"new{i}", f"New{i}", 2.0 + i))
    lobby.store.load(other.get_state())  # as many users as the views knew of
    snap = lobby.join("c9", "new9")
    assert set(snap["users"]) == {"new9", "new0", "new1", "new2"} and snap["complete"]
    assert set(lobby.views.newest_first(lobby.store.get_state())) == \
        {"new9", "new0", "new1", "new2"}


# -- through Socket.IO -----------------------------------------------------------------

@pytest.fixture
def small(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3", "TESTING": True,
                      "LOBBY_WINDOW": 1})
    app.extensions["tlightchat"].life.ctx.clock = FakeClock()
    return app


def test_a_third_browser_sees_one_other_and_finds_the_rest_by_name(small):
    ann, bob, cat = Tab(small), Tab(small), Tab(small)
    snap = cat.events("lobby:snapshot")[0]
    assert set(snap["users"]) == {cat.user_id, bob.user_id}
    assert snap["online"] == 3 and snap["complete"] is False
    ann_name = ann.welcome["user"]["displayName"]
    assert cat.ask("lobby:get", {"query": ann_name.lower()}) == {"ok": True}
    found = cat.events("lobby:snapshot")[0]
    assert set(found["users"]) == {cat.user_id, ann.user_id} and found["query"] == ann_name.lower()
    assert cat.ask("lobby:get") == {"ok": True}      # no payload: everyone again
    assert cat.events("lobby:snapshot")[0]["query"] == ""


def test_watch_pins_a_user_outside_the_window(small):
    ann, bob, cat = Tab(small), Tab(small), Tab(small)
    cat.clear()
    assert cat.ask("lobby:watch", {"userIds": [ann.user_id]}) == {"ok": True}
    snap = cat.events("lobby:snapshot")[0]
    assert set(snap["users"]) == {cat.user_id, bob.user_id, ann.user_id}
    ann.new_anchor("Desk")
    assert [d["anchor"]["name"] for d in cat.events("lobby:anchor")] == ["Desk", "Desk"]


def test_counts_reach_every_view_when_the_number_online_changes(small):
    life = small.extensions["tlightchat"].life
    ann, bob = Tab(small), Tab(small)
    life.ctx.send_counts()
    assert ann.events("lobby:count")[-1] == {"online": 2, "complete": True}
    cat = Tab(small)
    life.ctx.send_counts()
    assert ann.events("lobby:count") == [{"online": 3, "complete": False}]
    # bob's snapshot already said 2 online: the first count skipped him; cat's
    # snapshot said 3 and incomplete, so cat is told nothing (docs/protocol.md)
    assert bob.events("lobby:count") == [{"online": 3, "complete": False}]
    assert cat.events("lobby:count") == []
    life.ctx.send_counts()
    assert ann.events("lobby:count") == [] and cat.events("lobby:count") == []


@pytest.mark.parametrize("payload, message", [
    ({"query": 5}, "query"),
    ({"query": "x" * 65}, "query"),
    ({"q": "x"}, "unknown field"),
    ({"userIds": "ann"}, None),
])
def test_bad_lobby_get_is_refused_with_a_structured_error(small, payload, message):
    ann = Tab(small)
    ack = ann.ask("lobby:get", payload)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid-payload"
    if message:
        assert message in ack["error"]["message"]


@pytest.mark.parametrize("payload", [
    {}, {"userIds": "ann"}, {"userIds": ["ok", "not ok!"]}, {"userIds": ["u"] * 201},
])
def test_bad_lobby_watch_is_refused_and_keeps_the_view(small, payload):
    ann, bob = Tab(small), Tab(small)
    assert ann.ask("lobby:watch", {"userIds": [bob.user_id]})["ok"]
    ack = ann.ask("lobby:watch", payload)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid-payload"
    life = small.extensions["tlightchat"].life
    assert life.ctx.lobby.views[ann.client_id].pins == {bob.user_id}


def test_window_must_be_at_least_one(tmp_path):
    with pytest.raises(RuntimeError, match="LOBBY_WINDOW"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3", "LOBBY_WINDOW": 0})


def test_count_pushes_come_less_often_in_a_large_lobby():
    lobby = Lobby(size=1)
    for i in range(3):
        lobby.join(f"c{i}", f"u{i}")
    assert lobby.views.count_interval(2.0) == 2.0
    lobby.views.views.update({f"x{i}": None for i in range(10_000)})  # only the number counts
    assert lobby.views.count_interval(2.0) == pytest.approx(40.012)  # 250 writes/s
