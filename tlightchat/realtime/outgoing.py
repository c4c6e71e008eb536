"""Store change → outgoing messages: the pure step between the store and the sockets.

`outgoing(action, prev, next)` says which messages one dispatched action produces,
each addressed to a node path (client id, anchor id, call id) of the delivery tree
(delivery.py), to a call (`to_call`: the same message for each of its parties) or to
the lobby. No I/O, no sockets: given the same action and states
every process computes the same messages, which is what lets a cluster node deliver
only to its own clients.
"""
from .. import events as E
from ..store import actions as A
from ..store import selectors as S
from ..store.selectors import peers_of, sender_anchor
from .call_messages import joined, peer_reloaded, started
from ..reach.knock_messages import knock_messages

LOBBY = ()


class CallPath(tuple):
    """The path of a message for every party of a call: (callId,)."""


def to_call(call_id):
    return CallPath((call_id,))


# -- what to send --------------------------------------------------------------------

def named_ids(action):
    """Every id an action names: values of `id` / `...Id` keys in its meta and payload,
    down into nested records and lists. A reducer changes an existing entry of the
    clients, users or anchors slices only when its action names it (new and removed
    entries are found from the keys), so a change is found without scanning a slice:
    tests/store/test_events.py checks this against a full scan for every action."""
    found = set()

    def walk(value, depth):
        if depth > 3:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str) and (key == "id" or key.endswith("Id")):
                    found.add(item)
                elif isinstance(item, (dict, list)):
                    walk(item, depth + 1)
        elif isinstance(value, list):
            for item in value:
                walk(item, depth + 1)

    walk(action.get("meta", {}), 0)
    walk(action.get("payload", {}), 0)
    return found


def slice_changes(prev, nxt, named):
    """(added, removed, changed) keys of one state slice, each sorted, looking only at
    the `named` keys when the sizes add up (the common case: O(changes)); otherwise
    (e.g. a clock tick dropping clients it does not name) by set operations on the keys."""
    if prev is nxt:
        return [], [], []
    added = [k for k in named if k in nxt and k not in prev]
    removed = [k for k in named if k in prev and k not in nxt]
    if len(nxt) != len(prev) + len(added) - len(removed):
        added = [k for k in nxt if k not in prev]
        removed = [k for k in prev if k not in nxt]
    changed = sorted(k for k in named if k in prev and k in nxt and prev[k] is not nxt[k])
    return sorted(added), sorted(removed), changed


def _small_slice_anchors(prev, nxt, anchors_of):
    """Anchors of the invitations, calls or claims that changed (`anchors_of(record)`):
    these change anchors without naming them, and these slices stay small."""
    touched = set()
    if prev is not nxt:
        for key in prev.keys() | nxt.keys():
            old, new = prev.get(key), nxt.get(key)
            if old is not new:
                for record in (old, new):
                    if record is not None:
                        touched.update(anchors_of(record))
    return touched


def anchor_deltas(prev, nxt, touched):
    """`lobby:anchor` for each touched anchor whose public view changed (or is new)."""
    msgs = []
    for aid in sorted(touched):
        if aid not in nxt["anchors"]:
            continue
        view = S.public_anchor(nxt, aid)
        if aid not in prev["anchors"] or S.public_anchor(prev, aid) != view:
            msgs.append((LOBBY, E.LOBBY_ANCHOR, {"anchor": view}))
    return msgs


