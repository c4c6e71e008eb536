"""Join links and knocks on a running call (issue 27: "a knock on a running call").

    joinLinks {hash: {id (= hash), callId, anchorId, clientId, userId, createdAt, expiresAt,
               recent, denied}}
              a link that lets its holder ask to join `callId`; only the SHA-256 of its
              token is kept (reach/knock.py makes and hashes tokens). `recent`: the times
              of the last knocks through it (the per-link flood limit, decided here so
              every cluster node reaches the same verdict). `denied`: the user ids a
              party said no to (the last MAX_DENIED; optional): they knock no more through
              it. It works while its call is live and until `expiresAt`; it goes when its
              call leaves `calls`, at `expiresAt` (a clock tick), or when its maker
              (`userId`) turns it off on /me (`knocks/link-revoked`), whichever comes first.
              (`userId`, `createdAt`: absent from a link made before /me listed them.)
    endedLinks [hash] the links whose call ended (the newest MAX_ENDED_LINKS), so that a
              late knock still hears "the call has ended" rather than "no such link".
    revokedLinks [hash] the links their maker turned off (the newest MAX_ENDED_LINKS), so
              that a knock through one hears so; their open knocks end with them.
    knocks    {knockId: {id, callId, link, clientId, anchorId, userId, expiresAt}}
              someone (their free anchor) asking to join; every party of the call sees it
              until one answers, the ring timeout passes, the call ends, or the knocker
              withdraws it (`knocks/withdrawn`, their own tab only) or leaves.

An admission is the ring into the call itself: `invitations/created` carrying the
`knockId` (`guard` refuses it `not-found` once the knock is gone: denied, timed out,
ended), and `follow` ends the knock when that ring was made: one action, so a deny and
an admit from two nodes cannot both win.

The slices are optional (absent from a state written before them: read with .get), so
no snapshot or log needs a migration. The action types and creators live here beside
their reducers (one small feature, one module); reducers/__init__.py registers them and
runs `follow` after every action.
"""
from ...errors import N_, Refusal
from ..actions import INVITATION_CREATED
from ..selectors import call_live
from .base import drop, put

LINK_MADE = "knocks/link-made"
ASKED = "knocks/asked"
ANSWERED = "knocks/answered"
ENDED = "knocks/ended"
WITHDRAWN = "knocks/withdrawn"
LINK_REVOKED = "knocks/link-revoked"

KNOCKS_PER_LINK = 10      # knocks through one link ...
KNOCK_LINK_WINDOW = 60    # ... in this many seconds; more are refused `rate-limited`
MAX_LINKS_PER_CALL = 5    # working join links of one call
MAX_DENIED = 50           # denied people a link remembers (the newest)
MAX_ENDED_LINKS = 100     # links of ended calls remembered (the newest)
GONE = N_("this knock was answered already, or it ended")
NOT_YOURS = N_("only the person who knocked withdraws a knock")
NO_SUCH_LINK = N_("No such join link of yours (it may be off already, or its call has ended).")


def link_made(client_id, link_hash, call_id, anchor_id, expires_at, now=0, user_id=None):
    """`now`: which of the call's links still count towards its limit, and when it was
    made; `user_id`: its maker (who sees and turns it off on /me)."""
    return {"type": LINK_MADE, "meta": {"clientId": client_id},
            "payload": {"hash": link_hash, "callId": call_id, "anchorId": anchor_id,
                        "expiresAt": expires_at, "now": now, "userId": user_id}}


def link_revoked(user_id, link_hash):
    """The maker turns their join link off (/me: a page, no socket, hence no client)."""
    return {"type": LINK_REVOKED, "payload": {"hash": link_hash, "userId": user_id}}


def asked(client_id, knock_id, link_hash, anchor_id, user_id, now, expires_at):
    return {"type": ASKED, "meta": {"clientId": client_id},
            "payload": {"knockId": knock_id, "hash": link_hash, "anchorId": anchor_id,
                        "userId": user_id, "now": now, "expiresAt": expires_at}}


def answered(client_id, knock_id, admit):
    """A deny (an admission is the ring carrying the knockId: see above); `admit` is
    kept in the payload for the entries of a log written before that."""
    return {"type": ANSWERED, "meta": {"clientId": client_id},
            "payload": {"knockId": knock_id, "admit": admit}}


def admitting(invitation_action, knock_id):
    """`invitations/created` made the ring of an admission: it ends the knock."""
    return {**invitation_action, "payload": {**invitation_action["payload"], "knockId": knock_id}}


