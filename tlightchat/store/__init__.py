"""The server's picture of every client, anchor, invitation and call."""
from . import actions, selectors
from .core import InvalidAction, Refusal, Store
from .guards import make_guard
from .reducers import root_reducer


def create_store(max_anchors_per_client=8, max_call_parties=6):
    """The guard depends on nothing a node finds out by itself (e.g. the TURN servers'
    resolved addresses: realtime/handlers.py checks those before dispatching), so every
    copy of a cluster's store reaches the same verdict on the same log."""
    return Store(root_reducer, guard=make_guard(max_anchors_per_client, max_call_parties))


__all__ = ["Store", "InvalidAction", "Refusal", "actions", "selectors", "create_store"]