def _lobby_deltas(action, prev, nxt):
    if prev is nxt:  # e.g. a relayed ICE candidate: nothing to diff, no ids to collect
        return []
    msgs = []
    named = named_ids(action)
    joined, left, changed = slice_changes(prev["clients"], nxt["clients"], named)
    for cid in joined:
        client = nxt["clients"][cid]
        user = S.public_user(nxt["users"][client["userId"]])
        msgs.append((LOBBY, E.LOBBY_CLIENT_JOINED,
                     {"client": S.public_client(client), "user": user}))
    for cid in changed:
        old, client = prev["clients"][cid], nxt["clients"][cid]
        if old["awayUntil"] != client["awayUntil"] \
                and (old["awayUntil"] is None or client["awayUntil"] is None):
            msgs.append((LOBBY, E.LOBBY_CLIENT, {"client": S.public_client(client)}))
    for uid in slice_changes(prev["users"], nxt["users"], named)[2]:
        was, user = prev["users"][uid], nxt["users"][uid]
        if was["displayName"] != user["displayName"] or was.get("account") != user.get("account"):
            msgs.append((LOBBY, E.LOBBY_USER, {"user": S.public_user(user)}))
    added, removed, touched = slice_changes(prev["anchors"], nxt["anchors"], named)
    for aid in removed:
        if prev["anchors"][aid]["clientId"] in nxt["clients"]:
            msgs.append((LOBBY, E.LOBBY_ANCHOR_REMOVED, {"anchorId": aid}))
    touched = set(added) | set(touched) \
        | _small_slice_anchors(prev["calls"], nxt["calls"], lambda c: c["parties"]) \
        | _small_slice_anchors(prev["invitations"], nxt["invitations"],
                               lambda i: (i["fromAnchorId"], i["toAnchorId"])) \
        | _small_slice_anchors(prev["claims"], nxt["claims"], lambda c: (c["anchorId"],))
    msgs += anchor_deltas(prev, nxt, touched)
    for cid in left:
        msgs.append((LOBBY, E.LOBBY_CLIENT_LEFT, {"clientId": cid}))
    return msgs


_INVITE_END_REASON = {
    A.INVITATION_CANCELLED: "cancelled",
    A.INVITATION_DECLINED: "declined",
    A.INVITATION_ACCEPTED: "accepted",
    A.INVITATION_CREATED: "accepted",  # glare: the reverse invitation became the call
    A.CLOCK_TICKED: "missed",
}


def _invitation_messages(action, prev, nxt, actor):
    msgs = []
    reason = _INVITE_END_REASON.get(action["type"], "peer-left")
    ended = () if prev["invitations"] is nxt["invitations"] else prev["invitations"].items()
    for iid, inv in ended:
        if iid in nxt["invitations"]:
            continue
        why = reason
        ringing = prev["calls"].get(inv.get("callId") or "")
        if action["type"] == A.CALL_HUNG_UP and ringing is not None and not S.call_live(ringing):
            why = "cancelled"  # a multi-ring's caller hung up before anyone answered
        if action["type"] == A.CLOCK_TICKED and inv["expiresAt"] > action["payload"]["now"]:
            why = "peer-left"  # ended because an away client's grace ran out
        for anchor_key, client_key in (("fromAnchorId", "fromClientId"), ("toAnchorId", "toClientId")):
            cid = inv[client_key]
            if cid not in nxt["clients"] or (why == "peer-left" and cid == actor
                                             and action["type"] != A.CALL_HUNG_UP):
                continue
            msgs.append(((cid, inv[anchor_key]), E.CALL_INVITE_ENDED,
                         {"invitationId": iid, "reason": why, "anchorId": inv[anchor_key]}))
    if action["type"] == A.INVITATION_CREATED:
        inv = nxt["invitations"].get(action["payload"]["invitationId"])
        if inv is not None:
            ttl = inv["expiresAt"] - inv["createdAt"]
            ring = {"invitationId": inv["id"], "toAnchorId": inv["toAnchorId"],
                    "from": S.party(nxt, inv["fromAnchorId"]), "expiresInMs": int(ttl * 1000),
                    "relayOnly": inv["toAnchorId"] in inv.get("relayOnly", ())}
            if "offer" in action["payload"]:  # relayed with the ring, never stored
                ring["offer"] = action["payload"]["offer"]
            call = nxt["calls"].get(inv.get("callId") or "")
            if call is not None:  # a ring into a call: who is in it (group calls)
                ring["call"] = {"callId": call["id"], "parties": [
                    {k: v for k, v in S.party(nxt, a).items() if k != "clientId"}
                    for a in call["parties"]]}
            msgs.append(((inv["toClientId"], inv["toAnchorId"]), E.CALL_RING, ring))
    return msgs


def _claimed(state, call_id):
    """Was this call id claimed (after a restart)? Claims are few and short-lived."""
    return any(c["callId"] == call_id for c in state["claims"].values())


