"""Store change -> the messages of knocks (issue 27; docs/protocol.md, "Knocking on a
running call"), added to outgoing.py's: pure, so every cluster node computes the same
and delivers to its own clients.

A new knock: `knock:asked` to every party of the call. A knock that ends: `knock:ended`
to every party still in the call and to the knocker, with why (admitted, denied,
timeout, ended, call-full, unavailable, withdrawn, revoked, left).
"""
from .. import events as E
from ..store.reducers import knocks as K


def _reason(action, prev_knock, nxt):
    kind, p = action["type"], action.get("payload", {})
    if K.admitted(action, nxt) == prev_knock["id"]:
        return "admitted"  # the ring into the call carried the knock (knocks.py)
    if kind == K.ANSWERED and p.get("knockId") == prev_knock["id"]:
        return "admitted" if p["admit"] else "denied"
    if kind == K.ENDED and p.get("knockId") == prev_knock["id"]:
        return p["reason"]
    if kind == K.WITHDRAWN and p.get("knockId") == prev_knock["id"]:
        return "withdrawn"  # the knocker's Cancel, or their page going
    if kind == K.LINK_REVOKED and p.get("hash") == prev_knock["link"]:
        return "revoked"  # its maker turned the link off on /me
    why = K.gone(nxt, prev_knock)
    if why:
        return why
    return "timeout"  # a clock tick past its expiry


def _parties(state, call_id):
    call = state["calls"].get(call_id)
    return list(call["clients"].items()) if call is not None else []


def knock_messages(action, prev, nxt):
    old, new = prev.get("knocks") or {}, nxt.get("knocks") or {}
    if old is new:
        return []
    msgs = []
    for knock_id, knock in new.items():
        if knock_id in old:
            continue
        anchor = nxt["anchors"][knock["anchorId"]]
        who = {"userId": knock["userId"], "anchorId": anchor["id"], "anchorName": anchor["name"],
               "displayName": nxt["users"][knock["userId"]]["displayName"]}
        data = {"knockId": knock_id, "callId": knock["callId"], "from": who,
                "expiresInMs": int(max(0, knock["expiresAt"] - action["payload"]["now"]) * 1000)}
        for aid, cid in _parties(nxt, knock["callId"]):
            msgs.append(((cid, aid), E.KNOCK_ASKED, {**data, "anchorId": aid}))
    for knock_id, knock in old.items():
        if knock_id in new:
            continue
        reason = _reason(action, knock, nxt)
        data = {"knockId": knock_id, "callId": knock["callId"], "reason": reason}
        for aid, cid in _parties(nxt, knock["callId"]):
            msgs.append(((cid, aid), E.KNOCK_ENDED, {**data, "anchorId": aid}))
        if reason != "left" and knock["clientId"] in nxt["clients"]:
            ended = {**data, "anchorId": knock["anchorId"]}
            if reason == "admitted":
                ended["invitationId"] = action["payload"].get("invitationId")
            msgs.append(((knock["clientId"],), E.KNOCK_ENDED, ended))
    return msgs
