"""The relay's fast paths (tlightchat/realtime/fastpath.py, protocol.fast_signal_candidate)
give exactly what the library code they stand in for gives.

- unmasking: equal to eventlet's and gevent-websocket's own on random frames of many
  lengths, masks and offsets; and a real server under each mode relays a large signal
  intact (its client masks every frame);
- the packet JSON: the same values for a parser as the stdlib's, on random JSON and on
  every packet the server wrote during a call and a chat; the stdlib's refusals stay;
- call:signal: the fast accept returns what the schema returns, and never accepts what
  the schema refuses (edge and random payloads).
"""
import json
import os
import random
import subprocess
import sys
import warnings

import pytest
from hypothesis import given, settings, strategies as st

from tlightchat import protocol
from tlightchat.errors import Refusal
from tests.support.paths import ROOT
from tlightchat.realtime import fastpath

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")

LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 125, 126, 127, 1000, 4093, 65535, 65536, 65537, 200_003]


def library(owner, name):
    """The library's own function, whether or not install() has replaced it."""
    return fastpath.LIBRARY.get((owner, name), owner.__dict__[name])


def in_a_child(source):
    """Run `source` in a fresh interpreter. Importing eventlet changes the process that
    imports it (seen: a later in-process HTTP server thread, e2e/test_origin.py's, hung
    after this module had imported eventlet.websocket), so eventlet's code is compared
    in a child, never in the test process."""
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", source], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


EVENTLET_UNMASK = """
import random, sys
from eventlet.websocket import RFC6455WebSocket
from tlightchat.realtime import fastpath
original = fastpath.LIBRARY.get((RFC6455WebSocket, "_apply_mask"),
                                RFC6455WebSocket.__dict__["_apply_mask"]).__func__
for length in LENGTHS:
    rnd = random.Random(length)
    data = rnd.randbytes(length + 5)
    for _ in range(4):
        mask = tuple(rnd.randrange(256) for _ in range(4))
        offset = rnd.randrange(9)
        assert fastpath.eventlet_apply_mask(data, mask, length=length, offset=offset) == \
            original(data, mask, length=length, offset=offset), (length, mask, offset)
        part = data[:length]
        assert fastpath.eventlet_apply_mask(part, list(mask)) == original(part, list(mask))
assert fastpath.install_unmask("eventlet")
assert RFC6455WebSocket._apply_mask is fastpath.eventlet_apply_mask
print("checked", len(LENGTHS))
"""


def test_eventlet_unmask_equals_the_library_and_is_installed():
    out = in_a_child(f"LENGTHS = {LENGTHS!r}\n" + EVENTLET_UNMASK)
    assert out.strip() == f"checked {len(LENGTHS)}"


@pytest.mark.parametrize("length", LENGTHS)
def test_gevent_unmask_equals_the_library(length):
    from geventwebsocket.websocket import Header

    original = library(Header, "mask_payload")
    rnd = random.Random(length)
    header = Header(fin=True, opcode=1, length=length)
    header.mask = rnd.randbytes(4)
    payload = rnd.randbytes(length)
    got = fastpath.gevent_mask_payload(header, payload)
    assert isinstance(got, bytearray) and got == original(header, payload)
    # unmasking what was masked gives the frame back
    assert fastpath.gevent_mask_payload(header, bytes(got)) == payload


def test_install_replaces_each_modes_unmasking():
    from geventwebsocket.websocket import Header

    assert fastpath.install_unmask("gevent")  # eventlet's: in a child, above
    assert Header.unmask_payload is Header.mask_payload is fastpath.gevent_mask_payload
    assert not fastpath.install_unmask("threading")


@pytest.fixture(scope="module", params=["eventlet", "gevent"])
def server(request):
    from e2e.conftest import serve

    yield from serve(TLC_ASYNC_MODE=request.param)


def test_a_real_server_relays_large_signals_intact(server):
    """The browser masks every frame; a 35 KB offer arrives in many reads (each one
    unmasked from where the last stopped) and must reach the peer byte for byte."""
    from tests.support.wire_client import Client

    ann, bob = Client(server.url), Client(server.url)
    try:
        a, b = ann.anchor(), bob.anchor()
        invite, _ = ann.ask("call:invite", {"fromAnchorId": a, "toAnchorId": b})
        call_id = bob.ask("call:accept", {"invitationId": invite["invitationId"]})[0]["callId"]
        rnd = random.Random(7)
        sdp = "".join(rnd.choice("abcdefghij=\r\n é✓") for _ in range(25_000))
        for body in ({"description": {"type": "offer", "sdp": sdp}},
                     {"candidate": {"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host",
                                    "sdpMid": "0", "sdpMLineIndex": 0}}):
            ack, _ = ann.ask("call:signal", {"callId": call_id, **body})
            assert ack["ok"], ack
        from e2e.services import wait_for

        got = wait_for(lambda: [d for e, d in bob.got if e == "call:signal"][1:] and
                       [d for e, d in bob.got if e == "call:signal"], 10, "two signals")
        assert got[0]["description"]["sdp"] == sdp
        assert got[1]["candidate"]["sdpMLineIndex"] == 0
    finally:
        ann.close(), bob.close()


