"""Unit and test_client fixtures: a fresh app and database per test, real Socket.IO
test clients that share a browser's session cookie (so identity works as in a browser)."""
import os

import pytest

os.environ.setdefault("TLC_ENV", "testing")

from tlightchat import create_app  # noqa: E402


def form_token(browser, path):
    """The CSRF token of the form on `path`, as a browser would submit it."""
    import re
    page = browser.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


class FakeClock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture(autouse=True)
def lobby_deltas_match_a_full_scan(monkeypatch):
    """Every dispatch in every test: the fast lobby diff (it trusts actions to name the
    entries they change) finds exactly what a full scan of the slices finds."""
    import json

    from tlightchat.realtime import outgoing as events

    from .reference_lobby import full_scan_lobby_deltas

    fast = events._lobby_deltas

    def checked(action, prev, nxt):
        got = fast(action, prev, nxt)
        key = lambda m: (m[1], json.dumps(m[2], sort_keys=True))  # noqa: E731
        want = full_scan_lobby_deltas(prev, nxt)
        assert sorted(map(key, got)) == sorted(map(key, want)), action["type"]
        return got

    monkeypatch.setattr(events, "_lobby_deltas", checked)


@pytest.fixture
def app(tmp_path):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/test.sqlite3", "TESTING": True})


@pytest.fixture
def hub(app):
    return app.extensions["tlightchat"].hub


@pytest.fixture
def clock(hub):
    fake = FakeClock()
    hub.clock = fake
    for bucket in hub.connections.buckets.values():
        bucket.clock = fake
    return fake


class Tab:
    """One browser tab: a Flask test client (cookie jar) plus a Socket.IO test client."""

    def __init__(self, app, browser=None, auth=None):
        self.app = app
        self.browser = browser or app.test_client()
        if browser is None:
            self.browser.get("/")  # first visit: the guest identity is made
        self.sio = app.extensions["tlightchat"].socketio.test_client(
            app, flask_test_client=self.browser, auth=auth)
        self.welcome = self.events("session:welcome")[0]
        self.client_id = self.welcome["clientId"]
        self.user_id = self.welcome["user"]["id"]

    # received events are buffered here so tests can look for several kinds in turn
    _inbox = None

    def _pull(self):
        if self._inbox is None:
            self._inbox, self.order = [], []
        received = self.sio.get_received()
        self._inbox.extend(received)
        self.order.extend(m["name"] for m in received)  # every event name, in arrival order

    def events(self, name):
        """Payloads of every `name` event received so far (consumed)."""
        self._pull()
        hits = [m["args"][0] for m in self._inbox if m["name"] == name]
        self._inbox = [m for m in self._inbox if m["name"] != name]
        return hits

    def names(self):
        self._pull()
        return [m["name"] for m in self._inbox]

    def clear(self):
        self._pull()
        self._inbox = []

    def ask(self, event, payload=None):
        args = () if payload is None else (payload,)
        return self.sio.emit(event, *args, callback=True)

    def new_anchor(self, name=None, online=True):
        ack = self.ask("anchor:create", {"name": name} if name else {})
        assert ack["ok"], ack
        anchor_id = ack["anchor"]["id"]
        if online:
            assert self.ask("anchor:set-online", {"anchorId": anchor_id, "online": True})["ok"]
        return anchor_id

    def second_tab(self):
        return Tab(self.app, browser=self.browser)


@pytest.fixture
def tab(app):
    """tab() opens a new browser (new guest) with one connected tab."""
    return lambda: Tab(app)


@pytest.fixture
def pair(tab, clock):
    """Ann and Bob in two browsers, each with one online anchor, inboxes cleared."""
    ann, bob = tab(), tab()
    ann.anchor, bob.anchor = ann.new_anchor("Ann slot"), bob.new_anchor("Bob slot")
    ann.clear(), bob.clear()
    return ann, bob
