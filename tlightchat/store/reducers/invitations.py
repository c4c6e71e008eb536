"""The invitations slice: a ring from one anchor to another, until it ends or becomes a call.

    invitations {invitationId: {id, fromAnchorId, toAnchorId, fromClientId, toClientId,
                                createdAt, expiresAt, relayOnly, offered}}
                relayOnly: decided at the invite, kept for the call's pair; offered: the
                ring carried the caller's offer (pending in the call it becomes)
"""
from .base import drop, patch, put
from .calls import open_call


def end_invitation(state, invitation_id):
    inv = state["invitations"].get(invitation_id)
    if inv is None:
        return state
    state = {**state, "invitations": drop(state["invitations"], invitation_id)}
    for anchor_id in (inv["fromAnchorId"], inv["toAnchorId"]):
        if anchor_id in state["anchors"]:
            state = patch(state, "anchors", anchor_id, invitationId=None)
    return state


def start_call(state, invitation_id, call_id, now, relay_only=()):
    inv = state["invitations"][invitation_id]
    state = end_invitation(state, invitation_id)
    state = open_call(state, call_id, inv["fromAnchorId"], inv["toAnchorId"], now, relay_only)
    if inv.get("offered"):  # the ring's offer is the caller's pending offer in the call
        call = state["calls"][call_id]
        state = patch(state, "calls", call_id, offers={**call["offers"], inv["fromAnchorId"]: True})
    return state


def invitation_created(state, p, meta):
    caller, callee = p["fromAnchorId"], p["toAnchorId"]
    pending = state["anchors"][callee]["invitationId"]
    if pending and state["invitations"][pending]["toAnchorId"] == caller:
        # Glare: the callee is already inviting the caller. Their invitation wins and
        # the call starts now; they are the initiator.
        # The rule its ring told both browsers holds (their prepared connections use it).
        relay_only = state["invitations"][pending].get("relayOnly", p.get("relayOnly", ()))
        return start_call(state, pending, p["callId"], p["now"], relay_only)
    inv = {"id": p["invitationId"], "fromAnchorId": caller, "toAnchorId": callee,
           "fromClientId": state["anchors"][caller]["clientId"],
           "toClientId": state["anchors"][callee]["clientId"],
           "createdAt": p["now"], "expiresAt": p["expiresAt"],
           "relayOnly": tuple(p.get("relayOnly", ())), "offered": "offer" in p}
    state = {**state, "invitations": put(state["invitations"], inv["id"], inv)}
    state = patch(state, "anchors", caller, invitationId=inv["id"])
    return patch(state, "anchors", callee, invitationId=inv["id"])


def invitation_ended(state, p, meta):
    return end_invitation(state, p["invitationId"])


def invitation_accepted(state, p, meta):
    return start_call(state, p["invitationId"], p["callId"], p["now"], p.get("relayOnly", ()))
