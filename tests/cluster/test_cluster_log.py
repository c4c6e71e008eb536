"""The replicated store on a real Redis: nodes that append interleaved random actions
reach identical states and identical verdicts, a node that joins later (from a snapshot)
too, and a Redis that cannot be reached refuses changes instead of losing them."""
import json
import random
import threading

import pytest

from e2e.services import wait_for
from tlightchat.cluster.log import ClusterDown, ReplicatedStore
from tlightchat.errors import Refusal
from tlightchat.store import actions as A
from tlightchat.store import create_store
from tlightchat.store.reducers import plain

from tests.support.cluster import connect
from tests.support.cluster_calls import NODES, random_action



def node(url, name, prefix="t"):
    replica = ReplicatedStore(create_store(4), connect(url), name, prefix)
    replica.verdicts = []
    replica.join()
    return replica


def same(state):
    return json.dumps(state, sort_keys=True, default=plain)


@pytest.mark.parametrize("seed", range(4))
def test_interleaved_random_actions_reach_one_state_and_one_verdict(redis_url, seed):  # noqa: F811
    nodes = [node(redis_url, name) for name in NODES]
    answers = {name: [] for name in NODES}  # what each node's dispatch said, in order
    go = threading.Barrier(len(nodes))

    def run(replica, rng):
        go.wait()
        for step in range(60):
            action = random_action(rng, 1000.0 + step, replica.node)
            try:
                replica.dispatch(action)
                code = None
            except Refusal as err:
                code = err.code
            answers[replica.node].append((replica.last_entry, code))

    threads = [threading.Thread(target=run, args=(n, random.Random(seed * 10 + i)))
               for i, n in enumerate(nodes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for replica in nodes:
        replica.catch_up()

    assert len({same(n.get_state()) for n in nodes}) == 1, "the nodes' copies differ"
    assert nodes[0].verdicts == nodes[1].verdicts == nodes[2].verdicts
    assert len(nodes[0].verdicts) == 3 * 60
    by_id = dict(nodes[0].verdicts)
    accepted = sum(v is None for v in by_id.values())
    assert 0 < accepted < len(by_id), "the run should mix accepted and refused actions"
    # Every node's answer to its own dispatch is the verdict every copy reached.
    for name, mine in answers.items():
        assert [by_id[eid] for eid, _ in mine] == [code for _, code in mine], name


def test_two_accepts_of_one_ring_the_first_in_the_log_wins_everywhere(redis_url):  # noqa: F811
    n1, n2 = node(redis_url, "n1"), node(redis_url, "n2")
    for action in (A.client_connected("c1", "u1", "Ann", 1.0, "", "n1"),
                   A.client_connected("c2", "u2", "Bob", 1.0, "", "n2"),
                   A.anchor_created("c1", "c1.a", "A"), A.anchor_online_set("c1", "c1.a", True),
                   A.anchor_created("c2", "c2.a", "B"), A.anchor_online_set("c2", "c2.a", True),
                   A.invitation_created("c1", "i1", "c1.a", "c2.a", 2.0, 32.0, "k0")):
        n1.dispatch(action)
    n2.catch_up()
    n2.dispatch(A.invitation_accepted("c2", "i1", "k1", 3.0))
    with pytest.raises(Refusal) as refused:  # the same ring, accepted again on n1
        n1.dispatch(A.invitation_accepted("c2", "i1", "k2", 3.1))
    assert refused.value.code == "not-found"
    n2.catch_up()
    assert list(n1.get_state()["calls"]) == list(n2.get_state()["calls"]) == ["k1"]
    assert n1.verdicts[-2:] == n2.verdicts[-2:]


def test_a_node_that_joins_later_loads_the_snapshot_and_replays_the_rest(redis_url):  # noqa: F811
    n1 = node(redis_url, "n1")
    rng = random.Random(7)
    for step in range(80):
        try:
            n1.dispatch(random_action(rng, 10.0 + step, "n1"))
        except Refusal:
            pass
        if step in (30, 60):
            n1.write_snapshot()
        if step % 20 == 0:
            n1.send("u1", "chat:message", {"n": step})
    log_length = n1.redis.xlen(n1.stream)
    assert log_length < 80, "the log is trimmed behind the previous snapshot"
    delivered = []
    late = ReplicatedStore(create_store(4), connect(redis_url), "n9", "t",
                           on_send=lambda *message: delivered.append(message))
    late.join()
    assert delivered == [], "what was sent before it joined is not delivered again"
    n1.send("u1", "chat:message", {"n": "after"})
    late.catch_up()
    assert delivered == [("u1", "chat:message", {"n": "after"}, None)]
    assert same(late.get_state()) == same(n1.get_state())
    # ... and it keeps up with what comes after.
    n1.dispatch(A.client_connected("c9", "u9", "Late", 99.0, "", "n1"))
    late.catch_up()
    assert same(late.get_state()) == same(n1.get_state())


def test_a_follower_applies_what_other_nodes_append(redis_url):  # noqa: F811
    from e2e.services import wait_for

    n1, n2 = node(redis_url, "n1"), node(redis_url, "n2")
    seen = []
    n2.subscribe(lambda action, prev, nxt: seen.append(action["type"]))
    task = threading.Thread(target=n2.follow, kwargs={"block_ms": 100}, daemon=True)
    task.start()
    try:
        n1.dispatch(A.client_connected("c1", "u1", "Ann", 1.0, "", "n1"))
        wait_for(lambda: "c1" in n2.get_state()["clients"], 5, "n2 applied n1's action")
        assert seen == [A.CLIENT_CONNECTED]
        assert n2.origin_here is True  # reset after applying another node's entry
    finally:
        n2.stopped = True
        task.join(5)


def taken(replica, action):
    try:
        replica.dispatch(action)
        return True
    except ClusterDown:
        return False


def test_redis_unreachable_refuses_the_change_and_loses_nothing(redis_server, redis_url):  # noqa: F811
    n1 = node(redis_url, "n1")
    n1.dispatch(A.client_connected("c1", "u1", "Ann", 1.0, "", "n1"))
    redis_server.proc.kill()
    redis_server.proc.wait()
    with pytest.raises(ClusterDown) as down:
        n1.dispatch(A.anchor_created("c1", "c1.a", "A"))
    assert down.value.code == "unavailable" and down.value.retry_after_ms
    assert n1.healthy is False
    assert "c1.a" not in n1.get_state()["anchors"]  # refused, not half-applied
    redis_server.start()  # same data dir: the append-only file brings the log back
    wait_for(lambda: taken(n1, A.anchor_created("c1", "c1.a", "A")), 5,
             "taken once Redis is back (a node known down tries again every PROBE_S)")
    assert n1.healthy is True
    fresh = node(redis_url, "n2")
    assert same(fresh.get_state()) == same(n1.get_state())
    assert set(fresh.get_state()["anchors"]) == {"c1.a"}


def test_a_node_that_missed_trimmed_entries_notices_and_reloads(redis_url):  # noqa: F811
    n1, lagging = node(redis_url, "n1"), node(redis_url, "n2")
    n1.dispatch(A.client_connected("c1", "u1", "Ann", 1.0, "", "n1"))
    lagging.catch_up()
    for step in range(40):  # while n2 is cut off: two snapshots, so the log is trimmed
        n1.dispatch(A.client_connected(f"x{step}", f"v{step}", "X", 2.0, "", "n1"))
        if step in (15, 30):
            n1.write_snapshot()
    assert int(n1.redis.xrange(n1.stream, "-", "+", count=1)[0][1]["n"]) > lagging.seq + 1
    lagging.catch_up()  # the same reading path as the follower's
    assert same(lagging.get_state()) == same(n1.get_state())


def test_an_older_snapshot_never_replaces_a_newer_one(redis_url):  # noqa: F811
    n1, paused = node(redis_url, "n1"), node(redis_url, "n2")
    n1.dispatch(A.client_connected("c1", "u1", "Ann", 1.0, "", "n1"))
    paused.catch_up()  # the paused holder's copy stops here
    n1.dispatch(A.client_connected("c2", "u2", "Bob", 1.0, "", "n1"))
    assert n1.write_snapshot() == n1.cursor
    assert paused.write_snapshot() is None  # it woke up after its lease lapsed
    joined = node(redis_url, "n3")
    assert set(joined.get_state()["clients"]) == {"c1", "c2"}


def test_the_snapshot_guard_orders_ids_by_millisecond_then_sequence(redis_url):  # noqa: F811
    """Issue 34, item 4: two log entries often share a millisecond (ids 1000-4, 1000-5).
    A guard comparing milliseconds only was caught in 2 of 25 random runs; here the
    cursors are chosen, so each case is checked every time: a later sequence in the same
    millisecond is newer, an equal or earlier one is not, and both parts compare as
    numbers (999 < 1000, 9 < 10), not as text."""
    holder = node(redis_url, "n1", prefix="guard")
    steps = [("1000-5", True), ("1000-4", False), ("1000-5", False), ("1000-6", True),
             ("999-9", False), ("1000-10", True), ("1000-9", False), ("1001-0", True),
             ("1001-0", False)]
    for cursor, newer in steps:
        holder.cursor = cursor
        assert holder.write_snapshot() == (cursor if newer else None), (cursor, newer)
    assert holder.redis.get("guard:snapshot:id") == "1001-0"
    assert json.loads(holder.redis.get("guard:snapshot"))["id"] == "1001-0"
