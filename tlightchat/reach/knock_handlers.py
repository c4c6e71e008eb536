"""Client events of knocking on a running call (issue 27; docs/protocol.md, "Knocking
on a running call"): `knock:link` (a party makes a join link), `knock:ask` (whoever
opened it asks to join, from a free slot of theirs), `knock:answer` (a party admits or
denies; the first answer settles it for all), `knock:cancel` (the knocker's tab takes
its open knock back). validate -> dispatch -> ack.

Admitting is the group call's own add path: the admitting party's slot rings the
knocker's slot into the call (`invitation_created` carrying the knockId, through the
store's guard: the knock still open, call-full, busy), and the knocker's page, which
asked, accepts that ring at once. So address privacy (the knocker is a stranger unless
a party verified them), the parties limit and every rule of a group call apply
unchanged. Blocks between the knocker and any party refuse the knock with the sentence
of an ended call (no oracle).
"""
import secrets

from ..errors import N_, Refusal
from ..protocol import handles
from ..ratelimit import address_key
from ..store import selectors as S
from ..store import actions as A
from ..store.reducers import knocks as K
from . import knock as J
from .link_handlers import _address, _links, own_line
from .links import TOO_MANY

BUSY = N_("you are asking to join a call already; wait for its answer")
NOT_IN_CALL = N_("a join link is made during a call")
LINKS_LIMIT = N_("at most %(n)s join links for one call")
TOO_MANY_KNOCKS = N_("Too many people knocked through this link just now; try again in a minute.")


def _new_id():
    return secrets.token_urlsafe(9)


@handles("knock:link")
def knock_link(ctx, cid, p):
    now = ctx.now()
    token = J.new_token()
    expires = now + ctx.config["CALL_LINK_TTL"]
    with ctx.store.lock:
        state = ctx.store.get_state()
        anchor = own_line(state, cid, p["anchorId"])
        call = state["calls"].get(anchor["callId"] or "")
        if call is None or not S.call_live(call):
            raise Refusal("invalid-state", NOT_IN_CALL)
        if len(K.live_links(state, call["id"], now)) >= K.MAX_LINKS_PER_CALL:
            raise Refusal("limit", LINKS_LIMIT, n=K.MAX_LINKS_PER_CALL)
        link_hash = J.token_hash(token)
        ctx.dispatch(K.link_made(cid, link_hash, call["id"], anchor["id"], expires, now,
                                 ctx.user_of(cid)))
        if link_hash not in (ctx.store.get_state().get("joinLinks") or {}):  # the reducer's rules
            raise Refusal("limit", LINKS_LIMIT, n=K.MAX_LINKS_PER_CALL)  # another node was first
    return {"token": token, "callId": call["id"], "expiresAt": int(expires * 1000)}


def _knockable(ctx, cid, p, now):
    """(link hash, call, knocker's user, the parties' users) or a Refusal."""
    state = ctx.store.get_state()
    link_hash, link, call = J.lookup(state, p["token"], now)
    user = ctx.user_of(cid)
    anchor = state["anchors"].get(p["fromAnchorId"])
    if anchor is None or anchor["clientId"] != cid:
        raise Refusal("forbidden", "that line belongs to another tab")
    if cid in call["clients"].values():
        raise Refusal("invalid-state", "you are in this call already")
    if not anchor["online"] or anchor["callId"] or anchor["invitationId"]:
        raise Refusal("invalid-state", "knock from a free line: take calls on it, not in a call")
    J.check_not_denied(link, user)
    if K.open_knock_of(state, user) is not None:
        raise Refusal("invalid-state", BUSY)
    if len(K.recent_knocks(link, now)) >= K.KNOCKS_PER_LINK:
        raise Refusal("rate-limited", TOO_MANY_KNOCKS, retry_after_ms=K.KNOCK_LINK_WINDOW * 1000)
    return link_hash, call, user, J.party_users(state, call)


