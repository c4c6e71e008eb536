"""A group conversation reaches only the tabs that know group conversations (issue 26
meets a page of protocol 3): a page from before group calls would file a group message
as a private one from its sender (its `to` is null) and its read marks would then mark
the whole pair conversation read. The same user has a protocol-3 and a protocol-4 tab:
the group's chat:message (sent, and the call log's call-joined), chat:receipt and
chat:unread reach the protocol-4 tab only; the pair's reach both."""
import time

import pytest

from tlightchat.chat.groups import conversation_id
from tlightchat.store import actions as A

from tests.support.clients import Tab
from tests.support.group_world import group_call

pytestmark = pytest.mark.storage


@pytest.fixture
def tabs(app):
    """ann, bob, cat (protocol 4) and cat's old page (protocol 3, same browser)."""
    ann, bob, cat = (Tab(app, auth={"protocol": 4}) for _ in range(3))
    for t in (ann, bob, cat):
        t.anchor = t.new_anchor()
    old = Tab(app, browser=cat.browser, auth={"protocol": 3})
    assert old.user_id == cat.user_id
    for t in (ann, bob, cat, old):
        t.clear()
    return ann, bob, cat, old


def group_messages(t):
    return [e["message"] for e in t.events("chat:message") if e["message"].get("conversationId")]


def test_a_group_message_and_marks_skip_the_old_page_of_a_member(app, tabs):
    ann, bob, cat, old = tabs
    chat = app.extensions["tlightchat"].chat
    key = chat.groups.ensure("k1", [ann.user_id, bob.user_id, cat.user_id])
    sent = ann.ask("chat:send", {"conversationId": key, "clientMsgId": "m1", "text": "hi all"})
    assert sent["ok"], sent  # delivered before the ack
    assert [m["id"] for m in group_messages(cat)] == [sent["message"]["id"]]
    assert old.events("chat:message") == []
    # marks: bob's read is a receipt to ann and cat; cat's read an unread state to cat's
    # other tabs: none of it to the old page
    assert bob.ask("chat:read", {"conversationId": key, "upTo": sent["message"]["id"]})["ok"]
    assert [r["conversationId"] for r in cat.events("chat:receipt")] == [key]
    assert cat.ask("chat:read", {"conversationId": key, "upTo": sent["message"]["id"]})["ok"]
    cat2 = Tab(app, browser=cat.browser, auth={"protocol": 4})  # hears cat's next marks
    cat2.clear()
    more = ann.ask("chat:send", {"conversationId": key, "clientMsgId": "m2", "text": "again"})
    assert [m["id"] for m in group_messages(cat)] == [more["message"]["id"]]
    assert cat.ask("chat:read", {"conversationId": key, "upTo": more["message"]["id"]})["ok"]
    assert [u["conversationId"] for u in cat2.events("chat:unread")] == [key]
    assert old.events("chat:receipt") == [] and old.events("chat:unread") == []
    assert old.events("chat:message") == []
    # the pair's conversation still reaches both of cat's tabs
    pair = ann.ask("chat:send", {"to": cat.user_id, "clientMsgId": "p1", "text": "just you"})
    assert pair["ok"], pair
    for t in (cat, old):
        assert [e["message"]["id"] for e in t.events("chat:message")] == [pair["message"]["id"]]


def test_the_call_logs_group_events_skip_the_old_page(app, life, tabs):
    ann, bob, cat, old = tabs
    log = app.extensions["tlightchat"].call_log
    base = life.ctx.store.get_state()
    two, three = group_call(base, "k2", [ann, bob]), group_call(base, "k2", [ann, bob, cat])
    log._on_change(A.clock_ticked(150.0), two, three)
    got = []
    deadline = time.monotonic() + 5.0
    while len(got) < 3 and time.monotonic() < deadline:
        got += group_messages(cat)
        time.sleep(0.02)
    assert [m["kind"] for m in got] == ["call-joined"] * 3
    assert {m["conversationId"] for m in got} == {conversation_id("k2")}
    while not log.worker.idle() and time.monotonic() < deadline:  # every delivery done
        time.sleep(0.02)
    assert log.worker.idle()
    assert old.events("chat:message") == []
