"""The leaving mark in the store (issue 31.7, reducers/clients.py): a client whose page said
it is going is kept until the sooner of its leaving grace and the reconnect grace, in
either order of the hint and the drop; a resume clears it. On the in-memory and the
replicated store, as the other client tests."""
import pytest

from tlightchat.store import actions as A
from tests.support.cluster import redis_server, redis_url  # noqa: F401  (fixtures)
from tests.support.group_world import memory_store, populate, replicated_store


@pytest.fixture(params=["memory", "replicated"])
def store(request):
    if request.param == "memory":
        return populate(memory_store(), people=("a", "b"))
    return populate(replicated_store(request.getfixturevalue("redis_url")), people=("a", "b"))


def client(store, cid="cb"):
    return store.get_state()["clients"][cid]


def test_the_hint_then_the_drop_keeps_it_until_the_leaving_grace(store):
    store.dispatch(A.client_leaving("cb", 16.0))
    assert client(store)["awayUntil"] is None  # connected: not away yet
    store.dispatch(A.client_went_away("cb", 40.0))
    assert client(store)["awayUntil"] == 16.0
    store.dispatch(A.clock_ticked(15.9))
    assert "cb" in store.get_state()["clients"]
    store.dispatch(A.clock_ticked(16.0))
    assert "cb" not in store.get_state()["clients"] and "ub" not in store.get_state()["users"]
    assert "ca" in store.get_state()["clients"]


def test_the_drop_then_the_hint_shortens_the_grace(store):
    store.dispatch(A.client_went_away("cb", 40.0))
    store.dispatch(A.client_leaving("cb", 16.0))
    assert client(store)["awayUntil"] == 16.0


def test_a_shorter_reconnect_grace_still_wins(store):
    store.dispatch(A.client_leaving("cb", 16.0))
    store.dispatch(A.client_went_away("cb", 12.0))
    assert client(store)["awayUntil"] == 12.0


def test_a_resume_clears_the_mark(store):
    store.dispatch(A.client_leaving("cb", 16.0))
    store.dispatch(A.client_went_away("cb", 40.0))
    store.dispatch(A.client_resumed("cb", "ub", reloaded=True))
    assert client(store)["awayUntil"] is None and "leavingUntil" not in client(store)
    store.dispatch(A.client_went_away("cb", 70.0))
    assert client(store)["awayUntil"] == 70.0


def test_a_lost_node_keeps_the_mark_too(store):
    store.dispatch(A.client_leaving("cb", 16.0))
    store.dispatch(A.node_lost(client(store).get("node", ""), 40.0, ["cb"]))
    assert client(store)["awayUntil"] == 16.0


def test_a_hint_for_a_client_that_is_gone_changes_nothing(store):
    before = store.get_state()
    store.dispatch(A.client_leaving("cz", 16.0))
    assert store.get_state()["clients"] == before["clients"]


def test_a_hint_from_a_closed_socket_counts_only_while_the_client_is_away(store):
    # handled after its socket's close (realtime/hub.py AFTER_CLOSE): the client may have
    # resumed on another socket meanwhile, and then it is not leaving
    store.dispatch(A.client_leaving("cb", 16.0, away_only=True))
    assert "leavingUntil" not in client(store)
    store.dispatch(A.client_went_away("cb", 40.0))
    store.dispatch(A.client_leaving("cb", 16.0, away_only=True))
    assert client(store)["awayUntil"] == 16.0 and client(store)["leavingUntil"] == 16.0


def test_a_late_hint_from_a_node_the_client_left_does_not_count(store):
    # a cluster: the socket closed on node n1, the page resumed on n2 and dropped there
    # too before n1 handled its hint; the hint is n1's news, stale now
    user = store.get_state()["clients"]["cb"]["userId"]
    store.dispatch(A.client_resumed("cb", user, node="n1"))
    store.dispatch(A.client_went_away("cb", 40.0, node="n1"))
    store.dispatch(A.client_resumed("cb", user, node="n2"))
    store.dispatch(A.client_went_away("cb", 41.0, node="n2"))
    store.dispatch(A.client_leaving("cb", 16.0, away_only=True, node="n1"))
    assert client(store)["awayUntil"] == 41.0 and "leavingUntil" not in client(store)
    # the node that served it last: its late hint counts
    store.dispatch(A.client_leaving("cb", 17.0, away_only=True, node="n2"))
    assert client(store)["awayUntil"] == 17.0 and client(store)["leavingUntil"] == 17.0
