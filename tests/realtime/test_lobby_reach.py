"""Lobby deltas reach only the views that hold their user (issue 18), seen from the
sockets: with a window of one, who is told about a new slot, a rename, a second tab and
a departure. Black-box: Socket.IO test clients, each a browser of its own.

Arrival order ann, bob, cat with LOBBY_WINDOW = 1 gives these views (newest first; a
window with room takes whoever comes online):
    ann: ann + bob      bob: bob + ann      cat: cat + bob
so cat is held by cat's own view only, ann by ann and bob, bob by everyone.
"""
import pytest

from tlightchat import create_app

from tests.support.clients import Tab

LOBBY_EVENTS = ("lobby:client-joined", "lobby:client-left", "lobby:user", "lobby:client",
                "lobby:anchor", "lobby:anchor-removed")


@pytest.fixture
def app1(tmp_path):
    # (lobby:count pushes may come in between: they go to everyone, and are not counted)
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3", "TESTING": True,
                       "LOBBY_WINDOW": 1})


@pytest.fixture
def three(app1):
    ann, bob, cat = Tab(app1), Tab(app1), Tab(app1)
    assert set(bob.events("lobby:snapshot")[-1]["users"]) == {bob.user_id, ann.user_id}
    assert set(cat.events("lobby:snapshot")[-1]["users"]) == {cat.user_id, bob.user_id}
    # ann's window had room when bob came, none when cat came
    assert [d["user"]["id"] for d in ann.events("lobby:client-joined")] == [bob.user_id]
    for t in (ann, bob, cat):
        t.clear()
    return ann, bob, cat


def told(*tabs):
    """For each tab, the names of the lobby deltas it got since last asked, in order."""
    out = []
    for t in tabs:
        out.append([name for name in t.names() if name in LOBBY_EVENTS])
        t.clear()
    return out


def test_a_user_nobody_else_holds_is_news_to_nobody_else(three):
    ann, bob, cat = three
    cat.new_anchor("Cat desk")                                # created, then set online
    assert told(ann, bob, cat) == [[], [], ["lobby:anchor", "lobby:anchor"]]
    assert cat.ask("me:rename", {"displayName": "Catherine"})["ok"]
    assert told(ann, bob, cat) == [[], [], ["lobby:user"]]
    cat2 = cat.second_tab()                                   # another tab of cat
    assert told(ann, bob, cat) == [[], [], ["lobby:client-joined"]]
    cat2.sio.disconnect()
    assert told(ann, bob, cat) == [[], [], ["lobby:client-left"]]


def test_deltas_go_to_exactly_the_holders(three):
    ann, bob, cat = three
    ann.new_anchor("Ann desk")                                # held by ann and bob
    assert told(ann, bob, cat) == [["lobby:anchor"] * 2, ["lobby:anchor"] * 2, []]
    slot = bob.new_anchor("Bob desk")                         # held by everyone
    assert told(ann, bob, cat) == [["lobby:anchor"] * 2] * 3
    assert bob.ask("anchor:remove", {"anchorId": slot})["ok"]
    assert told(ann, bob, cat) == [["lobby:anchor-removed"]] * 3


def test_pinning_a_user_makes_their_deltas_reach_the_pinner(three):
    ann, bob, cat = three
    assert ann.ask("lobby:watch", {"userIds": [cat.user_id]})["ok"]
    ann.clear()
    cat.new_anchor("Cat desk")
    assert told(ann, bob, cat) == [["lobby:anchor"] * 2, [], ["lobby:anchor"] * 2]
    # unpinned: ann's view is rebuilt, its window of one now takes the newest other
    # user (cat), so bob, whom ann held until now, is no longer news to her
    assert ann.ask("lobby:watch", {"userIds": []})["ok"]
    assert set(ann.events("lobby:snapshot")[-1]["users"]) == {ann.user_id, cat.user_id}
    ann.clear()
    assert bob.ask("me:rename", {"displayName": "Robert"})["ok"]
    assert told(ann, bob, cat) == [[], ["lobby:user"], ["lobby:user"]]


def test_a_departure_is_told_only_to_the_holders(three):
    ann, bob, cat = three
    cat.sio.disconnect()
    assert told(ann, bob) == [[], []]
    ann.sio.disconnect()                                      # held by bob only
    assert told(bob) == [["lobby:client-left"]]
