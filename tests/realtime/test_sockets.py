"""Socket handlers through Flask-SocketIO's test client, several clients at once."""
import pytest

from tlightchat import protocol

from tests.support.clients import form_token


def test_a_connection_without_a_session_is_refused(app):
    sio = app.extensions["tlightchat"].socketio.test_client(app)
    assert not sio.is_connected()


def test_a_connection_with_a_forged_user_id_is_refused(app):
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["uid"] = "someone-else"  # signed by us, but no such user
    sio = app.extensions["tlightchat"].socketio.test_client(app, flask_test_client=browser)
    assert not sio.is_connected()


def test_welcome_then_snapshot_with_both_clients(tab):
    ann = tab()
    bob = tab()
    snapshot = bob.events("lobby:snapshot")[0]
    assert set(snapshot["clients"]) == {ann.client_id, bob.client_id}
    assert snapshot["users"][ann.user_id]["displayName"].startswith("Guest-")
    joined = ann.events("lobby:client-joined")
    assert [j["client"]["id"] for j in joined] == [bob.client_id]
    assert bob.welcome["protocol"] == protocol.PROTOCOL_VERSION == 4 and bob.welcome["iceServers"] == []


def test_identity_is_stable_across_tabs_and_reloads(app, tab):
    ann = tab()
    again = ann.second_tab()
    assert again.user_id == ann.user_id and again.client_id != ann.client_id


def test_anchor_lifecycle_reaches_others_as_deltas(tab):
    ann, bob = tab(), tab()
    bob.clear()
    anchor_id = ann.new_anchor("Desk", online=False)
    assert ann.ask("anchor:rename", {"anchorId": anchor_id, "name": "Sofa"})["anchor"]["name"] == "Sofa"
    assert ann.ask("anchor:set-online", {"anchorId": anchor_id, "online": True})["ok"]
    assert ann.ask("anchor:set-online", {"anchorId": anchor_id, "online": False})["ok"]
    assert ann.ask("anchor:remove", {"anchorId": anchor_id}) == {"ok": True, "anchorId": anchor_id}
    seen = [(d["anchor"]["name"], d["anchor"]["status"]) for d in bob.events("lobby:anchor")]
    assert seen == [("Desk", "offline"), ("Sofa", "offline"), ("Sofa", "online"), ("Sofa", "offline")]
    assert bob.events("lobby:anchor-removed") == [{"anchorId": anchor_id}]
    assert "lobby:snapshot" not in bob.names()  # deltas only, never the whole list again


def test_disconnect_removes_the_client_from_everyones_lobby(tab, life):
    ann, bob = tab(), tab()
    ann.new_anchor()
    bob.clear()
    ann.sio.disconnect()
    assert bob.events("lobby:client-left") == [{"clientId": ann.client_id}]
    state = life.store.get_state()
    assert ann.client_id not in state["clients"] and not state["anchors"]
    assert bob.ask("me:state")["anchors"] == {}


def test_rename_from_socket_and_from_the_me_page_reach_the_lobby(tab):
    ann, bob = tab(), tab()
    bob.clear()
    assert ann.ask("me:rename", {"displayName": "  Ann  "})["user"]["displayName"] == "Ann"
    token = form_token(ann.browser, "/me")
    response = ann.browser.post("/me", data={"displayName": "Annie", "csrf_token": token})
    assert response.status_code == 302
    assert [u["user"]["displayName"] for u in bob.events("lobby:user")] == ["Ann", "Annie"]
    assert "Annie" in ann.browser.get("/me").get_data(as_text=True)


