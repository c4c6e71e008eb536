"""The users and clients slices, and the clock that ends what ran out.

    users   {userId: {id, displayName, account, clientIds}}   online users only
            account: an account, not a guest (absent in an old log entry: a guest)
    clients {clientId: {id, userId, connectedAt, device, node, tab, anchorIds, awayUntil}}
            tab: the lowest number ≥ 1 not taken by the user's other tabs
            node: the cluster node serving it ("" in a single process)
            protocol: the version its page speaks (1 when it stated none)
            leavingUntil: only while its page said it is going (client:leaving): when it
            goes away, it is kept until then at most, not the whole reconnect grace
"""
from .anchors import remove_anchor
from .base import drop, patch, put
from .calls import drop_claim
from .invitations import end_invitation


def client_connected(state, p, meta):
    client, user = p["client"], p["user"]
    existing = state["users"].get(user["id"])
    client_ids = (existing["clientIds"] if existing else ()) + (client["id"],)
    state = {**state, "users": put(state["users"], user["id"], {
        "id": user["id"], "displayName": user["displayName"],
        "account": user.get("account", False), "clientIds": client_ids})}
    # Tabs told apart: the lowest number not taken by the user's other tabs.
    taken = {state["clients"][c].get("tab") for c in client_ids[:-1] if c in state["clients"]}
    tab = next(n for n in range(1, len(client_ids) + 1) if n not in taken)
    record = {**client, "device": client.get("device", ""), "node": client.get("node", ""),
              "protocol": client.get("protocol", 1),
              "tab": tab, "anchorIds": (), "awayUntil": None}
    return {**state, "clients": put(state["clients"], client["id"], record)}


def _moved(state, p):
    """A socket closed on a node that no longer serves the client (it resumed on
    another): that node's news about it is stale."""
    client = state["clients"].get(p["clientId"])
    return client is None or ("node" in p and client.get("node", "") != p["node"])


def _kept_until(client, until):
    """Until when a client that goes away now is kept: its page said it was leaving
    (client_leaving) → the sooner of the two."""
    leaving = client.get("leavingUntil")
    return until if leaving is None else min(until, leaving)


def client_went_away(state, p, meta):
    if _moved(state, p):
        return state
    client = state["clients"][p["clientId"]]
    return patch(state, "clients", client["id"], awayUntil=_kept_until(client, p["until"]))


def client_leaving(state, p, meta):
    """Its page is going: away already (its socket's close came first) → kept only until
    `until`; still connected → from its drop on (client_went_away)."""
    client = state["clients"].get(p["clientId"])
    if client is None or (p.get("awayOnly") and (client["awayUntil"] is None or _moved(state, p))):
        return state
    state = patch(state, "clients", client["id"], leavingUntil=p["until"])
    if client["awayUntil"] is not None:
        state = patch(state, "clients", client["id"],
                      awayUntil=min(client["awayUntil"], p["until"]))
    return state


def client_resumed(state, p, meta):
    client = state["clients"][p["clientId"]]
    user = state["users"][client["userId"]]
    if "account" in p and p["account"] != user.get("account", False):
        state = patch(state, "users", user["id"], account=p["account"])
    state = patch(state, "clients", p["clientId"], awayUntil=None, node=p.get("node", ""),
                  protocol=p.get("protocol", client.get("protocol", 1)))
    if "leavingUntil" not in client:
        return state
    # back (the page was reloaded): the next drop keeps the whole grace again
    kept = {k: v for k, v in state["clients"][client["id"]].items() if k != "leavingUntil"}
    return {**state, "clients": put(state["clients"], client["id"], kept)}


def node_lost(state, p, meta):
    for named in p["clients"]:
        client = state["clients"].get(named["id"])
        if client is not None and client.get("node", "") == p["node"] \
                and client["awayUntil"] is None:
            state = patch(state, "clients", client["id"],
                          awayUntil=_kept_until(client, p["until"]))
    return state


def client_disconnected(state, p, meta):
    client = state["clients"].get(p["clientId"])
    if client is None or _moved(state, p):
        return state
    for anchor_id in client["anchorIds"]:
        state = remove_anchor(state, anchor_id)
    state = {**state, "clients": drop(state["clients"], client["id"])}
    user = state["users"][client["userId"]]
    rest = tuple(c for c in user["clientIds"] if c != client["id"])
    if rest:
        return patch(state, "users", user["id"], clientIds=rest)
    return {**state, "users": drop(state["users"], user["id"])}


def user_renamed(state, p, meta):
    return patch(state, "users", p["userId"], displayName=p["displayName"])


# Clients whose grace ran out leave at most this many per tick: after a network blip
# drops thousands at once, their departures (each with its lobby deltas to every view
# holding them) are spread over ticks instead of stalling every connection at once.
EXPIRE_PER_TICK = 100


def clock_ticked(state, p, meta):
    now = p["now"]
    for inv in list(state["invitations"].values()):
        if inv["expiresAt"] <= now:
            state = end_invitation(state, inv["id"])
    # Soonest expiry first, then by id: a map's iteration order differs between
    # processes (string hashes are salted per process), and every cluster node must let
    # the same hundred go in the same tick.
    expired = sorted((c["awayUntil"], c["id"]) for c in state["clients"].values()
                     if c["awayUntil"] is not None and c["awayUntil"] <= now)
    for _, client_id in expired[:EXPIRE_PER_TICK]:  # the rest on the next ticks
        state = client_disconnected(state, {"clientId": client_id}, {})
    for claim in list(state["claims"].values()):
        if claim["until"] <= now:
            state = drop_claim(state, claim["id"])
    return state
