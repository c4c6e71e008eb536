"""The lobby deltas as first written: a full scan of every slice on every change.
conftest.py checks, on every dispatch of every unit test, that the fast version in
tlightchat/realtime/outgoing.py (which only looks at what the action names) finds the same."""
from tlightchat.realtime.outgoing import LOBBY, anchor_deltas
from tlightchat.store import selectors as S


def full_scan_lobby_deltas(prev, nxt):
    msgs = []
    if prev["clients"] is not nxt["clients"]:
        for cid, client in nxt["clients"].items():
            if cid not in prev["clients"]:
                user = S.public_user(nxt["users"][client["userId"]])
                msgs.append((LOBBY, "lobby:client-joined",
                             {"client": S.public_client(client), "user": user}))
        for cid, client in nxt["clients"].items():
            old = prev["clients"].get(cid)
            if old is not None and old["awayUntil"] != client["awayUntil"] \
                    and (old["awayUntil"] is None or client["awayUntil"] is None):
                msgs.append((LOBBY, "lobby:client", {"client": S.public_client(client)}))
    if prev["users"] is not nxt["users"]:
        for uid, user in nxt["users"].items():
            old = prev["users"].get(uid)
            if old is not None and S.public_user(old) != S.public_user(user):
                msgs.append((LOBBY, "lobby:user", {"user": S.public_user(user)}))
    touched = set()
    if prev["anchors"] is not nxt["anchors"]:
        touched.update(aid for aid, a in nxt["anchors"].items() if prev["anchors"].get(aid) is not a)
        for aid, anchor in prev["anchors"].items():
            if aid not in nxt["anchors"] and anchor["clientId"] in nxt["clients"]:
                msgs.append((LOBBY, "lobby:anchor-removed", {"anchorId": aid}))
    if prev["calls"] is not nxt["calls"]:
        for cid, call in nxt["calls"].items():
            if prev["calls"].get(cid) is not call:
                touched.update(call["parties"])
    msgs += anchor_deltas(prev, nxt, touched)  # which anchors is the question here
    if prev["clients"] is not nxt["clients"]:
        for cid in prev["clients"]:
            if cid not in nxt["clients"]:
                msgs.append((LOBBY, "lobby:client-left", {"clientId": cid}))
    return msgs
