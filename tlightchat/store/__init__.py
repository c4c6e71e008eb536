"""The server's picture of every client, anchor, invitation and call."""
from . import actions, selectors
from .core import InvalidAction, Refusal, Store
from .guards import make_guard
from .reducers import root_reducer


def create_store(max_anchors_per_client=8):
    return Store(root_reducer, guard=make_guard(max_anchors_per_client))


__all__ = ["Store", "InvalidAction", "Refusal", "actions", "selectors", "create_store"]
