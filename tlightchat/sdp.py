"""SDP and ICE candidates, read the way browsers read them: the one parser behind every
address-privacy check (docs/protocol.md, "Address privacy" and "Prepared while it
rings"), used by the ring's offer (protocol.py), the guard of call:signal
(store/guards.py) and the answer of call:accept (realtime/handlers.py).

Browsers are lenient: Firefox takes `a=CANDIDATE:…`, `a=Candidate:…`, `a=candidate <v>`
and `a=candidate<TAB><v>` as candidates (an attribute's name runs up to the first `:`,
space or tab and is compared case-insensitively), and both engines split a candidate's
fields on any whitespace. So the checks here are strict where browsers are lenient, and
refuse what they might read otherwise:

- an SDP is lines of printable ASCII (0x20-0x7E), `<lowercase letter>=<value>`, ended by
  CRLF or LF: no other control character (TAB, a lone CR, VT...), no non-ASCII text, no
  leading space, no `A=`;
- a candidate-like attribute is any `a=` attribute whose name contains "candidate"
  (compared case-insensitively; `a=end-of-candidates` alone, exactly, carries nothing);
- a candidate follows RFC 8839's grammar exactly: `candidate:` then the fields separated
  by one ASCII space each, `typ` once, optional `raddr`/`rport`, then extension pairs.

Each check raises SdpError (a ValueError) with a message; the caller words the refusal.
"""
import ipaddress
import re
from typing import NamedTuple

NULL_ADDRESSES = frozenset({"0.0.0.0", "::"})
# o= may also name the loopback: Chromium writes 127.0.0.1 there (it reveals nothing).
ORIGIN_ADDRESSES = NULL_ADDRESSES | {"127.0.0.1", "::1"}


class SdpError(ValueError):
    pass


class Candidate(NamedTuple):
    foundation: str
    component: int
    transport: str
    priority: int
    address: str
    port: int
    type: str
    raddr: str | None
    rport: int | None
    extensions: tuple  # ((name, value), ...)


_ICE_CHARS = re.compile(r"[A-Za-z0-9+/]+")             # RFC 8839 ice-char
_TOKEN = re.compile(r"[A-Za-z0-9!%*_+`'~.-]+")           # RFC 3261 token
_VCHARS = re.compile(r"[\x21-\x7e]+")
_DIGITS = re.compile(r"[0-9]+")
_IP_CHARS = re.compile(r"[0-9A-Fa-f:.]+")               # no zone ("%eth0"), no space
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_RESERVED_NAMES = frozenset({"typ", "raddr", "rport"})


def _number(text, digits, limit, what):
    if not (_DIGITS.fullmatch(text) and len(text) <= digits and int(text) <= limit):
        raise SdpError(f"candidate {what} {text!r} is not a number up to {limit}")
    return int(text)


def ip_literal(text):
    """The ipaddress object of an IPv4 (dotted quad) or IPv6 literal, else None."""
    if not _IP_CHARS.fullmatch(text):
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def host_name(text):
    """True for a host name (mDNS `.local` names included): dotted labels of letters,
    digits and inner hyphens, the last one not all digits, so that no IPv4-like
    spelling ("1.2.3", "2130706433") passes as a name."""
    labels = (text[:-1] if text.endswith(".") else text).split(".")
    return all(_LABEL.fullmatch(label) for label in labels) and not labels[-1].isdigit()


def _address(text, what):
    """An IP literal or a host name (a browser's mDNS name), as written."""
    if len(text) > 255 or not (ip_literal(text) or host_name(text)):
        raise SdpError(f"candidate {what} {text!r} is not an IP literal or host name")
    return text


def parse_candidate(text):
    """An ICE candidate, `candidate:<foundation> <component> <transport> <priority>
    <address> <port> typ <type> [raddr <address>] [rport <port>] *(<name> <value>)`
    (RFC 8839, section 5.1), with one ASCII space between fields: a Candidate, or
    SdpError."""
    if not text.startswith("candidate:"):
        raise SdpError("a candidate starts with 'candidate:'")
    if not _PRINTABLE.fullmatch(text):
        raise SdpError("a candidate is one line of printable ASCII")
    fields = text[len("candidate:"):].split(" ")
    if "" in fields:
        raise SdpError("candidate fields are separated by one space each")
    if len(fields) < 8:
        raise SdpError("a candidate has foundation, component, transport, priority, "
                       "address, port and typ")
    foundation, component, transport, priority, address, port, typ, kind, *rest = fields
    if len(foundation) > 32 or not _ICE_CHARS.fullmatch(foundation):
        raise SdpError(f"candidate foundation {foundation!r} is not 1-32 ice-chars")
    if not _TOKEN.fullmatch(transport) or not _TOKEN.fullmatch(kind):
        raise SdpError("candidate transport and type are tokens")
    if typ != "typ":
        raise SdpError("a candidate's seventh field is 'typ'")
    raddr = rport = None
    if rest[:1] == ["raddr"]:
        raddr, rest = _address(rest[1] if len(rest) > 1 else "", "raddr"), rest[2:]
    if rest[:1] == ["rport"]:
        rport, rest = _number(rest[1] if len(rest) > 1 else "", 5, 65535, "rport"), rest[2:]
    if len(rest) % 2:
        raise SdpError("candidate extensions come in name value pairs")
    extensions = tuple(zip(rest[::2], rest[1::2]))
    for name, value in extensions:
        if not _TOKEN.fullmatch(name) or not _VCHARS.fullmatch(value):
            raise SdpError(f"candidate extension {name!r} is not a token and a value")
        if name.lower() in _RESERVED_NAMES:
            raise SdpError(f"a candidate names {name!r} once, in its place")
    return Candidate(foundation, _number(component, 3, 999, "component"), transport,
                     _number(priority, 10, 2**32 - 1, "priority"),
                     _address(address, "address"), _number(port, 5, 65535, "port"),
                     kind, raddr, rport, extensions)


