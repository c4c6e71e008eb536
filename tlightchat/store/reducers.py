"""Pure reducers: (state, action) -> state. No I/O, no Flask, no clock, no randomness.

State slices:
  users        {userId: {id, displayName, clientIds}}            online users only
  clients      {clientId: {id, userId, connectedAt, device, node, tab, anchorIds, awayUntil}}
               tab: the lowest number ≥ 1 not taken by the user's other tabs
               node: the cluster node serving it ("" in a single process)
  anchors      {anchorId: {id, clientId, name, online, invitationId, callId}}
  invitations  {invitationId: {id, fromAnchorId, toAnchorId, fromClientId, toClientId,
                               createdAt, expiresAt, relayOnly, offered}}
               relayOnly: decided at the invite, kept for the call; offered: the ring
               carried the caller's offer (pending in the call it becomes)
  calls        {callId: {id, callerAnchorId, calleeAnchorId, clients, startedAt,
                         media, offers, relayOnly}}     media/offers: {anchorId: bool}
               relayOnly: the anchors that may send only relay candidates (a tuple)
  claims       {anchorId: {id (= anchorId), callId, anchorId, peerAnchorId, clientId,
               initiator, until}} one anchor's claim to a call it was in before a server
               restart (per anchor, so a stranger's claim to the same call id blocks no one)

Nothing is mutated: a changed record, and each slice holding it, is new; every other
record and slice keeps its identity. The slices that grow with the people online
(`LARGE`: users, clients, anchors) are persistent maps (`immutables.Map`, the HAMT
behind contextvars): a changed slice shares all but O(log N) of its nodes with the old
one, so a join costs the same at 40,000 clients as at 40. A dict copy there cost 3.3 ms
per join at 40,000, on every node of a cluster (bench/micro.py, "store join"). The
other slices stay small and stay dicts. Maps keep no insertion order: the lobby's
"newest first" comes from its own index (realtime/lobby.py). Many actions touch several slices (a
disconnect ends invitations and calls), so one root reducer with a handler per action
type reads better here than combined slice reducers. It runs past 300 lines for that
reason: the whole state machine, one handler per action type, in one file.
"""
from immutables import Map

from . import actions as A

SLICES = ("users", "clients", "anchors", "invitations", "calls", "claims")
LARGE = ("users", "clients", "anchors")


def initial_state():
    return {name: Map() if name in LARGE else {} for name in SLICES}


def persistent(state):
    """`state` with its large slices as persistent maps (a state built from plain
    dicts: a snapshot read back from JSON, a test's literal)."""
    return {name: Map(value) if name in LARGE and not isinstance(value, Map) else value
            for name, value in state.items()}


def plain(value):
    """json.dumps(default=plain): a persistent map is written as the object it holds."""
    if isinstance(value, Map):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# -- copy-on-write helpers ---------------------------------------------------------

def _put(mapping, key, value):
    if isinstance(mapping, Map):
        return mapping.set(key, value)
    new = dict(mapping)
    new[key] = value
    return new


def _drop(mapping, key):
    if key not in mapping:
        return mapping
    if isinstance(mapping, Map):
        return mapping.delete(key)
    new = dict(mapping)
    del new[key]
    return new


def _patch(state, slice_name, key, **changes):
    record = state[slice_name][key]
    if all(record.get(k) == v for k, v in changes.items()):
        return state
    return {**state, slice_name: _put(state[slice_name], key, {**record, **changes})}


def _other(call, anchor_id):
    a, b = call["callerAnchorId"], call["calleeAnchorId"]
    return b if anchor_id == a else a


def sender_anchor(state, call, client_id):
    """The anchor of `call` that belongs to `client_id` (the two are on different
    clients, which the guard ensures), or None."""
    for anchor_id in (call["callerAnchorId"], call["calleeAnchorId"]):
        if call["clients"][anchor_id] == client_id:
            return anchor_id
    return None


# -- cascades shared by several actions ---------------------------------------------

