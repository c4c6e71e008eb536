"""The calls and claims slices: a call is its parties, with per-pair facts.

    calls   {callId: {id, parties, clients, startedAt, media, offers, pairs}}
            parties: the anchors in the call, in the order they joined (a tuple); one
                     party only while a call:invite-many rings (the call is not live)
            clients: {anchorId: clientId}
            media:   {anchorId: {peerAnchorId: bool}} the party's connection towards
                     that peer is connected with media arriving
            offers:  {anchorId: {peerAnchorId: bool}} the party has an offer out to that
                     peer that awaits its answer
            pairs:   {pair key: {initiator, polite, relayOnly}} for each pair of parties
                     (selectors.pair_key): who makes the pair's first offer, the
                     perfect-negotiation polite side, and the anchors that may send
                     only relay candidates towards the other (a tuple)
    claims  {anchorId: {id (= anchorId), callId, anchorId, peerAnchorId, clientId,
            initiator, until, pairs, relay}} one anchor's claim to a call it was in before a
            server restart (per anchor, so a stranger's claim to the same call id blocks
            no one); `pairs` {peerAnchorId: initiator}: every pair it claimed (a party of
            a group call claims one per peer; peerAnchorId/initiator: its first); `relay`
            {peerAnchorId: the pair's relay-only anchors, as the server found them when
            the claim was made}. A claim stays until `until` so that later parties can
            match it (issue 26).

Rings into a call are invitations with a `callId` (invitations.py); a party that leaves
ends the rings it made into the call, and a call that ends ends every ring into it.
"""
from ..selectors import pair_key, sender_anchor, signal_target
from .base import drop, patch, put


def _end_rings(state, call_id, from_anchor=None):
    """End the rings into `call_id` (only those `from_anchor` made, when given)."""
    from .invitations import end_invitation  # invitations.py builds on this module

    for inv in [i for i in state["invitations"].values() if i.get("callId") == call_id
                and from_anchor in (None, i["fromAnchorId"])]:
        state = end_invitation(state, inv["id"], settle=False)
    return state


def end_call(state, call_id):
    call = state["calls"].get(call_id)
    if call is None:
        return state
    state = {**state, "calls": drop(state["calls"], call_id)}
    for anchor_id in call["parties"]:
        if anchor_id in state["anchors"]:
            state = patch(state, "anchors", anchor_id, callId=None)
    # the claims that restored it (kept for later parties) go with it
    for claim in [c for c in state["claims"].values() if c["callId"] == call_id]:
        state = drop_claim(state, claim["id"])
    return _end_rings(state, call_id)


def new_pair(initiator, other, relay_only=()):
    """The facts of one pair: `initiator` offers first, `other` is the polite side."""
    return {"initiator": initiator, "polite": other,
            "relayOnly": tuple(a for a in (initiator, other) if a in relay_only)}


def _per_peer(parties, value=False):
    return {a: {b: value for b in parties if b != a} for a in parties}


def open_call(state, call_id, caller, callee, now, relay_only=()):
    """A call of two parties: the caller joined first and makes the pair's first offer."""
    parties = (caller, callee)
    call = {
        "id": call_id, "parties": parties,
        "clients": {a: state["anchors"][a]["clientId"] for a in parties},
        "startedAt": now,
        "media": _per_peer(parties), "offers": _per_peer(parties),
        "pairs": {pair_key(caller, callee): new_pair(caller, callee, relay_only)},
    }
    state = {**state, "calls": put(state["calls"], call_id, call)}
    for anchor_id in parties:
        state = patch(state, "anchors", anchor_id, callId=call_id)
    return state


def open_ringing(state, call_id, anchor_id):
    """A call of one party: `anchor_id` rings several (call:invite-many), not live yet."""
    call = {"id": call_id, "parties": (anchor_id,),
            "clients": {anchor_id: state["anchors"][anchor_id]["clientId"]},
            "startedAt": None, "media": {anchor_id: {}}, "offers": {anchor_id: {}}, "pairs": {}}
    state = {**state, "calls": put(state["calls"], call_id, call)}
    return patch(state, "anchors", anchor_id, callId=call_id)


