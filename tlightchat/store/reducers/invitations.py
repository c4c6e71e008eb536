"""The invitations slice: a ring from one anchor to another, until it ends or becomes a call.

    invitations {invitationId: {id, fromAnchorId, toAnchorId, fromClientId, toClientId,
                                createdAt, expiresAt, relayOnly, offered, callId}}
                relayOnly: decided at the invite, kept for the call's pair; offered: the
                ring carried the caller's offer (pending in the call it becomes);
                callId: the call it rings into (group calls), else None. A ring into a
                call holds only the callee's anchor (`invitationId`): the inviter stays
                in its call and may have several rings out.
"""
from .base import drop, patch, put
from .calls import end_call, join_call, open_call


def end_invitation(state, invitation_id, settle=True):
    """End a ring. `settle`: a call of one party (call:invite-many) whose last ring
    ended unanswered is gone too; its anchor is free again."""
    inv = state["invitations"].get(invitation_id)
    if inv is None:
        return state
    state = {**state, "invitations": drop(state["invitations"], invitation_id)}
    for anchor_id in (inv["fromAnchorId"], inv["toAnchorId"]):
        anchor = state["anchors"].get(anchor_id)
        if anchor is not None and anchor["invitationId"] == invitation_id:
            state = patch(state, "anchors", anchor_id, invitationId=None)
    call = state["calls"].get(inv.get("callId") or "")
    if settle and call is not None and len(call["parties"]) == 1 and not any(
            i.get("callId") == call["id"] for i in state["invitations"].values()):
        state = end_call(state, call["id"])
    return state


def start_call(state, invitation_id, call_id, now, relay_only=()):
    inv = state["invitations"][invitation_id]
    state = end_invitation(state, invitation_id)
    state = open_call(state, call_id, inv["fromAnchorId"], inv["toAnchorId"], now, relay_only)
    if inv.get("offered"):  # the ring's offer is the caller's pending offer in the call
        caller, callee = inv["fromAnchorId"], inv["toAnchorId"]
        offers = state["calls"][call_id]["offers"]
        state = patch(state, "calls", call_id,
                      offers={**offers, caller: {**offers[caller], callee: True}})
    return state


def invitation_created(state, p, meta):
    caller, callee = p["fromAnchorId"], p["toAnchorId"]
    into = state["anchors"][caller]["callId"]  # a ring into the caller's call (group calls)
    pending = state["anchors"][callee]["invitationId"]
    if not into and pending and state["invitations"][pending]["toAnchorId"] == caller:
        # Glare: the callee is already inviting the caller. Their invitation wins and
        # the call starts now; they are the initiator.
        # The rule its ring told both browsers holds (their prepared connections use it).
        relay_only = state["invitations"][pending].get("relayOnly", p.get("relayOnly", ()))
        return start_call(state, pending, p["callId"], p["now"], relay_only)
    inv = {"id": p["invitationId"], "fromAnchorId": caller, "toAnchorId": callee,
           "fromClientId": state["anchors"][caller]["clientId"],
           "toClientId": state["anchors"][callee]["clientId"],
           "createdAt": p["now"], "expiresAt": p["expiresAt"],
           "relayOnly": tuple(p.get("relayOnly", ())), "offered": "offer" in p,
           "callId": into or None}
    state = {**state, "invitations": put(state["invitations"], inv["id"], inv)}
    if not into:
        state = patch(state, "anchors", caller, invitationId=inv["id"])
    return patch(state, "anchors", callee, invitationId=inv["id"])


def invitation_ended(state, p, meta):
    return end_invitation(state, p["invitationId"])


def invitation_accepted(state, p, meta):
    inv = state["invitations"][p["invitationId"]]
    if inv.get("callId"):
        call_id, newcomer = inv["callId"], inv["toAnchorId"]
        state = end_invitation(state, inv["id"], settle=False)
        pair_relay = {party: tuple(relay) for party, relay in p.get("pairRelayOnly", {}).items()}
        pair_relay[inv["fromAnchorId"]] = inv["relayOnly"]  # as its ring told both
        return join_call(state, call_id, newcomer, inv["fromAnchorId"], p["now"], pair_relay)
    return start_call(state, p["invitationId"], p["callId"], p["now"], p.get("relayOnly", ()))
