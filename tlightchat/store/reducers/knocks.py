"""Join links and knocks on a running call (issue 27: "a knock on a running call").

    joinLinks {hash: {id (= hash), callId, anchorId, clientId, expiresAt, recent}}
              a link that lets its holder ask to join `callId`; only the SHA-256 of its
              token is kept (reach/knock.py makes and hashes tokens). `recent`: the times
              of the last knocks through it (the per-link flood limit, decided here so
              every cluster node reaches the same verdict). It works while its call is
              live and until `expiresAt`; after the call it stays (so a knock hears
              "the call has ended") until `expiresAt`, when a clock tick drops it.
    knocks    {knockId: {id, callId, link, clientId, anchorId, userId, expiresAt}}
              someone (their free anchor) asking to join; every party of the call sees it
              until one answers, the ring timeout passes, the call ends or they leave.

The slices are optional (absent from a state written before them: read with .get), so
no snapshot or log needs a migration. The action types and creators live here beside
their reducers (one small feature, one module); reducers/__init__.py registers them and
runs `follow` after every action.
"""
from ..selectors import call_live
from .base import drop, put

LINK_MADE = "knocks/link-made"
ASKED = "knocks/asked"
ANSWERED = "knocks/answered"
ENDED = "knocks/ended"

KNOCKS_PER_LINK = 10      # knocks through one link ...
KNOCK_LINK_WINDOW = 60    # ... in this many seconds; more are refused `rate-limited`


def link_made(client_id, link_hash, call_id, anchor_id, expires_at):
    return {"type": LINK_MADE, "meta": {"clientId": client_id},
            "payload": {"hash": link_hash, "callId": call_id, "anchorId": anchor_id,
                        "expiresAt": expires_at}}


def asked(client_id, knock_id, link_hash, anchor_id, user_id, now, expires_at):
    return {"type": ASKED, "meta": {"clientId": client_id},
            "payload": {"knockId": knock_id, "hash": link_hash, "anchorId": anchor_id,
                        "userId": user_id, "now": now, "expiresAt": expires_at}}


def answered(client_id, knock_id, admit, invitation_id=None):
    payload = {"knockId": knock_id, "admit": admit}
    if invitation_id is not None:
        payload["invitationId"] = invitation_id
    return {"type": ANSWERED, "meta": {"clientId": client_id}, "payload": payload}


def ended(client_id, knock_id, reason):
    """A knock ends without an answer the server could carry out (`call-full`,
    `unavailable`: the admission was refused)."""
    return {"type": ENDED, "meta": {"clientId": client_id},
            "payload": {"knockId": knock_id, "reason": reason}}


def _slice(state, name):
    return state.get(name) or {}


def recent_knocks(link, now):
    return [t for t in link.get("recent", ()) if t > now - KNOCK_LINK_WINDOW]


def open_knock_of(state, user_id):
    return next((k for k in _slice(state, "knocks").values() if k["userId"] == user_id), None)


def live_call_of(state, link):
    call = state["calls"].get(link["callId"])
    return call if call is not None and call_live(call) else None


def reduce_link_made(state, p, meta):
    link = {"id": p["hash"], "callId": p["callId"], "anchorId": p["anchorId"],
            "clientId": meta["clientId"], "expiresAt": p["expiresAt"], "recent": []}
    return {**state, "joinLinks": put(_slice(state, "joinLinks"), p["hash"], link)}


def reduce_asked(state, p, meta):
    """The rules that must hold on every node alike (the handler checked them too and
    words the refusal): a live link, no open knock of this person, the link's limit."""
    link = _slice(state, "joinLinks").get(p["hash"])
    if link is None or p["now"] >= link["expiresAt"] or live_call_of(state, link) is None \
            or open_knock_of(state, p["userId"]) is not None \
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


HANDLERS = {LINK_MADE: reduce_link_made, ASKED: reduce_asked,
            ANSWERED: reduce_settled, ENDED: reduce_settled}


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


def follow(prev, nxt, action):
    """After every action: knocks end with their call, their knocker, or the ring
    timeout; links go at their expiry. O(1) while nobody has made a join link."""
    knocks, links = nxt.get("knocks"), nxt.get("joinLinks")
    if not knocks and not links:
        return nxt
    tick = action["type"] == "clock/ticked"
    now = action.get("payload", {}).get("now") if tick else None
    if knocks and (tick or prev["calls"] is not nxt["calls"]
                   or prev["clients"] is not nxt["clients"] or prev["anchors"] is not nxt["anchors"]):
        for knock in list(knocks.values()):
            if gone(nxt, knock) or (tick and knock["expiresAt"] <= now):
                knocks = drop(knocks, knock["id"])
        if knocks is not nxt["knocks"]:
            nxt = {**nxt, "knocks": knocks}
    if links and tick:
        for link in list(links.values()):
            if link["expiresAt"] <= now:
                links = drop(links, link["id"])
        if links is not nxt["joinLinks"]:
            nxt = {**nxt, "joinLinks": links}
    return nxt