def join_call(state, call_id, newcomer, inviter, now, pair_relay):
    """`newcomer` accepted a ring from `inviter` into the call. Into a call of one party
    (a ring of call:invite-many) it starts as a two-party call (the inviter offers
    first); into a live call the newcomer is the initiator and the impolite side of
    each of its new pairs. `pair_relay`: {party: [relay-only anchors of that pair]},
    decided by the realtime layer; a pair it does not name (a party that joined after
    it was decided) is relay-only on both sides: privacy fails closed."""
    call = state["calls"][call_id]
    if len(call["parties"]) == 1:
        state = {**state, "calls": drop(state["calls"], call_id)}
        return open_call(state, call_id, inviter, newcomer, now, pair_relay.get(inviter, ()))
    parties = call["parties"] + (newcomer,)
    pairs = dict(call["pairs"])
    for party in call["parties"]:
        relay = pair_relay.get(party, (newcomer, party))
        pairs[pair_key(newcomer, party)] = new_pair(newcomer, party, relay)

    def grown(table):
        table = {a: {**peers, newcomer: False} for a, peers in table.items()}
        table[newcomer] = {a: False for a in call["parties"]}
        return table

    state = patch(state, "calls", call_id, parties=parties, pairs=pairs,
                  clients={**call["clients"], newcomer: state["anchors"][newcomer]["clientId"]},
                  media=grown(call["media"]), offers=grown(call["offers"]))
    return patch(state, "anchors", newcomer, callId=call_id)


def drop_claim(state, anchor_id):
    claim = state["claims"].get(anchor_id)
    if claim is None:
        return state
    state = {**state, "claims": drop(state["claims"], anchor_id)}
    call = state["calls"].get(claim["callId"])
    if claim["anchorId"] in state["anchors"] and (call is None or anchor_id not in call["parties"]):
        state = patch(state, "anchors", claim["anchorId"], callId=None)
    return state


def leave_call(state, anchor_id, call_id):
    """A party leaves: the rings it made into the call end; a call left with fewer than
    two parties ends (a two-party call, or a ring of one that is abandoned). The claim
    of an anchor goes too."""
    call = state["calls"].get(call_id)
    if call is not None and anchor_id in call["parties"]:
        if len(call["parties"]) <= 2:
            state = end_call(state, call_id)
        else:
            state = _end_rings(state, call_id, anchor_id)
            rest = tuple(a for a in call["parties"] if a != anchor_id)
            state = patch(state, "calls", call_id, parties=rest,
                          clients={a: call["clients"][a] for a in rest},
                          media={a: _without(call["media"][a], anchor_id) for a in rest},
                          offers={a: _without(call["offers"][a], anchor_id) for a in rest},
                          pairs={k: v for k, v in call["pairs"].items()
                                 if anchor_id not in (v["initiator"], v["polite"])})
            if anchor_id in state["anchors"]:
                state = patch(state, "anchors", anchor_id, callId=None)
    return drop_claim(state, anchor_id)


def _without(peers, anchor_id):
    return {b: v for b, v in peers.items() if b != anchor_id}


def pair_claimed(state, call_id, a, b):
    """Did both ends claim the pair a-b of `call_id`, matching (distinct clients,
    one initiator)? A client never gets into a call by claiming alone."""
    ca, cb = state["claims"].get(a), state["claims"].get(b)
    return (ca is not None and cb is not None and ca["callId"] == cb["callId"] == call_id
            and b in ca["pairs"] and a in cb["pairs"] and ca["clientId"] != cb["clientId"]
            and ca["pairs"][b] != cb["pairs"][a])


def _claimed_pair(state, call_id, a, b, relay_only):
    caller, callee = (a, b) if state["claims"][a]["pairs"][b] else (b, a)
    return new_pair(caller, callee, relay_only)


def _pair_relay(state, a, b):
    """The anchors of the pair a-b that send only relay candidates, as each side's claim
    was told when it was made (server-side: realtime/lifecycle.py relay_only)."""
    ca, cb = state["claims"][a], state["claims"][b]
    return tuple(ca["relay"].get(b, ())) + tuple(x for x in cb["relay"].get(a, ())
                                                 if x not in ca["relay"].get(b, ()))


