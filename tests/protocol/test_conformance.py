"""docs/protocol.md, checked from outside: plain python-socketio clients against the real
server process, as a client written from the document alone would see it.

Each test names the section it checks. Orderings are checked on one connection: the
client's handlers run in arrival order on its reader thread, so whatever was recorded
when `call` returns arrived before the ack.
"""
import threading

import pytest
import socketio

from e2e.conftest import serve
from e2e.services import wait_for
from tests.support.wire_client import Client
from tests.support.paths import ROOT


@pytest.fixture(scope="module", params=["eventlet", "gevent"])
def server(request):
    """The production server under each async mode it supports (python app.py)."""
    yield from serve(TLC_LOBBY_COUNT_INTERVAL="0.2", TLC_RATE_LIMIT_PER_SECOND="1",
                     TLC_RATE_LIMIT_BURST="60", TLC_MAX_ANCHORS_PER_CLIENT="3",
                     TLC_ASYNC_MODE=request.param)


@pytest.fixture
def client(server):
    made = []

    def make(**kw):
        made.append(Client(server.url, **kw))
        return made[-1]

    yield make
    for c in made:
        c.close()


def test_connecting_without_a_session_is_refused_with_a_code(server):
    """Connecting: connect_error carries {code: no-session, message}."""
    sio = socketio.Client(reconnection=False)
    refused = []
    sio.on("connect_error", refused.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(server.url, transports=["websocket"], wait_timeout=10)
    assert len(refused) == 1, refused
    data = refused[0]["data"]  # the packet is {message, data}: the browser's err.data
    assert data["code"] == "no-session" and data["message"] == refused[0]["message"]


def test_welcome_first_then_snapshot_on_connect_and_on_resume(client):
    """session:welcome: sent first, before lobby:snapshot, on a resume too."""
    ann = client()
    wait_for(lambda: "lobby:snapshot" in ann.events(), 10, "ann's snapshot")
    assert ann.events()[:2] == ["session:welcome", "lobby:snapshot"]
    bob = client()
    token = bob.welcome["resumeToken"]
    bob.sio.eio.ws.close()  # the WebSocket closes without a goodbye packet
    wait_for(lambda: any(e == "lobby:client" and d["client"]["away"] for e, d in ann.got),
             15, "ann sees bob away")
    again = client(http=bob.http, auth={"resume": token})
    assert again.welcome["resumed"] is True and again.id == bob.id
    # the snapshot may still be on its way when the welcome's handler has run: wait for it
    wait_for(lambda: "lobby:snapshot" in again.events(), 10, "the resumed client's snapshot")
    assert again.events()[:2] == ["session:welcome", "lobby:snapshot"]


def test_anchor_create_takes_no_payload_and_names_the_lowest_free_slot(client):
    """anchor:create: payload optional; default name `Slot N`, lowest N not taken."""
    ann = client()
    first, _ = ann.ask("anchor:create")
    second, _ = ann.ask("anchor:create", {})
    assert first["ok"] and second["ok"]
    assert [first["anchor"]["name"], second["anchor"]["name"]] == ["Slot 1", "Slot 2"]
    assert first["anchor"]["status"] == "offline"
    assert ann.ask("anchor:remove", {"anchorId": first["anchor"]["id"]})[0]["ok"]
    assert ann.ask("anchor:create")[0]["anchor"]["name"] == "Slot 1"
    ann.ask("anchor:create")
    limit, _ = ann.ask("anchor:create")
    assert limit["error"]["code"] == "limit"


def test_lobby_count_never_repeats_what_the_client_was_told(client):
    """Lobby deltas, lobby:count: not sent when the snapshot already said it."""
    ann = client()
    bob = client()
    wait_for(lambda: ann.first("lobby:count"), 5, "ann is told 2 are online")
    counts = [d["online"] for e, d in ann.got if e == "lobby:count"]
    assert counts[0] == ann.first("lobby:snapshot")["online"] + 1
    bob_counts = [d for e, d in bob.got if e == "lobby:count"]
    snapshot = bob.first("lobby:snapshot")
    assert {"online": snapshot["online"], "complete": snapshot["complete"]} not in bob_counts


def test_call_orderings_and_codes(client):
    """Orderings; Calls; call state machine codes; error event with an ack."""
    ann, bob = client(), client()
    a, b = ann.anchor(), bob.anchor()
    wait_for(lambda: any(e == "lobby:anchor" and d["anchor"]["id"] == b
                         and d["anchor"]["status"] == "online" for e, d in ann.got), 5,
             "ann sees bob's slot online")

    busy_check, _ = bob.ask("call:invite", {"fromAnchorId": b, "toAnchorId": b})
    assert busy_check["error"]["code"] == "invalid-state"  # calling itself
    invite, _ = ann.ask("call:invite", {"fromAnchorId": a, "toAnchorId": b})
    ring = wait_for(lambda: bob.first("call:ring"), 5, "bob rings")
    assert ring["invitationId"] == invite["invitationId"] and ring["from"]["anchorId"] == a
    cancel_by_callee, before = bob.ask("call:cancel", {"invitationId": invite["invitationId"]})
    assert cancel_by_callee["error"]["code"] == "forbidden"
    assert "error" in before, "an `error` event is sent with the ack too"

    accept, before = bob.ask("call:accept", {"invitationId": invite["invitationId"]})
    assert accept["ok"] and "call:started" in before and "call:invite-ended" in before
    call_id = accept["callId"]
    answer, _ = bob.ask("call:signal", {"callId": call_id,
                                        "description": {"type": "answer", "sdp": "v=0\r\n"}})
    assert answer["error"]["code"] == "invalid-state"  # no offer from the peer yet

    carol = client()
    c = carol.anchor()
    busy, _ = carol.ask("call:invite", {"fromAnchorId": c, "toAnchorId": b})
    assert busy["error"]["code"] == "busy"
    assert ann.ask("anchor:set-online", {"anchorId": a, "online": False})[0]["error"]["code"] \
        == "invalid-state"

    hangup, before = ann.ask("call:hangup", {"callId": call_id})
    assert hangup == {"ok": True} and "call:ended" in before
    ended = [d for e, d in ann.got if e == "call:ended"][-1]
    assert ended["by"] == "you" and ended["reason"] == "hangup"
    late_signal, _ = bob.ask("call:signal", {"callId": call_id,
                                             "candidate": {"candidate": ""}})
    late_hangup, _ = bob.ask("call:hangup", {"callId": call_id})
    assert late_signal["error"]["code"] == late_hangup["error"]["code"] == "not-found"

    assert bob.ask("anchor:set-online", {"anchorId": b, "online": False})[0]["ok"]
    offline, _ = ann.ask("call:invite", {"fromAnchorId": a, "toAnchorId": b})
    assert offline["error"]["code"] == "unavailable" and "retryAfterMs" not in offline["error"]

    decline_invite, _ = carol.ask("call:invite", {"fromAnchorId": c, "toAnchorId": a})
    decline, before = ann.ask("call:decline", {"invitationId": decline_invite["invitationId"]})
    assert decline == {"ok": True} and "call:invite-ended" in before


def test_group_calls_orderings_and_codes(client):
    """Group calls (version 4); Orderings: a multi-ring, a join, a leave, the last two."""
    ann, bob, carol = (client(auth={"protocol": 4}) for _ in range(3))
    old = client()  # states no version: 1
    a, b, c, o = ann.anchor(), bob.anchor(), carol.anchor(), old.anchor()
    many, _ = ann.ask("call:invite-many", {"fromAnchorId": a, "toAnchorIds": [b, c, o]})
    assert [e.get("invitationId") is not None for e in many["invitations"]] == [True, True, False]
    assert many["invitations"][2]["error"]["code"] == "unsupported"
    ring = wait_for(lambda: bob.first("call:ring"), 5, "bob rings")
    assert ring["call"] == {"callId": many["callId"], "parties": [
        {"anchorId": a, "userId": ann.user, "displayName": ann.welcome["user"]["displayName"],
         "anchorName": "Slot 1"}]}
    accept, before = bob.ask("call:accept", {"invitationId": ring["invitationId"]})
    assert accept == {"ok": True, "callId": many["callId"]} and "call:started" in before
    carol_ring = wait_for(lambda: carol.first("call:ring"), 5, "carol rings")
    joined, before = carol.ask("call:accept", {"invitationId": carol_ring["invitationId"]})
    assert joined["callId"] == many["callId"] and "call:started" in before
    assert len(carol.first("call:started")["parties"]) == 2
    for other in (ann, bob):
        wait_for(lambda other=other: other.first("call:party-joined"), 5, "party-joined")
    add_old, _ = bob.ask("call:invite", {"fromAnchorId": b, "toAnchorId": o})
    assert add_old["error"]["code"] == "unsupported"
    no_to, _ = carol.ask("call:signal", {"callId": many["callId"], "candidate": {"candidate": ""}})
    assert no_to["error"]["code"] == "invalid-payload"
    left, before = carol.ask("call:hangup", {"callId": many["callId"]})
    assert left == {"ok": True} and "call:ended" in before
    for other in (ann, bob):
        gone = wait_for(lambda other=other: other.first("call:party-left"), 5, "party-left")
        assert gone["peerAnchorId"] == c and gone["reason"] == "hangup"
    assert bob.ask("call:hangup", {"callId": many["callId"]})[0]["ok"]
    ended = wait_for(lambda: ann.first("call:ended"), 5, "the last two end it")
    assert ended["by"] == "peer"


def test_glare_starts_the_call_before_the_second_invite_is_acked(client):
    """Calls: inviting an anchor that is inviting you back starts the call."""
    ann, bob = client(), client()
    a, b = ann.anchor(), bob.anchor()
    assert ann.ask("call:invite", {"fromAnchorId": a, "toAnchorId": b})[0]["ok"]
    wait_for(lambda: bob.first("call:ring"), 5, "bob rings")
    back, before = bob.ask("call:invite", {"fromAnchorId": b, "toAnchorId": a})
    assert back["ok"] and "callId" in back and "call:started" in before
    started = bob.first("call:started")
    assert started["initiator"] is False and started["polite"] is True


def test_validation_codes(client):
    """Validation; Size limits; Error codes."""
    ann = client()
    unknown, before = ann.ask("call:teleport", {})
    assert unknown["error"]["code"] == "unknown-event" and "error" in before
    assert ann.ask("anchor:rename", {"anchorId": "x"})[0]["error"]["code"] == "invalid-payload"
    extra, _ = ann.ask("anchor:create", {"name": "a", "definitelyNotAField": 1})
    assert extra["error"]["code"] == "invalid-payload"
    big, _ = ann.ask("me:rename", {"displayName": "x" * 5000})
    assert big["error"]["code"] == "payload-too-large"
    missing, _ = ann.ask("call:accept", {"invitationId": "nope"})
    assert missing["error"]["code"] == "not-found"
    snapshot, before = ann.ask("lobby:get", {"query": ""})
    assert snapshot == {"ok": True} and before[-1] == "lobby:snapshot"
    watch, before = ann.ask("lobby:watch", {"userIds": []})
    assert watch == {"ok": True} and before[-1] == "lobby:snapshot"


def test_a_client_over_its_rate_is_told_rate_limited(client):
    """Error codes: rate-limited (burst 60, then 1/s in this server)."""
    ann = client()
    codes = [ann.ask("me:state")[0].get("error", {}).get("code") for _ in range(70)]
    assert "rate-limited" in codes and codes[0] is None


def test_leave_on_close_makes_a_clean_disconnect_leave_at_once(client):
    """Reconnecting (`auth`): leaveOnClose."""
    ann = client()
    bob = client(auth={"leaveOnClose": True})
    wait_for(lambda: any(e == "lobby:client-joined" and d["client"]["id"] == bob.id
                         for e, d in ann.got) or bob.user in ann.first("lobby:snapshot")["users"],
             5, "ann sees bob")
    left = threading.Event()
    ann.sio.on("lobby:client-left", lambda data: data["clientId"] == bob.id and left.set())
    bob.sio.disconnect()
    assert left.wait(10), "bob left at once (not after the 30 s grace)"
    assert not any(e == "lobby:client" and d["client"]["id"] == bob.id and d["client"]["away"]
                   for e, d in ann.got), "never shown away first"


def test_versions_the_welcome_states_the_documents_version_and_a_version_1_callee_works(client):
    """Versions: the welcome's `protocol` is the document's; a callee that states no
    version (1) accepts a prepared ring without an answer, and the caller's call:started
    asks it for its offer again (resendOffer), which the callee answers."""
    import os
    import re
    doc = open(os.path.join(ROOT, "docs", "protocol.md")).read()
    assert client().welcome["protocol"] == int(re.search(r"^Version \*\*(\d+)\*\*", doc, re.M).group(1))
    offer = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"}
    ann, bob = client(auth={"protocol": 3}), client()
    a, b = ann.anchor(), bob.anchor()
    wait_for(lambda: any(e == "lobby:anchor" and d["anchor"]["id"] == b
                         and d["anchor"]["status"] == "online" for e, d in ann.got), 5,
             "ann sees bob's slot online")
    invite, _ = ann.ask("call:invite", {"fromAnchorId": a, "toAnchorId": b, "offer": offer})
    wait_for(lambda: bob.first("call:ring"), 5, "bob rings")
    accept, _ = bob.ask("call:accept", {"invitationId": invite["invitationId"]})
    started = wait_for(lambda: ann.first("call:started"), 5, "ann's call:started")
    assert started["resendOffer"] is True, started
    assert ann.ask("call:signal", {"callId": accept["callId"], "description": offer})[0]["ok"]
    got = wait_for(lambda: bob.first("call:signal"), 5, "bob gets the offer")
    assert got["description"] == offer
    answer = {"type": "answer", "sdp": "v=0\r\n"}
    assert bob.ask("call:signal", {"callId": accept["callId"], "description": answer})[0]["ok"]