def ended(client_id, knock_id, reason):
    """A knock ends without an answer the server could carry out (`call-full`,
    `unavailable`: the admission was refused)."""
    return {"type": ENDED, "meta": {"clientId": client_id},
            "payload": {"knockId": knock_id, "reason": reason}}


def withdrawn(client_id, knock_id):
    """The knocker's tab takes its knock back (Cancel, or the page going)."""
    return {"type": WITHDRAWN, "meta": {"clientId": client_id}, "payload": {"knockId": knock_id}}


def _slice(state, name):
    return state.get(name) or {}


def recent_knocks(link, now):
    return [t for t in link.get("recent", ()) if t > now - KNOCK_LINK_WINDOW]


def open_knock_of(state, user_id):
    return next((k for k in _slice(state, "knocks").values() if k["userId"] == user_id), None)


def live_call_of(state, link):
    call = state["calls"].get(link["callId"])
    return call if call is not None and call_live(call) else None


def live_links(state, call_id, now):
    return [link for link in _slice(state, "joinLinks").values()
            if link["callId"] == call_id and link["expiresAt"] > now]


def reduce_link_made(state, p, meta):
    """Kept only for a live call below its limit (the handler checked and words it;
    here so two nodes cannot both make the last one)."""
    call = state["calls"].get(p["callId"])
    if call is None or not call_live(call) or p["hash"] in _slice(state, "joinLinks") \
            or len(live_links(state, p["callId"], p.get("now", 0))) >= MAX_LINKS_PER_CALL:
        return state
    link = {"id": p["hash"], "callId": p["callId"], "anchorId": p["anchorId"],
            "clientId": meta["clientId"], "userId": p.get("userId"), "createdAt": p.get("now"),
            "expiresAt": p["expiresAt"], "recent": []}
    return {**state, "joinLinks": put(_slice(state, "joinLinks"), p["hash"], link)}


def reduce_asked(state, p, meta):
    """The rules that must hold on every node alike (the handler checked them too and
    words the refusal): a live link, no open knock of this person, nobody denied
    through it, the link's limit."""
    link = _slice(state, "joinLinks").get(p["hash"])
    if link is None or p["now"] >= link["expiresAt"] or live_call_of(state, link) is None \
            or open_knock_of(state, p["userId"]) is not None \
            or p["userId"] in link.get("denied", ()) \
            or len(recent_knocks(link, p["now"])) >= KNOCKS_PER_LINK:
        return state
    knock = {"id": p["knockId"], "callId": link["callId"], "link": link["id"],
             "clientId": meta["clientId"], "anchorId": p["anchorId"], "userId": p["userId"],
             "expiresAt": p["expiresAt"]}
    link = {**link, "recent": recent_knocks(link, p["now"]) + [p["now"]]}  # a list: as JSON keeps it
    return {**state, "knocks": put(_slice(state, "knocks"), knock["id"], knock),
            "joinLinks": put(state["joinLinks"], link["id"], link)}


def reduce_settled(state, p, meta):
    knocks = _slice(state, "knocks")
    if p["knockId"] not in knocks:
        return state
    return {**state, "knocks": drop(knocks, p["knockId"])}


def reduce_answered(state, p, meta):
    """A deny: the knock ends, and its link remembers the person (they knock no more)."""
    knock = _slice(state, "knocks").get(p["knockId"])
    nxt = reduce_settled(state, p, meta)
    link = _slice(state, "joinLinks").get(knock["link"]) if knock and not p["admit"] else None
    if link is None:
        return nxt
    denied = [u for u in link.get("denied", ()) if u != knock["userId"]] + [knock["userId"]]
    link = {**link, "denied": denied[-MAX_DENIED:]}
    return {**nxt, "joinLinks": put(state["joinLinks"], link["id"], link)}


def reduce_withdrawn(state, p, meta):
    """Only the tab that knocked takes its knock back (the guard words the refusal)."""
    knock = _slice(state, "knocks").get(p["knockId"])
    if knock is None or knock["clientId"] != meta.get("clientId"):
        return state
    return reduce_settled(state, p, meta)


def links_of(state, user_id):
    """The join links `user_id` made that are kept now (for /me), oldest first."""
    return [link for link in _slice(state, "joinLinks").values()
            if user_id is not None and link.get("userId") == user_id]