def _end_invitation(state, invitation_id):
    inv = state["invitations"].get(invitation_id)
    if inv is None:
        return state
    state = {**state, "invitations": _drop(state["invitations"], invitation_id)}
    for anchor_id in (inv["fromAnchorId"], inv["toAnchorId"]):
        if anchor_id in state["anchors"]:
            state = _patch(state, "anchors", anchor_id, invitationId=None)
    return state


def _end_call(state, call_id):
    call = state["calls"].get(call_id)
    if call is None:
        return state
    state = {**state, "calls": _drop(state["calls"], call_id)}
    for anchor_id in (call["callerAnchorId"], call["calleeAnchorId"]):
        if anchor_id in state["anchors"]:
            state = _patch(state, "anchors", anchor_id, callId=None)
    return state


def _start_call(state, invitation_id, call_id, now, relay_only=()):
    inv = state["invitations"][invitation_id]
    state = _end_invitation(state, invitation_id)
    state = _open_call(state, call_id, inv["fromAnchorId"], inv["toAnchorId"], now, relay_only)
    if inv.get("offered"):  # the ring's offer is the caller's pending offer in the call
        call = state["calls"][call_id]
        state = _patch(state, "calls", call_id, offers={**call["offers"], inv["fromAnchorId"]: True})
    return state


def _open_call(state, call_id, caller, callee, now, relay_only=()):
    clients = {a: state["anchors"][a]["clientId"] for a in (caller, callee)}
    call = {
        "id": call_id, "callerAnchorId": caller, "calleeAnchorId": callee,
        "clients": clients, "startedAt": now,
        "media": {caller: False, callee: False},
        "offers": {caller: False, callee: False},
        "relayOnly": tuple(a for a in (caller, callee) if a in relay_only),
    }
    state = {**state, "calls": _put(state["calls"], call_id, call)}
    state = _patch(state, "anchors", caller, callId=call_id)
    return _patch(state, "anchors", callee, callId=call_id)


def _drop_claim(state, anchor_id):
    claim = state["claims"].get(anchor_id)
    if claim is None:
        return state
    state = {**state, "claims": _drop(state["claims"], anchor_id)}
    if claim["anchorId"] in state["anchors"]:
        state = _patch(state, "anchors", claim["anchorId"], callId=None)
    return state


def _remove_anchor(state, anchor_id):
    anchor = state["anchors"].get(anchor_id)
    if anchor is None:
        return state
    if anchor["invitationId"]:
        state = _end_invitation(state, anchor["invitationId"])
    if anchor["callId"]:
        call = state["calls"].get(anchor["callId"])
        if call is not None and anchor_id in (call["callerAnchorId"], call["calleeAnchorId"]):
            state = _end_call(state, anchor["callId"])
        state = _drop_claim(state, anchor_id)
    state = {**state, "anchors": _drop(state["anchors"], anchor_id)}
    client = state["clients"].get(anchor["clientId"])
    if client is not None:
        ids = tuple(a for a in client["anchorIds"] if a != anchor_id)
        state = _patch(state, "clients", client["id"], anchorIds=ids)
    return state


# -- one handler per action type ------------------------------------------------------

def client_connected(state, p, meta):
    client, user = p["client"], p["user"]
    existing = state["users"].get(user["id"])
    client_ids = (existing["clientIds"] if existing else ()) + (client["id"],)
    state = {**state, "users": _put(state["users"], user["id"], {
        "id": user["id"], "displayName": user["displayName"], "clientIds": client_ids})}
    # Tabs told apart: the lowest number not taken by the user's other tabs.
    taken = {state["clients"][c].get("tab") for c in client_ids[:-1] if c in state["clients"]}
    tab = next(n for n in range(1, len(client_ids) + 1) if n not in taken)
    record = {**client, "device": client.get("device", ""), "node": client.get("node", ""),
              "tab": tab, "anchorIds": (), "awayUntil": None}
    return {**state, "clients": _put(state["clients"], client["id"], record)}


def _moved(state, p):
    """A socket closed on a node that no longer serves the client (it resumed on
    another): that node's news about it is stale."""
    client = state["clients"].get(p["clientId"])
    return client is None or ("node" in p and client.get("node", "") != p["node"])


