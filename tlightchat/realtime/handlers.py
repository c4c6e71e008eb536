"""Client events for identity, lobby, anchors and calls: validate → dispatch → ack.

One function per event, registered with `@handles` against its declaration in
tlightchat/protocol.py. Each gets (ctx, clientId, payload): `ctx` is context.py's
`Context` (the store, delivery, clock, config and the services), the payload is already
validated against the event's schema, and the acting client comes from the socket,
never from the payload. A handler builds the action (ids and times made here, so the
reducers stay pure), dispatches it, and returns the ack's fields. The store's guard
decides whether the action is allowed (a Refusal becomes the error ack); the
delivery tree sends whatever the change produced. Chat events: chat_handlers.py.
"""
import secrets

from ..errors import Refusal
from ..protocol import PREPARED_SINCE, handles
from ..store import actions as A
from ..store import selectors as S
from ..store.guards import check_relay_only, checked_signal_target
from ..store.selectors import sender_anchor


def new_id():
    return secrets.token_urlsafe(9)


@handles("me:rename")
def me_rename(ctx, cid, p):
    user_id = ctx.user_of(cid)
    name = ctx.identity.rename(user_id, p["displayName"])
    return ctx.dispatch(A.user_renamed(cid, user_id, name),
                        lambda s: {"user": S.public_user(s["users"][user_id])})


@handles("me:state")
def me_state(ctx, cid, p):
    with ctx.store.lock:
        return S.client_slice(ctx.store.get_state(), cid)


@handles("ice:servers")
def ice_servers_now(ctx, cid, p):
    return {"iceServers": ctx.ice_servers(ctx.user_of(cid))}


@handles("lobby:get")
def lobby_get(ctx, cid, p):
    ctx.send_snapshot(cid, query=p.get("query", ""))
    return {}


@handles("lobby:watch")
def lobby_watch(ctx, cid, p):
    ctx.send_snapshot(cid, pins=frozenset(p["userIds"]))
    return {}


@handles("anchor:create")
def anchor_create(ctx, cid, p):
    anchor_id = f"{cid}.{new_id()}"  # the prefix proves ownership when restored
    name = p.get("name") or S.next_slot_name(ctx.store.get_state(), cid)
    return ctx.dispatch(A.anchor_created(cid, anchor_id, name),
                        lambda s: {"anchor": S.public_anchor(s, anchor_id)})


@handles("anchor:rename")
def anchor_rename(ctx, cid, p):
    return ctx.dispatch(A.anchor_renamed(cid, p["anchorId"], p["name"]),
                        lambda s: {"anchor": S.public_anchor(s, p["anchorId"])})


@handles("anchor:set-online")
def anchor_set_online(ctx, cid, p):
    return ctx.dispatch(A.anchor_online_set(cid, p["anchorId"], p["online"]),
                        lambda s: {"anchor": S.public_anchor(s, p["anchorId"])})


@handles("anchor:remove")
def anchor_remove(ctx, cid, p):
    return ctx.dispatch(A.anchor_removed(cid, p["anchorId"]),
                        lambda s: {"anchorId": p["anchorId"]})


@handles("call:invite")
def call_invite(ctx, cid, p):
    now = ctx.now()
    invitation_id, call_id = new_id(), new_id()
    # Decided now and kept by the invitation: both browsers prepare the call while it
    # rings under this rule (the ack and call:ring say it), and the call keeps it. On
    # glare the call starts now with it (the callee's invitation made it: they call).
    relay_only = ctx.relay_only(p["fromAnchorId"], p["toAnchorId"])
    action = A.invitation_created(cid, invitation_id, p["fromAnchorId"], p["toAnchorId"],
                                  now, now + ctx.ring_timeout, call_id, relay_only,
                                  offer=p.get("offer"))

    def ack(s):
        if call_id in s["calls"]:
            return {"callId": call_id}
        return {"invitationId": invitation_id, "relayOnly": p["fromAnchorId"] in relay_only}
    return ctx.dispatch(action, ack)