@handles("knock:ask")
def knock_ask(ctx, cid, p):
    wait = _links(ctx).visits.try_hit(address_key(_address(ctx, cid)))  # per address, wrong tokens too
    if wait:
        raise Refusal("rate-limited", TOO_MANY, retry_after_ms=int(wait * 1000) + 1)
    now = ctx.now()
    with ctx.store.lock:
        _link, _call, user, parties = _knockable(ctx, cid, p, now)
    J.check_unblocked(getattr(ctx, "safety", None), user, parties)
    knock_id = _new_id()
    with ctx.store.lock:  # checked again: the state may have moved meanwhile
        link_hash, call, user, _parties = _knockable(ctx, cid, p, now)
        ctx.dispatch(K.asked(cid, knock_id, link_hash, p["fromAnchorId"], user, now,
                             now + ctx.ring_timeout))
        if knock_id not in (ctx.store.get_state().get("knocks") or {}):
            raise Refusal("invalid-state", BUSY)  # another node's knock came first
    return {"knockId": knock_id, "callId": call["id"],
            "expiresInMs": int(ctx.ring_timeout * 1000)}


def _answerer(state, cid, knock_id):
    knock = (state.get("knocks") or {}).get(knock_id)
    if knock is None:
        raise Refusal("not-found", K.GONE)
    call = state["calls"][knock["callId"]]
    mine = [a for a, c in call["clients"].items() if c == cid]
    if not mine:
        raise Refusal("forbidden", "only a party of the call answers its knocks")
    return knock, mine[0]


# Refusals of an admission that end the knock for everyone with that reason; the others
# (`rate-limited`: the admitter's own ring limits, `invalid-state`: their line) are the
# admitting party's alone: the knock still waits, another party may answer it.
ENDS_THE_KNOCK = {"call-full": "call-full", "busy": "unavailable", "unavailable": "unavailable"}


@handles("knock:answer")
def knock_answer(ctx, cid, p):
    with ctx.store.lock:
        knock, anchor = _answerer(ctx.store.get_state(), cid, p["knockId"])
        if not p["admit"]:  # the guard refuses it `not-found` if it ended meanwhile
            return ctx.dispatch(K.answered(cid, knock["id"], False))
    admitter = ctx.user_of(cid)
    invitation_id, now = _new_id(), ctx.now()
    try:  # the knock is the knocker's own invitation: their "who may ring me" is not asked
        if getattr(ctx, "safety", None) is not None:  # no grant: only this ring passes
            if not ctx.safety.open_link(admitter, knock["userId"], grant=False):
                raise Refusal("unavailable", "that line is not taking calls")  # as a ring is told
            ctx.safety.check_ring(ctx.store.get_state(), cid, knock["anchorId"], anchor,
                                  invited=True)
        with ctx.store.lock:
            knock, anchor = _answerer(ctx.store.get_state(), cid, p["knockId"])
            # One action: the ring carries the knock, which the guard refuses `not-found`
            # once the knock is gone (denied on another node, timed out) and which ends
            # the knock as `admitted` (store/reducers/knocks.py).
            return ctx.dispatch(K.admitting(A.invitation_created(
                cid, invitation_id, anchor, knock["anchorId"], now, now + ctx.ring_timeout,
                _new_id(), ctx.relay_only(anchor, knock["anchorId"])), knock["id"]),
                lambda s: {"invitationId": invitation_id})
    except Refusal as err:
        if err.code in ENDS_THE_KNOCK:
            with ctx.store.lock:
                try:
                    ctx.dispatch(K.ended(cid, knock["id"], ENDS_THE_KNOCK[err.code]))
                except Refusal:
                    pass  # the cluster could not take it: the knock ends at its timeout
        raise


@handles("knock:cancel")
def knock_cancel(ctx, cid, p):
    """The knocker's Cancel (or its page going): the knock ends as `withdrawn` for every
    party. Only the tab that knocked; the store's guard refuses a knock that is gone
    (`not-found`: answered, timed out, withdrawn already) or another's (`forbidden`)."""
    return ctx.dispatch(K.withdrawn(cid, p["knockId"]))