# -- the packet JSON --------------------------------------------------------------------

def same_for_a_parser(value):
    fast = fastpath.fast_json.dumps(value, separators=(",", ":"))
    assert isinstance(fast, str)
    assert json.loads(fast) == json.loads(json.dumps(value, separators=(",", ":")))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_json_same_values_as_the_stdlib(value):
    same_for_a_parser(value)


@pytest.mark.parametrize("value", [
    2 ** 64, -(2 ** 70), "\ud800 lone surrogate", {1: "int key", None: 2, True: 3},
    ["é✓😀", "\u2028", "\x00"], {"nested": [[[[{"a": 1.5e-7}]]]]}, [], {}, "",
])
def test_json_edge_values(value):
    same_for_a_parser(value)


def test_json_non_finite_floats_become_null():
    """The one documented difference: the stdlib writes NaN/Infinity, which no browser's
    JSON.parse reads; orjson writes null."""
    assert fastpath.fast_json.dumps([float("nan"), float("inf")], separators=(",", ":")) == \
        "[null,null]"


def test_json_keeps_the_stdlib_refusals_and_options():
    import datetime

    for value in (datetime.datetime(2026, 1, 1), {("tuple", "key"): 1}, object()):
        with pytest.raises(TypeError):
            fastpath.fast_json.dumps(value, separators=(",", ":"))
    assert fastpath.fast_json.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'


def test_json_of_every_packet_of_a_call_and_a_chat(pair, monkeypatch):
    """What the server wrote while two tabs called each other and chatted."""
    seen = []
    dumps = fastpath.fast_json.dumps
    monkeypatch.setattr(fastpath.fast_json, "dumps",
                        lambda obj, **kw: seen.append(obj) or dumps(obj, **kw))
    from socketio import packet

    assert packet.Packet.json is fastpath.fast_json  # create_app installed it
    ann, bob = pair
    invite = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})
    call_id = bob.ask("call:accept", {"invitationId": invite["invitationId"]})["callId"]
    assert ann.ask("call:signal", {"callId": call_id, "description": {
        "type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=é\r\n"}})["ok"]
    assert bob.ask("call:signal", {"callId": call_id, "candidate": {
        "candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0",
        "sdpMLineIndex": 0}})["ok"]
    bob_user = bob.ask("me:state")["user"]["id"]
    assert ann.ask("chat:send", {"to": bob_user, "clientMsgId": "m1",
                                 "text": "**hi** <b>é</b> 😀"})["ok"]
    ann.ask("anchor:rename", {"anchorId": ann.anchor, "name": "Ünïcode slot"})
    ann.ask("call:hangup", {"callId": call_id})
    ann.ask("call:signal", {"callId": "nope", "candidate": {"candidate": 5}})  # an error
    events = {p[0] for p in seen if isinstance(p, list) and p and isinstance(p[0], str)}
    assert {"call:ring", "call:started", "call:signal", "lobby:anchor"} <= events, events
    assert len(seen) > 20
    monkeypatch.undo()
    for obj in seen:
        same_for_a_parser(obj)


def test_binary_check_same_answer():
    from socketio import packet

    original = library(packet.Packet, "data_is_binary").__func__
    for data in (None, 1, "x", b"x", bytearray(b"x"), ["a", {"b": [1, b"2"]}],
                 ["a", {"b": [1, "2"]}], {"k": (b"in a tuple",)}, [[[[]]]], {"a": {"b": {}}}):
        assert fastpath.has_binary(data) == original(packet.Packet, data)


# -- call:signal -------------------------------------------------------------------------

def by_schema(raw):
    """What Signal alone answers: the payload, or None for a refusal."""
    try:
        model = protocol.CLIENT_EVENTS["call:signal"].model_validate(raw)
    except Exception:
        return None
    return model.model_dump(exclude_none=True, by_alias=True)


def agree(raw):
    fast = protocol.fast_signal_candidate(raw)
    if fast is not None:
        want = by_schema(raw)
        assert want is not None, f"fast path accepted what the schema refuses: {raw!r}"
        assert list(fast.items()) == list(want.items())
        assert list(fast["candidate"].items()) == list(want["candidate"].items())
    return fast


