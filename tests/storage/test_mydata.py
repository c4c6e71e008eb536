"""Issue 35, my data: the download holds what the database holds about the user, and
after "Delete my account" no row of any table names the user (every table and column is
scanned, so a table added later is checked too). SQLite and PostgreSQL."""
import io
import json
import zipfile

import pytest

from e2e.services import wait_for
from tests.support.accounts import register
from tests.support.clients import Tab, form_token
from tests.support.push_endpoint import Subscription
from tests.support.storage import rows_naming
from tlightchat import create_app
from tlightchat.chat.groups import conversation_id

pytestmark = pytest.mark.storage


def make(database_url, **config):
    return create_app({"DATABASE_URL": database_url, "TESTING": True,
                       "PUSH_INSECURE_HOSTS": ["127.0.0.1"], **config})


def ok(ack):
    assert ack["ok"], ack
    return ack


def a_life(app):
    """Ann (an account) chatted and called with Bob, marked and blocked people, set her
    rules, and was reported; Bob reported her and she reported Carl. She called Bob and
    Carl at once and wrote in that call's conversation, made a call link and turned on
    rings on a device (issues 26, 27)."""
    browser = app.test_client()
    browser.get("/")
    assert register(browser, "ann").status_code == 302
    protocol = {"protocol": 4}
    ann = Tab(app, browser=browser, auth=protocol)
    bob, carl = Tab(app, auth=protocol), Tab(app, auth=protocol)
    for i, (a, b) in enumerate([(ann, bob), (bob, ann), (ann, carl)]):
        assert a.ask("chat:send", {"to": b.user_id, "clientMsgId": f"m{i}",
                                   "text": f"hello {i}"})["ok"]
    three_party_call(ann, bob, carl)
    assert ann.ask("trust:set", {"peerUserId": bob.user_id, "code": "1111 2222 3333 4444",
                                 "verified": True})["ok"]
    assert bob.ask("trust:set", {"peerUserId": ann.user_id, "code": "1111 2222 3333 4444",
                                 "verified": True})["ok"]
    assert ann.ask("safety:set", {"ringPolicy": "chatted", "dndMinutes": 30})["ok"]
    assert ann.ask("safety:block", {"userId": carl.user_id})["ok"]
    assert carl.ask("safety:block", {"userId": ann.user_id})["ok"]
    assert bob.ask("safety:report", {"userId": ann.user_id, "reason": "r"})["ok"]
    assert ann.ask("safety:report", {"userId": carl.user_id, "reason": "s"})["ok"]
    return browser, ann, bob, carl


def three_party_call(ann, bob, carl):
    """The call, its group messages, her call link and her push device."""
    for t in (ann, bob, carl):
        t.anchor = t.new_anchor(f"{t.user_id[:4]} slot")
    call = ok(ann.ask("call:invite-many", {"fromAnchorId": ann.anchor,
                                           "toAnchorIds": [bob.anchor, carl.anchor]}))
    for t in (bob, carl):
        [ring] = t.events("call:ring")
        ok(t.ask("call:accept", {"invitationId": ring["invitationId"]}))
    key = conversation_id(call["callId"])
    # the call log writes "X joined" a moment later, in its own writer (chat/calllog.py),
    # and the conversation with it (asked before, it is not one of hers yet: forbidden)
    wait_for(lambda: any(m["kind"] == "call-joined" for m in
                         ann.ask("chat:history", {"conversationId": key}).get("messages", ())),
             10.0, "the call's joins recorded")
    ok(ann.ask("chat:send", {"conversationId": key, "clientMsgId": "g1", "text": "hi both"}))
    ok(carl.ask("chat:send", {"conversationId": key, "clientMsgId": "g2", "text": "hi ann"}))
    assert ok(ann.ask("link:create", {"anchorId": ann.anchor}))["token"]
    csrf = form_token(ann.browser, "/me")
    device = Subscription("http://127.0.0.1:9/push/ann").as_json()
    answer = ann.browser.post("/me/push", json=device, headers={"X-CSRFToken": csrf})
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_the_download_is_what_the_database_holds(database_url):
    app = make(database_url)
    browser, ann, bob, carl = a_life(app)
    response = browser.get("/mydata")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        data = json.loads(z.read("tlightchat-data.json"))
    assert data["profile"]["id"] == ann.user_id and data["profile"]["username"] == "ann"
    by_peer = {c["with"]["id"]: [m["text"] for m in c["messages"] if m["kind"] == "text"]
               for c in data["conversations"]}
    assert by_peer == {bob.user_id: ["hello 0", "hello 1"], carl.user_id: ["hello 2"]}
    assert data["trustMarks"] == [{"peerUserId": bob.user_id, "code": "1111 2222 3333 4444",
                                   "verified": True}]
    assert data["settings"]["ringPolicy"] == "chatted" and data["settings"]["dndUntil"]
    assert data["blocked"] == [carl.user_id]
    assert [r["about"] for r in data["reportsMade"]] == [carl.user_id]
    [group] = data["groupConversations"]
    assert {m["id"] for m in group["members"]} == {ann.user_id, bob.user_id, carl.user_id}
    assert [m["text"] for m in group["messages"] if m["kind"] == "text"] == ["hi both", "hi ann"]
    assert "call-joined" in [m["kind"] for m in group["messages"]]
    [link] = data["callLinks"]
    assert link["slot"] == f"{ann.user_id[:4]} slot" and link["revokedAt"] is None
    assert set(link) == {"slot", "createdAt", "expiresAt", "revokedAt"}  # no token, no hash
    assert [d["endpoint"] for d in data["pushDevices"]] == ["http://127.0.0.1:9/push/ann"]
    # Every row naming her is in the download: nothing held about her is left out.
    chat = app.extensions["tlightchat"].chat
    assert len(chat.conversations(ann.user_id)["conversations"]) == 3  # two pairs, one group


