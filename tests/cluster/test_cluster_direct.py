"""ICE candidates in a cluster go straight to the node serving the peer (pub/sub), not
through the log: an offer or answer still goes through the log, and a candidate never
overtakes the offer it follows, because the peer's node first applies the log up to what
the sender's node had applied (tlightchat/cluster/direct.py)."""
import json

import redis as redis_lib

from e2e.services import wait_for
from tlightchat.store import actions as A
from tests.support.clients import Tab

from tests.support.cluster_calls import OFFER
from tests.support.cluster_calls import in_a_call


def candidate(n):
    return {"candidate": f"candidate:{n} 1 udp 2122260223 127.0.0.1 {40000 + n} typ host",
            "sdpMid": "0", "sdpMLineIndex": 0}


def log_end(url):
    """The id of the cluster log's newest entry (where to count from)."""
    newest = redis_lib.Redis.from_url(url, decode_responses=True).xrevrange("tlc:log", count=1)
    return newest[0][0] if newest else "0-0"


def candidates_since(url, after):
    """How many entries after `after` carry an ICE candidate. Not how many entries: others
    land in the log at any time (the call log appends a call's chat entries
    CALL_LOG_DELAY after it starts, on a slow box inside the counted window)."""
    client = redis_lib.Redis.from_url(url, decode_responses=True)
    found = 0
    for _id, fields in client.xrange("tlc:log", min=f"({after}"):
        body = json.loads(fields["b"]) if fields.get("k") == "a" else {}
        found += body.get("type") == A.CALL_SIGNALLED and "candidate" in body.get("payload", {})
    return found


def life(app):
    return app.extensions["tlightchat"].life


def signals(tab, count):
    got = []
    wait_for(lambda: got.extend(tab.events("call:signal")) or len(got) >= count, 5,
             f"{count} call:signal on {tab.client_id}")
    return got


def test_candidates_reach_the_peer_on_another_node_without_the_log(nodes, redis_url):  # noqa: F811
    n1, n2 = nodes("n1"), nodes("n2")
    ann, bob, call_id = in_a_call(n1, n2)
    before = log_end(redis_url)
    for i in range(5):
        assert ann.ask("call:signal", {"callId": call_id, "candidate": candidate(i)})["ok"]
    got = signals(bob, 5)
    assert [g["candidate"]["candidate"].split()[0] for g in got] == \
        [f"candidate:{i}" for i in range(5)]
    assert all(g["fromAnchorId"] == ann.anchor and g["callId"] == call_id for g in got)
    assert candidates_since(redis_url, before) == 0, "candidates went through the log"
    assert life(n1).node.direct.published == 5 and life(n2).node.direct.applied == 5

    stranger = Tab(n1)  # the guard runs on the sender's node, as for any dispatch
    refused = stranger.ask("call:signal", {"callId": call_id, "candidate": candidate(9)})
    assert not refused["ok"] and refused["error"]["code"] == "forbidden"


def test_a_candidate_never_overtakes_the_offer_it_follows(nodes):
    n1, n2 = nodes("n1"), nodes("n2")
    ann, bob, call_id = in_a_call(n1, n2)
    # Stop n2 reading the log by itself: it learns the offer only by catching up when
    # the candidate arrives (the follower exits once it wakes for the rename below).
    life(n2).store.stopped = True
    assert ann.ask("anchor:rename", {"anchorId": ann.anchor, "name": "wake"})["ok"]
    wait_for(lambda: life(n2).store.cursor == life(n1).store.cursor, 5, "n2 read the rename")
    assert ann.ask("call:signal", {"callId": call_id, "description": OFFER})["ok"]
    assert ann.ask("call:signal", {"callId": call_id, "candidate": candidate(1)})["ok"]
    got = signals(bob, 2)
    assert [("description" in g, "candidate" in g) for g in got] == [(True, False), (False, True)]


def test_a_peer_on_the_same_node_costs_no_redis(nodes, redis_url):  # noqa: F811
    n1, _ = nodes("n1"), nodes("n2")
    ann, bob, call_id = in_a_call(n1, n1)
    before = log_end(redis_url)
    assert bob.ask("call:signal", {"callId": call_id, "candidate": candidate(3)})["ok"]
    assert signals(ann, 1)[0]["fromAnchorId"] == bob.anchor
    assert candidates_since(redis_url, before) == 0 and life(n1).node.direct.published == 0


def test_without_the_direct_relay_candidates_go_through_the_log(nodes, redis_url):  # noqa: F811
    n1 = nodes("n1")
    n1.extensions["tlightchat"].life.node.direct = None  # as with CLUSTER_DIRECT_RELAY = False
    n2 = nodes("n2")
    ann, bob, call_id = in_a_call(n1, n2)
    before = log_end(redis_url)
    assert ann.ask("call:signal", {"callId": call_id, "candidate": candidate(4)})["ok"]
    assert signals(bob, 1)[0]["candidate"] == candidate(4)
    assert candidates_since(redis_url, before) == 1
