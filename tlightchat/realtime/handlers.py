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
from ..store.guards import check_relay_only, checked_signal_target, make_guard
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


@handles("client:leaving")
def client_leaving(ctx, cid, p):
    """The page is going (pagehide of a tab kept for a reload, issue 31.7): once its
    socket drops it is kept LEAVING_GRACE seconds, enough for a reload to resume it, not
    the whole RECONNECT_GRACE: a closed tab leaves the lobby and its calls in seconds.
    Handled after its socket's close (hub.AFTER_CLOSE), it counts only while the client
    is still away and last served by this node: resumed meanwhile (on another node too,
    even if away again since), it is not leaving."""
    late = ctx.connections.sid_of(cid) is None
    return ctx.dispatch(A.client_leaving(cid, ctx.now() + ctx.config["LEAVING_GRACE"], away_only=late,
                                         node=ctx.node.departure_node))


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
    ctx.safety.check_ring(ctx.store.get_state(), cid, p["toAnchorId"], p["fromAnchorId"],
                          would_ring=lambda: _guard_accepts(ctx, action))  # safety/__init__.py

    def ack(s):
        if call_id in s["calls"]:
            return {"callId": call_id}
        result = {"invitationId": invitation_id, "relayOnly": p["fromAnchorId"] in relay_only}
        into = (s["invitations"].get(invitation_id) or {}).get("callId")
        return {**result, "callId": into} if into else result  # a ring into a call
    return ctx.dispatch(action, ack)


@handles("call:invite-many")
def call_invite_many(ctx, cid, p):
    """A call of one party (the from-anchor), then a ring into it for each anchor named;
    a ring the guard refuses is an entry with its error. Nothing made: nothing changes."""
    limit = ctx.max_call_parties - 1
    if len(p["toAnchorIds"]) > limit:
        raise Refusal("call-full", "ring at most %(n)s others at once", n=limit)
    call_id, now = new_id(), ctx.now()
    # Each ring meets the safety rules a call:invite meets (blocks, who may ring me, do
    # not disturb, ring limits: answered as an offline anchor), decided before the lock.
    # Those rung together must have no block between them either (they would share media).
    refused, rung = {}, []
    for to in p["toAnchorIds"]:
        probe = A.invitation_created(cid, "probe", p["fromAnchorId"], to, now, now, call_id)
        try:
            rung.append(ctx.safety.check_ring(
                ctx.store.get_state(), cid, to, p["fromAnchorId"], also=[u for u in rung if u],
                would_ring=lambda: _guard_accepts(ctx, probe)))
        except Refusal as err:
            refused[to] = err.as_dict()
    entries = []
    with ctx.store.lock:  # the rings go into this call before anyone else's change
        ctx.dispatch(A.call_opened(cid, call_id, p["fromAnchorId"]))
        for to in p["toAnchorIds"]:
            invitation_id = new_id()
            if to in refused:
                entries.append({"toAnchorId": to, "error": refused[to]})
                continue
            try:
                ctx.dispatch(A.invitation_created(
                    cid, invitation_id, p["fromAnchorId"], to, now, now + ctx.ring_timeout,
                    call_id, ctx.relay_only(p["fromAnchorId"], to)))
                entries.append({"toAnchorId": to, "invitationId": invitation_id})
            except Refusal as err:
                entries.append({"toAnchorId": to, "error": err.as_dict()})
        if not any("invitationId" in e for e in entries):
            ctx.dispatch(A.call_hung_up(cid, call_id))  # the call of one ends unseen
    return {"callId": call_id, "invitations": entries}


def _guard_accepts(ctx, action):
    """Whether the store's guard would accept `action` now; nothing is dispatched (a ring
    during do not disturb is a missed call only when it would have rung)."""
    guard = make_guard(ctx.config["MAX_ANCHORS_PER_CLIENT"], ctx.max_call_parties)
    with ctx.store.lock:
        try:
            guard(ctx.store.get_state(), action)
        except Refusal:
            return False
    return True


@handles("call:cancel")
def call_cancel(ctx, cid, p):
    return ctx.dispatch(A.invitation_cancelled(cid, p["invitationId"]))


@handles("call:accept")
def call_accept(ctx, cid, p):
    inv = ctx.store.get_state()["invitations"].get(p["invitationId"])
    # a ring into a call names that call in its action (a store hook such as the call's
    # chat reads it there); any other accept starts a new call
    call_id = (inv or {}).get("callId") or new_id()
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
    with ctx.store.lock:  # the parties whose pairs are decided are the ones it joins
        pair_relay = _pair_relay(ctx, ctx.store.get_state(), inv)
        result = ctx.dispatch(
            A.invitation_accepted(cid, p["invitationId"], call_id, ctx.now(), relay_only,
                                  resend_offer=resend, pair_relay_only=pair_relay),
            lambda s: {"callId": call_id})
    ctx.safety.ring_answered(ctx.store.get_state(), inv)  # rings in a row end here
    if answer is not None:
        # Relayed to the caller as call:signal, right after its call:started and before
        # this ack, through the same guard as any call:signal (pending offer, privacy).
        try:
            ctx.dispatch(A.call_signalled(cid, call_id, description=answer))
        except Refusal as err:
            if err.code != "not-found":  # not-found: the call ended already (call:ended says so)
                raise
    return result


def _pair_relay(ctx, state, inv):
    """A ring into a call (group calls): address privacy for the newcomer's pair with
    each party of the call, decided now; None for a ring that starts a call of two."""
    call = state["calls"].get(inv.get("callId") or "") if inv is not None else None
    if call is None:
        return None
    return {party: ctx.relay_only(inv["toAnchorId"], party) for party in call["parties"]
            if party != inv["fromAnchorId"]}


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
    return ctx.dispatch(A.call_media_reported(cid, p["callId"], p["flowing"], to=p.get("to")))


@handles("call:peer-state")
def call_peer_state(ctx, cid, p):
    return ctx.dispatch(A.call_peer_state_reported(cid, p["callId"], p["audio"], p["video"],
                                                    p.get("screen", False)))


@handles("call:hangup")
def call_hangup(ctx, cid, p):
    return ctx.dispatch(A.call_hung_up(cid, p["callId"]))


from ..reach import link_handlers  # noqa: E402,F401  (link:create, link:open register)
