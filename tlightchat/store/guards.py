"""The call state machine's rules: a pure check of (state, action) before the reducer.

Each check raises Refusal(code, message) with a protocol error code, or returns.
`meta.clientId` is the acting client (stamped by the server). Checks run inside the
store's lock, so a rule and the change it allows are atomic (no race between two
clients accepting, inviting or hanging up at the same moment).
"""
from . import actions as A
from ..sdp import ANY_ADDRESS, SdpError, check_relay_signal, check_sdp
from .core import Refusal
from .reducers.knocks import guard as knocks_guard
from ..protocol import GROUP_SINCE
from .selectors import pair_of, rings_into, sender_anchor, signal_target


def _client(state, meta):
    client = state["clients"].get(meta.get("clientId"))
    if client is None:
        raise Refusal("invalid-state", "this connection is not registered")
    return client


def _own_anchor(state, meta, anchor_id):
    _client(state, meta)
    anchor = state["anchors"].get(anchor_id)
    if anchor is None:
        raise Refusal("not-found", "no line %(anchor)s", anchor=repr(anchor_id))
    if anchor["clientId"] != meta["clientId"]:
        raise Refusal("forbidden", "that line belongs to another tab")
    return anchor


def _invitation(state, invitation_id):
    inv = state["invitations"].get(invitation_id)
    if inv is None:
        raise Refusal("not-found", "no such invitation (it may have ended already)")
    return inv


def _call_party(state, meta, call_id):
    _client(state, meta)
    call = state["calls"].get(call_id)
    if call is None:
        raise Refusal("not-found", "no such call (it may have ended already)")
    me = sender_anchor(state, call, meta["clientId"])
    if me is None:
        raise Refusal("forbidden", "you are not a party to this call")
    return call, me


def checked_signal_target(state, call, me, p):
    """The party the signal `p` from `me` is for (selectors.signal_target), or a refusal:
    its `to` must name another party of the call, and a call of more than two needs one."""
    if len(call["parties"]) < 2:
        raise Refusal("invalid-state", "the call has not started: nobody accepted yet")
    peer = signal_target(state, call, me, p.get("to"))
    if peer is None:
        if "to" in p:
            raise Refusal("invalid-payload", "`to` is not another party of this call")
        raise Refusal("invalid-payload", "`to` is required in a call of more than two")
    return peer


def check_relay_only(p, relay_addresses=ANY_ADDRESS):
    """Address privacy: a relay-only side may send nothing but relay candidates (trickled
    or inside its SDP; its host and srflx addresses are what it hides); an empty
    candidate (end of candidates) carries no address. The rule is sdp.py's.

    Two layers. The guard (below) applies it with ANY_ADDRESS: candidate type and
    grammar only, the same verdict on every node that applies the change (a cluster's
    log, a candidate relayed straight to the peer's node). Which TURN servers a relay
    candidate must name (`relay_addresses`, resolved by each node at start, tlightchat/
    ice.py) is checked once, by the node the sender is connected to, before anything is
    appended or relayed (realtime/handlers.py): nodes that resolved the TURN hosts
    differently (round-robin DNS, a failed lookup, an address changed between starts)
    would otherwise ack a signal on one node and drop it on the peer's."""
    try:
        if p.get("candidate") is not None:
            check_relay_signal(p["candidate"], relay_addresses)
        if p.get("description") is not None:
            check_sdp(p["description"]["sdp"], relay=relay_addresses)
    except SdpError as err:
        raise Refusal("relay-required", "this side sends relay candidates only: %(why)s", why=err)


def check_group_versions(state, client_ids):
    """Group calls need protocol 4 on every party's client (docs/protocol.md, "Group
    calls"): `unsupported`, naming whose app is too old, for the first that is older."""
    for client_id in client_ids:
        client = state["clients"][client_id]
        if client.get("protocol", 1) < GROUP_SINCE:
            name = state["users"][client["userId"]]["displayName"]
            raise Refusal("unsupported", "%(name)s's app is too old for group calls: "
                          "ask them to reload", name=name)


