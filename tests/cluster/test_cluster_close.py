"""Closing a cluster node stops everything it started (issue 34): before, a test's nodes
kept working after `hub.close()`: the call log wrote a call's entries into a database
already dropped, and the log readers went on reading the next test's log."""
import threading

from e2e.services import wait_for
from tlightchat import parts
from tests.support.cluster_calls import in_a_call


def test_closing_a_node_stops_everything_it_started(nodes):  # noqa: F811
    before = set(threading.enumerate())
    n1, n2 = nodes("n1"), nodes("n2")
    for app in (n1, n2):
        parts(app).call_log.delay = 60  # its entries are still waiting at the close
    in_a_call(n1, n2)
    waiting = [parts(app).call_log for app in (n1, n2)]
    wait_for(lambda: any(not log.worker.idle() for log in waiting), 5, "call log entries")
    for app in (n1, n2):
        parts(app).close()
    assert all(log.worker.idle() for log in waiting), "the call log still waits to write"
    # The background tasks (log reader, direct relay, clock, workers) have ended.
    # (The password-hashing threads are the process's, shared by every app: not a node's.)
    left = [t.name for t in threading.enumerate() if t not in before and t.is_alive()
            and not t.name.startswith("tlc-hash-")]
    assert left == [], left
    for app in (n1, n2):
        with parts(app).db.engine.connect() as db:
            assert db.exec_driver_sql("select count(*) from messages").scalar() == 0
