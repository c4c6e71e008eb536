"""SDP and candidates as browsers write them, and the attacks of issue 23 items 1-2 (each
a spelling some browser reads as a candidate or an address): shared by tests/realtime/test_sdp.py,
tests/realtime/test_ring_offer.py, tests/realtime/test_privacy.py and tests/realtime/test_ring_offer_wire.py."""
from ipaddress import ip_address


def sdp(*lines):
    return "".join(f"{line}\r\n" for line in lines)


HOST = "candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host generation 0"
SRFLX = "candidate:2 1 udp 1686052607 203.0.113.7 40000 typ srflx raddr 192.168.1.20 rport 54321"
PRFLX = "candidate:3 1 udp 1845501695 203.0.113.7 40001 typ prflx raddr 0.0.0.0 rport 0"
# The TURN server's relay address in these samples (the server's TURN_RELAY_ADDRESSES).
RELAY_ADDRESS = "198.51.100.9"
RELAY_ADDRESSES = frozenset({ip_address(RELAY_ADDRESS)})
# As Chromium writes one under iceTransportPolicy "relay": the related address filtered.
RELAY = ("candidate:1467250027 1 udp 41885439 198.51.100.9 55124 typ relay raddr 0.0.0.0 "
         "rport 0 generation 0 network-id 1 network-cost 10")
# As Firefox writes one in relay-only mode (nICEr: raddr is the relayed address itself).
RELAY_FIREFOX = "candidate:0 1 UDP 8331263 198.51.100.9 60123 typ relay raddr 198.51.100.9 rport 60123"

CHROMIUM_OFFER = sdp(
    "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
    "a=group:BUNDLE 0 1", "a=extmap-allow-mixed", "a=msid-semantic: WMS 3f1a",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126", "c=IN IP4 0.0.0.0",
    "a=rtcp:9 IN IP4 0.0.0.0", "a=ice-ufrag:Ab3d", "a=ice-pwd:0123456789abcdefghij0123",
    "a=ice-options:trickle", "a=fingerprint:sha-256 AA:BB:CC", "a=setup:actpass", "a=mid:0",
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level", "a=sendrecv",
    "a=msid:3f1a 7c2e", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
    "a=rtcp-fb:111 transport-cc", "a=fmtp:111 minptime=10;useinbandfec=1",
    "a=ssrc:1001 cname:x1y2", "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0",
    "a=rtcp:9 IN IP4 0.0.0.0", "a=ice-ufrag:Ab3d", "a=ice-pwd:0123456789abcdefghij0123",
    "a=mid:1", "a=rtcp-mux", "a=rtcp-rsize", "a=rtpmap:96 VP8/90000")
FIREFOX_OFFER = sdp(
    "v=0", "o=mozilla...THIS_IS_SDPARTA-99.0 3227196416345435136 0 IN IP4 0.0.0.0", "s=-",
    "t=0 0", "a=fingerprint:sha-256 5C:11:AB", "a=group:BUNDLE 0 1", "a=ice-options:trickle",
    "a=msid-semantic:WMS *", "m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101", "c=IN IP4 0.0.0.0",
    "a=sendrecv", "a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level",
    "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1", "a=fmtp:101 0-15",
    "a=ice-pwd:e2b3c9d5d1c3e9d4f1b0a3b3c2d1e0f9", "a=ice-ufrag:5f7a9c1e", "a=mid:0",
    "a=msid:{d0a1b2c3} {f3b4c5d6}", "a=rtcp-mux", "a=rtpmap:109 opus/48000/2",
    "a=setup:actpass", "a=ssrc:123456789 cname:{b7f2aa01}",
    "m=video 9 UDP/TLS/RTP/SAVPF 120", "c=IN IP4 0.0.0.0", "a=sendrecv", "a=mid:1",
    "a=rtcp-fb:120 nack pli", "a=rtcp-mux", "a=rtcp-rsize", "a=rtpmap:120 VP8/90000",
    "a=end-of-candidates")


