"""A group call's conversation over Socket.IO (issue 26): chat:send with conversationId
to every member's tabs, members only, history, list and marks; real group calls (a
multi-ring, an add, a hang-up) carry its id and land in it as joined/left, recorded once
by the call log; a party writing before the call log made it. The pure entries are
checked on call records built here (the chat reads a call's parties, clients, start)."""
import time

import pytest

from tlightchat.chat import grouplog
from tlightchat.chat.groups import conversation_id
from tlightchat.store import actions as A

from tests.support.clients import Tab
from tests.support.group_world import group_call

pytestmark = pytest.mark.storage


@pytest.fixture
def people(app):
    made = [Tab(app, auth={"protocol": 4}) for _ in range(4)]
    for t in made:
        t.anchor = t.new_anchor()
        t.clear()
    return made


@pytest.fixture
def chat(app):
    return app.extensions["tlightchat"].chat


def wait_messages(t, kinds, timeout=5.0):
    """The group messages `t` receives until their kinds are `kinds` (a pair's call
    events, e.g. the first two parties' call-started, are not these)."""
    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got += [e["message"] for e in t.events("chat:message") if "conversationId" in e["message"]]
        if sorted(m["kind"] for m in got) == sorted(kinds):
            return got
        time.sleep(0.02)
    raise AssertionError(f"{[m['kind'] for m in got]} != {kinds}")


def test_a_message_reaches_every_member_tab_and_only_members(people, chat):
    ann, bob, cat, dan = people
    key = chat.groups.ensure("k1", [ann.user_id, bob.user_id, cat.user_id])
    ann2 = Tab(ann.app, browser=ann.browser, auth={"protocol": 4})  # groups: version 4 tabs
    ann2.clear()
    ack = ann.ask("chat:send", {"conversationId": key, "clientMsgId": "m1", "text": "hi all"})
    assert ack["ok"] and ack["message"]["conversationId"] == key and not ack["duplicate"]
    for t in (bob, cat, ann2):
        [got] = [e["message"] for e in t.events("chat:message")]
        assert got["id"] == ack["message"]["id"] and got["from"] == ann.user_id
    assert ann.events("chat:message") == [] and dan.events("chat:message") == []
    refused = dan.ask("chat:send", {"conversationId": key, "clientMsgId": "d1", "text": "me?"})
    assert refused["error"]["code"] == "forbidden"
    assert dan.ask("chat:history", {"conversationId": key})["error"]["code"] == "forbidden"
    assert all(t.events("chat:message") == [] for t in people)
    for bad in ({"to": bob.user_id, "conversationId": key}, {}):
        ack = ann.ask("chat:send", {**bad, "clientMsgId": "x1", "text": "which?"})
        assert ack["error"]["code"] == "invalid-payload"


def test_history_list_and_marks_of_a_group(people, chat):
    ann, bob, cat, _ = people
    key = chat.groups.ensure("k1", [ann.user_id, bob.user_id, cat.user_id])
    sent = ann.ask("chat:send", {"conversationId": key, "clientMsgId": "m1", "text": "one"})
    page = bob.ask("chat:history", {"conversationId": key})
    assert [m["id"] for m in page["messages"]] == [sent["message"]["id"]] and page["unread"] == 1
    assert {m["id"] for m in page["members"]} == {ann.user_id, bob.user_id, cat.user_id}
    [entry] = cat.ask("chat:conversations")["conversations"]
    assert entry["conversationId"] == key and entry["unread"] == 1
    # a page from before group calls (protocol 3) would not know the entry: not listed
    old_page = Tab(cat.app, browser=cat.browser, auth={"protocol": 3})
    assert old_page.ask("chat:conversations") == {"ok": True, "conversations": [], "unreadTotal": 0}
    for t in people:
        t.clear()
    state = bob.ask("chat:read", {"conversationId": key, "upTo": sent["message"]["id"]})
    assert state["readUpTo"] == sent["message"]["id"] and state["unread"] == 0
    # ann's message is read by everyone once cat has read it too
    assert ann.events("chat:receipt") == [{"conversationId": key, "deliveredUpTo": 0,
                                            "readUpTo": 0}]
    cat.ask("chat:read", {"conversationId": key, "upTo": sent["message"]["id"]})
    assert ann.events("chat:receipt")[-1]["readUpTo"] == sent["message"]["id"]
    assert bob.ask("chat:read", {"conversationId": key, "with": ann.user_id,
                                 "upTo": 1})["error"]["code"] == "invalid-payload"


def ok(ack):
    assert ack["ok"], ack
    return ack


def call_of_three(ann, bob, cat):
    """ann rings bob and cat together; both accept: a call of three. Its id."""
    many = ok(ann.ask("call:invite-many", {"fromAnchorId": ann.anchor,
                                          "toAnchorIds": [bob.anchor, cat.anchor]}))
    for t in (bob, cat):
        [ring] = t.events("call:ring")
        ok(t.ask("call:accept", {"invitationId": ring["invitationId"]}))
    return many["callId"]


