"""Issue 31.7: a page that says it is going (client:leaving, on the pagehide of a tab in a
call) is kept only LEAVING_GRACE seconds once its socket drops, not the whole reconnect
grace: a closed tab leaves the lobby and its calls in seconds; a reload still resumes."""
from tests.support.calls import come_back, connect, drop


def test_a_page_that_said_it_is_leaving_goes_after_the_leaving_grace(app, life, pair, clock):
    ann, bob = pair
    call_id = connect(ann, bob)
    leaving = app.config["LEAVING_GRACE"]
    assert 0 < leaving < life.grace
    assert bob.ask("client:leaving") == {"ok": True}
    assert ann.events("lobby:client") == []  # still here until its socket drops
    drop(life, bob)
    assert ann.events("lobby:client")[0]["client"]["away"] is True
    clock.advance(leaving - 1)
    life.tick()
    assert ann.events("lobby:client-left") == [] and ann.events("call:ended") == []
    clock.advance(2)
    life.tick()
    assert ann.events("lobby:client-left") == [{"clientId": bob.client_id}]
    assert ann.events("call:ended") == [{"callId": call_id, "anchorId": ann.anchor,
                                         "reason": "peer-left"}]


def test_a_reload_resumes_and_then_keeps_the_whole_grace(app, life, pair, clock):
    ann, bob = pair
    call_id = connect(ann, bob)
    bob.ask("client:leaving")
    drop(life, bob)
    clock.advance(1)
    back = come_back(app, bob, reloaded=True)
    assert back.welcome["resumed"] is True and back.client_id == bob.client_id
    assert back.ask("me:state")["calls"][call_id]["state"] == "connecting"
    # the mark went with the resume: a network drop now keeps the reconnect grace
    drop(life, back, "ping timeout")
    clock.advance(app.config["LEAVING_GRACE"] + 2)
    life.tick()
    assert ann.events("lobby:client-left") == [] and ann.events("call:ended") == []
    clock.advance(life.grace)
    life.tick()
    assert ann.events("lobby:client-left") == [{"clientId": bob.client_id}]


def test_the_hint_takes_no_payload(pair):
    ann, _ = pair
    refused = ann.ask("client:leaving", {"until": 0})
    assert refused["ok"] is False and refused["error"]["code"] == "invalid-payload"


def test_a_hint_handled_after_its_sockets_close_still_counts(app, life, pair, clock):
    # The hint and the close come on the same socket, but each event runs in its own green
    # thread: the close may be handled first. The hint of the socket that served the client
    # still counts while that client is away and no other socket serves it.
    ann, bob = pair
    call_id = connect(ann, bob)
    drop(life, bob)
    assert bob.ask("client:leaving") == {"ok": True}
    clock.advance(app.config["LEAVING_GRACE"] + 1)
    life.tick()
    assert ann.events("lobby:client-left") == [{"clientId": bob.client_id}]
    assert ann.events("call:ended") == [{"callId": call_id, "anchorId": ann.anchor,
                                         "reason": "peer-left"}]


def test_a_late_hint_of_an_old_socket_does_not_mark_the_resumed_page(app, life, pair, clock):
    ann, bob = pair
    connect(ann, bob)
    drop(life, bob)
    back = come_back(app, bob, reloaded=True)
    refused = bob.ask("client:leaving")  # the old socket's hint, after the reload resumed
    assert refused["ok"] is False and refused["error"]["code"] == "invalid-state"
    drop(life, back, "ping timeout")
    clock.advance(app.config["LEAVING_GRACE"] + 2)
    life.tick()
    assert ann.events("lobby:client-left") == []


def test_a_hint_of_a_socket_older_than_a_resume_never_counts(app, life, pair, clock):
    # The first socket's hint arrives only after its client resumed on a second socket
    # and dropped again: it is about a page that came back, not about this drop.
    ann, bob = pair
    connect(ann, bob)
    drop(life, bob)
    back = come_back(app, bob, reloaded=True)
    drop(life, back, "ping timeout")
    refused = bob.ask("client:leaving")
    assert refused["ok"] is False and refused["error"]["code"] == "invalid-state"
    clock.advance(app.config["LEAVING_GRACE"] + 2)
    life.tick()
    assert ann.events("lobby:client-left") == []
