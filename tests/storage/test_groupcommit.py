"""Group commit: concurrent writers share one transaction; each gets its own result."""
import threading

import pytest
from sqlalchemy import event

from tlightchat.chat.groupcommit import GroupCommit
from tlightchat.errors import Refusal

# Storage tests: each runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.storage


def run_concurrently(fn, args_list):
    results = [None] * len(args_list)

    def one(i, args):
        try:
            results[i] = fn(*args)
        except Exception as err:  # collected, asserted by the test
            results[i] = err

    threads = [threading.Thread(target=one, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_waiting_items_are_handled_as_one_batch_and_each_caller_gets_its_result(app):
    socketio = app.extensions["tlightchat"].socketio
    batches, gate = [], threading.Event()

    def work(items):
        gate.wait(5)  # hold the first batch so the others pile up behind it
        batches.append(len(items))
        return [ValueError(f"bad {n}") if n % 5 == 0 else n * 10 for (n,) in items]

    writer = GroupCommit(socketio, work)
    threading.Timer(0.3, gate.set).start()
    results = run_concurrently(writer.submit, [(n,) for n in range(1, 21)])
    assert [r if not isinstance(r, Exception) else str(r) for r in results] == [
        f"bad {n}" if n % 5 == 0 else n * 10 for n in range(1, 21)]
    assert sum(batches) == 20 and len(batches) < 20 and max(batches) > 1


def test_a_failing_batch_fails_its_callers_and_the_writer_lives_on(app):
    calls = []

    def work(items):
        calls.append(items)
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return ["ok" for _ in items]

    writer = GroupCommit(app.extensions["tlightchat"].socketio, work)
    with pytest.raises(RuntimeError):
        writer.submit("a")
    assert writer.submit("b") == "ok"


def test_send_many_stores_a_mixed_batch_in_one_transaction(app, tab):
    ann, bob = tab(), tab()
    chat = app.extensions["tlightchat"].chat
    commits = []
    event.listen(app.extensions["tlightchat"].db.writer, "commit", lambda conn: commits.append(1))
    results = chat.send_many([
        (ann.user_id, bob.user_id, "m1", "one"),
        (ann.user_id, "nobody", "m2", "lost"),          # refused, the rest still stored
        (ann.user_id, bob.user_id, "m1", "one"),        # the same message twice in a batch
        (bob.user_id, ann.user_id, "m3", "x" * 20_000),  # too long: refused
        (bob.user_id, ann.user_id, "m4", "two"),
    ])
    assert len(commits) == 1
    first, refused, again, too_long, last = results
    assert first[1] is False and first[0]["text"] == "one"
    assert isinstance(refused, Refusal) and refused.code == "not-found"
    assert again == (first[0], True)
    assert isinstance(too_long, Refusal)
    assert last[0]["text"] == "two"
    history = chat.history(ann.user_id, bob.user_id)["messages"]
    assert [m["text"] for m in history] == ["one", "two"]
    # a resend in a later batch is a duplicate, stored once
    [resent] = chat.send_many([(ann.user_id, bob.user_id, "m1", "one")])
    assert resent[1] is True and resent[0]["id"] == first[0]["id"]
