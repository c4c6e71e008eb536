"""Join links: a URL that lets its holder knock on a running call (issue 27; docs/
protocol.md, "Knocking on a running call").

A join link is a capability like a call link (links.py): 192 random bits, of which the
server keeps only the SHA-256, in the store (store/reducers/knocks.py), so that every
node of a cluster knows it from the replicated log, with no table and no migration. It
works while its call is live and at most CALL_LINK_TTL seconds; it is shown once, to
its maker. `lookup` and `check_unblocked` are what the page (web/links.py) and
`knock:ask` (knock_handlers.py) both ask; they word the refusals with the sentences here.
"""
import secrets

from ..errors import N_, Refusal
from ..store.reducers import knocks as K
from .links import TOKEN_BYTES, TOKEN_SHAPE, token_hash

UNKNOWN = N_("This join link does not exist. Check that you copied all of it, or ask for a new one.")
EXPIRED = N_("This join link has expired. Ask someone in the call for a new one.")
# An ended call, and a call one of whose parties blocked you, read the same (no oracle).
ENDED = N_("This call has ended. Ask the person who sent you the link to call you.")
REVOKED = N_("This join link was turned off by the person who made it. Ask them for a new one.")
# A person a party denied knocks no more through that link (the knocker page's own words).
DENIED = N_("You were not let in: someone in the call said no. Ask the person who sent "
            "you the link before you try again.")


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def lookup(state, token, now):
    """(link hash, link, call) of a working join link; Refusal not-found (unknown,
    expired or turned off) or unavailable (its call has ended) otherwise."""
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        raise Refusal("not-found", UNKNOWN)
    link_hash = token_hash(token)
    link = (state.get("joinLinks") or {}).get(link_hash)
    if link is None and link_hash in state.get("revokedLinks", ()):
        raise Refusal("not-found", REVOKED)  # before a deny: the link is off for everyone
    if link is None and link_hash in state.get("endedLinks", ()):
        raise Refusal("unavailable", ENDED)  # its call ended: the link went with it
    if link is None:
        raise Refusal("not-found", UNKNOWN)
    if link["expiresAt"] <= now:
        raise Refusal("not-found", EXPIRED)
    call = K.live_call_of(state, link)
    if call is None:
        raise Refusal("unavailable", ENDED)
    return link_hash, link, call


def check_unblocked(safety, user, parties):
    """A block between `user` and any of the call's parties reads as an ended call."""
    if safety is not None and any(safety.data.blocked_between(user, other) for other in parties):
        raise Refusal("unavailable", ENDED)  # as an ended call: no oracle


def check_not_denied(link, user):
    if user in link.get("denied", ()):
        raise Refusal("forbidden", DENIED)


def party_users(state, call):
    return {state["clients"][c]["userId"] for c in call["clients"].values()
            if c in state["clients"]}


def maker_of(state, link):
    """{userId, anchorName} of the party who made the link (for the pre-join screen),
    or of the call's first party once the maker has left it."""
    call = state["calls"][link["callId"]]
    anchor_id = link["anchorId"] if link["anchorId"] in call["parties"] else call["parties"][0]
    anchor = state["anchors"][anchor_id]
    return {"userId": state["clients"][anchor["clientId"]]["userId"],
            "anchorName": anchor["name"]}


def made_by(state, user_id, now):
    """The join links `user_id` made that still work, newest first, for /me: {id (the
    token's hash: it opens nothing), createdAt, expiresAt, with (the call's other
    parties' names while `user_id` is one of them: a call they left may since hold people
    their lobby does not show them, blocked or invisible)}."""
    found = []
    for link in K.links_of(state, user_id):
        call = K.live_call_of(state, link)
        if call is None or link["expiresAt"] <= now:
            continue
        parties = party_users(state, call)
        others = sorted(state["users"][u]["displayName"] for u in parties
                        if u != user_id and u in state["users"]) if user_id in parties else []
        found.append({"id": link["id"], "createdAt": link.get("createdAt") or now,
                      "expiresAt": link["expiresAt"], "with": others})
    return sorted(found, key=lambda link: -link["createdAt"])
