"""Abuse at the socket layer, black-box: a real `python app.py` (eventlet) and raw
Socket.IO packets written by hand (tests/support/rawsio.py), as an attacker would send them.

Every packet is answered with a documented error (an ack when it asked for one, else an
`error` event), counted against the rate limit, or the connection is closed with one
logged line; never a traceback, never a second life-cycle run, never a silent drop."""
import json
import re
import time

import pytest

from e2e.conftest import serve

from tests.support.rawsio import RawSocket


@pytest.fixture(scope="module")
def server():
    yield from serve(TLC_LOG_LEVEL="INFO")


@pytest.fixture(scope="module")
def strict_server():
    """A server with a tiny rate limit: 1 event/s, bursts of 5."""
    yield from serve(TLC_RATE_LIMIT_PER_SECOND="1", TLC_RATE_LIMIT_BURST="5")


@pytest.fixture
def sockets(server):
    opened = []

    def open_socket(**kw):
        opened.append(RawSocket(server.url, **kw))
        return opened[-1]

    yield open_socket
    for s in opened:
        s.close()


def lobby_clients_of(sock, ack_id, user_id):
    """The user's client ids in this socket's fresh lobby view (lobby:get answers with a
    snapshot)."""
    assert sock.ask(ack_id, "lobby:get")["ok"]
    return {c["id"] for c in sock.event("lobby:snapshot")["clients"].values()
            if c["userId"] == user_id}


def error_code(ack):
    assert ack["ok"] is False, ack
    return ack["error"]["code"]


# -- 1. reserved event names ----------------------------------------------------------

@pytest.mark.parametrize("name", ["connect", "disconnect", "*", "connect_error", "message"])
def test_a_reserved_event_name_is_refused_like_any_unknown_event(sockets, name):
    sock = sockets()
    client_id = sock.welcome["clientId"]
    assert error_code(sock.ask(1, name)) == "unknown-event"
    sock.send("42" + json.dumps([name]))  # without an ack: an `error` event instead
    assert sock.event("error")["error"]["code"] == "unknown-event"
    state = sock.ask(2, "me:state")  # the connection is still the same client
    assert state["ok"] and state["clientId"] == client_id
    assert "session:welcome" not in sock.names()


def test_an_event_named_connect_makes_no_second_client(sockets):
    """Before: `42["connect"]` re-ran the connect handler: a new welcome, a new client id,
    and the first client orphaned in the lobby for good."""
    sock, watcher = sockets(), sockets()
    user_id = sock.welcome["user"]["id"]
    sock.send('42["connect"]')
    sock.send('421["me:state"]')
    assert sock.ack(1)["clientId"] == sock.welcome["clientId"]
    assert "session:welcome" not in sock.names()
    assert lobby_clients_of(watcher, 1, user_id) == {sock.welcome["clientId"]}
    sock.send("41")  # goodbye, as a browser says it when the page closes
    sock.close()
    # saying goodbye removes its one client: nothing orphaned is left behind
    deadline = time.monotonic() + 5
    for ack_id in range(2, 1000):
        if not lobby_clients_of(watcher, ack_id, user_id):
            break
        assert time.monotonic() < deadline, "a client of the closed socket stayed in the lobby"


def test_an_event_named_disconnect_does_not_remove_the_sender(sockets):
    """Before: `42["disconnect"]` ran the disconnect handler: the client left while its
    socket stayed, and every later event answered `invalid-state`."""
    sock = sockets()
    sock.send('42["disconnect"]')
    state = sock.ask(1, "me:state")
    assert state["ok"], state


def test_an_event_named_star_cannot_act_as_another_socket(sockets):
    """Before: `42["*","<victim sid>"]` was handled as the victim's socket (the victim got
    the error, and its rate limit paid for it)."""
    attacker, victim = sockets(), sockets()
    attacker.send("42" + json.dumps(["*", victim.sid]))
    attacker.send("421" + json.dumps(["*", victim.sid, "me:state"]))
    assert error_code(attacker.ack(1)) == "unknown-event"
    assert victim.ask(1, "me:state")["ok"]
    assert "error" not in victim.names()