def test_a_client_cannot_act_as_another(tab):
    ann, bob = tab(), tab()
    a1 = ann.new_anchor()
    # acting on someone else's anchor
    assert ann.ask("anchor:rename", {"anchorId": "x" + a1, "name": "n"})["error"]["code"] == "not-found"
    assert bob.ask("anchor:rename", {"anchorId": a1, "name": "pwned"})["error"]["code"] == "forbidden"
    assert bob.ask("anchor:remove", {"anchorId": a1})["error"]["code"] == "forbidden"
    # claiming to be someone in the payload is refused, not trusted
    forged = bob.ask("anchor:create", {"name": "n", "clientId": ann.client_id})
    assert forged["error"]["code"] == "invalid-payload" and "clientId" in forged["error"]["message"]
    b1 = bob.new_anchor()
    assert bob.ask("call:invite", {"fromAnchorId": a1, "toAnchorId": b1})["error"]["code"] == "forbidden"


@pytest.mark.parametrize("event, args", [
    ("anchor:create", ("just a string",)),
    ("anchor:create", ({"name": 5},)),
    ("anchor:create", ({"name": "x" * 5000},)),
    ("anchor:rename", ({},)),
    ("call:signal", ({"callId": "k", "description": {"type": "offer", "sdp": 1}},)),
    ("no:such-event", ({},)),
    ("me:state", ([1, 2, 3],)),
])
def test_bad_payloads_get_error_acks_and_the_server_keeps_serving(tab, event, args):
    ann, bob = tab(), tab()
    ack = ann.sio.emit(event, *args, callback=True)
    assert ack["ok"] is False
    assert set(ack["error"]) == {"code", "message"} and ack["error"]["message"]
    assert ann.events("error")[0]["error"] == ack["error"]  # also reported without an ack
    assert ann.ask("anchor:create", {"name": "still fine"})["ok"]
    assert bob.ask("me:state")["ok"]


def test_a_handler_that_crashes_answers_internal_and_the_server_lives_on(tab, monkeypatch):
    ann = tab()

    def boom(ctx, cid, payload):
        raise RuntimeError("bug")

    monkeypatch.setitem(protocol.HANDLERS, "anchor:create", boom)
    assert ann.ask("anchor:create", {})["error"]["code"] == "internal"
    monkeypatch.undo()
    assert ann.ask("anchor:create", {})["ok"]


def test_rate_limit(app, tab, clock):
    ann = tab()
    codes = [ann.ask("me:state").get("ok") for _ in range(app.config["RATE_LIMIT_BURST"] + 5)]
    assert codes.count(True) == app.config["RATE_LIMIT_BURST"]
    assert ann.ask("me:state")["error"]["code"] == "rate-limited"
    clock.advance(1)
    assert ann.ask("me:state")["ok"]


def test_anchor_limit(app, tab):
    ann = tab()
    for _ in range(app.config["MAX_ANCHORS_PER_CLIENT"]):
        assert ann.ask("anchor:create", {})["ok"]
    assert ann.ask("anchor:create", {})["error"]["code"] == "limit"


def test_me_state_is_the_clients_own_slice(tab):
    ann, bob = tab(), tab()
    a1 = ann.new_anchor("Mine")
    bob.new_anchor("Theirs")
    mine = ann.ask("me:state")
    assert mine["clientId"] == ann.client_id and list(mine["anchors"]) == [a1]


def test_lobby_get_sends_a_fresh_snapshot(tab):
    ann = tab()
    ann.clear()
    assert ann.ask("lobby:get") == {"ok": True}
    assert ann.client_id in ann.events("lobby:snapshot")[0]["clients"]


def test_polling_presence_has_its_own_short_liveness(app):
    server = app.extensions["tlightchat"].socketio.server.eio
    assert server.ping_interval + server.ping_timeout <= 10


def test_default_slot_names_reuse_the_lowest_free_number(tab):
    ann = tab()
    first, second = ann.new_anchor(online=False), ann.new_anchor(online=False)
    ann.ask("anchor:remove", {"anchorId": first})
    again = ann.ask("anchor:create", {})["anchor"]
    names = {a["name"] for a in ann.ask("me:state")["anchors"].values()}
    assert again["name"] == "Slot 1" and names == {"Slot 1", "Slot 2"} and second
