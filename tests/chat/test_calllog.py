"""Calls appear in the pair's chat timeline: started, ended with duration, missed, declined."""
import time

import pytest

from tlightchat.chat.calllog import entries
from tlightchat.store import actions as A
from tlightchat.store import create_store

from tests.support.calls import connect, ring
from tests.support.store_world import invite, world

# Storage tests: each runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.storage


def step(state, action, now):
    store = create_store()
    store._state = state
    store.dispatch(action)
    return store.get_state(), entries(action, state, store.get_state(), now)


def test_pure_entries_for_each_outcome():
    s, log = step(world(), invite(), 10.0)
    assert log == []
    _, log = step(s, A.invitation_declined("c2", "i1"), 11.0)
    assert log == [("call-declined", "u1", "u2", "i1", {})]
    _, log = step(s, A.invitation_cancelled("c1", "i1"), 11.0)
    assert log == [("call-missed", "u1", "u2", "i1", {"reason": "cancelled"})]
    _, log = step(s, A.clock_ticked(45.0), 45.0)
    assert log == [("call-missed", "u1", "u2", "i1", {"reason": "rang-out"})]
    s, log = step(s, A.invitation_accepted("c2", "i1", "k1", 12.0), 12.0)
    assert log == [("call-started", "u1", "u2", "k1", {})]
    _, log = step(s, A.call_hung_up("c2", "k1"), 73.5)
    assert log == [("call-ended", "u1", "u2", "k1", {"durationMs": 61500, "reason": "hangup"})]
    _, log = step(s, A.client_disconnected("c2"), 20.0)
    assert log == [("call-ended", "u1", "u2", "k1", {"durationMs": 8000, "reason": "peer-left"})]


def wait_history(tab_, peer, kinds, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = tab_.ask("chat:history", {"with": peer.user_id})
        assert got["ok"], got
        found = [m["kind"] for m in got["messages"]]
        if found == kinds:
            return got["messages"]
        time.sleep(0.05)  # the rate limiter does not refill under the fake clock
    raise AssertionError(f"history kinds {found} != {kinds}")


def test_a_call_lands_in_both_timelines_with_its_duration(tab, clock):
    ann, bob = tab(), tab()
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    call_id = connect(ann, bob)
    started_at = clock.now
    clock.advance(42)
    bob.ask("call:hangup", {"callId": call_id})
    messages = wait_history(ann, bob, ["call-started", "call-ended"])
    assert messages[1]["call"]["durationMs"] == 42_000 and messages[1]["call"]["callId"] == call_id
    # written a moment later (out of the call's setup), stamped when it happened
    assert [m["ts"] for m in messages] == [int(started_at * 1000), int(clock.now * 1000)]
    assert wait_history(bob, ann, ["call-started", "call-ended"])[0]["from"] == ann.user_id


def test_declined_and_missed_land_in_the_timeline(tab, life, clock):
    ann, bob = tab(), tab()
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    bob.ask("call:decline", {"invitationId": ring(ann, bob)})
    ring(ann, bob)
    clock.advance(life.ctx.ring_timeout + 1)
    life.tick()
    wait_history(bob, ann, ["call-declined", "call-missed"])
    unread = bob.ask("chat:conversations")["unreadTotal"]
    assert unread == 1  # the missed call counts as unread, the declined one does not


def test_a_refused_call_event_is_a_fault_unless_a_user_is_gone(app, tab, caplog):
    """A refusal is expected only when one of the two deleted their account meanwhile
    (tests/abuse/test_safety_deleted.py); any other (say a clientMsgId clash) is logged as
    the fault it is, not hidden as a deleted user (review)."""
    import logging

    from tlightchat.errors import Refusal

    def refuse(*args, **kwargs):
        raise Refusal("invalid-state", "clientMsgId: already used for another message")

    app.extensions["tlightchat"].chat.record_call_event = refuse
    ann, bob = tab(), tab()
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    with caplog.at_level(logging.INFO, logger="tlightchat"):
        connect(ann, bob)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and not any(
                "call event" in r.getMessage() for r in caplog.records):
            time.sleep(0.05)
    said = [(r.levelname, r.getMessage()) for r in caplog.records if "call event" in r.getMessage()]
    assert said and all(level == "ERROR" for level, _ in said), said