def check_ring_into_call(state, caller, callee, p, max_call_parties):
    """A ring from an anchor in a call into that call (group calls); the callee exists
    and the caller is this client's, online."""
    call = state["calls"].get(caller["callId"])
    if call is None:  # a claim after a restart, not matched yet
        raise Refusal("invalid-state", "your line is already ringing or in a call")
    if "offer" in p:
        raise Refusal("invalid-payload", "a ring into a call carries no offer")
    if callee["clientId"] == caller["clientId"]:
        raise Refusal("invalid-state",
                       "both lines are in this tab; call a line in another tab")
    if not callee["online"]:
        raise Refusal("unavailable", "that line is not taking calls")
    if callee["callId"] or callee["invitationId"]:
        raise Refusal("busy", "that line is busy in another call")
    rings = rings_into(state, call["id"])
    if callee["clientId"] in call["clients"].values() or any(
            i["toClientId"] == callee["clientId"] for i in rings):
        raise Refusal("busy", "that tab is already in this call or being rung into it")
    if len(call["parties"]) + len(rings) >= max_call_parties:
        raise Refusal("call-full", "this call is full: at most %(n)s people, rings included",
                      n=max_call_parties)
    check_group_versions(state, [caller["clientId"], callee["clientId"]]
                         + [c for c in call["clients"].values() if c != caller["clientId"]])


