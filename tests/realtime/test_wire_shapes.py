"""What goes over the wire to a lobby member, field by field (issue 18, item 2).

The selectors that build public records are unit-tested elsewhere; this checks what a
Socket.IO client actually receives: the exact key sets of `lobby:snapshot` and of every
lobby delta, and of the users, clients and anchors inside them. A new field (a socket id,
a connect time, an internal flag) then fails here and has to be a deliberate change,
made together with docs/protocol.md.

Black-box: Socket.IO test clients (every packet is encoded and decoded as on the wire)
that share browser cookies; a dropped transport is python-socketio's own Engine.IO
disconnect.
"""
import json
import time

import pytest

from tlightchat import create_app

from tests.support.clients import Tab

USER = {"id", "displayName", "tag", "account"}
CLIENT = {"id", "userId", "away", "tab", "device"}
ANCHOR = {"id", "clientId", "name", "status", "connected"}
SNAPSHOT = {"users", "clients", "anchors", "online", "complete", "query", "window"}
# docs/protocol.md, "Lobby deltas": event → its payload's keys
DELTAS = {
    "lobby:client-joined": {"client", "user"},
    "lobby:client-left": {"clientId"},
    "lobby:user": {"user"},
    "lobby:client": {"client"},
    "lobby:anchor": {"anchor"},
    "lobby:anchor-removed": {"anchorId"},
    "lobby:count": {"online", "complete"},
}
RECORDS = {"user": USER, "client": CLIENT, "anchor": ANCHOR}


class WireTab(Tab):
    """A Tab that also keeps every message it ever received (`seen`), in order."""

    def _pull(self):
        if "seen" not in self.__dict__:
            self.seen = []
            real = self.sio.get_received

            def tap(*args, **kwargs):
                got = real(*args, **kwargs)
                self.seen.extend(got)
                return got

            self.sio.get_received = tap
        super()._pull()

    @property
    def sid(self):
        """The server-side Socket.IO id of this connection (and its Engine.IO id)."""
        server = self.app.extensions["tlightchat"].socketio.server
        return server.manager.sid_from_eio_sid(self.sio.eio_sid, "/"), self.sio.eio_sid


def assert_snapshot_shape(snap, where):
    assert set(snap) == SNAPSHOT, f"{where}: lobby:snapshot keys {sorted(snap)}"
    for kind, records in (("user", snap["users"]), ("client", snap["clients"]),
                          ("anchor", snap["anchors"])):
        for key, record in records.items():
            assert set(record) == RECORDS[kind], f"{where}: snapshot {kind} {key}: keys {sorted(record)}"
            assert record["id"] == key


def assert_delta_shape(event, data, where):
    assert event in DELTAS, f"{where}: unknown lobby event {event!r}"
    assert set(data) == DELTAS[event], f"{where}: {event} keys {sorted(data)}"
    for kind in RECORDS:
        if kind in data:
            assert set(data[kind]) == RECORDS[kind], f"{where}: {event} {kind} keys {sorted(data[kind])}"


def wait_for(tab_, event, timeout=3.0):
    """Payloads of `event` once at least one arrived (pushed by the server's ticker)."""
    deadline = time.monotonic() + timeout
    while True:
        got = tab_.events(event)
        if got:
            return got
        assert time.monotonic() < deadline, f"no {event} within {timeout}s"
        time.sleep(0.02)


@pytest.fixture
def live(tmp_path):
    """A real clock and a fast count push, so lobby:count comes by itself."""
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3", "TESTING": True,
                       "LOBBY_COUNT_INTERVAL": 0.05})


def test_every_lobby_message_has_exactly_the_documented_keys(live):
    sio_server = live.extensions["tlightchat"].socketio.server
    ann = WireTab(live)
    ann.anchor = ann.new_anchor("Ann slot")
    bob = WireTab(live)                                       # ann: client-joined
    bob.anchor = bob.new_anchor("Bob slot")                   # both: anchor (online)
    assert bob.ask("me:rename", {"displayName": "Robert"})["ok"]   # both: user
    invite = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})
    call_id = bob.ask("call:accept", {"invitationId": invite["invitationId"]})["callId"]
    for side in (ann, bob):                                   # anchors ringing, in-call, connected
        assert side.ask("call:media", {"callId": call_id, "flowing": True})["ok"]
    bob2 = WireTab(live, browser=bob.browser)                 # a second tab of a held user
    spare = bob2.new_anchor("Spare")
    assert bob2.ask("anchor:remove", {"anchorId": spare})["ok"]   # anchor-removed
    assert ann.ask("lobby:get", {"query": "rob"})["ok"]       # snapshots for a query,
    assert ann.ask("lobby:watch", {"userIds": [bob.user_id]})["ok"]  # for pins,
    assert ann.ask("lobby:get")["ok"]                         # and for everyone again
    sids = {*ann.sid, *bob.sid, *bob2.sid}

    # bob's first tab loses its transport (no goodbye): away, then resumed
    bob.names()  # (what it got so far: a closed test client can no longer be read)
    sio_server._handle_eio_disconnect(bob.sio.eio_sid, "transport close")
    assert [d["client"]["away"] for d in ann.events("lobby:client")] == [True]
    back = WireTab(live, browser=bob.browser, auth={"resume": bob.welcome["resumeToken"]})
    assert back.welcome["resumed"] is True
    sids |= {*back.sid}
    assert [d["client"]["away"] for d in ann.events("lobby:client")] == [False]
    bob2.names()
    bob2.sio.disconnect()                                     # client-left
    cat = WireTab(live)                                       # 3 online: a count push
    sids |= {*cat.sid}
    wait_for(ann, "lobby:count")

    tabs = {"ann": ann, "bob": bob, "bob2": bob2, "bob back": back}
    kinds = set()
    for who, tab_ in tabs.items():
        if tab_.sio.is_connected():
            tab_.names()  # pull whatever is still queued
        snapshots = 0
        for message in tab_.seen:
            event, (data,) = message["name"], message["args"]
            wire = json.dumps(data)
            leaked = [sid for sid in sids if sid and sid in wire]
            assert not leaked, f"{who}: {event} carries a socket id: {data}"
            if event == "lobby:snapshot":
                assert_snapshot_shape(data, who)
                snapshots += 1
            elif event.startswith("lobby:"):
                assert_delta_shape(event, data, who)
                kinds.add(event)
        assert snapshots >= 1, f"{who} got no lobby:snapshot"
    # the walk above met every kind of delta, and snapshots with every kind of record
    assert kinds == set(DELTAS), f"not exercised: {set(DELTAS) - kinds}"
    full = [m["args"][0] for m in ann.seen if m["name"] == "lobby:snapshot"][-1]
    assert full["users"] and full["clients"] and full["anchors"]
    assert {a["status"] for a in full["anchors"].values()} == {"in-call"}
