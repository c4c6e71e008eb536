"""Pure reducers: (state, action) -> state. No I/O, no Flask, no clock, no randomness.

One module per group of slices, each opening with the shape of what it keeps:
clients.py (users, clients, the clock), anchors.py, invitations.py, calls.py (calls
and claims: a call is its parties, with per-pair facts). Many actions touch several
slices (a disconnect ends invitations and calls), so one root reducer dispatches each
action type to one handler, which may call the helpers of the slices it cascades into.

Nothing is mutated: a changed record, and each slice holding it, is new; every other
record and slice keeps its identity (base.py). The slices that grow with the people
online (`LARGE`: users, clients, anchors) are persistent maps (`immutables.Map`, the
HAMT behind contextvars): a changed slice shares all but O(log N) of its nodes with
the old one, so a join costs the same at 40,000 clients as at 40. A dict copy there
cost 3.3 ms per join at 40,000, on every node of a cluster (bench/micro.py, "store
join"). The other slices stay small and stay dicts. Maps keep no insertion order: the
lobby's "newest first" comes from its own index (realtime/lobby.py).
"""
from immutables import Map

from .. import actions as A
from . import anchors, calls, clients, invitations, knocks
from .clients import EXPIRE_PER_TICK

SLICES = ("users", "clients", "anchors", "invitations", "calls", "claims")
LARGE = ("users", "clients", "anchors")


def initial_state():
    return {name: Map() if name in LARGE else {} for name in SLICES}


def persistent(state):
    """`state` with its large slices as persistent maps (a state built from plain
    dicts: a snapshot read back from JSON, a test's literal)."""
    return {name: Map(value) if name in LARGE and not isinstance(value, Map) else value
            for name, value in state.items()}


def plain(value):
    """json.dumps(default=plain): a persistent map is written as the object it holds."""
    if isinstance(value, Map):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


HANDLERS = {
    A.CLIENT_CONNECTED: clients.client_connected,
    A.CLIENT_DISCONNECTED: clients.client_disconnected,
    A.CLIENT_WENT_AWAY: clients.client_went_away,
    A.CLIENT_RESUMED: clients.client_resumed,
    A.CLIENT_LEAVING: clients.client_leaving,
    A.NODE_LOST: clients.node_lost,
    A.USER_RENAMED: clients.user_renamed,
    A.CLOCK_TICKED: clients.clock_ticked,
    A.ANCHORS_RESTORED: anchors.anchors_restored,
    A.ANCHOR_CREATED: anchors.anchor_created,
    A.ANCHOR_RENAMED: anchors.anchor_renamed,
    A.ANCHOR_ONLINE_SET: anchors.anchor_online_set,
    A.ANCHOR_REMOVED: anchors.anchor_removed,
    A.INVITATION_CREATED: invitations.invitation_created,
    A.INVITATION_CANCELLED: invitations.invitation_ended,
    A.INVITATION_DECLINED: invitations.invitation_ended,
    A.INVITATION_ACCEPTED: invitations.invitation_accepted,
    A.CALL_CLAIMED: calls.call_claimed,
    A.CALL_SIGNALLED: calls.call_signalled,
    A.CALL_MEDIA_REPORTED: calls.call_media_reported,
    A.CALL_HUNG_UP: calls.call_hung_up,
    A.CALL_OPENED: calls.call_opened,
    **knocks.HANDLERS,  # join links and knocks on a running call (issue 27)
}


def root_reducer(state, action):
    if state is None:
        state = initial_state()
    handler = HANDLERS.get(action["type"])
    if handler is None:
        return state
    nxt = handler(state, action.get("payload", {}), action.get("meta", {}))
    return knocks.follow(state, nxt, action)  # knocks end with their call (knocks.py)


__all__ = ["EXPIRE_PER_TICK", "HANDLERS", "LARGE", "SLICES", "initial_state", "persistent",
           "plain", "root_reducer"]
