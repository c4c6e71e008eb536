"""An independent reference for tests/abuse/test_fuzz.py's SDP and candidate tests (issue 23
items 1 and 2), and the hypothesis strategies that feed both it and the server.

The reference is written from RFC 8839 (candidate grammar), RFC 4566 (line form) and what
browsers do (an attribute's name runs up to the first ':', space or tab, any case),
character by character, sharing nothing with tlightchat/sdp.py. The strategies build
strings from the spellings of issue 23, so most examples sit on the edge."""
import ipaddress
import string

from hypothesis import strategies as st

from tests.support.sdp_samples import CHROMIUM_OFFER, FIREFOX_OFFER, RELAY, RELAY_ADDRESS, answer_with

NULLS = ("0.0.0.0", "::")
OUR_RELAYS = (RELAY_ADDRESS,)  # the relay addresses both checks are given
ICE_CHARS = set(string.ascii_letters + string.digits + "+/")
TOKEN_CHARS = set(string.ascii_letters + string.digits + "!%*_+`'~.-")
VCHARS = {chr(c) for c in range(0x21, 0x7f)}


def ref_ip(text):
    """An IPv4 dotted quad or IPv6 literal, no zone: its ipaddress object, else None."""
    if "%" in text or not text.isascii():
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def ref_host_name(text):
    """RFC 1123 labels (letters, digits, inner hyphens, 1-63), the last not all digits."""
    labels = (text[:-1] if text.endswith(".") else text).split(".")
    return all(0 < len(label) <= 63 and label[0] != "-" and label[-1] != "-"
               and all(c.isascii() and (c.isalnum() or c == "-") for c in label)
               for label in labels) and not all(c in string.digits for c in labels[-1])


def ref_address(text):
    return 0 < len(text) <= 255 and (ref_ip(text) is not None or ref_host_name(text))


def ref_number(text, digits, limit):
    return 0 < len(text) <= digits and all(c in string.digits for c in text) and int(text) <= limit


def ref_candidate(text):
    """(type, raddr) of an RFC 8839 candidate attribute value, or None."""
    if not text.startswith("candidate:") or any(not (" " <= c <= "~") for c in text):
        return None
    f = text[10:].split(" ")
    if len(f) < 8 or "" in f or f[6] != "typ":
        return None
    if not (len(f[0]) <= 32 and set(f[0]) <= ICE_CHARS and ref_number(f[1], 3, 999)
            and set(f[2]) <= TOKEN_CHARS and ref_number(f[3], 10, 2**32 - 1)
            and ref_address(f[4]) and ref_number(f[5], 5, 65535) and set(f[7]) <= TOKEN_CHARS):
        return None
    rest, raddr = f[8:], None
    if rest and rest[0] == "raddr":
        if len(rest) < 2 or not ref_address(rest[1]):
            return None
        raddr, rest = rest[1], rest[2:]
    if rest and rest[0] == "rport":
        if len(rest) < 2 or not ref_number(rest[1], 5, 65535):
            return None
        rest = rest[2:]
    if len(rest) % 2:
        return None
    for name, value in zip(rest[::2], rest[1::2]):
        if not set(name) <= TOKEN_CHARS or not set(value) <= VCHARS \
                or name.lower() in ("typ", "raddr", "rport"):
            return None
    return f[7], raddr


def ref_relay(text):
    """A relay candidate from one of OUR_RELAYS, naming no other address in raddr."""
    parsed = ref_candidate(text)
    if parsed is None or parsed[0] != "relay":
        return False
    own = text.split(" ")[4]
    return ref_ip(own) in [ipaddress.ip_address(a) for a in OUR_RELAYS] \
        and parsed[1] in (None, *NULLS, own)


def ref_sdp(sdp, relay):
    """True when the SDP names no address (relay=False) or none but its relay candidates'."""
    body = sdp[:-1] if sdp.endswith("\n") else sdp
    relays, named = set(), []
    for line in body.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if len(line) < 2 or not ("a" <= line[0] <= "z") or line[1] != "=" \
                or any(not (" " <= c <= "~") for c in line):
            return False
        kind, value = line[0], line[2:]
        if kind == "a":
            cut = min([value.index(c) for c in ": \t" if c in value] or [len(value)])
            name = value[:cut].lower()
            if "candidate" in name and value != "end-of-candidates":
                if not (relay and ref_relay(value)):
                    return False
                relays.add(value.split(" ")[4])
            elif name == "rtcp":
                if value[4:5] != ":":
                    return False
                words = value[5:].split(" ")
                if not ref_number(words[0], 5, 99999) or len(words) not in (1, 4):
                    return False
                if len(words) == 4:
                    if words[1] != "IN" or words[2] not in ("IP4", "IP6") or not words[3]:
                        return False
                    named.append(words[3])
        elif kind == "c":
            words = value.split(" ")
            if len(words) != 3 or words[0] != "IN" or words[1] not in ("IP4", "IP6"):
                return False
            address, *ttl = words[2].split("/")
            if not address or len(ttl) > 2 or not all(t and set(t) <= set(string.digits) for t in ttl):
                return False
            named.append(address)
        elif kind == "o":
            words = value.split(" ")
            if len(words) != 6 or words[5] not in (*NULLS, "127.0.0.1", "::1"):
                return False
    return all(a in NULLS or a in relays for a in named)


def mostly(good, *bad):
    """`good` nine times in ten, else one of `bad`."""
    return st.sampled_from([good] * 9 * len(bad) + list(bad))


