"""Client events for files sent in a call (issue 29): validate → check → record → ack.

The bytes go peer to peer over the call's data channel (static/js/files/); the server
sees metadata only. `file:offer` asks before a transfer starts, so a file over
MAX_FILE_BYTES is refused with the reason before anything is sent (the receiver's page
checks the same limit on the offer it gets). `file:sent` records the finished transfer
in the pair's chat as "X sent you report.pdf (2.1 MB)" (a call event of kind
`file-sent`, once per transfer id). Both name the party of the call the file is for;
the sender must be a party of that call (docs/protocol.md, "Files").
"""
from .. import events as E
from ..errors import Refusal
from ..protocol import handles
from ..store.guards import checked_signal_target
from ..store.selectors import sender_anchor


def _peer_user(ctx, cid, p):
    """The user of the party `p` is for, after checking that the sender is in that call."""
    state = ctx.store.get_state()
    call = state["calls"].get(p["callId"])
    if call is None:
        raise Refusal("not-found", "no such call (it may have ended already)")
    me = sender_anchor(state, call, cid)
    if me is None:
        raise Refusal("forbidden", "you are not a party to this call")
    peer = checked_signal_target(state, call, me, p)
    return state["clients"][call["clients"][peer]]["userId"]


def _check_size(ctx, size):
    limit = ctx.config.get("MAX_FILE_BYTES", 2 * 1024 ** 3)
    if size > limit:
        raise Refusal("payload-too-large", "the file is %(size)s bytes; the limit for files is "
                      "%(limit)s bytes", size=format(size, ","), limit=format(limit, ","))
    return limit


@handles("file:offer")
def file_offer(ctx, cid, p):
    _peer_user(ctx, cid, p)
    return {"maxBytes": _check_size(ctx, p["size"])}


@handles("file:sent")
def file_sent(ctx, cid, p):
    peer = _peer_user(ctx, cid, p)
    _check_size(ctx, p["size"])
    me = ctx.user_of(cid)
    if not ctx.chat_limits.take(me):
        raise Refusal("rate-limited", "too many chat messages; wait a moment")
    if ctx.chat is None or me == peer:
        return {"recorded": False}
    try:  # a block or the receiver's "who may start a chat with me" (safety/): not recorded
        ctx.safety.check_chat(me, peer)
    except Refusal:
        return {"recorded": False}
    message, duplicate = ctx.chat.record_call_event(
        me, peer, "file-sent", f"{p['callId']}.{p['fileId']}", callId=p["callId"],
        fileId=p["fileId"], name=p["name"], size=p["size"])
    if not duplicate:
        for user_id in (me, peer):
            ctx.send_to_user(user_id, E.CHAT_MESSAGE, {"message": message})
    return {"recorded": True, "message": message}