def client_went_away(state, p, meta):
    if _moved(state, p):
        return state
    return _patch(state, "clients", p["clientId"], awayUntil=p["until"])


def client_resumed(state, p, meta):
    return _patch(state, "clients", p["clientId"], awayUntil=None, node=p.get("node", ""))


def node_lost(state, p, meta):
    for named in p["clients"]:
        client = state["clients"].get(named["id"])
        if client is not None and client.get("node", "") == p["node"] \
                and client["awayUntil"] is None:
            state = _patch(state, "clients", client["id"], awayUntil=p["until"])
    return state


def anchors_restored(state, p, meta):
    for anchor in p["anchors"]:
        state = anchor_created(state, {"anchorId": anchor["anchorId"], "name": anchor["name"]}, meta)
        state = _patch(state, "anchors", anchor["anchorId"], online=anchor["online"])
    return state


def client_disconnected(state, p, meta):
    client = state["clients"].get(p["clientId"])
    if client is None or _moved(state, p):
        return state
    for anchor_id in client["anchorIds"]:
        state = _remove_anchor(state, anchor_id)
    state = {**state, "clients": _drop(state["clients"], client["id"])}
    user = state["users"][client["userId"]]
    rest = tuple(c for c in user["clientIds"] if c != client["id"])
    if rest:
        return _patch(state, "users", user["id"], clientIds=rest)
    return {**state, "users": _drop(state["users"], user["id"])}


def user_renamed(state, p, meta):
    return _patch(state, "users", p["userId"], displayName=p["displayName"])


def anchor_created(state, p, meta):
    client_id = meta["clientId"]
    anchor = {"id": p["anchorId"], "clientId": client_id, "name": p["name"],
              "online": False, "invitationId": None, "callId": None}
    state = {**state, "anchors": _put(state["anchors"], anchor["id"], anchor)}
    ids = state["clients"][client_id]["anchorIds"] + (anchor["id"],)
    return _patch(state, "clients", client_id, anchorIds=ids)


def anchor_renamed(state, p, meta):
    return _patch(state, "anchors", p["anchorId"], name=p["name"])


def anchor_online_set(state, p, meta):
    return _patch(state, "anchors", p["anchorId"], online=p["online"])


def anchor_removed(state, p, meta):
    return _remove_anchor(state, p["anchorId"])


def invitation_created(state, p, meta):
    caller, callee = p["fromAnchorId"], p["toAnchorId"]
    pending = state["anchors"][callee]["invitationId"]
    if pending and state["invitations"][pending]["toAnchorId"] == caller:
        # Glare: the callee is already inviting the caller. Their invitation wins and
        # the call starts now; they are the initiator.
        # The rule its ring told both browsers holds (their prepared connections use it).
        relay_only = state["invitations"][pending].get("relayOnly", p.get("relayOnly", ()))
        return _start_call(state, pending, p["callId"], p["now"], relay_only)
    inv = {"id": p["invitationId"], "fromAnchorId": caller, "toAnchorId": callee,
           "fromClientId": state["anchors"][caller]["clientId"],
           "toClientId": state["anchors"][callee]["clientId"],
           "createdAt": p["now"], "expiresAt": p["expiresAt"],
           "relayOnly": tuple(p.get("relayOnly", ())), "offered": "offer" in p}
    state = {**state, "invitations": _put(state["invitations"], inv["id"], inv)}
    state = _patch(state, "anchors", caller, invitationId=inv["id"])
    return _patch(state, "anchors", callee, invitationId=inv["id"])


def invitation_ended(state, p, meta):
    return _end_invitation(state, p["invitationId"])


def invitation_accepted(state, p, meta):
    return _start_call(state, p["invitationId"], p["callId"], p["now"], p.get("relayOnly", ()))


