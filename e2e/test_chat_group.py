"""A group call's chat in real Chromium (issue 26): the /chat page of one party lists the
call's conversation under the other members' names, shows who joined, and messages go
both ways with the other parties. The call itself is made by plain protocol clients (no
media: the chat needs only its parties), one of them the browser's own user (its cookie)."""
import requests

from tests.support.wire_client import Client

from .chat import bubble_with, open_conversation, type_message
from .conftest import wait_until
from .services import wait_for


def test_a_group_call_has_a_chat_listed_with_its_members(server, browsers):
    page = browsers()
    page.get(server.url + "/chat")
    wait_until(page, "return window.tlc && window.tlc.signaling.connected", message="chat page")
    same_user = requests.Session()  # the browser's user, as a second device of it
    for c in page.get_cookies():
        same_user.cookies.set(c["name"], c["value"])
    ann = Client(server.url, http=same_user, auth={"protocol": 4})
    bob, cat = (Client(server.url, auth={"protocol": 4}) for _ in range(2))
    try:
        anchors = {c: c.anchor() for c in (ann, bob, cat)}
        bob.sio.call("me:rename", {"displayName": "Bob Group"})
        cat.sio.call("me:rename", {"displayName": "Cat Group"})
        ack, _ = ann.ask("call:invite-many", {"fromAnchorId": anchors[ann],
                                             "toAnchorIds": [anchors[bob], anchors[cat]]})
        assert ack["ok"], ack
        for c in (bob, cat):
            ring = wait_for(lambda c=c: c.first("call:ring"), 10, "ring")
            assert c.ask("call:accept", {"invitationId": ring["invitationId"]})[0]["ok"]
        started = wait_for(lambda: cat.first("call:started"), 10, "cat joined")
        key = started["conversationId"]
        open_conversation(page, key)  # listed once the call log wrote who joined
        wait_until(page, "return document.querySelector('[data-chat-title]').textContent",
                   message="title")
        title = page.execute_script(
            "return document.querySelector('[data-chat-title]').textContent")
        assert sorted(title.split(", ")) == ["Bob Group", "Cat Group"]
        wait_until(page, "return document.querySelectorAll('.chat-event.call-joined').length === 3",
                   message="three joined lines")
        assert "Cat Group" in page.execute_script(
            "return document.querySelector('.chat-messages, [data-chat-messages]').textContent")

        type_message(page, "Hello **both**")
        for c in (bob, cat):
            got = wait_for(lambda c=c: next((d["message"] for e, d in c.got if e == "chat:message"
                                             and d["message"]["kind"] == "text"), None), 10, "msg")
            assert got["conversationId"] == key and got["text"] == "Hello **both**"
        ack, _ = bob.ask("chat:send", {"conversationId": key, "clientMsgId": "b1",
                                       "text": "Hi from Bob"})
        assert ack["ok"], ack
        bubble_with(page, "Hi from Bob")
    finally:
        for c in (ann, bob, cat):
            c.close()
