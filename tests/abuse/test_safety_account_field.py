"""Issue 35: guests and accounts told apart. Every lobby user carries `account` (true for an
account, false for a guest; docs/protocol.md, `lobby:snapshot`), set by the server from
the session, never by the page: the lobby, the ring and the chat label guests."""
from tlightchat import create_app
from tlightchat.realtime.outgoing import LOBBY, outgoing
from tlightchat.store import actions as A
from tlightchat.store import create_store
from tlightchat.store import selectors as S

from tests.support.accounts import register
from tests.support.calls import come_back
from tests.support.clients import Tab


def empty():
    return create_store().get_state()


def step(state, action):
    store = create_store()
    store._state = state
    store.dispatch(action)
    return store.get_state(), outgoing(action, state, store.get_state())


def test_the_lobby_user_says_whether_it_is_an_account():
    s, _ = step(empty(), A.client_connected("c1", "u1", "Ann", 1.0, account=True))
    s, _ = step(s, A.client_connected("c2", "u2", "Guest-1", 2.0))
    users = S.lobby_snapshot(s)["users"]
    assert users["u1"]["account"] is True and users["u2"]["account"] is False
    # an action written by an older node (no `account` in it) is a guest's
    old = A.client_connected("c3", "u3", "Cy", 3.0)
    del old["payload"]["user"]["account"]
    s, _ = step(s, old)
    assert S.lobby_snapshot(s)["users"]["u3"]["account"] is False


def test_a_guest_back_as_an_account_is_told_to_the_lobby_once():
    s, _ = step(empty(), A.client_connected("c1", "u1", "Ann", 1.0))
    s, _ = step(s, A.client_went_away("c1", 60.0))
    s, msgs = step(s, A.client_resumed("c1", "u1", account=True))
    told = [data for path, event, data in msgs if event == "lobby:user"]
    assert told == [{"user": {**S.public_user(s["users"]["u1"]), "account": True}}]
    assert all(path == LOBBY for path, event, _ in msgs if event == "lobby:user")
    s, _ = step(s, A.client_went_away("c1", 90.0))
    s, msgs = step(s, A.client_resumed("c1", "u1", account=True))
    assert [event for _, event, _ in msgs if event == "lobby:user"] == []


def test_a_guest_who_registers_is_an_account_in_the_others_lobby(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TESTING": True})
    try:
        alice, bob = Tab(app), Tab(app)
        assert bob.events("lobby:snapshot")[-1]["users"][alice.user_id]["account"] is False
        assert register(alice.browser, "alice").status_code == 302
        bob.clear()
        back = come_back(app, alice)  # her tab reconnects, now as the account
        assert back.welcome["resumed"] is True
        assert back.events("lobby:snapshot")[-1]["users"][alice.user_id]["account"] is True
        assert [e["user"]["account"] for e in bob.events("lobby:user")
                if e["user"]["id"] == alice.user_id] == [True]
        late = Tab(app)
        assert late.events("lobby:snapshot")[-1]["users"][alice.user_id]["account"] is True
    finally:
        app.extensions["tlightchat"].close()
