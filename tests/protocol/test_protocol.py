"""Protocol validation: every hostile shape gets a coded error, never an exception."""
import math

import pytest

from tlightchat.errors import Refusal
from tlightchat.protocol import (CLIENT_EVENTS, MAX_PAYLOAD_BYTES, fail, ok,
                                 validate)

GOOD_SDP = {"callId": "k1", "description": {"type": "offer", "sdp": "v=0\r\n"}}


@pytest.mark.parametrize("event, args, result", [
    ("anchor:create", ({},), {}),
    ("anchor:create", ({"name": "  Desk  "},), {"name": "Desk"}),
    ("anchor:set-online", ({"anchorId": "a-1_Z", "online": False},), {"anchorId": "a-1_Z", "online": False}),
    ("me:state", (), {}),
    ("me:state", (None,), {}),
    ("call:signal", (GOOD_SDP,), GOOD_SDP),
    ("call:signal", ({"callId": "k", "candidate": {"candidate": "", "sdpMid": "0", "sdpMLineIndex": 0}},),
     {"callId": "k", "candidate": {"candidate": "", "sdpMid": "0", "sdpMLineIndex": 0}}),
])
def test_valid_payloads_pass(event, args, result):
    assert validate(event, args) == result


@pytest.mark.parametrize("event, args, code, mentions", [
    ("nope", ({},), "unknown-event", "nope"),
    ("x" * 10_000, ({},), "unknown-event", "x"),
    (None, ({},), "unknown-event", "NoneType"),
    ("anchor:rename", (), "invalid-payload", "object"),
    ("anchor:rename", ("a string",), "invalid-payload", "object"),
    ("anchor:rename", ([1, 2],), "invalid-payload", "object"),
    ("anchor:rename", ({"anchorId": "a1"},), "invalid-payload", "name"),            # missing
    ("anchor:rename", ({"anchorId": "a1", "name": 7},), "invalid-payload", "name"),  # type
    ("anchor:rename", ({"anchorId": "a1", "name": ""},), "invalid-payload", "name"),
    ("anchor:rename", ({"anchorId": "a1", "name": "x" * 41},), "invalid-payload", "name"),
    ("anchor:rename", ({"anchorId": "a1", "name": "bad\x00name"},), "invalid-payload", "control"),
    ("anchor:rename", ({"anchorId": "a1", "name": "ok", "userId": "u"},), "invalid-payload", "userId"),
    ("anchor:rename", ({"anchorId": "../etc", "name": "ok"},), "invalid-payload", "anchorId"),
    ("anchor:rename", ({"anchorId": "a" * 65, "name": "ok"},), "invalid-payload", "anchorId"),
    ("anchor:set-online", ({"anchorId": "a1", "online": "true"},), "invalid-payload", "online"),
    ("anchor:set-online", ({"anchorId": "a1", "online": 1},), "invalid-payload", "online"),
    ("anchor:create", ({"name": "x" * (MAX_PAYLOAD_BYTES + 1)},), "payload-too-large", "limit"),
    ("anchor:create", ({"name": math.nan},), "invalid-payload", "JSON"),
    ("anchor:create", ({"name": {1, 2}},), "invalid-payload", "JSON"),
    ("anchor:create", ({"name": b"bytes"},), "invalid-payload", "JSON"),
    ("anchor:create", ({}, {}), "invalid-payload", "one payload"),
    ("me:state", ({"x": 1},), "invalid-payload", "no payload"),
    ("call:signal", ({"callId": "k"},), "invalid-payload", "exactly one"),
    ("call:signal", ({**GOOD_SDP, "candidate": {"candidate": ""}},), "invalid-payload", "exactly one"),
    ("call:signal", ({"callId": "k", "description": {"type": "rollback", "sdp": ""}},), "invalid-payload", "type"),
    ("call:signal", ({"callId": "k", "description": {"type": "offer", "sdp": "x" * 60_001}},), "invalid-payload", "sdp"),
    ("call:signal", ({"callId": "k", "description": {"type": "offer", "sdp": "x" * 70_000}},), "payload-too-large", "limit"),
    ("call:signal", ({"callId": "k", "candidate": {"candidate": "", "sdpMLineIndex": -1}},), "invalid-payload", "sdpMLineIndex"),
    ("call:invite", ({"fromAnchorId": "a", "toAnchorId": None},), "invalid-payload", "toAnchorId"),
    ("me:rename", ({"displayName": "\u202e\u202d"},), "invalid-payload", "control"),
])
def test_hostile_payloads_get_coded_errors(event, args, code, mentions):
    with pytest.raises(Refusal) as info:
        validate(event, args)
    assert info.value.code == code
    assert mentions.lower() in info.value.message.lower()
    assert len(info.value.message) < 200


def test_every_event_with_a_schema_refuses_unknown_fields():
    for event, schema in CLIENT_EVENTS.items():
        if schema is None:
            continue
        with pytest.raises(Refusal) as info:
            validate(event, ({"definitelyNotAField": 1},))
        assert info.value.code == "invalid-payload"


def test_ack_shapes():
    assert ok(a=1) == {"ok": True, "a": 1}
    assert fail("busy", "m") == {"ok": False, "error": {"code": "busy", "message": "m"}}