def test_a_group_call_names_its_conversation_and_logs_who_joined_and_left(people, chat):
    ann, bob, cat, dan = people
    call_id = call_of_three(ann, bob, cat)
    key = conversation_id(call_id)
    [started] = cat.events("call:started")
    assert started["conversationId"] == key
    for t in (ann, bob):
        assert [j["conversationId"] for j in t.events("call:party-joined")] == [key]
        assert all("conversationId" not in s for s in t.events("call:started"))  # two, then
    for t in (ann, bob, cat):
        joined = wait_messages(t, ["call-joined"] * 3)
        assert {m["from"] for m in joined} == {ann.user_id, bob.user_id, cat.user_id}
    ok(bob.ask("call:invite", {"fromAnchorId": bob.anchor, "toAnchorId": dan.anchor}))
    [ring] = dan.events("call:ring")
    ok(dan.ask("call:accept", {"invitationId": ring["invitationId"]}))
    assert dan.events("call:started")[0]["conversationId"] == key
    assert [m["from"] for m in wait_messages(ann, ["call-joined"])] == [dan.user_id]
    ok(dan.ask("chat:send", {"conversationId": key, "clientMsgId": "d1", "text": "hello"}))
    ok(ann.ask("call:hangup", {"callId": call_id}))
    [left] = [m for m in wait_messages(dan, ["call-joined", "call-left"])
              if m["kind"] == "call-left"]
    assert left["from"] == ann.user_id and left["call"]["reason"] == "hangup"
    page = ann.ask("chat:history", {"conversationId": key})  # who left still reads it
    assert [m["kind"] for m in page["messages"]] == ["call-joined"] * 4 + ["text", "call-left"]
    assert chat.conversations(ann.user_id)["conversations"][0]["conversationId"] == key
    # down to two, then the end: everyone left, told in the conversation only (not as a
    # call-ended in the pair timeline of whichever two were left)
    ok(dan.ask("call:hangup", {"callId": call_id}))
    ok(bob.ask("call:hangup", {"callId": call_id}))
    wait_messages(ann, ["text"] + ["call-left"] * 4)
    page = cat.ask("chat:history", {"conversationId": key})
    assert [m["from"] for m in page["messages"] if m["kind"] == "call-left"] == [
        ann.user_id, dan.user_id, bob.user_id, cat.user_id]
    assert chat.history(bob.user_id, cat.user_id)["messages"] == []
    assert [m["kind"] for m in chat.history(ann.user_id, bob.user_id)["messages"]] == [
        "call-started"]


def test_a_party_writing_before_the_call_log_made_the_conversation_makes_it(app, people,
                                                                              chat):
    ann, bob, cat, dan = people
    app.extensions["tlightchat"].call_log.delay = 600  # the log has not written yet
    key = conversation_id(call_of_three(ann, bob, cat))
    assert chat.groups.members(key) == []
    ack = cat.ask("chat:send", {"conversationId": key, "clientMsgId": "c1", "text": "early"})
    assert ack["ok"], ack
    assert set(chat.groups.members(key)) == {ann.user_id, bob.user_id, cat.user_id}
    assert [e["message"]["text"] for e in bob.events("chat:message")] == ["early"]
    ack = dan.ask("chat:send", {"conversationId": key, "clientMsgId": "d1", "text": "me too"})
    assert ack["error"]["code"] == "forbidden"


def test_the_call_log_records_a_change_seen_twice_once(app, people, life):
    ann, bob, cat, _ = people
    log = app.extensions["tlightchat"].call_log
    base = life.ctx.store.get_state()
    two, three = group_call(base, "k3", [ann, bob]), group_call(base, "k3", [ann, bob, cat])
    log._on_change(A.clock_ticked(150.0), two, three)
    log._on_change(A.clock_ticked(150.0), two, three)  # a replay, another node
    for t in (ann, bob, cat):
        wait_messages(t, ["call-joined"] * 3)
    log._on_change(A.clock_ticked(160.0), three, three)  # a later change: nothing waits
    page = ann.ask("chat:history", {"conversationId": conversation_id("k3")})
    assert [m["from"] for m in page["messages"]] == [ann.user_id, bob.user_id, cat.user_id]
    assert page["messages"][0]["ts"] == 100_000  # the first two joined when the call started


def test_pure_entries_of_a_group_call(people, life):
    ann, bob, cat, dan = people
    base = life.ctx.store.get_state()
    one, two = group_call(base, "k", [ann]), group_call(base, "k", [ann, bob])
    three = group_call(base, "k", [ann, bob, cat])
    four = group_call(base, "k", [ann, bob, cat, dan])
    tick = A.clock_ticked(7.0)

    def kinds(prev, nxt, action=tick):
        return [(e.kind, e.user_id, e.at, e.if_group)
                for e in grouplog.entries(action, prev, nxt, 7.0)]
    assert kinds(base, one) == kinds(one, two) == []  # not a group yet
    assert kinds(two, three) == [("call-joined", ann.user_id, 100.0, False),
                                 ("call-joined", bob.user_id, 100.0, False),
                                 ("call-joined", cat.user_id, 7.0, False)]
    assert kinds(three, four) == [("call-joined", dan.user_id, 7.0, False)]
    assert kinds(four, three) == [("call-left", dan.user_id, 7.0, False)]
    # from three to two: the call goes on, the leaver is recorded
    assert kinds(three, group_call(base, "k", [bob, cat])) == [
        ("call-left", ann.user_id, 7.0, False)]
    # a call that ends with two: recorded only if it was a group once
    assert kinds(two, base, A.call_hung_up(ann.client_id, "k")) == [
        ("call-left", ann.user_id, 7.0, True), ("call-left", bob.user_id, 7.0, True)]
    assert kinds(three, three) == []
