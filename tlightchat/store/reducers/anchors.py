"""The anchors slice: a client's call slots.

    anchors {anchorId: {id, clientId, name, online, invitationId, callId}}
"""
from .base import drop, patch, put
from .calls import leave_call
from .invitations import end_invitation


def remove_anchor(state, anchor_id):
    anchor = state["anchors"].get(anchor_id)
    if anchor is None:
        return state
    if anchor["invitationId"]:
        state = end_invitation(state, anchor["invitationId"])
    if anchor["callId"]:
        state = leave_call(state, anchor_id, anchor["callId"])
    state = {**state, "anchors": drop(state["anchors"], anchor_id)}
    client = state["clients"].get(anchor["clientId"])
    if client is not None:
        ids = tuple(a for a in client["anchorIds"] if a != anchor_id)
        state = patch(state, "clients", client["id"], anchorIds=ids)
    return state


def anchor_created(state, p, meta):
    client_id = meta["clientId"]
    anchor = {"id": p["anchorId"], "clientId": client_id, "name": p["name"],
              "online": False, "invitationId": None, "callId": None}
    state = {**state, "anchors": put(state["anchors"], anchor["id"], anchor)}
    ids = state["clients"][client_id]["anchorIds"] + (anchor["id"],)
    return patch(state, "clients", client_id, anchorIds=ids)


def anchors_restored(state, p, meta):
    for anchor in p["anchors"]:
        state = anchor_created(state, {"anchorId": anchor["anchorId"], "name": anchor["name"]}, meta)
        state = patch(state, "anchors", anchor["anchorId"], online=anchor["online"])
    return state


def anchor_renamed(state, p, meta):
    return patch(state, "anchors", p["anchorId"], name=p["name"])


def anchor_online_set(state, p, meta):
    return patch(state, "anchors", p["anchorId"], online=p["online"])


def anchor_removed(state, p, meta):
    return remove_anchor(state, p["anchorId"])
