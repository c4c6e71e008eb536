"""The offer travels with the ring, the answer with the accept (docs/protocol.md,
"Prepared while it rings"): relayed, bounded and validated like call:signal's description."""
import pytest

from tests.support.clients import Tab
from tests.support.sdp_samples import CHROMIUM_OFFER, FIREFOX_OFFER, HOST, RELAY, SDP_ATTACKS, attacked
from tests.support.privacy import candidates_sdp, hide, turn_app
from tests.support.ring_offer import ANSWER, OFFER, invite


def test_the_offer_travels_with_the_ring_and_is_the_callers_pending_offer(pair):
    ann, bob = pair
    ack = invite(ann, bob, offer=OFFER)
    assert ack["ok"] and ack["relayOnly"] is False, ack
    [ring] = bob.events("call:ring")
    assert ring["offer"] == OFFER and ring["relayOnly"] is False
    assert ann.events("call:signal") == [] and bob.events("call:signal") == []
    # Bob's answer with the accept reaches Ann as call:signal right after call:started.
    ann.clear()
    accepted = bob.ask("call:accept", {"invitationId": ack["invitationId"], "answer": ANSWER})
    assert accepted["ok"], accepted
    call_id = accepted["callId"]
    assert [n for n in ann.names() if n.startswith("call:")] == [
        "call:invite-ended", "call:started", "call:signal"]
    assert ann.events("call:signal") == [{"callId": call_id, "fromAnchorId": bob.anchor,
                                          "description": ANSWER}]
    # The offer was answered: a second answer has no pending offer.
    again = bob.ask("call:signal", {"callId": call_id, "description": ANSWER})
    assert again["error"]["code"] == "invalid-state"


def test_a_ring_offer_left_unanswered_at_accept_is_answered_with_call_signal(pair):
    ann, bob = pair
    inv = invite(ann, bob, offer=OFFER)["invitationId"]
    call_id = bob.ask("call:accept", {"invitationId": inv})["callId"]
    assert ann.events("call:signal") == []
    assert bob.ask("call:signal", {"callId": call_id, "description": ANSWER})["ok"]
    assert ann.events("call:signal")[0]["description"] == ANSWER


def test_without_an_offer_the_ring_is_as_before_and_an_answer_at_accept_is_refused(pair):
    ann, bob = pair
    inv = invite(ann, bob)["invitationId"]
    [ring] = bob.events("call:ring")
    assert "offer" not in ring
    refused = bob.ask("call:accept", {"invitationId": inv, "answer": ANSWER})
    assert refused["error"]["code"] == "invalid-state"
    assert ann.events("call:started") == []  # a bad answer starts nothing
    assert bob.ask("call:accept", {"invitationId": inv})["ok"]


@pytest.mark.parametrize("offer, code", [
    ({"type": "answer", "sdp": "v=0\r\n"}, "invalid-payload"),        # not an offer
    ({"type": "offer"}, "invalid-payload"),                           # no sdp
    ({"type": "offer", "sdp": 5}, "invalid-payload"),                 # not a string
    ({"type": "offer", "sdp": "v=0", "x": 1}, "invalid-payload"),     # unknown field
    ("v=0", "invalid-payload"),                                       # not an object
    ({"type": "offer", "sdp": "v=0\r\na=" + HOST + "\r\n"}, "invalid-payload"),  # a candidate
    ({"type": "offer", "sdp": "a" * 60_001}, "invalid-payload"),      # sdp over 60,000
    ({"type": "offer", "sdp": "\\" * 40_000}, "payload-too-large"),   # over 64 KiB as JSON
])
def test_a_malformed_or_oversized_offer_is_refused_and_nothing_rings(pair, offer, code):
    ann, bob = pair
    refused = invite(ann, bob, offer=offer)
    assert refused["ok"] is False and refused["error"]["code"] == code, refused
    assert bob.events("call:ring") == []
    assert invite(ann, bob, offer=OFFER)["ok"]  # the anchor is still free


