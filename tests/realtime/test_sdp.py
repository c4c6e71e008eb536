"""tlightchat/sdp.py, the one parser behind every address-privacy check: SDP read the way
browsers read it, candidates by RFC 8839's grammar (issue 23 items 1 and 2). The same
attacks go through the real server in tests/realtime/test_ring_offer.py and tests/realtime/test_privacy.py."""
from ipaddress import ip_address

import pytest

from tlightchat.sdp import SdpError, check_relay_signal, check_sdp, parse_candidate

from tests.support.sdp_samples import (CHROMIUM_OFFER, FIREFOX_OFFER, HOST, RELAY, RELAY_ADDRESSES,
                          RELAY_FIREFOX, RELAY_FROM, SDP_ATTACKS, TRICKLE_ATTACKS, answer_with,
                          attacked)


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
        check_sdp(attacked(answer_with(RELAY), SDP_ATTACKS[name]), relay=RELAY_ADDRESSES)


def test_a_relay_only_sdp_may_name_its_relay_candidates_in_c_and_rtcp():
    check_sdp(answer_with(RELAY, RELAY_FIREFOX, connection="198.51.100.9"), relay=RELAY_ADDRESSES)
    check_sdp(answer_with(), relay=RELAY_ADDRESSES)
    with pytest.raises(SdpError):  # not a candidate of this SDP
        check_sdp(answer_with(RELAY, connection="198.51.100.10"), relay=RELAY_ADDRESSES)
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
    check_relay_signal(signal, RELAY_ADDRESSES)


@pytest.mark.parametrize("name", TRICKLE_ATTACKS)
def test_a_trickled_candidate_that_could_name_a_hidden_address_is_refused(name):
    with pytest.raises(SdpError):
        check_relay_signal(TRICKLE_ATTACKS[name], RELAY_ADDRESSES)


@pytest.mark.parametrize("name", RELAY_FROM)
def test_a_relay_only_sdp_whose_relay_candidate_has_a_hidden_own_address_is_refused(name):
    address = RELAY_FROM[name].split(" ")[4]
    with pytest.raises(SdpError):
        check_sdp(answer_with(f"{RELAY_FROM[name]}", connection=address), relay=RELAY_ADDRESSES)


def test_only_our_relay_addresses_pass_and_none_without_any():
    other = frozenset({ip_address("203.0.113.50")})
    with pytest.raises(SdpError):
        check_relay_signal({"candidate": RELAY}, other)
    with pytest.raises(SdpError):
        check_relay_signal({"candidate": RELAY}, frozenset())
    check_relay_signal({"candidate": RELAY.replace("198.51.100.9", "203.0.113.50")}, other)


@pytest.mark.parametrize("address", [":", ":::", "1.2.3", "2130706433", "1.2.3.4.5",
                                     "01.2.3.4", "fe80::1%eth0", "-a.local", "a..b", "1::2::3"])
def test_an_address_is_an_ip_literal_or_a_host_name(address):
    with pytest.raises(SdpError):
        parse_candidate(f"candidate:1 1 udp 1 {address} 9 typ host")


@pytest.mark.parametrize("address", ["192.168.1.20", "2001:db8::7", "::ffff:192.168.1.20",
                                     "3f1a2b3c-0d4e.local", "turn.example.org"])
def test_ip_literals_and_host_names_parse_for_a_side_that_is_not_relay_only(address):
    assert parse_candidate(f"candidate:1 1 udp 1 {address} 9 typ host").address == address


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
