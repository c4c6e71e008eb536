"""Issue 23, item 1: a ringing Firefox callee must not reveal its address to the caller.

A raw Socket.IO caller (tests/support/rawsio.py) sends `call:invite` with an offer that carries
candidate lines in spellings Firefox's SDP parser takes but an exact `a=candidate:` match
misses (`a=CANDIDATE:`, `a=Candidate:`, `a=candidate <value>`, `a=candidate<TAB><value>`),
each naming a UDP port this test listens on. The Firefox page rings and nobody accepts:
no STUN binding request may reach any of those ports while it rings (a server that
refuses the offer, with a documented error, passes too: nothing rang); then the caller
cancels. A control then shows the trap works: after Accept, a candidate trickled by
call:signal naming another port gets Firefox's connectivity checks there.

The server refuses such an offer, so the first test no longer reaches Firefox: the second
hands the same offer (plain `a=candidate:` too) straight to the page's ring handler
(`window.tlc.calls.onRing`, the code path of a `call:ring` with an offer), proving that
the browser's own stripping (static/js/sdp.js through prepared.js) holds in real Firefox.
"""
import json
import select
import socket
import struct
import time

from tests.support.rawsio import RawSocket

from .aiortc_peer import gathered_offer, ring_offer
from .calls import HELD
from .pages import CallPage
from .services import wait_for

SPELLINGS = ["a=CANDIDATE:{v}", "a=Candidate:{v}", "a=candidate {v}", "a=candidate\t{v}"]
MAGIC = 0x2112A442
WAIT_S = 10.0
# How long a prepared callee is watched for checks it must not send: Firefox sends its
# first ones within milliseconds of having local and remote candidates (the control).
WATCH_S = 3.0


def own_address():
    """This machine's outward IPv4 address (as a victim would see its caller's), else
    loopback: the address the attacker's candidates name."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("198.51.100.1", 9))  # no packet is sent: it only picks a route
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


class StunTrap:
    """A UDP port that counts the STUN binding requests it receives."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("0.0.0.0", 0))
        self.port = self.sock.getsockname()[1]
        self.requests = []

    def drain(self, timeout=0.0):
        """Read what arrived (waiting up to `timeout` for the first datagram)."""
        while select.select([self.sock], [], [], timeout)[0]:
            data, source = self.sock.recvfrom(2048)
            if len(data) >= 20 and struct.unpack("!HHI", data[:8])[::2] == (0x0001, MAGIC):
                self.requests.append(source)
            timeout = 0.0
        return self.requests

    def close(self):
        self.sock.close()


def watch(traps, seconds=WATCH_S):
    """{port: [sources of STUN binding requests]} seen on the traps for `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        select.select([t.sock for t in traps], [], [], max(0.0, deadline - time.monotonic()))
        for trap in traps:
            trap.drain()
    return {trap.port: trap.requests for trap in traps if trap.requests}


def hidden_lines(spellings, address, traps):
    return [spelling.format(v=f"{9 + i} 1 udp 2122260223 {address} {trap.port} typ host")
            for i, (spelling, trap) in enumerate(zip(spellings, traps))]


def aiortc_offer():
    """A real audio+video offer (aiortc) as a ring's offer: its lines, naming no address."""
    return ring_offer(gathered_offer()).split("\r\n")


def with_lines(lines, extra):
    """The offer with `extra` lines after the first media section's a=mid."""
    at = next(i for i, line in enumerate(lines) if line.startswith("a=mid:")) + 1
    return "\r\n".join(lines[:at] + extra + lines[at:])


def caller_socket(server):
    raw = RawSocket(server.url)
    anchor = raw.ask(1, "anchor:create", {})["anchor"]["id"]
    assert raw.ask(2, "anchor:set-online", {"anchorId": anchor, "online": True})["ok"]
    return raw, anchor


