"""Dropped connections: the grace period, resuming, and rebuilding after a restart."""
import pytest


from tests.support.clients import Tab
from tests.support.calls import connect, ring
from tests.support.calls import come_back, drop, restarted, resume_auth




def test_a_dropped_client_is_kept_and_peers_see_it_reconnecting(app, life, pair):
    ann, bob = pair
    call_id = connect(ann, bob)
    drop(life, bob)
    assert ann.events("lobby:client") == [{"client": {"id": bob.client_id, "userId": bob.user_id,
                                                      "away": True, "tab": 1, "device": ""}}]
    assert ann.events("call:state") == [{"callId": call_id, "state": "reconnecting"}]
    assert ann.events("call:ended") == [] and "lobby:client-left" not in ann.names()
    # the peer keeps signalling; it waits for bob
    cand = {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"}
    assert ann.ask("call:signal", {"callId": call_id, "candidate": cand})["ok"]

    back = come_back(app, bob)
    assert back.client_id == bob.client_id and back.welcome["resumed"] is True
    assert back.welcome["restored"] is False
    back.names()
    assert back.order.index("session:welcome") < back.order.index("call:signal")  # queue after
    assert back.events("call:signal")[0]["candidate"] == cand
    assert back.ask("me:state")["calls"][call_id]["state"] == "connecting"
    assert ann.events("call:state") == [{"callId": call_id, "state": "connecting"}]
    assert ann.events("lobby:client")[0]["client"]["away"] is False
    assert back.ask("call:hangup", {"callId": call_id})["ok"]  # still controllable
    assert ann.events("call:ended")[0]["by"] == "peer"


def test_the_grace_period_runs_out_and_the_peer_is_told(life, pair, clock):
    ann, bob = pair
    call_id = connect(ann, bob)
    drop(life, bob, "ping timeout")
    clock.advance(life.grace - 1)
    life.tick()
    assert ann.events("call:ended") == []
    clock.advance(2)
    life.tick()
    assert ann.events("call:ended") == [{"callId": call_id, "anchorId": ann.anchor,
                                         "reason": "peer-left"}]
    assert ann.events("lobby:client-left") == [{"clientId": bob.client_id}]


def test_a_ring_to_an_away_client_ends_as_peer_left_when_grace_runs_out(life, pair, clock):
    ann, bob = pair
    life.ctx.ring_timeout = 10_000
    ring(ann, bob)
    drop(life, bob)
    clock.advance(life.grace + 1)
    life.tick()
    assert [e["reason"] for e in ann.events("call:invite-ended")] == ["peer-left"]


def test_goodbye_leaves_at_once(life, pair):
    ann, bob = pair
    connect(ann, bob)
    drop(life, bob, "client disconnect")
    assert ann.events("call:ended")[0]["reason"] == "peer-left"


def test_a_resume_token_of_another_user_or_tampered_gives_a_new_client(app, life, pair):
    ann, bob = pair
    drop(life, bob)
    stolen = Tab(app, browser=ann.browser, auth={"resume": bob.welcome["resumeToken"]})
    assert stolen.client_id != bob.client_id and stolen.user_id == ann.user_id
    forged = Tab(app, browser=bob.browser, auth={"resume": bob.welcome["resumeToken"][:-3] + "abc"})
    assert forged.client_id != bob.client_id
    assert bob.client_id in life.store.get_state()["clients"]  # still waiting for the real one


def test_malformed_auth_is_reported_and_the_connection_still_works(app, pair):
    ann, _ = pair
    odd = Tab(app, browser=ann.browser, auth={"resume": 5, "anchors": "x"})
    assert odd.events("error")[0]["error"]["code"] == "invalid-payload"
    assert odd.ask("me:state")["ok"]


@pytest.mark.storage  # the next process on the same database, SQLite and PostgreSQL
def test_after_a_server_restart_both_sides_restore_the_call(tmp_path, app, pair):
    ann, bob = pair
    call_id = connect(ann, bob)
    new = restarted(tmp_path, app)
    ann2 = Tab(new, browser=ann.browser, auth=resume_auth(ann, call_id, ann.anchor, bob.anchor, True))
    assert ann2.client_id == ann.client_id and ann2.welcome["resumed"] is False
    assert ann2.welcome["restored"] is True
    assert ann2.ask("me:state")["anchors"][ann.anchor]["status"] == "in-call"
    bob2 = Tab(new, browser=bob.browser, auth=resume_auth(bob, call_id, bob.anchor, ann.anchor, False))
    assert ann2.events("call:state") == [{"callId": call_id, "state": "connecting"}]
    assert bob2.events("call:state") == [{"callId": call_id, "state": "connecting"}]
    assert set(bob2.ask("me:state")["calls"]) == {call_id}
    offer = {"type": "offer", "sdp": "v=0"}
    assert ann2.ask("call:signal", {"callId": call_id, "description": offer})["ok"]
    assert bob2.events("call:signal")[0]["fromAnchorId"] == ann.anchor
    assert bob2.ask("call:hangup", {"callId": call_id})["ok"]
    assert ann2.events("call:ended")[0]["by"] == "peer"
    lobby = ann2.ask("me:state")["anchors"][ann.anchor]
    assert lobby["status"] == "online"


def test_after_a_restart_an_unmatched_claim_lapses_with_peer_left(tmp_path, app, pair):
    ann, bob = pair
    call_id = connect(ann, bob)
    new = restarted(tmp_path, app)
    life = new.extensions["tlightchat"].life
    ann2 = Tab(new, browser=ann.browser, auth=resume_auth(ann, call_id, ann.anchor, bob.anchor, True))
    life.ctx.clock.advance(life.grace + 1)
    life.tick()
    assert ann2.events("call:ended") == [{"callId": call_id, "anchorId": ann.anchor,
                                          "reason": "peer-left"}]


def test_restore_cannot_take_someone_elses_anchor_or_call(tmp_path, app, pair, tab):
    ann, bob = pair
    call_id = connect(ann, bob)
    new = restarted(tmp_path, app)
    # bob claims ann's anchor id as his own: refused, nothing restored
    thief = Tab(new, browser=bob.browser, auth=resume_auth(bob, call_id, ann.anchor, bob.anchor, False))
    assert thief.events("error")[0]["error"]["code"] == "forbidden"
    assert thief.ask("me:state")["anchors"] == {}
    thief.sio.disconnect()
    # a claim that does not mirror the first one is refused
    Tab(new, browser=ann.browser, auth=resume_auth(ann, call_id, ann.anchor, bob.anchor, True))
    liar = Tab(new, browser=bob.browser,
               auth={**resume_auth(bob, call_id, bob.anchor, ann.anchor, True)})
    assert liar.events("error")[0]["error"]["code"] == "forbidden"


def test_a_disconnect_raised_inside_a_write_waits_until_the_write_is_done(tab, life, monkeypatch):
    """Engine.IO closes a socket whose pong is overdue when we write to it, and runs the
    disconnect handler inside that write: it must not dispatch from inside a dispatch
    (after a stall, that nests one level per dead socket)."""
    import time

    ann, bob = tab(), tab()
    bob_sid = life.connections.sids[bob.client_id]
    real, inside = life.socketio.emit, []

    def emit(event, data, to=None, **kw):
        if event == "lobby:anchor" and not inside:
            life.disconnect(bob_sid, "transport error")  # as Engine.IO would, mid-write
            inside.append(life.store.get_state()["clients"][bob.client_id]["awayUntil"])
        return real(event, data, to=to, **kw)

    monkeypatch.setattr(life.socketio, "emit", emit)
    ann.new_anchor(online=False)
    assert inside == [None]  # not handled inside the write...
    deadline = time.monotonic() + 5
    while life.store.get_state()["clients"][bob.client_id]["awayUntil"] is None:
        assert time.monotonic() < deadline, "the deferred disconnect never ran"
        time.sleep(0.01)  # ...but right after it, on its own