def make_guard(max_anchors_per_client, max_call_parties=6):
    def anchor_created(state, p, meta):
        client = _client(state, meta)
        if len(client["anchorIds"]) >= max_anchors_per_client:
            raise Refusal("limit", "at most %(n)s lines per tab", n=max_anchors_per_client)

    def anchor_touched(state, p, meta):
        _own_anchor(state, meta, p["anchorId"])

    def anchor_online_set(state, p, meta):
        anchor = _own_anchor(state, meta, p["anchorId"])
        if not p["online"] and (anchor["invitationId"] or anchor["callId"]):
            raise Refusal("invalid-state",
                           "hang up or end the ringing call before going offline")

    def invitation_created(state, p, meta):
        caller = _own_anchor(state, meta, p["fromAnchorId"])
        callee = state["anchors"].get(p["toAnchorId"])
        if callee is None:
            raise Refusal("not-found", "that line is gone; pick another from the lobby")
        if not caller["online"]:
            raise Refusal("invalid-state", "press Take calls on your line before calling")
        if caller["callId"]:
            return check_ring_into_call(state, caller, callee, p, max_call_parties)
        pending = callee["invitationId"]
        # Glare: the callee is ringing this very anchor; the reducer starts the call.
        glare = bool(pending) and state["invitations"][pending]["toAnchorId"] == caller["id"]
        if caller["callId"] or (caller["invitationId"] and not glare):
            raise Refusal("invalid-state", "your line is already ringing or in a call")
        if callee["clientId"] == caller["clientId"]:
            raise Refusal("invalid-state",
                           "both lines are in this tab; call a line in another tab")
        if not callee["online"]:
            raise Refusal("unavailable", "that line is not taking calls")
        if callee["callId"] or (pending and not glare):
            raise Refusal("busy", "that line is busy in another call")

    def invitation_cancelled(state, p, meta):
        _client(state, meta)
        if _invitation(state, p["invitationId"])["fromClientId"] != meta["clientId"]:
            raise Refusal("forbidden", "only the caller can cancel an invitation")

    def invitation_answered(state, p, meta):
        _client(state, meta)
        if _invitation(state, p["invitationId"])["toClientId"] != meta["clientId"]:
            raise Refusal("forbidden", "only the callee can answer an invitation")

    def call_signalled(state, p, meta):
        call, me = _call_party(state, meta, p["callId"])
        peer = checked_signal_target(state, call, me, p)
        if me in pair_of(call, me, peer)["relayOnly"]:
            check_relay_only(p)  # deterministic: no per-node addresses here
        description = p.get("description")
        if description and description["type"] == "answer":
            if not call["offers"][peer][me]:
                raise Refusal("invalid-state", "answer sent but the peer has no pending offer")

    def call_party(state, p, meta):
        _call_party(state, meta, p["callId"])

    def call_media_reported(state, p, meta):
        call, me = _call_party(state, meta, p["callId"])
        checked_signal_target(state, call, me, p)

    def call_opened(state, p, meta):
        anchor = _own_anchor(state, meta, p["anchorId"])
        if not anchor["online"]:
            raise Refusal("invalid-state", "press Take calls on your line before calling")
        if anchor["callId"] or anchor["invitationId"]:
            raise Refusal("invalid-state", "your line is already ringing or in a call")
        if p["callId"] in state["calls"]:
            raise Refusal("invalid-state", "that call exists already")
        check_group_versions(state, [meta["clientId"]])

    def client_resumed(state, p, meta):
        if _client(state, meta)["userId"] != p["userId"]:
            raise Refusal("forbidden", "that client belongs to another user")

    def anchors_restored(state, p, meta):
        client = _client(state, meta)
        if len(client["anchorIds"]) + len(p["anchors"]) > max_anchors_per_client:
            raise Refusal("limit", "at most %(n)s lines per tab", n=max_anchors_per_client)
        for anchor in p["anchors"]:
            # anchor ids are "<clientId>.<random>": the prefix proves whose it was
            if not anchor["anchorId"].startswith(client["id"] + "."):
                raise Refusal("forbidden", "that line was not this tab's")
            if anchor["anchorId"] in state["anchors"]:
                raise Refusal("invalid-state", "that line exists already")

    def call_claimed(state, p, meta):
        anchor = _own_anchor(state, meta, p["anchorId"])
        mine = state["claims"].get(p["anchorId"])
        more = mine is not None and mine["callId"] == p["callId"]  # another pair (issue 26)
        if anchor["invitationId"] or (anchor["callId"] and not more):
            raise Refusal("invalid-state", "that line is busy")
        # a live call can be claimed only while it is being restored (its parties'
        # claims are kept until they lapse)
        live = state["calls"].get(p["callId"])
        if p["anchorId"] == p["peerAnchorId"] or (live is not None and not any(
                c["callId"] == p["callId"] for c in state["claims"].values())):
            raise Refusal("invalid-state", "that call cannot be claimed")
        if live is not None and p["anchorId"] not in live["parties"] \
                and len(live["parties"]) >= max_call_parties:
            raise Refusal("call-full", "this call is full: at most %(n)s people, rings included",
                          n=max_call_parties)
        # Claims are kept per claiming anchor: a stranger who claims a call id first
        # (naming one of its anchors as the peer) blocks nobody. What must match is the
        # claim of the anchor this one names as its peer, if it made one for this call
        # (a client sends all its claims on one connect: a peer that claimed the call
        # without naming this anchor never will).
        other = state["claims"].get(p["peerAnchorId"])
        if other is not None and other["callId"] == p["callId"] and not (
                p["anchorId"] in other["pairs"]
                and other["clientId"] != meta["clientId"]
                and other["pairs"][p["anchorId"]] != p["initiator"]):
            raise Refusal("forbidden", "the claim does not match the other side's")

    checks = {
        A.CLIENT_RESUMED: client_resumed,
        A.ANCHORS_RESTORED: anchors_restored,
        A.CALL_CLAIMED: call_claimed,
        A.ANCHOR_CREATED: anchor_created,
        A.ANCHOR_RENAMED: anchor_touched,
        A.ANCHOR_REMOVED: anchor_touched,
        A.ANCHOR_ONLINE_SET: anchor_online_set,
        A.INVITATION_CREATED: invitation_created,
        A.INVITATION_CANCELLED: invitation_cancelled,
        A.INVITATION_ACCEPTED: invitation_answered,
        A.INVITATION_DECLINED: invitation_answered,
        A.CALL_SIGNALLED: call_signalled,
        A.CALL_MEDIA_REPORTED: call_media_reported,
        A.CALL_OPENED: call_opened,
        A.CALL_HUNG_UP: call_party,
        A.CALL_PEER_STATE_REPORTED: call_party,
    }

    def guard(state, action):
        knocks_guard(state, action)  # a knock's answer or admission: store/reducers/knocks.py
        check = checks.get(action["type"])
        if check is not None:
            check(state, action.get("payload", {}), action.get("meta", {}))

    return guard
