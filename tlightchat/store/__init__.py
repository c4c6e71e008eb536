"""The server's picture of every client, anchor, invitation and call."""
from . import actions, selectors
from .core import InvalidAction, Refusal, Store
from .guards import make_guard
from .reducers import root_reducer


def create_store(max_anchors_per_client=8, relay_addresses=frozenset()):
    """relay_addresses: what a relay-only side's relay candidates may name (ice.py)."""
    return Store(root_reducer, guard=make_guard(max_anchors_per_client, relay_addresses))


__all__ = ["Store", "InvalidAction", "Refusal", "actions", "selectors", "create_store"]
