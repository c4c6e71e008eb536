"""A plain python-socketio client of `python app.py`, as docs/protocol.md describes it."""
import requests
from e2e.services import wait_for
import socketio


class Client:
    def __init__(self, url, http=None, auth=None, transport="websocket"):
        self.url = url
        self.http = http or requests.Session()
        if http is None:
            self.http.get(url + "/").raise_for_status()  # the guest identity cookie
        self.got = []  # (event, payload) in arrival order
        self.sio = socketio.Client(http_session=self.http, reconnection=False)
        self.sio.on("*", lambda event, data=None: self.got.append((event, data)))
        self.sio.connect(url, transports=[transport], auth=auth, wait_timeout=10)
        self.welcome = wait_for(lambda: self.first("session:welcome"), 10, "welcome")
        self.id = self.welcome["clientId"]
        self.user = self.welcome["user"]["id"]

    def first(self, event):
        return next((d for e, d in self.got if e == event), None)

    def events(self):
        return [e for e, _ in self.got]

    def ask(self, event, payload=None):
        """(ack, events that arrived on this connection before the ack)."""
        mark = len(self.got)
        ack = self.sio.call(event, payload, timeout=10) if payload is not None \
            else self.sio.call(event, timeout=10)
        return ack, [e for e, _ in self.got[mark:]]

    def anchor(self, name=None):
        ack, _ = self.ask("anchor:create", {"name": name} if name else {})
        assert ack["ok"], ack
        anchor_id = ack["anchor"]["id"]
        assert self.ask("anchor:set-online", {"anchorId": anchor_id, "online": True})[0]["ok"]
        return anchor_id

    def close(self):
        if self.sio.connected:
            self.sio.disconnect()