# Each part of a candidate: what a browser writes, and spellings that must be refused.
CANDIDATE_PARTS = (
    ("candidate:", ["CANDIDATE:", "a=candidate:", "", "candidate: ", "Candidate:"]),
    ("1467250027", ["f" * 33, "a_b", "", "1\u00a0"]),
    ("1", ["1000", "x", "01234"]),
    ("udp", ["u\u00a0dp", "u:dp", ""]),
    ("41885439", ["99999999999", "-1", "4294967296"]),
    ("198.51.100.9", ["a b", "", "fe80::1%eth0", "198.51.100.9\u00a0", "a..b", "192.168.1.20",
                      "x1.local", "fe80::1", "::ffff:198.51.100.9", "2130706433", "1.2.3", ":",
                      ":::", "198.51.100.09", "-x.local", "198.51.100.10"]),
    ("55124", ["65536", "9x", "123456"]),
    ("typ relay", ["typ host", "typ srflx", "typ", "TYP relay", "typ relay typ host",
                   "typ relay TYP host", "typ  relay", "type relay", "typ relay\nhost"]),
    ("raddr 0.0.0.0 rport 0", ["raddr 192.168.1.20 rport 54321", "raddr 203.0.113.7 rport 0",
                               "rport 0 raddr 192.168.1.20", "raddr", "raddr 0.0.0.0 rport",
                               "raddr 0.0.0.0 rport 0 raddr 10.0.0.1 rport 1", "raddr :: rport 0",
                               "rport 0", "raddr 0.0.0.0", "raddr 127.0.0.1 rport 0",
                               "raddr 198.51.100.9 rport 55124", "raddr 198.51.100.90 rport 1"]),
    ("generation 0 network-id 1", ["generation", "generation 0 typ host", "RADDR 10.0.0.1",
                                   "x \u00e9", "ufrag Zx9q rport 1", "generation 0 "]),
)
SEPARATORS = ["  ", "\t", "\u00a0", "\x0b", "\u3000", "\u2028", "\n", "\r\n", "\x0c", ""]


@st.composite
def candidates(draw):
    """A browser's relay candidate with at most one part spelled otherwise, or its
    separators (one ASCII space) replaced by others."""
    defect = draw(st.integers(-6, len(CANDIDATE_PARTS)))  # < 0: none; == len: separators
    parts = [draw(st.sampled_from(bad)) if i == defect else good
             for i, (good, bad) in enumerate(CANDIDATE_PARTS)]
    if draw(st.booleans()):
        parts[-1:] = draw(st.sampled_from([[], ["tcptype active"], ["network-cost 10"]]))
    if draw(st.booleans()):
        parts[-2:-1] = draw(st.sampled_from([[], ["raddr :: rport 0"], ["rport 0"]]))
    head, rest = parts[0], " ".join(parts[1:]).split(" ")
    if defect != len(CANDIDATE_PARTS):
        return head + " ".join(rest)
    return head + "".join(w + draw(mostly(" ", *SEPARATORS)) for w in rest).rstrip(" ")


ADDRESS_LINES = mostly("0.0.0.0", "192.168.1.20", "::", "2001:db8::7", "198.51.100.9", "a b", "")


@st.composite
def sdp_lines(draw):
    if draw(st.booleans()):  # one a browser writes
        return draw(st.sampled_from(["a=mid:0", "a=rtcp:9 IN IP4 0.0.0.0", "c=IN IP4 0.0.0.0",
                                     "a=end-of-candidates", "c=IN IP6 ::", "a=rtcp-mux",
                                     "o=- 1 2 IN IP4 127.0.0.1", "c=IN IP4 198.51.100.9"]))
    prefix = draw(st.sampled_from(["a=", "a=", "a=", "A=", " a=", "c=", "o=", "x", "a= "]))
    if prefix == "c=":
        return "c=IN " + draw(mostly("IP4 ", "IP6 ", "IP4  ", "IP5 ")) + draw(ADDRESS_LINES)
    if prefix == "o=":
        return "o=- 1 2 IN IP4 " + draw(mostly("127.0.0.1", "192.168.1.20", "0.0.0.0", "::1", "1"))
    name = draw(st.sampled_from(["candidate", "candidate", "CANDIDATE", "Candidate", "cAnDiDaTe",
                                 "candidatex", "remote-candidates", "end-of-candidates", "rtcp",
                                 "RTCP", "rtcp-mux", "mid", "x-candidate"]))
    sep = draw(mostly(":", " ", "\t", "", "\u00a0"))
    value = draw(st.sampled_from(["", "9", "9 IN IP4 0.0.0.0", "9 IN IP4 192.168.1.20",
                                  "9 IN IP6 ::", "9 IN IP4", "x"])
                 | candidates().map(lambda c: c.split(":", 1)[-1]))
    return prefix + name + sep + value


@st.composite
def sdps(draw):
    base = draw(st.sampled_from([CHROMIUM_OFFER, FIREFOX_OFFER, answer_with(RELAY),
                                 answer_with(RELAY, connection="198.51.100.9")])).split("\r\n")[:-1]
    for line in draw(st.lists(sdp_lines(), max_size=2)):
        base.insert(draw(st.integers(1, len(base))), line)
    eol = draw(st.sampled_from(["\r\n", "\n"]))
    if draw(st.integers(0, 3)):
        return "".join(line + eol for line in base)
    return "".join(line + draw(mostly(eol, "\r", "\x0b", "\u2028", "\n\n", "\u0085"))
                   for line in base)