def reduce_link_revoked(state, p, meta):
    """Only its maker's; the link goes, is remembered as turned off, and its open
    knocks end (`revoked`)."""
    link = _slice(state, "joinLinks").get(p["hash"])
    if link is None or link.get("userId") is None or link["userId"] != p["userId"]:
        return state
    knocks = _slice(state, "knocks")
    for knock in list(knocks.values()):
        if knock["link"] == link["id"]:
            knocks = drop(knocks, knock["id"])
    return {**state, "joinLinks": drop(state["joinLinks"], link["id"]), "knocks": knocks,
            "revokedLinks": (state.get("revokedLinks", []) + [link["id"]])[-MAX_ENDED_LINKS:]}


HANDLERS = {LINK_MADE: reduce_link_made, ASKED: reduce_asked,
            ANSWERED: reduce_answered, ENDED: reduce_settled, WITHDRAWN: reduce_withdrawn,
            LINK_REVOKED: reduce_link_revoked}


def guard(state, action):
    """The store's guard of knocks (store/guards.py runs it before its own checks): an
    answer, a withdrawal, or a ring made for a knock, needs the knock still open; a
    withdrawal, the knocker's own tab."""
    p = action.get("payload", {})
    if action["type"] == LINK_REVOKED:
        link = _slice(state, "joinLinks").get(p["hash"])
        if link is None or link.get("userId") != p["userId"]:
            raise Refusal("not-found", NO_SUCH_LINK)
    if action["type"] == WITHDRAWN:
        knock = _slice(state, "knocks").get(p["knockId"])
        if knock is None:
            raise Refusal("not-found", GONE)
        if knock["clientId"] != action.get("meta", {}).get("clientId"):
            raise Refusal("forbidden", NOT_YOURS)
    if action["type"] == ANSWERED or (action["type"] == INVITATION_CREATED
                                                and "knockId" in p):
        knock = _slice(state, "knocks").get(p["knockId"])
        if knock is None or (action["type"] == INVITATION_CREATED
                             and knock["anchorId"] != p["toAnchorId"]):
            raise Refusal("not-found", GONE)


def due(state, now):
    """Whether a clock tick has something to end here (lifecycle.py asks each second)."""
    return bool(state.get("knocks")) or any(
        link["expiresAt"] <= now for link in (state.get("joinLinks") or {}).values())


def gone(state, knock):
    """Why a knock cannot stand in `state` (None: it can)."""
    call = state["calls"].get(knock["callId"])
    if call is None or not call_live(call):
        return "ended"
    anchor = state["anchors"].get(knock["anchorId"])
    if knock["clientId"] not in state["clients"] or anchor is None or not anchor["online"]:
        return "left"
    return None


def admitted(action, nxt):
    """The knock id this action admitted (its ring into the call was made), or None."""
    p = action.get("payload", {})
    if action["type"] == INVITATION_CREATED and "knockId" in p \
            and p["invitationId"] in nxt["invitations"]:
        return p["knockId"]
    return None


def follow(prev, nxt, action):
    """After every action: knocks end with their admission, their call, their knocker,
    or the ring timeout; links go with their call or at their expiry. O(1) while nobody
    has made a join link."""
    knocks, links = nxt.get("knocks"), nxt.get("joinLinks")
    if not knocks and not links:
        return nxt
    tick = action["type"] == "clock/ticked"
    now = action.get("payload", {}).get("now") if tick else None
    if knocks and (tick or prev["calls"] is not nxt["calls"] or admitted(action, nxt)
                   or prev["clients"] is not nxt["clients"] or prev["anchors"] is not nxt["anchors"]):
        for knock in list(knocks.values()):
            if gone(nxt, knock) or (tick and knock["expiresAt"] <= now) \
                    or knock["id"] == admitted(action, nxt):
                knocks = drop(knocks, knock["id"])
        if knocks is not nxt["knocks"]:
            nxt = {**nxt, "knocks": knocks}
    if links and (tick or prev["calls"] is not nxt["calls"]):
        ended = [h for h, link in links.items() if link["callId"] not in nxt["calls"]]
        for link in list(links.values()):
            if (tick and link["expiresAt"] <= now) or link["id"] in ended:
                links = drop(links, link["id"])
        if ended:
            nxt = {**nxt, "endedLinks": (nxt.get("endedLinks", []) + ended)[-MAX_ENDED_LINKS:]}
        if links is not nxt["joinLinks"]:
            nxt = {**nxt, "joinLinks": links}
    return nxt
