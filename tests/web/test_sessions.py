"""Issue 23, item 5: account sessions the server can end. Before, a copied session cookie
opened /me and connected as the account for 365 days, even after /logout."""
import pytest

from tlightchat.db import AccountSession

from tests.support.clients import Tab, form_token
from tests.support.accounts import login, page, register, uid_of
from tests.support.accounts import COOKIE

pytestmark = pytest.mark.storage


def copy_of(app, browser):
    """Another browser holding a copy of `browser`'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, browser.get_cookie(COOKIE).value)
    return thief


def connects_as(app, browser, user_id):
    """Whether a Socket.IO connection with this browser's cookie is `user_id`."""
    sio = app.extensions["tlightchat"].socketio.test_client(app, flask_test_client=browser)
    if not sio.is_connected():
        return False
    welcome = [m["args"][0] for m in sio.get_received() if m["name"] == "session:welcome"]
    sio.disconnect()
    return welcome[0]["user"]["id"] == user_id


def signed_in(app, username="alice", password="correct horse", register_first=False):
    browser = app.test_client()
    browser.get("/")
    response = (register if register_first else login)(browser, username, password)
    assert response.status_code == 302, page(response)
    return browser


def sign_out(browser, everywhere=False):
    data = {"csrf_token": form_token(browser, "/logout")}
    if everywhere:
        data["everywhere"] = "1"
    return browser.post("/logout", data=data)


def test_a_copied_cookie_is_no_longer_the_account_after_sign_out(app):
    alice = signed_in(app, register_first=True)
    account = uid_of(app, alice)
    thief = copy_of(app, alice)
    assert connects_as(app, copy_of(app, alice), account)  # a copy works while signed in
    assert sign_out(alice).status_code == 302
    assert not connects_as(app, copy_of(app, thief), account)
    me = page(thief.get("/me"))
    assert 'data-kind="guest"' in me and uid_of(app, thief) != account


def test_sign_out_ends_that_session_only_and_closes_its_sockets(app):
    home = signed_in(app, register_first=True)
    account = uid_of(app, home)
    work = signed_in(app)
    home_tab, work_tab = Tab(app, browser=home), Tab(app, browser=work)
    assert home_tab.user_id == work_tab.user_id == account
    sign_out(home)
    assert not home_tab.sio.is_connected()
    assert work_tab.sio.is_connected() and work_tab.ask("me:state")["ok"]
    assert 'data-kind="account"' in page(work.get("/me"))


def test_sign_out_everywhere_ends_every_session(app):
    home = signed_in(app, register_first=True)
    account = uid_of(app, home)
    work, phone = signed_in(app), signed_in(app)
    copies = [copy_of(app, b) for b in (home, work, phone)]
    tabs = [Tab(app, browser=b) for b in (home, work, phone)]
    assert 'id="sign-out-everywhere"' in page(work.get("/me"))
    assert sign_out(work, everywhere=True).status_code == 302
    assert not any(t.sio.is_connected() for t in tabs)
    for browser in copies:
        assert not connects_as(app, browser, account)
    with app.extensions["tlightchat"].db.session() as s:
        assert s.query(AccountSession).filter_by(user_id=account).count() == 0
    assert login(work).status_code == 302 and uid_of(app, work) == account


def change_password(browser, current, new, confirm=None):
    return browser.post("/me/password", data={
        "current": current, "password": new, "confirm": new if confirm is None else confirm,
        "csrf_token": form_token(browser, "/me/password")})


def test_a_password_change_ends_the_other_sessions(app):
    home = signed_in(app, register_first=True)
    account = uid_of(app, home)
    work = signed_in(app)
    stolen = copy_of(app, work)
    work_tab, home_tab = Tab(app, browser=work), Tab(app, browser=home)
    assert 'id="change-password"' in page(home.get("/me"))
    wrong = change_password(home, "not my password", "new horse battery")
    assert wrong.status_code == 401 and "not your current password" in page(wrong)
    assert work_tab.sio.is_connected()
    assert change_password(home, "correct horse", "new horse battery").status_code == 302
    assert not work_tab.sio.is_connected() and home_tab.sio.is_connected()
    assert not connects_as(app, stolen, account)
    assert 'data-kind="account"' in page(home.get("/me"))  # this browser stays
    assert login(app.test_client(), "alice", "correct horse").status_code == 401
    assert login(app.test_client(), "alice", "new horse battery").status_code == 302


