"""The `safety:*` client events (docs/protocol.md, "Safety"): validate → act → ack.

Same shape as realtime/handlers.py: (ctx, clientId, payload) → ack fields. The acting
user comes from the socket. A block is stored, then both people's lobby views are
rebuilt on every node (each loses the other); the blocked person is told nothing else.
A ring between the two that is still ringing ends with the block (pressed on the ring
itself, or anywhere while it rings): declined by the blocker's side, cancelled if the
blocker was the one ringing — as any decline, so the caller learns nothing of a block.
So does a ring into a call that holds the other one (a third party rang one of the two
into a call with the other): declined by the rung side. A call the two are both parties
of ends for the blocker exactly as by `call:hangup` (`_leave_calls`): a call of two ends
for both (the other side hears an ordinary hangup), a call of three or more goes on
without the blocker. Every hook dispatches store actions, so each holds on every node.
"""
from ..errors import Refusal
from ..protocol import handles
from ..store import actions as A
from ..store.selectors import rings_into
from . import rules


def _users_in(state, call_id, but):
    """The users of a call's parties and of the other rings into it."""
    call = state["calls"].get(call_id or "")
    if call is None:
        return set()
    clients = list(call["clients"].values()) + [
        i["toClientId"] for i in rings_into(state, call_id) if i["toClientId"] != but]
    return {state["clients"][c]["userId"] for c in clients if c in state["clients"]}


def _end_rings(ctx, me, peer):
    state = ctx.store.get_state()
    clients = state["clients"]
    for inv in list(state["invitations"].values()):
        caller = clients.get(inv["fromClientId"], {}).get("userId")
        callee = clients.get(inv["toClientId"], {}).get("userId")
        if (caller, callee) == (peer, me):
            action = A.invitation_declined(inv["toClientId"], inv["id"])
        elif callee in (me, peer) and ({me, peer} - {callee}) & _users_in(state, inv.get("callId"), inv["toClientId"]):
            # a ring into a call where the other one is: they would get each other's media
            # (check_ring refuses such a ring; this one began before the block)
            action = A.invitation_declined(inv["toClientId"], inv["id"])
        elif (caller, callee) == (me, peer):
            action = A.invitation_cancelled(inv["fromClientId"], inv["id"])
        else:
            continue
        try:
            ctx.dispatch(action)
        except Refusal as err:
            if err.code != "not-found":  # not-found: it ended meanwhile
                raise


def _leave_calls(ctx, me, peer):
    """The blocker leaves each call the blocked person is a party of, as a hangup: the
    two would otherwise go on hearing each other. In a call of three or more, leaving is
    what a Meet or Jitsi user can do about someone in the room; the others stay."""
    state = ctx.store.get_state()
    for call in list(state["calls"].values()):
        users = {aid: state["clients"].get(cid, {}).get("userId")
                 for aid, cid in call["clients"].items() if aid in call["parties"]}
        if peer not in users.values():
            continue
        for aid in (a for a, uid in users.items() if uid == me):
            try:
                ctx.dispatch(A.call_hung_up(call["clients"][aid], call["id"]))
            except Refusal as err:
                if err.code != "not-found":  # not-found: it ended meanwhile
                    raise


@handles("safety:block")
def block(ctx, cid, p):
    me, peer = ctx.user_of(cid), p["userId"]
    ctx.safety.data.block(me, peer, online=peer in ctx.store.get_state()["users"])
    _end_rings(ctx, me, peer)
    _leave_calls(ctx, me, peer)
    if ctx.links is not None:  # and a ring on the devices of either, by the other's link
        ctx.links.end_rings_between(me, peer)
    ctx.safety.refresh([me, peer])
    return {"userId": peer}


@handles("safety:unblock")
def unblock(ctx, cid, p):
    me, peer = ctx.user_of(cid), p["userId"]
    ctx.safety.data.unblock(me, peer)
    ctx.safety.refresh([me, peer])
    return {"userId": peer}


@handles("safety:report")
def report(ctx, cid, p):
    """The reporter learns only that it was received (not what operators do)."""
    me, peer = ctx.user_of(cid), p["userId"]
    ctx.safety.report(me, peer, p.get("reason", ""), p.get("messageIds", ()),
                      online=peer in ctx.store.get_state()["users"])
    return {"userId": peer}


@handles("safety:get")
def get(ctx, cid, p):
    return ctx.safety.state(ctx.user_of(cid))


@handles("safety:dismiss-warning")
def dismiss_warning(ctx, cid, p):
    """The operators' warning was read: no longer shown at each page load."""
    ctx.safety.dismiss_warning(ctx.user_of(cid))
    return {}


@handles("safety:set")
def set_rules(ctx, cid, p):
    me = ctx.user_of(cid)
    fields = {}
    if "ringPolicy" in p:
        fields["ring_policy"] = p["ringPolicy"]
    if "chatPolicy" in p:
        fields["chat_policy"] = p["chatPolicy"]
    if "dndMinutes" in p:
        minutes = p["dndMinutes"]
        if not 0 <= minutes <= rules.DND_MAX_MINUTES:
            raise Refusal("invalid-payload", "dndMinutes: 0 to %(n)s", n=rules.DND_MAX_MINUTES)
        fields["dnd_until"] = ctx.now() + minutes * 60 if minutes else None
    ctx.safety.data.set_settings(me, **fields)
    if "invisible" in p:
        ctx.safety.set_invisible(me, p["invisible"])
    return ctx.safety.state(me)