def test_a_second_connect_packet_makes_no_second_client(sockets):
    sock = sockets()
    sock.send("40")
    assert sock.event("error")["error"]["code"] == "invalid-state"
    assert sock.ask(1, "me:state")["clientId"] == sock.welcome["clientId"]
    assert "session:welcome" not in sock.names()


def test_reserved_and_malformed_packets_count_against_the_rate_limit(strict_server):
    """Burst 5: of 12 packets naming `connect`, `*` or nothing at all, the later ones are
    answered rate-limited, like any event."""
    sock = RawSocket(strict_server.url)
    try:
        codes = []
        for i in range(1, 13):
            body = (["connect"], ["*", "x"], [])[i % 3]
            codes.append(error_code(sock.ask(i, *body) if body else
                                    (sock.send(f"42{i}[]"), sock.ack(i))[1]))
        assert codes.count("rate-limited") >= 5, codes
    finally:
        sock.close()


# -- 5. malformed packets ---------------------------------------------------------------

MALFORMED = {
    "deep-json": "421" + "[" * 960 + "]" * 960,
    "deep-object": '421["me:rename",' + '{"a":' * 500 + "1" + "}" * 500 + "]",
    "huge-int": '421["call:signal",{"callId":"x","n":' + "9" * 5000 + "}]",
    "no-event": "421[]",
    "list-event": '421[["x"],{}]',
    "object-event": '421{"a":1}',
    "bad-json": '421["me:state",',
    "nan": '421["me:rename",{"displayName":NaN}]',
    "too-many-args": '421["me:state",{},{}]',
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_malformed_event_gets_an_error_ack_and_the_connection_keeps_serving(server, sockets, kind):
    """Before: no ack at all (the packet failed inside python-socketio), and a full
    traceback in the log for each one."""
    before = len(server.log())
    sock = sockets()
    sock.send(MALFORMED[kind])
    assert error_code(sock.ack(1)) in ("invalid-payload", "payload-too-large", "unknown-event")
    assert sock.ask(2, "me:state")["ok"]
    # the same again, without an ack id: an `error` event answers it
    sock.send("42" + MALFORMED[kind][3:])
    assert sock.event("error")["error"]["code"]
    assert sock.ask(3, "me:state")["ok"]
    log = server.log()[before:]
    assert "Traceback" not in log, log[-2000:]


@pytest.mark.parametrize("packet", [
    '45["me:state"]', '451-["me:state",{"_placeholder":true,"num":5}]',
    '461-[{"_placeholder":true,"num":0}]', b"\x00\x01binary", "4x[]",
    '42/admin,["me:state"]', "421" + "1" * 30 + '["me:state"]'])
def test_a_packet_that_cannot_be_answered_closes_the_connection_with_one_log_line(server, sockets, packet):
    """Before: a binary placeholder wedged the connection for good (python-socketio waits
    for attachments that never come, and every later packet is taken as one)."""
    before = len(server.log())
    sock = sockets()
    sock.send(packet)
    sock.send('421["me:state"]')
    assert sock.wait_closed(), "the connection stayed open: " + repr(sock.inbox)
    deadline = time.monotonic() + 5
    while "closed a connection" not in server.log()[before:]:
        assert time.monotonic() < deadline, server.log()[before:]
        time.sleep(0.02)
    log = server.log()[before:]
    assert "Traceback" not in log, log
    assert len(re.findall("closed a connection", log)) == 1


def test_a_flood_of_malformed_packets_logs_one_line_per_connection(server, sockets):
    """Before: 722 B of traceback per packet (2 MB in 2 s)."""
    before = len(server.log())
    sock = sockets()
    for i in range(1, 101):
        sock.send(f"42{i}" + MALFORMED[("deep-json", "huge-int", "no-event", "list-event")[i % 4]][3:])
    for i in range(1, 101):
        sock.ack(i)
    grown = server.log()[before:]
    assert "Traceback" not in grown
    assert grown.count("malformed packet") == 1, grown[-3000:]
    assert len(grown) < 100 * 400, len(grown)  # one access line per event at most
