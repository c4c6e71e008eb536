"""Issue 33.1: /call carries the lobby's first view, rendered on the server. Its rows are
the people, order, names and marks of the `lobby:snapshot` the page's socket gets for
that user (blocks both ways, invisible users, the user's own other tabs, guests and
accounts, lookalikes), escaped. A first visit (its guest not stored yet) gets what its
socket's first snapshot lists, and nothing is stored for it; a visitor whose socket would
be refused and the offline export get none."""
from html.parser import HTMLParser

import pytest

from tests.support.accounts import register
from tests.support.clients import Tab
from tlightchat import create_app
from tlightchat.names import name_tag


class Rows(HTMLParser):
    """The lobby's rows in a page: [{id, me, name, tag, kind, anchors: [{id, status,
    label, text, call_disabled}]}], plus the count."""

    def __init__(self, html):
        super().__init__()
        self.users, self.into, self.count = [], None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if a.get("id") == "lobby-count":
            self.into = (self, "count")
        elif "lobby-user" in classes:
            self.users.append({"id": a["data-user-id"], "key": a["data-key"],
                               "me": "is-me" in classes, "anchors": [], "tag": None})
        elif "lobby-anchor" in classes:
            self.users[-1]["anchors"].append({"id": a["data-anchor-id"], "key": a["data-key"],
                                              "status": a["data-status"]})
        elif "name" in classes:
            self.into = (self.users[-1], "name")
        elif "name-tag" in classes and "hidden" not in a:
            self.into = (self.users[-1], "tag")
        elif "guest-tag" in classes:
            self.users[-1]["kind"] = None if "hidden" in a else a.get("data-kind")
        elif "anchor-label" in classes:
            self.into = (self.users[-1]["anchors"][-1], "label")
        elif "anchor-status" in classes:
            self.into = (self.users[-1]["anchors"][-1], "text")
        elif "call-btn" in classes:
            self.users[-1]["anchors"][-1]["call_disabled"] = "hidden" not in a and "disabled" in a

    def handle_data(self, data):
        if self.into:
            target, key = self.into
            if isinstance(target, dict):
                target[key] = data
            else:
                setattr(target, key, data)
            self.into = None


