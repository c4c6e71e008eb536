"""Client events of call links: `link:create` (the maker, from a slot of /call) and
`link:open` (the visitor's call page, before it calls the slot the link names).
Registered with `@handles` like realtime/handlers.py; storage and the per-address count
are links.py's.

Opening a link tells the visitor which anchor to call now; the call itself is an
ordinary `call:invite`, so the store's guard, address privacy (a link visitor is nobody
the maker verified: a stranger) and every other rule of a call apply unchanged.
"""
from ..errors import N_, Refusal
from ..protocol import handles
from ..store import selectors as S
from .links import DECLINED

NOT_ONLINE = N_("the person who made this link is not online now; try again later")
RETRY_MS = 2000  # a visitor's page opens the link again this often while devices ring


def _links(ctx):
    if ctx.links is None:
        raise Refusal("unavailable", "call links are not kept by this server")
    return ctx.links


def own_line(state, cid, anchor_id):
    """This connection's own line `anchor_id`, or the refusal that says why not."""
    anchor = state["anchors"].get(anchor_id)
    if anchor is None:
        raise Refusal("not-found", "no line %(anchor)s", anchor=repr(anchor_id))
    if anchor["clientId"] != cid:
        raise Refusal("forbidden", "that line belongs to another tab")
    return anchor


@handles("link:create")
def link_create(ctx, cid, p):
    anchor = own_line(ctx.store.get_state(), cid, p["anchorId"])
    return _links(ctx).create(ctx.user_of(cid), anchor["id"], anchor["name"],
                              lasting=p.get("lasting", False))


def ringable_anchor(state, link):
    """The maker's online anchor this link rings: the very slot while it lives, else one
    of the same name (the slot after a reload), else any online slot of the maker."""
    user = state["users"].get(link["userId"])
    if user is None:
        return None
    anchors = [state["anchors"][a] for c in user["clientIds"]
               for a in state["clients"][c]["anchorIds"]]
    online = [a for a in anchors if a["online"]]
    for test in (lambda a: a["id"] == link["anchorId"],
                 lambda a: a["name"] == link["anchorName"], lambda a: True):
        found = [a for a in online if test(a)]
        if found:
            free = [a for a in found if not a["callId"] and not a["invitationId"]]
            return (free or found)[0]
    return None


def _address(ctx, cid):
    """The network address of the socket serving `cid`, as its handshake saw it (after
    the trusted-proxy fix): a client event runs outside any HTTP request."""
    sid = ctx.connections.sids.get(cid)
    environ = ctx.connections.socketio.server.get_environ(sid) if sid else None
    return (environ or {}).get("REMOTE_ADDR")


def _ring_devices(ctx, token, cid, maker_id):
    """A maker with no slot online is rung on their devices (Web Push, reach/push.py),
    once per ring timeout: `unavailable` then carries retryAfterMs, and the visitor's page
    opens the link again (not counted as a new visit) until the ring times out; once the
    maker's call page is open, it finds the slot and calls it."""
    visitor = ctx.user_of(cid)
    name = ctx.store.get_state()["users"][visitor]["displayName"]
    if ctx.links.ring_devices(token, visitor, maker_id, name, ctx.ring_timeout):
        raise Refusal("unavailable", "ringing the devices of the person who made this link; "
                      "wait a moment", retry_after_ms=RETRY_MS)


@handles("link:open")
def link_open(ctx, cid, p):
    links = _links(ctx)
    if links.was_declined(p["token"], ctx.user_of(cid)):  # Decline on a device (no retryAfterMs)
        raise Refusal("unavailable", DECLINED)
    again = links.asking_again(p["token"], ctx.user_of(cid))
    link = links.check(p["token"], _address(ctx, cid), count=not again)
    if link["userId"] == ctx.user_of(cid):
        raise Refusal("invalid-state", "this is your own call link: send it to someone else")
    if not ctx.safety.open_link(ctx.user_of(cid), link["userId"]):  # safety/__init__.py
        raise Refusal("unavailable", NOT_ONLINE)  # no oracle: as a maker not online
    with ctx.store.lock:
        state = ctx.store.get_state()
        anchor = ringable_anchor(state, link)
        if anchor is not None:
            found = {"anchorId": anchor["id"], "anchorName": anchor["name"],
                     "user": S.public_user(state["users"][link["userId"]])}
    if anchor is not None:
        if again:  # its devices rang: the page that opened takes the call, they stop
            links.devices_answered(p["token"], ctx.user_of(cid))
        return found
    _ring_devices(ctx, p["token"], cid, link["userId"])  # storage and sends: not under the lock
    raise Refusal("unavailable", NOT_ONLINE)


from . import knock_handlers  # noqa: E402,F401  (knock:link, knock:ask, knock:answer register)