def _admit(state, call_id):
    """Add to the live call every claimant whose claims match a claim of EVERY party in
    it, until none is left: the order of the claims does not matter, and nobody joins a
    call by one party's word (a party that claims an anchor that was never in the call,
    with that anchor's help, cannot bring it in: the other parties never claimed it)."""
    while True:
        call = state["calls"][call_id]
        newcomer = next((c["anchorId"] for c in sorted(state["claims"].values(),
                                                       key=lambda c: c["anchorId"])
                         if c["callId"] == call_id and c["anchorId"] not in call["parties"]
                         and all(pair_claimed(state, call_id, c["anchorId"], q)
                                 for q in call["parties"])), None)
        if newcomer is None:
            return state
        relay = {q: _pair_relay(state, newcomer, q) for q in call["parties"]}
        state = join_call(state, call_id, newcomer, None, None, relay)
        pairs = dict(state["calls"][call_id]["pairs"])
        for q in call["parties"]:
            pairs[pair_key(newcomer, q)] = _claimed_pair(state, call_id, newcomer, q, relay[q])
        state = patch(state, "calls", call_id, pairs=pairs)


def call_claimed(state, p, meta):
    me, peer, call_id = p["anchorId"], p["peerAnchorId"], p["callId"]
    relay_only = tuple(p.get("relayOnly", ()))
    mine = state["claims"].get(me)
    if mine is not None and mine["callId"] == call_id:  # another pair of the same call
        claim = {**mine, "pairs": {**mine["pairs"], peer: p["initiator"]},
                 "relay": {**mine["relay"], peer: relay_only}}
    else:
        claim = {"id": me, "callId": call_id, "anchorId": me, "peerAnchorId": peer,
                 "clientId": meta["clientId"], "initiator": p["initiator"],
                 "until": p["until"], "pairs": {peer: p["initiator"]},
                 "relay": {peer: relay_only}}
    state = {**state, "claims": put(state["claims"], me, claim)}
    state = patch(state, "anchors", me, callId=call_id)
    if not pair_claimed(state, call_id, me, peer):
        return state
    call = state["calls"].get(call_id)
    if call is None:
        # Media flowed peer to peer all along; both sides re-report it with call:media.
        pair = _claimed_pair(state, call_id, me, peer, ())
        state = open_call(state, call_id, pair["initiator"], pair["polite"], p["now"],
                          _pair_relay(state, me, peer))
    elif me in call["parties"] and peer in call["parties"]:  # both in: the pair's facts
        pairs = {**call["pairs"], pair_key(me, peer): _claimed_pair(
            state, call_id, me, peer, _pair_relay(state, me, peer))}
        state = patch(state, "calls", call_id, pairs=pairs)
    return _admit(state, call_id)


def _set(table, me, peer, value):
    if table[me][peer] == value:
        return table
    return {**table, me: {**table[me], peer: value}}


def call_signalled(state, p, meta):
    description = p.get("description")
    if description is None or description["type"] not in ("offer", "answer"):
        return state
    call = state["calls"][p["callId"]]
    me = sender_anchor(state, call, meta["clientId"])
    peer = signal_target(state, call, me, p.get("to"))
    if description["type"] == "offer":  # an offer out from me to the peer
        offers = _set(call["offers"], me, peer, True)
    else:  # my answer settles the peer's offer to me
        offers = _set(call["offers"], peer, me, False)
    if offers is call["offers"]:
        return state
    return patch(state, "calls", call["id"], offers=offers)


def call_media_reported(state, p, meta):
    call = state["calls"][p["callId"]]
    me = sender_anchor(state, call, meta["clientId"])
    media = _set(call["media"], me, signal_target(state, call, me, p.get("to")), p["flowing"])
    if media is call["media"]:
        return state
    return patch(state, "calls", call["id"], media=media)


def call_hung_up(state, p, meta):
    call = state["calls"][p["callId"]]
    return leave_call(state, sender_anchor(state, call, meta["clientId"]), call["id"])


def call_opened(state, p, meta):
    return open_ringing(state, p["callId"], p["anchorId"])