GOOD = {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host", "sdpMid": "0",
        "sdpMLineIndex": 0, "usernameFragment": "abcd"}


def test_fast_signal_takes_the_common_candidates():
    for cand in (GOOD, {"candidate": ""}, {"candidate": "", "sdpMid": None},
                 {**GOOD, "usernameFragment": None}, {"candidate": "x" * 1024,
                                                      "sdpMLineIndex": 255}):
        assert agree({"callId": "k-1.a_B", "candidate": cand}) is not None, cand


EDGES = [
    {"callId": "k"}, {"callId": "k", "candidate": GOOD, "description": None},
    {"callId": "k", "candidate": GOOD, "extra": 1}, {"candidate": GOOD},
    {"callId": "", "candidate": GOOD}, {"callId": "x" * 65, "candidate": GOOD},
    {"callId": "bad id", "candidate": GOOD}, {"callId": "k\n", "candidate": GOOD},
    {"callId": "ké", "candidate": GOOD}, {"callId": 5, "candidate": GOOD},
    {"callId": "k", "candidate": None}, {"callId": "k", "candidate": "c"},
    {"callId": "k", "candidate": {}}, {"callId": "k", "candidate": {"candidate": None}},
    {"callId": "k", "candidate": {"candidate": 1}},
    {"callId": "k", "candidate": {"candidate": "x" * 1025}},
    {"callId": "k", "candidate": {"candidate": "", "sdpMid": "x" * 65}},
    {"callId": "k", "candidate": {"candidate": "", "sdpMid": 0}},
    {"callId": "k", "candidate": {"candidate": "", "sdpMLineIndex": -1}},
    {"callId": "k", "candidate": {"candidate": "", "sdpMLineIndex": 256}},
    {"callId": "k", "candidate": {"candidate": "", "sdpMLineIndex": True}},
    {"callId": "k", "candidate": {"candidate": "", "sdpMLineIndex": 1.0}},
    {"callId": "k", "candidate": {"candidate": "", "sdpMLineIndex": "0"}},
    {"callId": "k", "candidate": {"candidate": "", "usernameFragment": "x" * 257}},
    {"callId": "k", "candidate": {"candidate": "", "fromAnchorId": "a"}},
    {"callId": "k", "candidate": {"candidate": "", "other": None}},
    {"callId": "k", "fromAnchorId": "a", "candidate": GOOD},
    {"callId": "k", "description": {"type": "offer", "sdp": ""}, "candidate": GOOD},
]


@pytest.mark.parametrize("raw", EDGES)
def test_fast_signal_never_accepts_a_refusal(raw):
    """Each of these the schema refuses (or, for a description, decides itself)."""
    assert agree(raw) is None


def test_every_refusal_still_refused_through_validate():
    for raw in EDGES:
        if by_schema(raw) is None:
            with pytest.raises(Refusal):
                protocol.validate("call:signal", (raw,))


ids = st.sampled_from(["k", "", "x" * 64, "x" * 65, "a b", "k\n", "ü"]) | st.text(max_size=70)
texts = (st.sampled_from(["", "x" * 1024, "x" * 1025, "x" * 64, "x" * 65, "x" * 256, "x" * 257])
         | st.text(max_size=40))
values = st.none() | st.booleans() | st.integers(-3, 300) | st.floats(allow_nan=False) | texts
candidates = st.dictionaries(
    st.sampled_from(["candidate", "sdpMid", "sdpMLineIndex", "usernameFragment", "x"]),
    values, max_size=5)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(st.sampled_from(["callId", "candidate", "description", "y"]),
                       ids | candidates | values, max_size=3))
def test_fast_signal_agrees_with_the_schema_on_random_payloads(raw):
    agree(raw)


@settings(max_examples=500, deadline=None)
@given(ids, candidates)
def test_fast_signal_agrees_on_random_candidates(call_id, cand):
    agree({"callId": call_id, "candidate": cand})


def test_the_fast_path_is_what_validate_uses(monkeypatch):
    """validate() answers a plain candidate without the model (so the speed is real)."""
    calls = []
    schema = protocol.CLIENT_EVENTS["call:signal"]
    monkeypatch.setattr(schema, "model_validate", classmethod(
        lambda cls, raw: calls.append(raw) or (_ for _ in ()).throw(AssertionError)))
    assert protocol.validate("call:signal", ({"callId": "k", "candidate": GOOD},)) == \
        {"callId": "k", "candidate": GOOD}
    assert calls == []