def call_claimed(state, p, meta):
    other = state["claims"].get(p["peerAnchorId"])
    if other is not None and other["callId"] == p["callId"]:
        # the second claim (the guard checked it matches): any other claim to this call
        # id (a stranger's) is void now
        for claim in [c for c in state["claims"].values() if c["callId"] == p["callId"]]:
            state = _drop_claim(state, claim["anchorId"])
        mine, theirs = p["anchorId"], other["anchorId"]
        caller, callee = (mine, theirs) if p["initiator"] else (theirs, mine)
        # Media flowed peer to peer all along; both sides re-report it with call:media.
        return _open_call(state, p["callId"], caller, callee, p["now"], p.get("relayOnly", ()))
    claim = {"id": p["anchorId"], "callId": p["callId"], "anchorId": p["anchorId"],
             "peerAnchorId": p["peerAnchorId"],
             "clientId": meta["clientId"], "initiator": p["initiator"], "until": p["until"]}
    state = {**state, "claims": _put(state["claims"], p["anchorId"], claim)}
    return _patch(state, "anchors", p["anchorId"], callId=p["callId"])


# Clients whose grace ran out leave at most this many per tick: after a network blip
# drops thousands at once, their departures (each with its lobby deltas to every view
# holding them) are spread over ticks instead of stalling every connection at once.
EXPIRE_PER_TICK = 100


def clock_ticked(state, p, meta):
    now = p["now"]
    for inv in list(state["invitations"].values()):
        if inv["expiresAt"] <= now:
            state = _end_invitation(state, inv["id"])
    # Soonest expiry first, then by id: a map's iteration order differs between
    # processes (string hashes are salted per process), and every cluster node must let
    # the same hundred go in the same tick.
    expired = sorted((c["awayUntil"], c["id"]) for c in state["clients"].values()
                     if c["awayUntil"] is not None and c["awayUntil"] <= now)
    for _, client_id in expired[:EXPIRE_PER_TICK]:  # the rest on the next ticks
        state = client_disconnected(state, {"clientId": client_id}, {})
    for claim in list(state["claims"].values()):
        if claim["until"] <= now:
            state = _drop_claim(state, claim["id"])
    return state


def call_signalled(state, p, meta):
    description = p.get("description")
    if description is None or description["type"] not in ("offer", "answer"):
        return state
    call = state["calls"][p["callId"]]
    me = sender_anchor(state, call, meta["clientId"])
    if description["type"] == "offer":
        offers = {**call["offers"], me: True}
    else:
        offers = {**call["offers"], _other(call, me): False}
    if offers == call["offers"]:
        return state
    return _patch(state, "calls", call["id"], offers=offers)


def call_media_reported(state, p, meta):
    call = state["calls"][p["callId"]]
    me = sender_anchor(state, call, meta["clientId"])
    if call["media"][me] == p["flowing"]:
        return state
    return _patch(state, "calls", call["id"], media={**call["media"], me: p["flowing"]})


def call_hung_up(state, p, meta):
    return _end_call(state, p["callId"])


HANDLERS = {
    A.CLIENT_CONNECTED: client_connected,
    A.CLIENT_DISCONNECTED: client_disconnected,
    A.CLIENT_WENT_AWAY: client_went_away,
    A.CLIENT_RESUMED: client_resumed,
    A.ANCHORS_RESTORED: anchors_restored,
    A.CALL_CLAIMED: call_claimed,
    A.USER_RENAMED: user_renamed,
    A.ANCHOR_CREATED: anchor_created,
    A.ANCHOR_RENAMED: anchor_renamed,
    A.ANCHOR_ONLINE_SET: anchor_online_set,
    A.ANCHOR_REMOVED: anchor_removed,
    A.INVITATION_CREATED: invitation_created,
    A.INVITATION_CANCELLED: invitation_ended,
    A.INVITATION_DECLINED: invitation_ended,
    A.INVITATION_ACCEPTED: invitation_accepted,
    A.CLOCK_TICKED: clock_ticked,
    A.CALL_SIGNALLED: call_signalled,
    A.CALL_MEDIA_REPORTED: call_media_reported,
    A.CALL_HUNG_UP: call_hung_up,
    A.NODE_LOST: node_lost,
}


def root_reducer(state, action):
    if state is None:
        state = initial_state()
    handler = HANDLERS.get(action["type"])
    if handler is None:
        return state
    return handler(state, action.get("payload", {}), action.get("meta", {}))
