"""tlightchat/sdp.py, the one parser behind every address-privacy check: SDP read the way
browsers read it, candidates by RFC 8839's grammar (issue 23 items 1 and 2). The same
attacks go through the real server in tests/test_ring_offer.py and tests/test_privacy.py."""
import pytest

from tlightchat.sdp import SdpError, check_relay_signal, check_sdp, parse_candidate

from .sdp_samples import (CHROMIUM_OFFER, FIREFOX_OFFER, HOST, RELAY, RELAY_FIREFOX,
                          SDP_ATTACKS, TRICKLE_ATTACKS, answer_with, attacked)


@pytest.mark.parametrize("offer", [CHROMIUM_OFFER, FIREFOX_OFFER, CHROMIUM_OFFER.replace("\r\n", "\n")])
def test_browsers_ring_offers_pass(offer):
    check_sdp(offer)


@pytest.mark.parametrize("name", SDP_ATTACKS)
def test_a_ring_offer_that_names_an_address_is_refused(name):
    with pytest.raises(SdpError):
        check_sdp(attacked(CHROMIUM_OFFER, SDP_ATTACKS[name]))


@pytest.mark.parametrize("name", SDP_ATTACKS)
def test_a_relay_only_sdp_that_names_another_address_is_refused(name):
    with pytest.raises(SdpError):
        check_sdp(attacked(answer_with(RELAY), SDP_ATTACKS[name]), relay=True)


def test_a_relay_only_sdp_may_name_its_relay_candidates_in_c_and_rtcp():
    check_sdp(answer_with(RELAY, RELAY_FIREFOX, connection="198.51.100.9"), relay=True)
    check_sdp(answer_with(), relay=True)
    with pytest.raises(SdpError):  # not a candidate of this SDP
        check_sdp(answer_with(RELAY, connection="198.51.100.10"), relay=True)
    with pytest.raises(SdpError):  # a ring's offer names no candidate at all
        check_sdp(answer_with(RELAY, connection="198.51.100.9"))


@pytest.mark.parametrize("signal", [
    {"candidate": RELAY, "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": "Zx9q"},
    {"candidate": RELAY_FIREFOX, "sdpMid": "0"},
    {"candidate": RELAY.split(" raddr")[0]},  # raddr absent
    {"candidate": "", "sdpMid": "0", "usernameFragment": "5f7a9c1e"},  # end of candidates
    {"candidate": ""},
])
def test_relay_candidates_and_end_of_candidates_pass(signal):
    check_relay_signal(signal)


@pytest.mark.parametrize("name", TRICKLE_ATTACKS)
def test_a_trickled_candidate_that_could_name_a_hidden_address_is_refused(name):
    with pytest.raises(SdpError):
        check_relay_signal(TRICKLE_ATTACKS[name])


def test_the_candidate_grammar():
    c = parse_candidate(RELAY)
    assert (c.foundation, c.component, c.transport, c.priority, c.address, c.port, c.type,
            c.raddr, c.rport) == ("1467250027", 1, "udp", 41885439, "198.51.100.9", 55124,
                                  "relay", "0.0.0.0", 0)
    assert c.extensions == (("generation", "0"), ("network-id", "1"), ("network-cost", "10"))
    assert parse_candidate(HOST).raddr is None
    tail = "1 udp 41885439 198.51.100.9 55124 typ relay"
    for bad in (f"candidate:{'f' * 33} {tail}",          # foundation over 32 ice-chars
                f"candidate:f_1 {tail}",                 # not ice-chars
                f"candidate:1 {tail.replace('55124', '65536')}",
                f"candidate:1 {tail.replace('1 udp', '1000 udp')}",
                f"candidate:1 {tail.replace(' typ relay', ' type relay')}",
                f"candidate:1 {tail} generation",        # an extension without a value
                f"candidate:1 {tail} raddr 0.0.0.0 rport 0 raddr 192.168.1.20 rport 1",
                f"candidate:1 {tail} ",                  # a trailing space
                f"candidate:1 {tail.replace('198.51.100.9', 'a b')}",
                "candidate:1 1 udp 1 198.51.100.9 9 typ"):
        with pytest.raises(SdpError):
            parse_candidate(bad)