@handles("call:cancel")
def call_cancel(ctx, cid, p):
    return ctx.dispatch(A.invitation_cancelled(cid, p["invitationId"]))


@handles("call:accept")
def call_accept(ctx, cid, p):
    call_id = new_id()
    inv = ctx.store.get_state()["invitations"].get(p["invitationId"])
    answer = p.get("answer")
    if inv is not None and "relayOnly" in inv:
        relay_only = list(inv["relayOnly"])  # as the ring told both browsers
    else:
        relay_only = ctx.relay_only(inv["fromAnchorId"], inv["toAnchorId"]) if inv else []
    if answer is not None and inv is not None and inv["toClientId"] == cid:
        # Refused before the call starts, so a bad answer starts nothing.
        if not inv.get("offered"):
            raise Refusal("invalid-state", "answer sent but the ring carried no offer")
        if inv["toAnchorId"] in relay_only:
            check_relay_only({"description": answer}, ctx.relay_addresses)
    # A callee of protocol 1 ignores the ring's offer and waits for one after call:started
    # (docs/protocol.md, "Versions"): the caller is asked to send it again.
    resend = (answer is None and inv is not None and bool(inv.get("offered"))
              and ctx.connections.protocol_of(cid) < PREPARED_SINCE)
    result = ctx.dispatch(A.invitation_accepted(cid, p["invitationId"], call_id, ctx.now(),
                                                relay_only, resend_offer=resend),
                          lambda s: {"callId": call_id})
    if answer is not None:
        # Relayed to the caller as call:signal, right after its call:started and before
        # this ack, through the same guard as any call:signal (pending offer, privacy).
        try:
            ctx.dispatch(A.call_signalled(cid, call_id, description=answer))
        except Refusal as err:
            if err.code != "not-found":  # not-found: the call ended already (call:ended says so)
                raise
    return result


@handles("call:decline")
def call_decline(ctx, cid, p):
    return ctx.dispatch(A.invitation_declined(cid, p["invitationId"]))


@handles("call:signal")
def call_signal(ctx, cid, p):
    action = A.call_signalled(cid, p["callId"], p.get("description"), p.get("candidate"),
                              to=p.get("to"))
    with ctx.store.lock:  # the check and the change it allows see one state
        _check_relay_addresses(ctx, cid, action["payload"])
        if "description" in p:  # an offer or answer changes the call: through the log
            return ctx.dispatch(action)
        return ctx.relay(action, lambda state: _peer_client(state, action["payload"], cid))


def _check_relay_addresses(ctx, cid, p):
    """A relay-only side's relay candidates name our TURN servers' addresses as this
    node resolved them: checked here, once, before the signal is appended or relayed;
    the guard every node applies checks the candidate type only (store/guards.py)."""
    state = ctx.store.get_state()
    call = state["calls"].get(p["callId"])
    me = sender_anchor(state, call, cid) if call is not None else None
    if me is None:
        return  # the guard refuses it (not-found, forbidden)
    if me in S.pair_of(call, me, checked_signal_target(state, call, me, p))["relayOnly"]:
        check_relay_only(p, ctx.relay_addresses)


def _peer_client(state, p, cid):
    """The client serving the party the signal is for (None once the call is gone)."""
    call = state["calls"].get(p["callId"])
    me = sender_anchor(state, call, cid) if call is not None else None
    if me is None:
        return None
    return call["clients"][checked_signal_target(state, call, me, p)]


@handles("call:media")
def call_media(ctx, cid, p):
    return ctx.dispatch(A.call_media_reported(cid, p["callId"], p["flowing"]))


@handles("call:peer-state")
def call_peer_state(ctx, cid, p):
    return ctx.dispatch(A.call_peer_state_reported(cid, p["callId"], p["audio"], p["video"]))


@handles("call:hangup")
def call_hangup(ctx, cid, p):
    return ctx.dispatch(A.call_hung_up(cid, p["callId"]))


from ..reach import link_handlers  # noqa: E402,F401  (link:create, link:open register)
