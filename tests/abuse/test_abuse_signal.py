"""A forged sender is never believed (issue 18, item 1).

`call:signal` is the one message the server relays from one browser to another, so it
is the one where a client could try to speak for someone else. The server stamps the
sender (docs/protocol.md, "Identity is never sent by the client"): any sender-ish field
in the payload is refused, and what the peer receives names the anchor the *server*
knows sent it. Black-box: real Socket.IO test clients sharing browser cookies (Tab).
"""
import pytest

OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
ANSWER = {"type": "answer", "sdp": "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n"}
CANDIDATE = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}

# Every spelling of "who sent this" a client might try: the relay's own field, the
# other `from…` names used elsewhere in the protocol (call:ring's `from`, chat's
# `from`/`fromName`), and bare identity fields.
SENDER_FIELDS = ["fromAnchorId", "fromClientId", "fromUserId", "from", "fromAnchor",
                 "fromClient", "fromUser", "fromName", "fromDisplayName", "fromAnchorName",
                 "anchorId", "userId", "clientId", "sid", "sender", "by"]


def start_call(caller, callee, caller_anchor=None, callee_anchor=None):
    ack = caller.ask("call:invite", {"fromAnchorId": caller_anchor or caller.anchor,
                                     "toAnchorId": callee_anchor or callee.anchor})
    assert ack["ok"], ack
    accepted = callee.ask("call:accept", {"invitationId": ack["invitationId"]})
    assert accepted["ok"], accepted
    caller.clear(), callee.clear()
    return accepted["callId"]


@pytest.fixture
def trio(pair, tab):
    """Ann and Bob in a call; Cat online elsewhere (someone Ann might pretend to be)."""
    ann, bob = pair
    cat = tab()
    cat.anchor = cat.new_anchor("Cat slot")
    call_id = start_call(ann, bob)
    cat.clear()
    return ann, bob, cat, call_id


def forged_value(field, cat):
    """What a forger would put in `field`: Cat's id of the matching kind."""
    if "Client" in field or field in ("clientId", "sid"):
        return cat.client_id
    if "User" in field or field in ("from", "userId", "sender", "by"):
        return cat.user_id
    if "Name" in field:
        return "Cat"
    return cat.anchor


@pytest.mark.parametrize("body", [{"description": OFFER}, {"candidate": CANDIDATE}],
                         ids=["description", "candidate"])
def test_a_sender_field_in_call_signal_is_refused(trio, body):
    ann, bob, cat, call_id = trio
    believed = {}
    for field in SENDER_FIELDS:
        ack = ann.ask("call:signal", {"callId": call_id, field: forged_value(field, cat), **body})
        if ack.get("ok") is not False or ack["error"]["code"] != "invalid-payload" \
                or field not in ack["error"]["message"]:
            believed[field] = ack
    assert believed == {}, f"call:signal accepted or mis-refused these sender fields: {believed}"
    # refused means not relayed, to anyone
    assert bob.events("call:signal") == [] and cat.events("call:signal") == []
    # and the call is unharmed: the real signal still goes through, stamped by the server
    assert ann.ask("call:signal", {"callId": call_id, **body})["ok"]
    assert bob.events("call:signal") == [{"callId": call_id, "fromAnchorId": ann.anchor, **body}]


def test_the_relayed_signal_always_names_the_real_sender(pair, tab):
    """Ann holds two calls on two slots (with Bob and with Cat); every relayed signal,
    in both directions and of both kinds, names exactly the sending slot."""
    ann, bob = pair
    cat = tab()
    cat.anchor = cat.new_anchor("Cat slot")
    ann_second = ann.new_anchor("Ann second")
    ann.clear(), cat.clear()
    with_bob = start_call(ann, bob)
    with_cat = start_call(ann, cat, caller_anchor=ann_second)
    for call_id, peer, mine in ((with_bob, bob, ann.anchor), (with_cat, cat, ann_second)):
        assert ann.ask("call:signal", {"callId": call_id, "description": OFFER})["ok"]
        assert ann.ask("call:signal", {"callId": call_id, "candidate": CANDIDATE})["ok"]
        assert peer.events("call:signal") == [
            {"callId": call_id, "fromAnchorId": mine, "description": OFFER},
            {"callId": call_id, "fromAnchorId": mine, "candidate": CANDIDATE}]
        assert peer.ask("call:signal", {"callId": call_id, "description": ANSWER})["ok"]
        assert peer.ask("call:signal", {"callId": call_id, "candidate": CANDIDATE})["ok"]
        assert ann.events("call:signal") == [
            {"callId": call_id, "fromAnchorId": peer.anchor, "description": ANSWER},
            {"callId": call_id, "fromAnchorId": peer.anchor, "candidate": CANDIDATE}]
    # nobody got a signal of a call they are not in
    assert bob.events("call:signal") == [] and cat.events("call:signal") == []
