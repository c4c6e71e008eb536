"""Action types (`domain/event`, past tense: they record what happened) and creators.

`meta.clientId` is the acting client, always stamped by the server from the socket,
never taken from a payload. Ids and times are made by the caller (the realtime layer),
so reducers stay pure and deterministic. No action carries a socket id: which socket
serves a client is the connections layer's business, not the store's.
"""

CLIENT_CONNECTED = "clients/connected"
CLIENT_DISCONNECTED = "clients/disconnected"
CLIENT_WENT_AWAY = "clients/went-away"
CLIENT_RESUMED = "clients/resumed"
# Its page is going (pagehide of a tab kept for a reload): when its socket drops, keep it
# only for the short leaving grace, not the whole reconnect grace (issue 31.7).
CLIENT_LEAVING = "clients/leaving"
ANCHORS_RESTORED = "anchors/restored"
CALL_CLAIMED = "calls/claimed"
USER_RENAMED = "users/renamed"
ANCHOR_CREATED = "anchors/created"
ANCHOR_RENAMED = "anchors/renamed"
ANCHOR_ONLINE_SET = "anchors/online-set"
ANCHOR_REMOVED = "anchors/removed"
INVITATION_CREATED = "invitations/created"
INVITATION_CANCELLED = "invitations/cancelled"
INVITATION_DECLINED = "invitations/declined"
INVITATION_ACCEPTED = "invitations/accepted"
CLOCK_TICKED = "clock/ticked"
CALL_SIGNALLED = "calls/signalled"
CALL_MEDIA_REPORTED = "calls/media-reported"
CALL_HUNG_UP = "calls/hung-up"
# A free anchor rings several at once (call:invite-many): a call of one party, not live.
CALL_OPENED = "calls/opened"
# A side's microphone and camera as its user set them: relayed to the peer, no state.
CALL_PEER_STATE_REPORTED = "calls/peer-state-reported"
# A cluster node stopped (or its heartbeat lapsed): the clients it served go away for
# the grace period, as after a dropped transport, and may resume on another node.
NODE_LOST = "nodes/lost"


def _action(kind, payload, client_id=None):
    action = {"type": kind, "payload": payload}
    if client_id is not None:
        action["meta"] = {"clientId": client_id}
    return action


def client_connected(client_id, user_id, display_name, now, device="", node="", protocol=1,
                     account=False):
    """`device`: the tab's own short label ("Chrome on Linux"), shown in the lobby.
    `node`: the cluster node serving it ("" for a single process), never shown.
    `protocol`: the version its page speaks (the guard refuses group calls below 4).
    `account`: the user is an account, not a guest (the lobby tells them apart)."""
    return _action(CLIENT_CONNECTED, {
        "client": {"id": client_id, "userId": user_id, "connectedAt": now, "device": device,
                   "node": node, "protocol": protocol},
        "user": {"id": user_id, "displayName": display_name, "account": bool(account)},
    }, client_id)


def client_disconnected(client_id, node=None):
    """`node`: the node whose socket closed; ignored if the client moved to another."""
    payload = {"clientId": client_id}
    if node is not None:
        payload["node"] = node
    return _action(CLIENT_DISCONNECTED, payload, client_id)


def client_went_away(client_id, until, node=None):
    """The transport dropped without a goodbye: keep everything until `until`."""
    payload = {"clientId": client_id, "until": until}
    if node is not None:
        payload["node"] = node
    return _action(CLIENT_WENT_AWAY, payload, client_id)


def client_leaving(client_id, until, away_only=False, node=None):
    """Its page said it is going: away from its next drop, it is kept until `until` at most.
    `away_only`: said by a socket already closed (its hint handled after its close): it
    counts only while the client is still away, not once it resumed elsewhere. `node`:
    the node that socket was on (a cluster): a client that resumed on another node since
    is not leaving, even once it is away again."""
    payload = {"clientId": client_id, "until": until}
    if away_only:
        payload["awayOnly"] = True
        if node is not None:
            payload["node"] = node
    return _action(CLIENT_LEAVING, payload, client_id)


def client_resumed(client_id, user_id, node="", reloaded=False, protocol=None, account=None):
    """`reloaded`: the client's page was reloaded (its peer connections are gone): the
    peer of each of its calls is told with call:peer-reloaded. `protocol`: the version
    the resumed page speaks (a reload may bring a newer page). `account`: whether the
    user is an account now (a guest who registered comes back as one)."""
    payload = {"clientId": client_id, "userId": user_id, "node": node}
    if account is not None:
        payload["account"] = bool(account)
    if protocol is not None:
        payload["protocol"] = protocol
    if reloaded:
        payload["reloaded"] = True
    return _action(CLIENT_RESUMED, payload, client_id)


def node_lost(node, until, client_ids):
    """`client_ids`: the clients that node served, as the holder of the clock saw them
    (named, so what changed is found without scanning: outgoing.named_ids)."""
    return _action(NODE_LOST, {"node": node, "until": until,
                               "clients": [{"id": c} for c in client_ids]})


