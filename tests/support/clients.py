"""Test clients: a tab (a Socket.IO test client sharing a browser's cookie), a form's CSRF
token, a clock a test moves by hand."""


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
