"""Socket handlers for chat: validated payload in → chat service → emit → ack.

Same shape as the handlers in sockets.py: (hub, clientId, payload) → ack dict, errors
raised as ProtocolError. The user is the one bound to the socket at connect time.
Emits happen only after the service returned, i.e. after the commit.
"""

from flask import current_app

from .protocol import ProtocolError
from .ratelimit import TokenBucket


def _chat():
    return current_app.extensions["tlc_chat"]


def _throttle(user_id):
    cfg = current_app.config
    buckets = current_app.extensions.setdefault("tlc_chat_buckets", {})
    bucket = buckets.get(user_id)
    if bucket is None:
        bucket = buckets[user_id] = TokenBucket(cfg["CHAT_RATE_PER_SECOND"], cfg["CHAT_RATE_BURST"])
    if not bucket.take():
        raise ProtocolError("rate-limited", "too many chat messages; wait a moment")


def send(hub, cid, p):
    me = hub.user_of(cid)
    _throttle(me)
    try:  # stored with whatever else is waiting, in one transaction (groupcommit.py)
        message, duplicate = current_app.extensions["tlc_chat_writer"].submit(
            me, p["to"], p["clientMsgId"], p["text"])
    except TimeoutError:
        raise ProtocolError("internal", "storing the message took too long; sending it "
                            "again is safe") from None
    # Committed. A duplicate is delivered again too: the first delivery may have been
    # cut short by a crash, and browsers drop a message id they already have.
    hub.send_to_user(p["to"], "chat:message", {"message": message})
    hub.send_to_user(me, "chat:message", {"message": message}, skip_client=cid)
    return {"message": message, "duplicate": duplicate}


def history(hub, cid, p):
    return _chat().history(hub.user_of(cid), p["with"], before=p.get("before"),
                           after=p.get("after"), limit=p.get("limit", 50))


def conversations(hub, cid, p):
    return _chat().conversations(hub.user_of(cid))


def _mark(hub, cid, p, read):
    me, peer = hub.user_of(cid), p["with"]
    state, changed = _chat().mark(me, peer, p["upTo"], read)
    if changed:
        hub.send_to_user(peer, "chat:receipt", {
            "with": me, "deliveredUpTo": state["deliveredUpTo"], "readUpTo": state["readUpTo"]})
        hub.send_to_user(me, "chat:unread", state, skip_client=cid)
    return state


def delivered(hub, cid, p):
    return _mark(hub, cid, p, read=False)


def read(hub, cid, p):
    return _mark(hub, cid, p, read=True)