def test_a_password_change_needs_the_csrf_token_and_an_account(app):
    home = signed_in(app, register_first=True)
    response = home.post("/me/password", data={
        "current": "correct horse", "password": "new horse battery",
        "confirm": "new horse battery"})
    assert response.status_code == 400 and "could not be accepted" in page(response)
    guest = app.test_client()
    guest.get("/")
    assert guest.get("/me/password").status_code == 302


def test_a_guest_keeps_its_cookie_identity(app):
    """A guest has no password and no server-side session: its cookie is the identity,
    and it cannot sign out (that would lose it for good)."""
    guest = app.test_client()
    guest.get("/")
    tab_ = Tab(app, browser=guest)
    assert connects_as(app, copy_of(app, guest), tab_.user_id)
    response = guest.post("/logout", data={"csrf_token": form_token(guest, "/me")})
    assert response.status_code == 302 and tab_.sio.is_connected()


def test_signing_in_again_ends_the_browsers_previous_session(app):
    alice = signed_in(app, register_first=True)
    account = uid_of(app, alice)
    before = copy_of(app, alice)
    assert login(alice).status_code == 302 and uid_of(app, alice) == account
    assert not connects_as(app, before, account)
    assert connects_as(app, copy_of(app, alice), account)


# Review 2, finding 1: sockets opened before an account session existed (a guest's,
# tagged with no session digest) and the sockets of a session that sign-in replaced.

def test_sign_out_closes_the_sockets_opened_as_a_guest_before_registering(app):
    guest = app.test_client()
    guest.get("/")
    early = copy_of(app, guest)  # another device holding the old guest cookie
    early_tab, own_tab = Tab(app, browser=early), Tab(app, browser=guest)
    assert register(guest).status_code == 302
    account = uid_of(app, guest)
    assert early_tab.user_id == own_tab.user_id == account
    # registering closes the guest's sockets: from now on a socket of the account
    # needs a session the server can end. It closes their transports (a browser then
    # reconnects by itself: tests/realtime/test_register_tabs.py), which the test client cannot
    # show; the server serves neither socket any more, and their clients are away.
    life = app.extensions["tlightchat"].life
    assert life.connections.sids_of_sessions(account, "*") == []
    clients = life.store.get_state()["clients"]
    assert clients[early_tab.client_id]["awayUntil"] and clients[own_tab.client_id]["awayUntil"]
    assert not connects_as(app, early, account)  # the old guest cookie is not the account
    tab_ = Tab(app, browser=guest)
    assert tab_.user_id == account
    sign_out(guest)
    assert not tab_.sio.is_connected()


def test_an_untagged_socket_of_an_account_closes_on_sign_out_and_password_change(app):
    """A socket bound without a session digest (opened as a guest before the account
    existed, e.g. on another node) counts as any session of the account."""
    home = signed_in(app, register_first=True)
    account = uid_of(app, home)
    work = signed_in(app)
    life = app.extensions["tlightchat"].life
    tabs = [Tab(app, browser=b) for b in (home, work)]
    for tab_ in tabs:  # as if opened before registering: no session digest
        sid = life.connections.sids[tab_.client_id]
        life.connections.sessions[sid] = (account, None)
    assert change_password(home, "correct horse", "new horse battery").status_code == 302
    assert not tabs[0].sio.is_connected() and not tabs[1].sio.is_connected()


def test_signing_in_again_closes_the_previous_sessions_sockets(app):
    alice = signed_in(app, register_first=True)
    account = uid_of(app, alice)
    old_tab = Tab(app, browser=alice)
    assert old_tab.user_id == account
    assert login(alice).status_code == 302 and uid_of(app, alice) == account
    assert not old_tab.sio.is_connected()
    assert connects_as(app, alice, account)


# Review 2, finding 2: a sign-out between the connect's session check and its bind.

def test_a_sign_out_during_a_connect_closes_that_socket(app, monkeypatch):
    from tlightchat.sessions import TOKEN_KEY

    alice = signed_in(app, register_first=True)
    account = uid_of(app, alice)
    identity = app.extensions["tlightchat"].identity
    life = app.extensions["tlightchat"].life
    checked = identity.session_user
    with alice.session_transaction() as sess:
        token = sess[TOKEN_KEY]

    def check_then_sign_out():
        user = checked()  # the session is live here ...
        life.end_sessions(account, [identity.sessions.end(token)])  # ... and ends now
        return user

    monkeypatch.setattr(identity, "session_user", check_then_sign_out)
    assert not connects_as(app, alice, account)
    assert not life.connections.sids_of_sessions(account, "*")
