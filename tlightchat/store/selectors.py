"""Read-only views of the state: what each audience may see."""
from .. import names


def anchor_status(state, anchor):
    if not anchor["online"]:
        return "offline"
    if anchor["callId"]:
        call = state["calls"].get(anchor["callId"])
        # a call of one party rings several (call:invite-many); a claimed call is in-call
        return "ringing" if call is not None and len(call["parties"]) < 2 else "in-call"
    if anchor["invitationId"]:
        return "ringing"
    return "online"


def call_connected(call):
    """Every pair of parties reported media flowing both ways."""
    return call is not None and len(call["parties"]) > 1 and all(
        flowing for peers in call["media"].values() for flowing in peers.values())


def call_live(call):
    """A call of two or more parties (one party: a call:invite-many still ringing)."""
    return len(call["parties"]) > 1


def rings_into(state, call_id):
    """The invitations that ring into this call (group calls)."""
    return [i for i in state["invitations"].values() if i.get("callId") == call_id]


def pair_key(a, b):
    """The key of the pair of anchors a and b in a call's `pairs`: the same whichever
    side asks (an anchor id is [A-Za-z0-9_.-]: never a "|")."""
    return "|".join(sorted((a, b)))


def pair_of(call, a, b):
    """The facts of the pair (a, b) of `call`: {initiator, polite, relayOnly}."""
    return call["pairs"][pair_key(a, b)]


def peers_of(state, call_id, anchor_id):
    """The other parties of the call `anchor_id` is in, in the order they joined; ()
    when there is no such call or the anchor is not one of its parties. The one place
    that answers "who is on the other side"."""
    call = state["calls"].get(call_id)
    if call is None or anchor_id not in call["parties"]:
        return ()
    return tuple(a for a in call["parties"] if a != anchor_id)


def signal_target(state, call, me, to=None):
    """The party a signal from `me` is for: `to` when it names another party of the
    call; without `to`, the other party of a call of two. None when neither (the guard
    refuses that signal)."""
    peers = peers_of(state, call["id"], me)
    if to is not None:
        return to if to in peers else None
    return peers[0] if len(peers) == 1 else None


def sender_anchor(state, call, client_id):
    """The party of `call` that belongs to `client_id` (the parties are on different
    clients, which the guard ensures), or None."""
    for anchor_id in call["parties"]:
        if call["clients"][anchor_id] == client_id:
            return anchor_id
    return None


def call_state(state, call):
    """connecting → connected; `reconnecting` while any party's client is away."""
    if any(state["clients"][c]["awayUntil"] is not None for c in call["clients"].values()):
        return "reconnecting"
    return "connected" if call_connected(call) else "connecting"


def public_anchor(state, anchor_id):
    anchor = state["anchors"][anchor_id]
    call = state["calls"].get(anchor["callId"]) if anchor["callId"] else None
    return {"id": anchor["id"], "clientId": anchor["clientId"], "name": anchor["name"],
            "status": anchor_status(state, anchor), "connected": call_connected(call)}


def public_user(user):
    """A lobby user: the one public shape of a person (names.public_user) with its tag
    and whether it is an account (a guest's is false)."""
    return names.public_user(user["id"], user["displayName"], tag=names.name_tag(user["id"]),
                             account=bool(user.get("account", False)))


def public_client(client):
    return {"id": client["id"], "userId": client["userId"], "away": client["awayUntil"] is not None,
            "tab": client["tab"], "device": client["device"]}


def next_slot_name(state, client_id):
    """"Slot N" with the lowest N not taken by this client's anchors."""
    taken = {state["anchors"][a]["name"] for a in state["clients"][client_id]["anchorIds"]}
    n = 1
    while f"Slot {n}" in taken:
        n += 1
    return f"Slot {n}"


def lobby_snapshot(state):
    """The whole lobby (public fields only). Clients get a bounded view of it instead:
    `lobby_entries` of the users `lobby_window` picks (see tlightchat/realtime/lobby.py)."""
    return lobby_entries(state, state["users"])


def lobby_entries(state, user_ids):
    """Public records of these online users, with all their clients and anchors."""
    users, clients, anchors = {}, {}, {}
    for uid in user_ids:
        user = state["users"].get(uid)
        if user is None:
            continue
        users[uid] = public_user(user)
        for cid in user["clientIds"]:
            client = state["clients"][cid]
            clients[cid] = public_client(client)
            for aid in client["anchorIds"]:
                anchors[aid] = public_anchor(state, aid)
    return {"users": users, "clients": clients, "anchors": anchors}


def name_matches(folded_query, user):
    """Search by display name: a case-insensitive substring; "" matches everyone."""
    return not folded_query or folded_query in user["displayName"].casefold()


def lobby_window(state, folded_query, skip, size, newest_first):
    """Up to `size` online users matching the query, in the order of `newest_first`
    (user ids, newest first: the lobby's index, realtime/lobby.py), leaving out `skip`;
    and whether that is all of them. Stops at the first user beyond `size`."""
    picked = []
    users = state["users"]
    for uid in newest_first:
        user = users.get(uid)
        if user is None or uid in skip or not name_matches(folded_query, user):
            continue
        if len(picked) == size:
            return picked, False
        picked.append(uid)
    return picked, True


def party(state, anchor_id):
    """Who is behind an anchor, as shown to the other side of a ring or call."""
    anchor = state["anchors"][anchor_id]
    client = state["clients"][anchor["clientId"]]
    user = state["users"][client["userId"]]
    return {"anchorId": anchor_id, "clientId": client["id"], "userId": user["id"],
            "displayName": user["displayName"], "anchorName": anchor["name"]}


def client_slice(state, client_id):
    """The server's mirror of one client: its anchors and what they take part in."""
    client = state["clients"][client_id]
    anchors = {aid: public_anchor(state, aid) for aid in client["anchorIds"]}
    invitations = {iid: {k: inv[k] for k in ("id", "fromAnchorId", "toAnchorId", "expiresAt")}
                   for iid, inv in state["invitations"].items()
                   if client_id in (inv["fromClientId"], inv["toClientId"])}
    # the two-party fields (the caller is the party that joined first), then every party
    # and the facts of this client's own pairs (group calls; others' privacy stays theirs)
    mine = set(client["anchorIds"])
    calls = {cid: {"id": cid, "callerAnchorId": c["parties"][0],
                   "calleeAnchorId": c["parties"][1] if call_live(c) else None,
                   "state": call_state(state, c), "startedAt": c["startedAt"],
                   "parties": list(c["parties"]),
                   "pairs": [{"anchorIds": key.split("|"), "initiator": pair["initiator"],
                              "polite": pair["polite"], "relayOnly": list(pair["relayOnly"])}
                             for key, pair in sorted(c["pairs"].items())
                             if mine & {pair["initiator"], pair["polite"]}]}
             for cid, c in state["calls"].items() if client_id in c["clients"].values()}
    return {"clientId": client_id, "user": public_user(state["users"][client["userId"]]),
            "anchors": anchors, "invitations": invitations, "calls": calls}