@pytest.fixture
def app(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TESTING": True})
    yield app
    app.extensions["tlightchat"].close()


def person(app, name, browser=None):
    tab = Tab(app, browser=browser)
    assert tab.ask("me:rename", {"displayName": name})["ok"]
    tab.anchor = tab.new_anchor(f"{name.split()[0]} line")
    return tab


def expected(snapshot, me):
    """The rows a snapshot means, worked out here from its fields alone."""
    users, clients = snapshot["users"], snapshot["clients"]
    order = sorted(users.values(), key=lambda u: (u["id"] != me, u["displayName"].casefold()))
    tabs = {}
    for c in clients.values():
        tabs[c["userId"]] = tabs.get(c["userId"], 0) + 1
    rows = []
    for u in order:
        anchors = []
        for a in sorted(snapshot["anchors"].values(), key=lambda a: (a["clientId"], a["name"])):
            client = clients[a["clientId"]]
            if client["userId"] != u["id"]:
                continue
            label = a["name"] + (f" · tab {client['tab']}" if tabs[u["id"]] > 1 else "")
            anchors.append({"id": a["id"], "key": a["id"], "status": a["status"],
                            "label": label + (" (your other tab)" if u["id"] == me else ""),
                            "text": "available", "call_disabled": True})
        rows.append({"id": u["id"], "key": u["id"], "me": u["id"] == me,
                     "name": u["displayName"], "kind": "account" if u["account"] else "guest",
                     "anchors": anchors, "tag": None})
    return rows


def test_the_rows_are_the_snapshot_that_users_socket_gets(app):
    viewer = person(app, "Vera Viewer")
    ann = Tab(app)
    ann_browser = ann.browser
    ann.sio.disconnect()
    assert register(ann_browser, "annlee").status_code == 302  # an account
    ann = person(app, "Ann Lee", browser=ann_browser)
    lookalike = person(app, "\u0410nn Lee")  # a Cyrillic А: looks like Ann
    bea = person(app, "Bea")
    blocked, blocker, invisible = person(app, "Bob"), person(app, "Cat"), person(app, "Dee")
    assert viewer.ask("safety:block", {"userId": blocked.user_id})["ok"]
    assert blocker.ask("safety:block", {"userId": viewer.user_id})["ok"]
    assert invisible.ask("safety:set", {"invisible": True})["ok"]

    page = Rows(viewer.browser.get("/call").get_data(as_text=True))
    snapshot = Tab(app, browser=viewer.browser).events("lobby:snapshot")[0]  # the page's socket

    want = expected(snapshot, viewer.user_id)
    for row in want:
        if row["id"] in (ann.user_id, lookalike.user_id):
            row["tag"] = f"#{name_tag(row['id'])}"
    assert page.users == want
    shown = [u["id"] for u in page.users]
    assert shown[0] == viewer.user_id and set(shown) == {
        viewer.user_id, ann.user_id, lookalike.user_id, bea.user_id}  # not Bob, Cat, Dee
    assert {u["id"]: u["kind"] for u in page.users}[ann.user_id] == "account"
    assert page.users[0]["anchors"][0]["label"] == "Vera line · tab 1 (your other tab)"
    # a complete view is the lobby as this user sees it: lobby.js counts its rows
    assert snapshot["complete"] and page.count == str(len(snapshot["users"])) == "4"


def test_names_are_escaped(app):
    person(app, '<script>alert("x")</script>&')
    viewer = Tab(app)
    html = viewer.browser.get("/call").get_data(as_text=True)
    assert "<script>alert" not in html
    assert '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;' in html
    names = [u["name"] for u in Rows(html).users]
    assert '<script>alert("x")</script>&' in names


def test_the_avatar_is_the_first_grapheme_as_lobby_js_shows_it(app):
    """Before: the first code point ("👍" of "👍🏽", "q" without its accent)."""
    person(app, "\U0001f44d\U0001f3fd ok")  # with a skin tone
    person(app, "q\u0301uinn")  # a q with an acute: no precomposed form (names are NFC)
    html = Tab(app).browser.get("/call").get_data(as_text=True)
    assert '<span class="avatar" aria-hidden="true">\U0001f44d\U0001f3fd</span>' in html
    assert '<span class="avatar" aria-hidden="true">Q\u0301</span>' in html


def test_a_first_visit_gets_the_rows_of_a_fresh_guests_first_snapshot(app):
    """A first visit (no cookie: its guest is not stored yet) gets the rows its socket's
    first snapshot lists: itself (a guest, no lines), the others as a guest with no
    blocks sees them, not an invisible user."""
    ann = Tab(app)
    ann_browser = ann.browser
    ann.sio.disconnect()
    assert register(ann_browser, "annlee").status_code == 302  # an account
    ann = person(app, "Ann Lee", browser=ann_browser)
    lookalike = person(app, "\u0410nn Lee")  # a Cyrillic А: looks like Ann
    bea, blocker, invisible = person(app, "Bea"), person(app, "Cat"), person(app, "Dee")
    assert blocker.ask("safety:block", {"userId": bea.user_id})["ok"]  # not about the visitor
    assert invisible.ask("safety:set", {"invisible": True})["ok"]

    visitor = app.test_client()
    page = Rows(visitor.get("/call").get_data(as_text=True))  # no cookie before this
    tab = Tab(app, browser=visitor)  # the page's socket: its guest is stored now
    snapshot = tab.events("lobby:snapshot")[0]

    want = expected(snapshot, tab.user_id)
    for row in want:
        if row["id"] in (ann.user_id, lookalike.user_id):
            row["tag"] = f"#{name_tag(row['id'])}"
    assert page.users == want
    assert page.users[0] == {"id": tab.user_id, "key": tab.user_id, "me": True,
                             "name": tab.welcome["user"]["displayName"], "kind": "guest",
                             "anchors": [], "tag": None}
    assert {u["id"] for u in page.users} == {
        tab.user_id, ann.user_id, lookalike.user_id, bea.user_id, blocker.user_id}  # not Dee
    assert all(a["call_disabled"] for u in page.users for a in u["anchors"])
    assert snapshot["complete"] and page.count == str(len(snapshot["users"])) == "5"


def test_a_first_visit_costs_no_query_and_a_stored_users_blocks_are_read_outside_the_lock(app, monkeypatch):
    """A visit without a cookie is free to repeat: its rows read no sanction and no
    blocks (a fresh guest has neither). A stored user's blocks are read before the
    store's lock is taken (a query must not hold up every dispatch)."""
    ext = app.extensions["tlightchat"]
    ctx = ext.life.ctx
    person(app, "Bea")
    invisible = person(app, "Dee")
    assert invisible.ask("safety:set", {"invisible": True})["ok"]
    reads = []
    real = ctx.lobby.hidden_for

    def hidden_for(uid):
        reads.append(ctx.store.lock._is_owned())  # RLock: held by this thread
        return real(uid)

    def no_sanction_query(uid):
        raise AssertionError("a first visit read a sanction")

    monkeypatch.setattr(ctx.lobby, "hidden_for", hidden_for)
    monkeypatch.setattr(ctx.safety, "check_connect", no_sanction_query)
    page = Rows(app.test_client().get("/call").get_data(as_text=True))
    assert reads == [] and len(page.users) == 2  # the visitor and Bea, not Dee
    monkeypatch.undo()
    monkeypatch.setattr(ctx.lobby, "hidden_for", hidden_for)
    returning = app.test_client()
    returning.get("/call")
    Tab(app, browser=returning).sio.disconnect()  # its guest is stored now
    reads.clear()
    assert Rows(returning.get("/call").get_data(as_text=True)).users
    assert reads == [False]


def make_app(tmp_path, **config):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TESTING": True, **config})


def stored_ids(app):
    from tlightchat.db import User
    with app.extensions["tlightchat"].db.session() as s:
        return {u.id for u in s.query(User).all()}


EMPTY = '<ul id="lobby-list" class="lobby-list"></ul>'


def test_a_first_visit_stores_nothing_and_one_its_socket_would_refuse_gets_no_rows(tmp_path):
    """Rendering a first visit's rows neither stores its guest nor counts it against
    the per-address limit (its socket does both); a visitor whose socket would be
    refused (over that limit, the server stopping) gets the empty state."""
    app = make_app(tmp_path, GUEST_MAX_PER_ADDRESS=1)
    try:
        socketio = app.extensions["tlightchat"].socketio
        first = app.test_client()
        rows = Rows(first.get("/call").get_data(as_text=True)).users
        assert [u["me"] for u in rows] == [True] and stored_ids(app) == set()
        tab = Tab(app, browser=first)  # not refused: the page counted nothing
        assert rows[0]["id"] == tab.user_id and stored_ids(app) == {tab.user_id}

        late = app.test_client()  # the address's one new guest is used up
        html = late.get("/call").get_data(as_text=True)
        assert EMPTY in html and Rows(html).users == []
        assert not socketio.test_client(app, flask_test_client=late).is_connected()
        assert stored_ids(app) == {tab.user_id}

        app.extensions["tlightchat"].context.draining = "stopping"  # as shutdown.py does
        html = first.get("/call").get_data(as_text=True)  # a stored guest, too
        assert EMPTY in html and Rows(html).users == []
        assert not socketio.test_client(app, flask_test_client=first).is_connected()
    finally:
        app.extensions["tlightchat"].close()


def test_the_offline_export_gets_the_empty_state(app, tmp_path):
    person(app, "Someone")
    from tlightchat.web.export import export_offline
    with open(export_offline(app, str(tmp_path / "out")), encoding="utf-8") as f:
        assert EMPTY in f.read()
