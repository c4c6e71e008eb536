"""The calls and claims slices: a call is its parties, with per-pair facts.

    calls   {callId: {id, parties, clients, startedAt, media, offers, pairs}}
            parties: the anchors in the call, in the order they joined (a tuple)
            clients: {anchorId: clientId}; media/offers: {anchorId: bool} (a party's
            media is flowing; it has an offer out that awaits an answer)
            pairs:   {pair key: {initiator, polite, relayOnly}} for each pair of parties
                     (selectors.pair_key): who makes the pair's first offer, the
                     perfect-negotiation polite side, and the anchors that may send
                     only relay candidates towards the other (a tuple)
    claims  {anchorId: {id (= anchorId), callId, anchorId, peerAnchorId, clientId,
            initiator, until}} one anchor's claim to a call it was in before a server
            restart (per anchor, so a stranger's claim to the same call id blocks no one)
"""
from ..selectors import pair_key, sender_anchor, signal_target
from .base import drop, patch, put


def end_call(state, call_id):
    call = state["calls"].get(call_id)
    if call is None:
        return state
    state = {**state, "calls": drop(state["calls"], call_id)}
    for anchor_id in call["parties"]:
        if anchor_id in state["anchors"]:
            state = patch(state, "anchors", anchor_id, callId=None)
    return state


def new_pair(initiator, other, relay_only=()):
    """The facts of one pair: `initiator` offers first, `other` is the polite side."""
    return {"initiator": initiator, "polite": other,
            "relayOnly": tuple(a for a in (initiator, other) if a in relay_only)}


def open_call(state, call_id, caller, callee, now, relay_only=()):
    """A call of two parties: the caller joined first and makes the pair's first offer."""
    parties = (caller, callee)
    call = {
        "id": call_id, "parties": parties,
        "clients": {a: state["anchors"][a]["clientId"] for a in parties},
        "startedAt": now,
        "media": {a: False for a in parties},
        "offers": {a: False for a in parties},
        "pairs": {pair_key(caller, callee): new_pair(caller, callee, relay_only)},
    }
    state = {**state, "calls": put(state["calls"], call_id, call)}
    for anchor_id in parties:
        state = patch(state, "anchors", anchor_id, callId=call_id)
    return state


def drop_claim(state, anchor_id):
    claim = state["claims"].get(anchor_id)
    if claim is None:
        return state
    state = {**state, "claims": drop(state["claims"], anchor_id)}
    if claim["anchorId"] in state["anchors"]:
        state = patch(state, "anchors", claim["anchorId"], callId=None)
    return state


def leave_call(state, anchor_id, call_id):
    """An anchor that goes away ends its call (two parties) and drops its claim."""
    call = state["calls"].get(call_id)
    if call is not None and anchor_id in call["parties"]:
        state = end_call(state, call_id)
    return drop_claim(state, anchor_id)


def call_claimed(state, p, meta):
    other = state["claims"].get(p["peerAnchorId"])
    if other is not None and other["callId"] == p["callId"]:
        # the second claim (the guard checked it matches): any other claim to this call
        # id (a stranger's) is void now
        for claim in [c for c in state["claims"].values() if c["callId"] == p["callId"]]:
            state = drop_claim(state, claim["anchorId"])
        mine, theirs = p["anchorId"], other["anchorId"]
        caller, callee = (mine, theirs) if p["initiator"] else (theirs, mine)
        # Media flowed peer to peer all along; both sides re-report it with call:media.
        return open_call(state, p["callId"], caller, callee, p["now"], p.get("relayOnly", ()))
    claim = {"id": p["anchorId"], "callId": p["callId"], "anchorId": p["anchorId"],
             "peerAnchorId": p["peerAnchorId"],
             "clientId": meta["clientId"], "initiator": p["initiator"], "until": p["until"]}
    state = {**state, "claims": put(state["claims"], p["anchorId"], claim)}
    return patch(state, "anchors", p["anchorId"], callId=p["callId"])


def call_signalled(state, p, meta):
    description = p.get("description")
    if description is None or description["type"] not in ("offer", "answer"):
        return state
    call = state["calls"][p["callId"]]
    me = sender_anchor(state, call, meta["clientId"])
    if description["type"] == "offer":
        offers = {**call["offers"], me: True}
    else:
        offers = {**call["offers"], signal_target(state, call, me, p.get("to")): False}
    if offers == call["offers"]:
        return state
    return patch(state, "calls", call["id"], offers=offers)


def call_media_reported(state, p, meta):
    call = state["calls"][p["callId"]]
    me = sender_anchor(state, call, meta["clientId"])
    if call["media"][me] == p["flowing"]:
        return state
    return patch(state, "calls", call["id"], media={**call["media"], me: p["flowing"]})


def call_hung_up(state, p, meta):
    return end_call(state, p["callId"])