class _AnyAddress:
    """Stands for "any IP literal" where relay addresses are asked for: the grammar and
    candidate type are checked, not which TURN server relays (store/guards.py applies
    it on every node of a cluster, which may each resolve the TURN hosts differently)."""

    def __contains__(self, ip):
        return True


ANY_ADDRESS = _AnyAddress()


def relay_candidate(text, relay_addresses):
    """The Candidate if `text` is a relay candidate of our TURN servers that names no
    other address, else SdpError. Its address is an IP literal among `relay_addresses`
    (ipaddress objects: the addresses our TURN servers relay from; a candidate that only
    says `typ relay` may name any address, a host one included), or any IP literal with
    ANY_ADDRESS. Its raddr is absent,
    the null address (Chromium under the relay policy writes `raddr 0.0.0.0 rport 0`)
    or its own address (Firefox's relay-only mode writes the relayed address there);
    any other raddr is the host or reflexive address the side hides."""
    candidate = parse_candidate(text)
    if candidate.type != "relay":
        raise SdpError(f"only relay candidates, not {candidate.type!r}")
    ip = ip_literal(candidate.address)
    if ip is None or ip not in relay_addresses:
        raise SdpError(f"a relay candidate's address {candidate.address!r} is not one "
                       "our TURN servers relay from")
    if candidate.raddr not in (None, *NULL_ADDRESSES, candidate.address):
        raise SdpError("a relay candidate's raddr is absent, the null address or its own")
    return candidate


def check_relay_signal(candidate, relay_addresses):
    """A trickled candidate ({candidate, sdpMid?, sdpMLineIndex?, usernameFragment?})
    from a relay-only side: a relay candidate of `relay_addresses` (relay_candidate),
    or the empty string (end of candidates);
    sdpMid a token and usernameFragment 4-256 ice-chars, so neither carries text."""
    text = candidate["candidate"]
    if text != "":
        relay_candidate(text, relay_addresses)
    mid, ufrag = candidate.get("sdpMid"), candidate.get("usernameFragment")
    if mid is not None and not _TOKEN.fullmatch(mid):
        raise SdpError("sdpMid is a token")
    if ufrag is not None and not (4 <= len(ufrag) <= 256 and _ICE_CHARS.fullmatch(ufrag)):
        raise SdpError("usernameFragment is 4-256 ice-chars")


_LINE = re.compile(r"([a-z])=([\x20-\x7e]*)")
_NAME_END = re.compile(r"[: \t]")
_CONNECTION = re.compile(r"IN IP[46] ([^ /]+)(/[0-9]+){0,2}")
_RTCP = re.compile(r"[0-9]{1,5}(?: IN IP[46] ([^ ]+))?")


def lines(sdp):
    """(type, value) of each line; SdpError for a line a browser might read otherwise."""
    text = sdp[:-1] if sdp.endswith("\n") else sdp
    for line in text.split("\n"):
        line = line[:-1] if line.endswith("\r") else line
        match = _LINE.fullmatch(line)
        if match is None:
            raise SdpError("SDP lines are '<letter>=<printable ASCII>', one per CRLF")
        yield match.group(1), match.group(2)


def attribute_name(value):
    """The name of an `a=` line's attribute, as browsers read it: up to the first `:`,
    space or tab, lowercased."""
    return _NAME_END.split(value, 1)[0].lower()


def check_sdp(sdp, relay=None):
    """Address privacy of an SDP. With relay=None (the ring's offer) it names no
    address: no candidate-like attribute, and c=, a=rtcp and o= name the null address
    (o= may name the loopback). With relay = the TURN servers' relay addresses (a
    relay-only side) its candidates are relay candidates of those (relay_candidate) and
    c= / a=rtcp name the null address or one of its candidates' addresses. SdpError
    otherwise."""
    relayed, named = set(), []
    for kind, value in lines(sdp):
        if kind == "a":
            name = attribute_name(value)
            if "candidate" in name and value != "end-of-candidates":
                if relay is None:
                    raise SdpError(f"no candidate-like attribute ({name!r}) in this SDP")
                relayed.add(relay_candidate(value, relay).address)
            elif name == "rtcp":
                match = _RTCP.fullmatch(value[5:]) if value[4:5] == ":" else None
                if match is None:
                    raise SdpError("a=rtcp is 'a=rtcp:<port> [IN IP4|IP6 <address>]'")
                named += [match.group(1)] if match.group(1) else []
        elif kind == "c":
            match = _CONNECTION.fullmatch(value)
            if match is None:
                raise SdpError("c= is 'c=IN IP4|IP6 <address>'")
            named.append(match.group(1))
        elif kind == "o":
            fields = value.split(" ")
            if len(fields) != 6 or fields[5] not in ORIGIN_ADDRESSES:
                raise SdpError("o= names the null address (or the loopback)")
    for address in named:
        if address not in NULL_ADDRESSES and address not in relayed:
            raise SdpError(f"c= and a=rtcp name the null address{' or a relay candidate' * (relay is not None)}")
