"""Limits a user would expect, black-box: a real `python app.py` and raw packets."""
import json

import pytest

from e2e.conftest import serve

from tests.support.rawsio import RawSocket, guest_session


@pytest.fixture(scope="module")
def server():
    yield from serve(TLC_MAX_CONNECTIONS_PER_USER="3")


def test_connections_per_user_are_capped_with_a_clear_refusal(server):
    """Before: one cookie opened any number of connections (each a client in everyone's
    lobby). After: the fourth gets CONNECT_ERROR {code: limit, message}."""
    http = guest_session(server.url)
    tabs = [RawSocket(server.url, http=http) for _ in range(3)]
    try:
        extra = RawSocket(server.url, http=http, connect=False)
        extra.send("40")
        refusal = extra.expect(lambda p: p[:1] in ("0", "4"))
        assert refusal.startswith("4"), refusal
        data = json.loads(refusal[1:])
        assert data["data"]["code"] == "limit" and "connections" in data["message"], data
        extra.close()
        # another user is not affected
        other = RawSocket(server.url)
        assert other.ask(1, "me:state")["ok"]
        other.close()
        # a tab that says goodbye frees its place
        tabs[0].send("41")
        tabs[0].close()
        for attempt in range(50):
            again = RawSocket(server.url, http=http, connect=False)
            again.send("40")
            packet = again.expect(lambda p: p[:1] in ("0", "4"))
            if packet.startswith("0"):
                tabs[0] = again
                break
            again.close()
        else:
            pytest.fail("the freed place was never given back")
    finally:
        for tab in tabs:
            tab.close()


def test_a_cookieless_connection_is_refused_with_its_code(server):
    """Before: the refusal said only {"message": "Connection refused by server"} (the
    builtin ConnectionRefusedError dropped the documented err.data)."""
    import requests
    sock = RawSocket(server.url, http=requests.Session(), connect=False)
    try:
        sock.send("40")
        refusal = sock.expect(lambda p: p[:1] in ("0", "4"))
        assert refusal.startswith("4") and json.loads(refusal[1:])["data"]["code"] == "no-session"
    finally:
        sock.close()


def clients_online(url):
    import requests
    return requests.get(url + "/healthz", timeout=10).json()["clients"]


def test_dropping_and_reconnecting_does_not_get_past_the_cap(server):
    """Issue 23 (6). Before: away clients (dropped, in their reconnect grace) did not
    count, so one cookie that connected and dropped its transport again and again made a
    client per cycle (660 in 20 s), each an away tab in everyone's lobby. After: the cap
    counts them and each new connection replaces the oldest away one."""
    http = guest_session(server.url)
    before = clients_online(server.url)
    for cycle in range(8):
        for attempt in range(100):  # the last drop may not be noticed yet: it is live
            sock = RawSocket(server.url, http=http, connect=False)
            sock.send("40")
            if sock.expect(lambda p: p[:1] in ("0", "4")).startswith("0"):
                assert sock.event("session:welcome")
                break
            sock.close()
        else:
            pytest.fail("a reconnect after a drop was never let in")
        sock.close()  # the transport drops, without a Socket.IO goodbye
    assert clients_online(server.url) - before <= 3