def answer_with(*candidates, connection="0.0.0.0"):
    """A Chromium-like answer of a relay-only side after gathering: its relay candidates,
    and c= naming the default (first) candidate's address."""
    return sdp("v=0", "o=- 6839217443 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
               "m=audio 55124 UDP/TLS/RTP/SAVPF 111", f"c=IN IP4 {connection}",
               "a=rtcp:9 IN IP4 0.0.0.0", *(f"a={c}" for c in candidates),
               "a=ice-ufrag:Zx9q", "a=ice-pwd:0123456789abcdefghij0123", "a=setup:active",
               "a=mid:0", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2")


# `typ relay` candidates whose own address is not one the TURN server relays from: a
# host, mDNS, link-local or IPv4-mapped address, a decimal spelling, another relay.
RELAY_FROM = {
    "relay from a host address": "candidate:1 1 udp 1 192.168.1.20 5000 typ relay",
    "relay from an mDNS name": "candidate:1 1 udp 1 3f1a2b3c-0d4e.local 5000 typ relay",
    "relay from a link-local address": "candidate:1 1 udp 1 fe80::1 5000 typ relay",
    "relay from an IPv4-mapped address": "candidate:1 1 udp 1 ::ffff:192.168.1.20 5000 typ relay",
    "relay from the relay's IPv4-mapped address":
        "candidate:1 1 udp 1 ::ffff:198.51.100.9 5000 typ relay",
    "relay from a decimal address": "candidate:1 1 udp 1 2130706433 5000 typ relay",
    "relay from another server": "candidate:1 1 udp 1 198.51.100.10 5000 typ relay",
    "relay, host address as its own raddr":
        "candidate:1 1 udp 1 192.168.1.20 5000 typ relay raddr 192.168.1.20 rport 5000",
}

HOST_TAIL = HOST[len("candidate:"):]
# Lines that name an address, each as some browser reads it (issue 23 items 1 and 2).
SDP_ATTACKS = {
    "a=candidate:": f"a=candidate:{HOST_TAIL}",
    "a=CANDIDATE:": f"a=CANDIDATE:{HOST_TAIL}",
    "a=Candidate:": f"a=Candidate:{HOST_TAIL}",
    "a=candidate <v>": f"a=candidate {HOST_TAIL}",
    "a=candidate<TAB><v>": f"a=candidate\t{HOST_TAIL}",
    "a=candidatex:": f"a=candidatex:{HOST_TAIL}",
    "leading space": f" a=candidate:{HOST_TAIL}",
    "A=candidate:": f"A=candidate:{HOST_TAIL}",
    "a=remote-candidates": "a=remote-candidates:1 192.168.1.20 54321",
    "c= host": "c=IN IP4 192.168.1.20",
    "c= IPv6 host": "c=IN IP6 2001:db8::20",
    "a=rtcp: host": "a=rtcp:54321 IN IP4 192.168.1.20",
    "a=RTCP: host": "a=RTCP:54321 IN IP4 192.168.1.20",
    "o= host": "o=- 1 2 IN IP4 192.168.1.20",
    "lone CR": f"a=mid:0\ra=candidate:{HOST_TAIL}",
    "vertical tab": f"a=mid:0\x0ba=candidate:{HOST_TAIL}",
    "U+2028": f"a=mid:0\u2028a=candidate:{HOST_TAIL}",
    "end-of-candidates with text": "a=end-of-candidates 192.168.1.20",
    **{name: f"a={text}" for name, text in RELAY_FROM.items()},
}


def attacked(base, line):
    """`base` (an SDP) with `line` put in after its first m= line's c= line."""
    lines = base.split("\r\n")
    at = next(i for i, text in enumerate(lines) if text.startswith("c=")) + 1
    return "\r\n".join(lines[:at] + [line] + lines[at:])


# Trickled candidates a relay-only side must not send (issue 23 item 2).
TRICKLE_ATTACKS = {
    **{name: {"candidate": text} for name, text in RELAY_FROM.items()},
    "host": {"candidate": HOST},
    "srflx": {"candidate": SRFLX},
    "relay with a host raddr": {"candidate": RELAY.replace("raddr 0.0.0.0 rport 0",
                                                           "raddr 192.168.1.20 rport 54321")},
    "relay with a srflx raddr": {"candidate": RELAY.replace("raddr 0.0.0.0", "raddr 203.0.113.7")},
    "typ relay typ host": {"candidate": HOST.replace("typ host", "typ relay typ host")},
    "typ relay TYP host": {"candidate": HOST.replace("typ host", "typ relay TYP host")},
    "NBSP": {"candidate": RELAY.replace(" ", "\u00a0", 5)},
    "TAB": {"candidate": RELAY.replace(" ", "\t", 5)},
    "VT": {"candidate": RELAY.replace(" ", "\x0b", 5)},
    "U+3000": {"candidate": RELAY.replace(" ", "\u3000", 5)},
    "U+2028": {"candidate": RELAY.replace(" ", "\u2028", 5)},
    "two spaces": {"candidate": RELAY.replace(" ", "  ", 1)},
    "second line": {"candidate": f"{RELAY}\na={HOST}"},
    "second line CRLF": {"candidate": f"{RELAY}\r\n{HOST}"},
    "only whitespace": {"candidate": "\u3000"},
    "no candidate: prefix": {"candidate": "1 1 udp 1 192.168.1.20 9 typ relay"},
    "CANDIDATE: prefix": {"candidate": RELAY.replace("candidate:", "CANDIDATE:")},
    "end-of-candidates, address in usernameFragment":
        {"candidate": "", "sdpMid": "0", "usernameFragment": "a=candidate:1 1 udp 1 192.168.1.20 9 typ host"},
    "end-of-candidates, address in sdpMid":
        {"candidate": "", "sdpMid": "0\r\na=candidate:1 1 udp 1 192.168.1.20 9 typ host"},
    "relay, address in usernameFragment":
        {"candidate": RELAY, "usernameFragment": "Zx9q 192.168.1.20"},
}
