"""docs/protocol.md, "Prepared while it rings", checked from outside like
tests/protocol/test_conformance.py: plain python-socketio clients against `python app.py` under
eventlet and gevent — the offer with the ring, the answer with the accept and its
ordering, and the codes for a malformed or oversized one."""
import pytest

from e2e.conftest import serve
from e2e.services import wait_for
from tests.support.sdp_samples import CHROMIUM_OFFER, FIREFOX_OFFER, SDP_ATTACKS, attacked
from tests.support.wire_client import Client

OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"}
ANSWER = {"type": "answer", "sdp": "v=0\r\no=- 3 4 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                                   "a=candidate:1 1 udp 2113 10.0.0.2 5000 typ host\r\n"}


@pytest.fixture(scope="module", params=["eventlet", "gevent"])
def server(request):
    yield from serve(TLC_ASYNC_MODE=request.param, TLC_RATE_LIMIT_BURST="200")


@pytest.fixture
def pair(server):
    ann, bob = Client(server.url), Client(server.url)
    a, b = ann.anchor(), bob.anchor()
    yield ann, bob, a, b
    ann.close(), bob.close()


def test_the_offer_rides_the_ring_and_the_answer_the_accept(pair):
    ann, bob, a, b = pair
    invite, _ = ann.ask("call:invite", {"fromAnchorId": a, "toAnchorId": b, "offer": OFFER})
    assert invite["ok"] and invite["relayOnly"] is False, invite
    ring = wait_for(lambda: bob.first("call:ring"), 5, "bob rings")
    assert ring["offer"] == OFFER and ring["relayOnly"] is False
    mark = len(ann.got)
    accept, _ = bob.ask("call:accept", {"invitationId": invite["invitationId"], "answer": ANSWER})
    assert accept["ok"], accept
    # What the caller receives: call:started, then the answer as call:signal.
    wait_for(lambda: any(e == "call:signal" for e, _ in ann.got[mark:]), 5, "ann gets the answer")
    calls = [(e, d) for e, d in ann.got[mark:] if e.startswith("call:")]
    assert [e for e, _ in calls] == ["call:invite-ended", "call:started", "call:signal"], calls
    assert calls[2][1] == {"callId": accept["callId"], "fromAnchorId": b, "description": ANSWER}


def test_a_malformed_or_oversized_offer_or_answer_is_refused(pair):
    ann, bob, a, b = pair
    with_candidate = {"type": "offer", "sdp": ANSWER["sdp"]}
    for offer, code in ((with_candidate, "invalid-payload"), ({"type": "offer", "sdp": 1}, "invalid-payload"),
                        ({"type": "offer", "sdp": "\\" * 40_000}, "payload-too-large")):
        refused, before = ann.ask("call:invite", {"fromAnchorId": a, "toAnchorId": b, "offer": offer})
        assert refused["error"]["code"] == code and "error" in before, refused
    assert bob.first("call:ring") is None
    invite, _ = ann.ask("call:invite", {"fromAnchorId": a, "toAnchorId": b})
    no_offer, _ = bob.ask("call:accept", {"invitationId": invite["invitationId"], "answer": ANSWER})
    assert no_offer["error"]["code"] == "invalid-state"
    big, _ = bob.ask("call:accept", {"invitationId": invite["invitationId"],
                                     "answer": {"type": "answer", "sdp": "\\" * 40_000}})
    assert big["error"]["code"] == "payload-too-large"
    assert bob.first("call:started") is None


def test_a_ring_offer_naming_an_address_in_any_spelling_a_browser_reads_is_refused(pair):
    """Issue 23 item 1, on the wire: the spellings Firefox reads as a candidate (and the
    other address lines) are refused with invalid-payload; nothing rings."""
    ann, bob, a, b = pair
    for name, line in SDP_ATTACKS.items():
        offer = {"type": "offer", "sdp": attacked(CHROMIUM_OFFER, line)}
        refused, _ = ann.ask("call:invite", {"fromAnchorId": a, "toAnchorId": b, "offer": offer})
        assert refused["ok"] is False and refused["error"]["code"] == "invalid-payload", (name, refused)
    assert bob.first("call:ring") is None
    invite, _ = ann.ask("call:invite", {"fromAnchorId": a, "toAnchorId": b,
                                        "offer": {"type": "offer", "sdp": FIREFOX_OFFER}})
    assert invite["ok"], invite
    assert wait_for(lambda: bob.first("call:ring"), 5, "bob rings")["offer"]["sdp"] == FIREFOX_OFFER
