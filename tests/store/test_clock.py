"""The clock's index of away clients: a tick asks it instead of scanning every client,
so it must say what a scan would say after every action, and after a state it did not
see arrive (a cluster node loading a snapshot)."""
import random

import pytest

from tlightchat.errors import Refusal
from tlightchat.realtime.clock import AwayClients
from tlightchat.store import create_store

from tests.support.cluster_calls import CLIENTS, random_action


def scanned(store):
    return {cid for cid, c in store.get_state()["clients"].items() if c["awayUntil"] is not None}


@pytest.mark.parametrize("seed", range(6))
def test_the_index_says_what_a_scan_says_after_every_action(seed):
    rng = random.Random(seed)
    store = create_store()
    away = AwayClients(store)
    seen_away = 0
    for step in range(400):
        try:
            store.dispatch(random_action(rng, 1000.0 + step * 3, "n1"))
        except Refusal:
            pass
        assert away.any() == bool(scanned(store))
        assert away.ids == scanned(store), f"step {step}"
        seen_away += bool(away.ids)
    assert seen_away > 20  # the run did have away clients to track


def test_a_loaded_state_is_scanned_once():
    from tlightchat.store import actions as A

    source = create_store()
    cid = sorted(CLIENTS)[0]
    source.dispatch(A.client_connected(cid, CLIENTS[cid], "Ann", 1.0))
    source.dispatch(A.client_went_away(cid, 9.0))
    store = create_store()
    away = AwayClients(store)
    assert not away.any()
    store.load(source.get_state())  # subscribers are not told
    assert away.any() and away.ids == {cid}
    store.dispatch(A.client_resumed(cid, CLIENTS[cid]))
    assert not away.any()
