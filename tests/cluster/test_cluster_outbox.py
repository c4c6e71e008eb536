"""The outbox (tlightchat/cluster/outbox.py) on a real Redis: a push whose append reached
the log but whose reply was lost is kept and appended again; every node applies it once."""
import redis

from tlightchat.cluster.log import ReplicatedStore
from tlightchat.cluster.outbox import Outbox
from tlightchat.store import create_store

from tests.support.cluster import connect


def node(url, name, delivered):
    replica = ReplicatedStore(create_store(4), connect(url), name, "ob",
                              on_send=lambda *push: delivered.append((name, push)))
    replica.join()
    return replica


def lose_replies(replica, times):
    """The next `times` appends run in Redis, then their replies are lost (a stall)."""
    append, left = replica._append, [times]

    def run(**kwargs):
        result = append(**kwargs)
        if left[0] > 0:
            left[0] -= 1
            raise redis.TimeoutError("reply lost")
        return result
    replica._append = run


def test_a_push_whose_reply_was_lost_is_appended_again_but_delivered_once(redis_url):  # noqa: F811
    delivered = []
    n1, n2 = node(redis_url, "n1", delivered), node(redis_url, "n2", delivered)
    outbox = Outbox(n1)
    lose_replies(n1, 1)
    outbox.send("u1", "chat:message", {"n": 1})
    assert len(outbox.waiting) == 1, "a lost reply keeps the push"
    n1.failed_at = 0.0  # past PROBE_S: the next flush asks Redis again
    outbox.send("u1", "chat:message", {"n": 2})
    assert not outbox.waiting
    kinds = [f["k"] for _id, f in connect(redis_url).xrange("ob:log")]
    assert kinds == ["s", "s", "s"], "the first push is in the log twice"

    n2.catch_up()
    assert [(name, push[2]) for name, push in delivered] == [("n2", {"n": 1}), ("n2", {"n": 2})]

    late = node(redis_url, "n3", delivered)  # replays the log: applies each push once too
    assert late.pushed == n2.pushed