@pytest.mark.parametrize("mode", ["remove", "anonymize"])
def test_deleting_the_account_leaves_no_row_that_names_it(database_url, mode):
    app = make(database_url, DELETED_MESSAGES=mode)
    browser, ann, bob, carl = a_life(app)
    assert rows_naming(app, ann.user_id)  # the scan sees her before
    wrong = browser.post("/delete-account", data={
        "csrf_token": form_token(browser, "/me"), "password": "not it"})
    assert wrong.status_code == 302 and rows_naming(app, ann.user_id)
    done = browser.post("/delete-account", data={
        "csrf_token": form_token(browser, "/me"), "password": "correct horse"})
    assert done.status_code == 302
    assert not ann.sio.is_connected()  # every session ended
    assert rows_naming(app, ann.user_id) == []
    history = bob.ask("chat:history", {"with": ann.user_id})
    assert history["messages"] == []
    convs = bob.ask("chat:conversations")["conversations"]
    pairs = [c for c in convs if "conversationId" not in c]
    [group] = [c for c in convs if "conversationId" in c]  # Bob and Carl keep their group
    page = bob.ask("chat:history", {"conversationId": group["conversationId"]})
    texts = [(m["fromName"], m["text"]) for m in page["messages"] if m["kind"] == "text"]
    names = sorted(m["displayName"] for m in page["members"])
    if mode == "remove":
        assert pairs == [] and texts == [(carl_name(carl), "hi ann")]
        assert ann.user_id not in names and len(names) == 2
    else:
        [conv] = pairs
        assert conv["with"]["displayName"] == "deleted user"
        assert texts == [("deleted user", "hi both"), (carl_name(carl), "hi ann")]
        assert "deleted user" in names and len(names) == 3
        # ending her session ended her part in the call: written before the deletion,
        # it is the deleted user's too (written after, it would be refused or name her)
        left = [m for m in page["messages"] if m["kind"] == "call-left"]
        assert [m["fromName"] for m in left] == ["deleted user"]


def carl_name(tab):
    return tab.welcome["user"]["displayName"]


def test_a_guest_deletes_what_its_cookie_holds(database_url):
    app = make(database_url)
    guest, bob = Tab(app), Tab(app)
    assert guest.ask("chat:send", {"to": bob.user_id, "clientMsgId": "g", "text": "hi"})["ok"]
    refused = guest.browser.post("/delete-account",
                                 data={"csrf_token": form_token(guest.browser, "/me")})
    assert refused.status_code == 302 and rows_naming(app, guest.user_id)
    guest.browser.post("/delete-account", data={
        "csrf_token": form_token(guest.browser, "/me"), "confirm": "on"})
    assert rows_naming(app, guest.user_id) == []