def test_a_ringing_firefox_callee_sends_no_check_to_candidates_hidden_in_the_offer(
        server_factory, firefoxes):
    server = server_factory(TLC_RING_TIMEOUT="15")
    callee = CallPage(firefoxes(), server).open()
    raw, anchor = caller_socket(server)
    address, traps = own_address(), [StunTrap() for _ in SPELLINGS + ["control"]]
    try:
        lines = aiortc_offer()
        hidden = hidden_lines(SPELLINGS, address, traps)
        ack = raw.ask(3, "call:invite", {"fromAnchorId": anchor, "toAnchorId": callee.anchor,
                                         "offer": {"type": "offer", "sdp": with_lines(lines, hidden)}})
        if ack["ok"]:
            callee.wait_phase(callee.anchor, "ringing-in", WAIT_S)
            # The offer was taken: the page applied it and answered (held).
            callee.wait(HELD, WAIT_S, "the Firefox callee prepared its answer", callee.anchor)
            leaked = watch(traps[:-1])
            assert raw.ask(4, "call:cancel", {"invitationId": ack["invitationId"]})["ok"]
            ended = raw.event("call:invite-ended", timeout=WAIT_S)
            assert ended["reason"] == "cancelled", ended
        else:
            assert ack["error"]["code"] == "invalid-payload", ack  # refused, documented
            leaked = watch(traps[:-1], 0.0)
        assert not leaked, f"STUN binding requests while it rang (port: sources): {json.dumps(leaked)}"

        # Control: the trap sees Firefox's checks once it may send them (after Accept).
        callee.wait_phase(callee.anchor, "idle", WAIT_S)
        control = raw.ask(5, "call:invite", {"fromAnchorId": anchor, "toAnchorId": callee.anchor,
                                             "offer": {"type": "offer", "sdp": with_lines(lines, [])}})
        assert control["ok"], control
        callee.wait_phase(callee.anchor, "ringing-in", WAIT_S)
        callee.click(callee.anchor, "accept")
        started = raw.event("call:started", timeout=WAIT_S)
        candidate = f"candidate:1 1 udp 2122260223 {address} {traps[-1].port} typ host"
        assert raw.ask(6, "call:signal", {"callId": started["callId"], "candidate": {
            "candidate": candidate, "sdpMid": "0", "sdpMLineIndex": 0}})["ok"]
        wait_for(lambda: traps[-1].drain(timeout=0.2), WAIT_S, "a check at the control port after Accept")
    finally:
        raw.close()
        for trap in traps:
            trap.close()


CRAFTED_RING = "crafted-ring-1"


def test_the_firefox_page_applies_no_candidate_of_a_ring_offer_that_names_one(server, firefoxes):
    """The server refuses these offers; should one reach the page anyway, the page's own
    ring path applies none of its candidates: no check reaches their ports."""
    callee = CallPage(firefoxes(), server).open()
    spellings = ["a=candidate:{v}", *SPELLINGS]
    address, traps = own_address(), [StunTrap() for _ in spellings]
    ring = {"invitationId": CRAFTED_RING, "toAnchorId": callee.anchor, "expiresInMs": 15000,
            "from": {"anchorId": "x.1", "clientId": "x", "userId": "x", "displayName": "Mallory",
                     "anchorName": "Slot 1"},
            "relayOnly": False, "offer": {"type": "offer", "sdp": with_lines(
                aiortc_offer(), hidden_lines(spellings, address, traps) + ["a=end-of-candidates"])}}
    try:
        callee.js("window.tlc.calls.onRing(arguments[0])", ring)
        callee.wait_phase(callee.anchor, "ringing-in", WAIT_S)
        held = callee.wait(HELD, WAIT_S, "the Firefox callee prepared its answer", callee.anchor)
        assert held["role"] == "callee" and held["answers"] == 1, held
        remote = callee.js("return window.tlc.calls.prepared.entries.get(arguments[0])"
                           ".session.pc.remoteDescription.sdp", callee.anchor)
        assert "candidate" not in remote.lower(), remote
        leaked = watch(traps)
        assert not leaked, f"STUN binding requests while it rang (port: sources): {json.dumps(leaked)}"
    finally:
        callee.js("window.tlc.calls.onInviteEnded(arguments[0])",
                  {"invitationId": CRAFTED_RING, "reason": "cancelled",
                   "anchorId": callee.anchor})
        for trap in traps:
            trap.close()
    callee.wait_phase(callee.anchor, "idle", WAIT_S)