@pytest.mark.parametrize("answer, code", [
    ({"type": "offer", "sdp": "v=0\r\n"}, "invalid-payload"),
    ({"type": "answer", "sdp": "a" * 60_001}, "invalid-payload"),
    ({"type": "answer", "sdp": "\\" * 40_000}, "payload-too-large"),
])
def test_a_malformed_or_oversized_answer_is_refused_and_the_ring_goes_on(pair, answer, code):
    ann, bob = pair
    inv = invite(ann, bob, offer=OFFER)["invitationId"]
    refused = bob.ask("call:accept", {"invitationId": inv, "answer": answer})
    assert refused["error"]["code"] == code, refused
    assert ann.events("call:started") == []
    assert bob.ask("call:accept", {"invitationId": inv, "answer": ANSWER})["ok"]


def test_only_the_callee_answers_with_an_accept(pair):
    ann, bob = pair
    inv = invite(ann, bob, offer=OFFER)["invitationId"]
    assert ann.ask("call:accept", {"invitationId": inv, "answer": ANSWER})["error"]["code"] == "forbidden"


def test_glare_keeps_the_first_offer_pending_and_drops_the_second(pair):
    ann, bob = pair
    invite(ann, bob, offer=OFFER)
    ack = bob.ask("call:invite", {"fromAnchorId": bob.anchor, "toAnchorId": ann.anchor,
                                  "offer": OFFER})
    call_id = ack["callId"]
    [a_start] = ann.events("call:started")
    assert a_start["initiator"] is True
    assert ann.events("call:ring") == []  # Bob's offer went nowhere
    # Bob answers Ann's ring offer (he got it with the ring) with call:signal.
    assert bob.ask("call:signal", {"callId": call_id, "description": ANSWER})["ok"]
    assert ann.events("call:signal")[0]["description"] == ANSWER


def test_the_ring_and_the_invite_ack_say_who_is_relay_only_and_the_call_keeps_it(database_url):
    app = turn_app(database_url)
    ann, bob = Tab(app), Tab(app)
    hide(bob)
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    ack = invite(ann, bob, offer=OFFER)
    assert ack["relayOnly"] is False
    [ring] = bob.events("call:ring")
    assert ring["relayOnly"] is True
    # A prepared answer with a host candidate is refused: nothing starts, nothing relayed.
    refused = bob.ask("call:accept", {"invitationId": ack["invitationId"], "answer": ANSWER})
    assert refused["error"]["code"] == "relay-required"
    assert ann.events("call:started") == [] and ann.events("call:signal") == []
    relay = {"type": "answer", "sdp": candidates_sdp(RELAY)}
    assert bob.ask("call:accept", {"invitationId": ack["invitationId"], "answer": relay})["ok"]
    [a_start], [b_start] = ann.events("call:started"), bob.events("call:started")
    assert (a_start["relayOnly"], b_start["relayOnly"]) == (False, True)
    assert ann.events("call:signal")[0]["description"] == relay


def test_the_rule_decided_at_the_invite_holds_for_the_call(database_url):
    app = turn_app(database_url)
    ann, bob = Tab(app), Tab(app)
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    inv = invite(ann, bob, offer=OFFER)["invitationId"]
    assert bob.events("call:ring")[0]["relayOnly"] is False
    hide(bob)  # changed while it rang: the browsers prepared under the old rule
    assert bob.ask("call:accept", {"invitationId": inv})["ok"]
    [b_start] = bob.events("call:started")
    assert b_start["relayOnly"] is False


# -- issue 23 item 1: a ring's offer names no address, in any spelling a browser reads ---

@pytest.mark.parametrize("name", SDP_ATTACKS)
def test_a_ring_offer_naming_an_address_in_any_spelling_is_refused_and_nothing_rings(pair, name):
    ann, bob = pair
    refused = invite(ann, bob, offer={"type": "offer", "sdp": attacked(CHROMIUM_OFFER, SDP_ATTACKS[name])})
    assert refused["ok"] is False and refused["error"]["code"] == "invalid-payload", refused
    assert refused["error"]["message"].startswith("offer: names no address"), refused
    assert bob.events("call:ring") == []
    assert invite(ann, bob, offer={"type": "offer", "sdp": CHROMIUM_OFFER})["ok"]


@pytest.mark.parametrize("offer", [CHROMIUM_OFFER, FIREFOX_OFFER])
def test_browsers_offers_ring_unchanged(pair, offer):
    ann, bob = pair
    assert invite(ann, bob, offer={"type": "offer", "sdp": offer})["ok"]
    assert bob.events("call:ring")[0]["offer"] == {"type": "offer", "sdp": offer}
