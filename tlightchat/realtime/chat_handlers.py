"""Client events for chat: validated payload in → chat service → deliver → ack.

Same shape as handlers.py: (ctx, clientId, payload) → ack fields, refusals raised as
Refusal. The user is the one bound to the socket at connect time. Deliveries happen
only after the service returned, i.e. after the commit.
"""
from .. import events as E
from ..errors import Refusal
from ..protocol import handles
from ..safety import handlers as _safety_events  # noqa: F401  (the safety:* handlers register)


def _throttle(ctx, user_id):
    if not ctx.chat_limits.take(user_id):
        raise Refusal("rate-limited", "too many chat messages; wait a moment")


@handles("chat:send")
def send(ctx, cid, p):
    me = ctx.user_of(cid)
    _throttle(ctx, me)
    ctx.safety.check_chat(me, p["to"])  # blocks, who may write to me (safety/__init__.py)
    try:  # stored with whatever else is waiting, in one transaction (chat/groupcommit.py)
        message, duplicate = ctx.chat_writer.submit(me, p["to"], p["clientMsgId"], p["text"])
    except TimeoutError:
        raise Refusal("internal", "storing the message took too long; sending it "
                      "again is safe") from None
    # Committed. A duplicate is delivered again too: the first delivery may have been
    # cut short by a crash, and browsers drop a message id they already have.
    ctx.send_to_user(p["to"], E.CHAT_MESSAGE, {"message": message})
    ctx.send_to_user(me, E.CHAT_MESSAGE, {"message": message}, skip_client=cid)
    return {"message": message, "duplicate": duplicate}


@handles("chat:history")
def history(ctx, cid, p):
    me = ctx.user_of(cid)
    return ctx.safety.filter_history(me, p["with"], ctx.chat.history(
        me, p["with"], before=p.get("before"), after=p.get("after"), limit=p.get("limit", 50)))


@handles("chat:conversations")
def conversations(ctx, cid, p):
    return ctx.chat.conversations(ctx.user_of(cid))


def _mark(ctx, cid, p, read):
    me, peer = ctx.user_of(cid), p["with"]
    state, changed = ctx.chat.mark(me, peer, p["upTo"], read)
    if changed:
        ctx.send_to_user(peer, E.CHAT_RECEIPT, {
            "with": me, "deliveredUpTo": state["deliveredUpTo"], "readUpTo": state["readUpTo"]})
        ctx.send_to_user(me, E.CHAT_UNREAD, state, skip_client=cid)
    return state


@handles("chat:delivered")
def delivered(ctx, cid, p):
    return _mark(ctx, cid, p, read=False)


@handles("chat:read")
def read(ctx, cid, p):
    return _mark(ctx, cid, p, read=True)
