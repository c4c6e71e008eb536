"""The one-process candidate relay (issue 33.3): a relayed ICE candidate is guarded by the
store and delivered to its party without a dispatch (Store.check, then EmitterTree.relay:
no reducer, no subscriber, no walk of the whole change), and keeps every guard a
dispatch applied: a call you are not in, a call that ended, a party that is not in the
call, a relay-only side's host candidate."""
import pytest
from tests.support.calls import connect
from tests.support.clients import Tab
from tlightchat.store import actions as A

CAND = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}


@pytest.fixture
def dispatched(life):
    """The action types the store dispatches from now on (what its subscribers see)."""
    seen = []
    unsubscribe = life.ctx.store.subscribe(lambda action, prev, nxt: seen.append(action["type"]))
    yield seen
    unsubscribe()


def refused(ack):
    assert not ack["ok"], ack
    return ack["error"]["code"]


def test_a_candidate_reaches_the_peer_without_a_dispatch(pair, dispatched):
    ann, bob = pair
    call_id = connect(ann, bob)
    dispatched.clear()
    assert bob.ask("call:signal", {"callId": call_id, "candidate": CAND})["ok"]
    assert ann.events("call:signal") == [{"callId": call_id, "fromAnchorId": bob.anchor,
                                          "candidate": CAND}]
    assert bob.events("call:signal") == []
    assert dispatched == []  # guarded and delivered; nothing changed, nobody told
    # an offer still changes the call (its pending offer): through a dispatch
    offer = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
    assert ann.ask("call:signal", {"callId": call_id, "description": offer})["ok"]
    assert dispatched == [A.CALL_SIGNALLED]


def test_the_relay_keeps_the_guards(pair, tab, dispatched):
    ann, bob = pair
    call_id = connect(ann, bob)
    eve = tab()
    eve.anchor = eve.new_anchor("Eve slot")
    eve.clear()
    # not in the call
    assert refused(eve.ask("call:signal", {"callId": call_id, "candidate": CAND})) == "forbidden"
    # no such call
    assert refused(bob.ask("call:signal", {"callId": "c-none", "candidate": CAND})) == "not-found"
    # a party that is not in the call
    assert refused(bob.ask("call:signal", {"callId": call_id, "to": eve.anchor,
                                           "candidate": CAND})) == "invalid-payload"
    assert ann.events("call:signal") == [] and eve.events("call:signal") == []
    # a call that ended
    assert ann.ask("call:hangup", {"callId": call_id})["ok"]
    ann.clear()
    assert refused(bob.ask("call:signal", {"callId": call_id, "candidate": CAND})) == "not-found"
    assert ann.events("call:signal") == []
    assert A.CALL_SIGNALLED not in dispatched


def test_a_relay_only_side_is_still_held_to_relay_candidates(database_url):
    from tests.support.privacy import hide, turn_app
    from tests.support.sdp_samples import HOST, RELAY

    app = turn_app(database_url)
    ann, bob = Tab(app), Tab(app)
    hide(bob)  # bob hides his address from strangers: relay candidates only
    for t in (ann, bob):
        t.anchor = t.new_anchor()
        t.clear()
    call_id = connect(ann, bob)
    assert refused(bob.ask("call:signal", {"callId": call_id, "candidate": {"candidate": HOST}})) \
        == "relay-required"
    assert ann.events("call:signal") == []
    assert bob.ask("call:signal", {"callId": call_id, "candidate": {"candidate": RELAY}})["ok"]
    assert [s["candidate"]["candidate"] for s in ann.events("call:signal")] == [RELAY]


def test_in_a_group_call_a_candidate_goes_to_the_party_it_names_only(app, clock, dispatched):
    ann, bob, cat = (Tab(app, auth={"protocol": 4}) for _ in range(3))
    for i, t in enumerate((ann, bob, cat)):
        t.anchor = t.new_anchor(f"Line {i}")
        t.clear()
    call_id = connect(ann, bob)
    assert bob.ask("call:invite", {"fromAnchorId": bob.anchor, "toAnchorId": cat.anchor})["ok"]
    [ring] = cat.events("call:ring")
    assert cat.ask("call:accept", {"invitationId": ring["invitationId"]})["ok"]
    for t in (ann, bob, cat):
        t.clear()
    dispatched.clear()
    assert cat.ask("call:signal", {"callId": call_id, "to": ann.anchor, "candidate": CAND})["ok"]
    assert ann.events("call:signal") == [{"callId": call_id, "fromAnchorId": cat.anchor,
                                          "candidate": CAND}]
    assert bob.events("call:signal") == [] and dispatched == []


def test_a_call_signal_runs_in_the_readers_thread_and_other_events_in_their_own(app, pair, monkeypatch):
    # wire.py INLINE_EVENTS: no green thread is spawned per call:signal packet (a burst of
    # candidates), every other event still gets its own (a slow one holds up nothing).
    ann, bob = pair
    call_id = connect(ann, bob)
    server = app.extensions["socketio"].server
    spawned = []

    def spawn(fn, *args, **kwargs):  # as the server would, but at once: the test reads the ack
        if fn.__qualname__.startswith("PacketGuard.dispatch"):
            spawned.append(fn)
        fn(*args, **kwargs)

    monkeypatch.setattr(server, "async_handlers", True)  # the test client runs without
    monkeypatch.setattr(server, "start_background_task", spawn)
    assert bob.ask("call:signal", {"callId": call_id, "candidate": CAND})["ok"]
    assert refused(bob.ask("call:signal", {"callId": "nope", "candidate": CAND})) == "not-found"
    assert spawned == []
    assert ann.events("call:signal") == [{"callId": call_id, "fromAnchorId": bob.anchor, "candidate": CAND}]
    assert bob.ask("call:media", {"callId": call_id, "flowing": True})["ok"]
    assert len(spawned) == 1


def test_only_one_process_runs_call_signal_in_the_reader():
    # A cluster node's store waits on Redis: a reader waiting there would read no pongs.
    from tlightchat.cluster import Alone, Cluster
    assert Alone.inline_events == {"call:signal"}
    assert Cluster.inline_events == frozenset()
