"""Account helpers: register, sign in, read a page, count rows; a guest's first use."""
from tests.support.clients import form_token

def first_use(app, user_id, address="198.51.100.9"):
    """A page-made guest `user_id` connecting for the first time (Identity.session_user
    in that request): the user, or the refusal's code."""
    from flask import session

    from tlightchat.errors import Refusal

    with app.test_request_context("/", environ_base={"REMOTE_ADDR": address}):
        session["uid"], session["guest"] = user_id, "Guest-1234"
        try:
            return app.extensions["tlightchat"].identity.session_user()
        except Refusal as err:
            return err.code


def uid_of(app, browser):
    with browser.session_transaction() as sess:
        return sess.get("uid")


def register(browser, username="alice", password="correct horse", confirm=None):
    return browser.post("/register", data={
        "username": username, "password": password,
        "confirm": password if confirm is None else confirm,
        "csrf_token": form_token(browser, "/register")})


def login(browser, username="alice", password="correct horse", environ=None):
    return browser.post("/login", data={
        "username": username, "password": password,
        "csrf_token": form_token(browser, "/login")}, environ_base=environ or {})


def page(response):
    return response.get_data(as_text=True)


COOKIE = "tlc_session"


def user_rows(app):
    with app.extensions["tlightchat"].db.engine.connect() as db:
        return db.exec_driver_sql("select count(*) from users").scalar()


def interleaved_first_connects(app):
    """Two new guests of one address whose connects overlap: the second arrives while
    the first is storing its row (a pause: a group commit in an OS thread)."""
    identity = app.extensions["tlightchat"].identity
    store, second = identity.store_guest, []

    def store_while_another_connects(user_id, name):
        if user_id == "guest-one":
            second.append(first_use(app, "guest-two"))
        return store(user_id, name)

    identity.store_guest = store_while_another_connects
    first = first_use(app, "guest-one")
    identity.store_guest = store
    return first, second[0]


def operator(app, username="olga"):
    """A browser signed in as a new account named in the app's ADMINS."""
    browser = app.test_client()
    browser.get("/")
    assert register(browser, username).status_code == 302
    return browser


def admin_act(browser, **data):
    """Post an operator's action on /admin with the page's CSRF token."""
    data["csrf_token"] = form_token(browser, "/admin")
    return browser.post("/admin", data=data)