def anchors_restored(client_id, anchors):
    """After a server restart a client re-creates its anchors with their old ids
    (which carry its client id, so ownership is provable): [{anchorId, name, online}]."""
    return _action(ANCHORS_RESTORED, {"anchors": anchors}, client_id)


def call_claimed(client_id, call_id, anchor_id, peer_anchor_id, initiator, now, until,
                 relay_only=()):
    """After a server restart each side claims the call it was in; the call is back
    when both claims match, and the claim lapses at `until` otherwise."""
    return _action(CALL_CLAIMED, {"callId": call_id, "anchorId": anchor_id,
                                  "peerAnchorId": peer_anchor_id, "initiator": initiator,
                                  "now": now, "until": until,
                                  "relayOnly": list(relay_only)}, client_id)


def user_renamed(client_id, user_id, display_name):
    return _action(USER_RENAMED, {"userId": user_id, "displayName": display_name}, client_id)


def anchor_created(client_id, anchor_id, name):
    return _action(ANCHOR_CREATED, {"anchorId": anchor_id, "name": name}, client_id)


def anchor_renamed(client_id, anchor_id, name):
    return _action(ANCHOR_RENAMED, {"anchorId": anchor_id, "name": name}, client_id)


def anchor_online_set(client_id, anchor_id, online):
    return _action(ANCHOR_ONLINE_SET, {"anchorId": anchor_id, "online": online}, client_id)


def anchor_removed(client_id, anchor_id):
    return _action(ANCHOR_REMOVED, {"anchorId": anchor_id}, client_id)


def invitation_created(client_id, invitation_id, from_anchor, to_anchor, now, expires_at,
                       call_id, relay_only=(), offer=None):
    """`call_id` is used only if this invitation meets one going the other way (glare):
    then the call starts at once instead of ringing (with `relay_only`, as for accept).
    `relay_only` is kept by the invitation for the call it becomes. `offer`: the
    caller's SDP offer, relayed with call:ring; the store keeps only that there was one."""
    payload = {
        "invitationId": invitation_id, "fromAnchorId": from_anchor, "toAnchorId": to_anchor,
        "now": now, "expiresAt": expires_at, "callId": call_id, "relayOnly": list(relay_only),
    }
    if offer is not None:
        payload["offer"] = offer
    return _action(INVITATION_CREATED, payload, client_id)


def invitation_cancelled(client_id, invitation_id):
    return _action(INVITATION_CANCELLED, {"invitationId": invitation_id}, client_id)


def invitation_declined(client_id, invitation_id):
    return _action(INVITATION_DECLINED, {"invitationId": invitation_id}, client_id)


def call_opened(client_id, call_id, anchor_id):
    """`anchor_id` rings several anchors (call:invite-many): a call of that one party,
    which the rings then go into (invitation_created from an anchor in a call)."""
    return _action(CALL_OPENED, {"callId": call_id, "anchorId": anchor_id}, client_id)


def invitation_accepted(client_id, invitation_id, call_id, now, relay_only=(), resend_offer=False,
                        pair_relay_only=None):
    """`relay_only`: the anchors of the call that may send only TURN relay candidates
    (address privacy, decided by the realtime layer from each user's setting and trust
    marks: the guard of calls/signalled enforces it, the reducer only keeps it).
    `resend_offer`: the callee does not answer the ring's offer (it speaks protocol 1):
    the caller's call:started asks it to send that offer again as call:signal.
    `pair_relay_only` (a ring into a call): {party: [relay-only anchors]} for the
    newcomer's pair with each party of the call; `call_id` is then unused."""
    payload = {"invitationId": invitation_id, "callId": call_id, "now": now,
               "relayOnly": list(relay_only)}
    if pair_relay_only is not None:
        payload["pairRelayOnly"] = {k: list(v) for k, v in pair_relay_only.items()}
    if resend_offer:
        payload["resendOffer"] = True
    return _action(INVITATION_ACCEPTED, payload, client_id)


def clock_ticked(now):
    return _action(CLOCK_TICKED, {"now": now})


def call_signalled(client_id, call_id, description=None, candidate=None, to=None):
    """`to`: the party the signal is for (optional while the call has two parties)."""
    payload = {"callId": call_id}
    if to is not None:
        payload["to"] = to
    if description is not None:
        payload["description"] = description
    if candidate is not None:
        payload["candidate"] = candidate
    return _action(CALL_SIGNALLED, payload, client_id)


def call_media_reported(client_id, call_id, flowing, to=None):
    """`to`: the party whose connection this reports (needed with 3+ parties)."""
    payload = {"callId": call_id, "flowing": flowing}
    if to is not None:
        payload["to"] = to
    return _action(CALL_MEDIA_REPORTED, payload, client_id)


def call_peer_state_reported(client_id, call_id, audio, video, screen=False):
    return _action(CALL_PEER_STATE_REPORTED, {"callId": call_id, "audio": audio, "video": video, "screen": screen},
                   client_id)


def call_hung_up(client_id, call_id):
    return _action(CALL_HUNG_UP, {"callId": call_id}, client_id)