def _call_messages(action, prev, nxt, actor):
    msgs = []
    calls_changed = prev["calls"] is not nxt["calls"]
    # a call's state also depends on its clients (away → reconnecting)
    recheck = calls_changed or prev["clients"] is not nxt["clients"]
    for call_id, call in (nxt["calls"].items() if recheck else ()):
        if not S.call_live(call):
            continue  # a call:invite-many that rings: nobody to tell yet
        old = prev["calls"].get(call_id)
        state = S.call_state(nxt, call)
        if old is None and _claimed(prev, call_id):  # restored after a server restart
            old_state = None
        elif old is None or not S.call_live(old):
            msgs.extend(started(action, nxt, call))
            continue
        else:
            old_state = S.call_state(prev, old)
            if old["parties"] is not call["parties"] and action["type"] == A.CALL_CLAIMED:
                old_state = None  # a party restored by its claims: its connections stand
            elif old["parties"] is not call["parties"]:
                msgs.extend(joined(action, prev, nxt, old, call, actor))
        if old_state != state:
            msgs.append((to_call(call_id), E.CALL_STATE, {"callId": call_id, "state": state}))
    if prev["claims"] is not nxt["claims"]:
        for key, claim in prev["claims"].items():
            call_id = claim["callId"]
            # a claim that lapsed with its call never restored (a call that ended is
            # told below, once, with its reason)
            if key not in nxt["claims"] and call_id not in nxt["calls"] \
                    and call_id not in prev["calls"] and claim["clientId"] in nxt["clients"]:
                msgs.append(((claim["clientId"], claim["anchorId"], call_id), E.CALL_ENDED, {
                    "callId": call_id, "anchorId": claim["anchorId"], "reason": "peer-left"}))
    hangup = action["type"] == A.CALL_HUNG_UP
    for call_id, call in (prev["calls"].items() if calls_changed else ()):
        if call_id in nxt["calls"] or not S.call_live(call):
            continue
        for aid, cid in call["clients"].items():
            if cid not in nxt["clients"] or (not hangup and cid == actor):
                continue
            data = {"callId": call_id, "anchorId": aid,
                    "reason": "hangup" if hangup else "peer-left"}
            if hangup:
                data["by"] = "you" if cid == actor else "peer"
            msgs.append(((cid, aid, call_id), E.CALL_ENDED, data))
    if action["type"] == A.CLIENT_RESUMED and action["payload"].get("reloaded"):
        msgs.extend(peer_reloaded(nxt, action["payload"]["clientId"]))
    msgs.extend(relayed(action, nxt, actor))
    return msgs


def relayed(action, state, actor):
    """What a RELAYED action passes on: one message to the party it names (a signal's
    `to`), else one to every other party, stamped with the sender's anchor. Also the
    whole of what a relayed ICE candidate produces (EmitterTree.relay sends it without a
    dispatch: its reducer keeps the state as it is)."""
    relay = RELAYED.get(action["type"])
    if relay is None:
        return []
    event, keys = relay
    p = action["payload"]
    call = state["calls"][p["callId"]]
    me = sender_anchor(state, call, actor)
    data = {"callId": call["id"], "fromAnchorId": me, **{k: p[k] for k in keys if k in p}}
    return [((call["clients"][peer], peer, call["id"]), event, data)
            for peer in ((p["to"],) if "to" in p else peers_of(state, call["id"], me))]


# Passed from one side of a live call to the other, stamped with the sender's anchor:
# action type → (event, the payload keys relayed).
RELAYED = {
    A.CALL_SIGNALLED: (E.CALL_SIGNAL, ("description", "candidate")),
    A.CALL_PEER_STATE_REPORTED: (E.CALL_PEER_STATE, ("audio", "video", "screen")),
}


def outgoing(action, prev, nxt):
    """The messages one dispatched action produces: a list of (path, event, data), where
    path is LOBBY, to_call(callId) or (clientId[, anchorId[, callId]])."""
    actor = action.get("meta", {}).get("clientId")
    return (_lobby_deltas(action, prev, nxt)
            + _invitation_messages(action, prev, nxt, actor)
            + _call_messages(action, prev, nxt, actor)
            + knock_messages(action, prev, nxt))  # knocks on a running call (issue 27)
