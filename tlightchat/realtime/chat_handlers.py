"""Client events for chat: validated payload in → chat service → deliver → ack.

Same shape as handlers.py: (ctx, clientId, payload) → ack fields, refusals raised as
Refusal. The user is the one bound to the socket at connect time. Deliveries happen
only after the service returned, i.e. after the commit. A group conversation
(`conversationId`, issue 26) is delivered to every member's tabs of protocol 4 or later
(Context.deliver_here: an older page would file it as a pair's).
"""
from .. import events as E
from ..chat.grouplog import GROUP_SIZE
from ..chat.groups import PREFIX, conversation_id
from ..errors import Refusal
from ..protocol import GROUP_SINCE, handles
from ..safety import handlers as _safety_events  # noqa: F401  (the safety:* handlers register)


def _throttle(ctx, user_id):
    if not ctx.chat_limits.take(user_id):
        raise Refusal("rate-limited", "too many chat messages; wait a moment")


@handles("chat:send")
def send(ctx, cid, p):
    me, key = ctx.user_of(cid), p.get("conversationId")
    _throttle(ctx, me)
    if p.get("to"):  # a pair: blocks, who may write to me (safety/__init__.py)
        ctx.safety.check_chat(me, p["to"])
    try:
        message, duplicate = _submit(ctx, me, p, key)
    except Refusal as err:
        # a party of a group call who writes before the call log made the conversation
        if err.code != "forbidden" or key is None or not _joined_now(ctx, me, key):
            raise
        message, duplicate = _submit(ctx, me, p, key)
    # Committed. A duplicate is delivered again too: the first delivery may have been
    # cut short by a crash, and browsers drop a message id they already have.
    for user_id in ctx.chat.groups.members(key) if key else [p["to"]]:
        if user_id != me:
            ctx.send_to_user(user_id, E.CHAT_MESSAGE, {"message": message})
    ctx.send_to_user(me, E.CHAT_MESSAGE, {"message": message}, skip_client=cid)
    return {"message": message, "duplicate": duplicate}


def _submit(ctx, me, p, key):
    try:  # stored with whatever else is waiting, in one transaction (chat/groupcommit.py)
        if key is None:
            return ctx.chat_writer.submit(me, p["to"], p["clientMsgId"], p["text"])
        return ctx.chat_writer.submit(me, None, p["clientMsgId"], p["text"], key)
    except TimeoutError:
        raise Refusal("internal", "storing the message took too long; sending it "
                      "again is safe") from None


def _joined_now(ctx, me, key):
    """Whether `me` is a party of the live group call whose conversation `key` is:
    then the conversation is made now with the call's parties (idempotent; the call
    log records the same a moment later)."""
    state = ctx.store.get_state()
    by_id = state["calls"].get(key[len(PREFIX):]) if key.startswith(PREFIX) else None
    # a key hashed from a long (claimed) call id names no call directly: look for it
    for call in [by_id] if by_id is not None else state["calls"].values():
        if len(call["parties"]) < GROUP_SIZE or conversation_id(call["id"]) != key:
            continue
        users = [state["clients"][c]["userId"] for c in call["clients"].values()
                 if c in state["clients"]]
        if me in users:
            ctx.chat.groups.ensure(call["id"], users)
            return True
    return False


@handles("chat:history")
def history(ctx, cid, p):
    me = ctx.user_of(cid)
    found = ctx.chat.history(me, p.get("with"), before=p.get("before"), after=p.get("after"),
                             limit=p.get("limit", 50), conversation=p.get("conversationId"))
    return ctx.safety.filter_history(me, p["with"], found) if p.get("with") else found


@handles("chat:conversations")
def conversations(ctx, cid, p):
    listed = ctx.chat.conversations(ctx.user_of(cid))
    client = ctx.store.get_state()["clients"].get(cid) or {}
    if client.get("protocol", 1) < GROUP_SINCE:  # a page from before group calls: pairs only
        kept = [c for c in listed["conversations"] if "with" in c]
        listed = {"conversations": kept, "unreadTotal": sum(c["unread"] for c in kept)}
    return listed


def _mark(ctx, cid, p, read):
    me, key = ctx.user_of(cid), p.get("conversationId")
    if key is not None:  # a group: each other member hears the lowest marks of the rest
        state, receipts = ctx.chat.groups.mark(me, key, p["upTo"], read)
        for user_id, marks in receipts.items():
            ctx.send_to_user(user_id, E.CHAT_RECEIPT, {
                "conversationId": key, "deliveredUpTo": marks["deliveredUpTo"],
                "readUpTo": marks["readUpTo"]})
        if receipts:
            ctx.send_to_user(me, E.CHAT_UNREAD, state, skip_client=cid)
        return state
    peer = p["with"]
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
