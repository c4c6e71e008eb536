"""The messages a call's parties get when it starts, grows, shrinks or a page reloads:
`call:started`, `call:party-joined`, `call:party-left` (group calls: docs/protocol.md)
and `call:peer-reloaded`. Pure, like outgoing.py, which calls these."""
from .. import events as E
from ..chat.groups import conversation_id
from ..store import actions as A
from ..store import selectors as S
from ..store.selectors import pair_of, peers_of


def started(action, state, call):
    """`call:started` for each party of a new call, about each of its peers: the pair's
    roles (who offers first, the polite side) and whether this side hides its address."""
    msgs = []
    resend = action["type"] == A.INVITATION_ACCEPTED and action["payload"].get("resendOffer")
    for me in call["parties"]:
        for peer in peers_of(state, call["id"], me):
            data = {"callId": call["id"], "anchorId": me, **pair_view(state, call, me, peer)}
            if resend and data["initiator"]:
                data["resendOffer"] = True
            msgs.append(((call["clients"][me], me, call["id"]), E.CALL_STARTED, data))
    return msgs


def joined(action, prev, nxt, old, call, actor):
    """A live call whose parties changed (group calls): a newcomer gets `call:started`
    with its pair with the inviter and `parties` (every pair), each other party
    `call:party-joined`; a party that left (its client still here) `call:ended` when it
    hung up, and each remaining party `call:party-left`."""
    msgs = []
    hangup = action["type"] == A.CALL_HUNG_UP
    for gone in (a for a in old["parties"] if a not in call["parties"]):
        cid = old["clients"][gone]
        if hangup and cid == actor and cid in nxt["clients"]:
            msgs.append(((cid, gone, call["id"]), E.CALL_ENDED, {
                "callId": call["id"], "anchorId": gone, "reason": "hangup", "by": "you"}))
        for party in call["parties"]:
            msgs.append(((call["clients"][party], party, call["id"]), E.CALL_PARTY_LEFT, {
                "callId": call["id"], "anchorId": party, "peerAnchorId": gone,
                "reason": "hangup" if hangup else "peer-left"}))
    inv = prev["invitations"].get(action["payload"].get("invitationId", ""))
    for new in (a for a in call["parties"] if a not in old["parties"]):
        inviter = inv["fromAnchorId"] if inv and inv["fromAnchorId"] in call["parties"] \
            else call["parties"][0]
        pairs = {peer: pair_view(nxt, call, new, peer) for peer in peers_of(nxt, call["id"], new)}
        msgs.append(((call["clients"][new], new, call["id"]), E.CALL_STARTED, {
            "callId": call["id"], "anchorId": new, **pairs[inviter],
            "parties": list(pairs.values()), **_chat(call)}))
        for party in peers_of(nxt, call["id"], new):
            msgs.append(((call["clients"][party], party, call["id"]), E.CALL_PARTY_JOINED, {
                "callId": call["id"], "anchorId": party, **pair_view(nxt, call, party, new),
                **_chat(call)}))
    return msgs


def _chat(call):
    """A call of three or more has a group conversation (chat/groups.py): its id."""
    return {"conversationId": conversation_id(call["id"])} if len(call["parties"]) >= 3 else {}


def pair_view(state, call, me, peer):
    """The facts of the pair (me, peer) as `me` is told them."""
    pair = pair_of(call, me, peer)
    return {"peer": S.party(state, peer), "polite": me == pair["polite"],
            "initiator": me == pair["initiator"], "relayOnly": me in pair["relayOnly"]}


def peer_reloaded(state, client_id):
    """A reloaded page is back (its peer connections are gone): tell the peer of each of
    its calls, which starts a new connection and waits for the reloaded side's offer."""
    msgs = []
    for aid in state["clients"][client_id]["anchorIds"]:
        call = state["calls"].get(state["anchors"][aid].get("callId") or "")
        if call is None:
            continue
        for peer in peers_of(state, call["id"], aid):
            msgs.append(((call["clients"][peer], peer, call["id"]), E.CALL_PEER_RELOADED,
                         {"callId": call["id"], "fromAnchorId": aid}))
    return msgs
