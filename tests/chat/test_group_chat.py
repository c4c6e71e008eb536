"""Group conversations (issue 26, chat/groups.py): made once per call, members only,
exactly-once messages through the pair chat's write path, history, the conversation
list, marks, and the call events joined/left."""
from datetime import datetime, timedelta, timezone

import pytest

from tlightchat.chat.groups import conversation_id
from tlightchat.chat.service import ChatService
from tlightchat.db import Database, Message, User
from tlightchat.errors import Refusal
from tlightchat.models import GroupConversation, GroupMember

pytestmark = pytest.mark.storage  # each runs on SQLite and on PostgreSQL

USERS = ("alice", "bob", "carol", "dave")


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.migrate()
    with database.session() as s:
        for uid in USERS:
            s.add(User(id=uid, display_name=uid.title()))
    return database


@pytest.fixture
def chat(db):
    return ChatService(db, max_length=100)


@pytest.fixture
def group(chat):
    return chat.groups.ensure("call1", ["alice", "bob", "carol"])


def count(db, model=Message):
    with db.session() as s:
        return s.query(model).count()


def refused(code, fn, *args, **kwargs):
    with pytest.raises(Refusal) as err:
        fn(*args, **kwargs)
    assert err.value.code == code, err.value.message
    return err.value


def test_a_call_keeps_one_conversation_however_often_it_is_made(chat, db, group):
    assert group == conversation_id("call1") == "call.call1"
    again = chat.groups.ensure("call1", ["carol", "dave", "nobody-stored"])
    assert again == group and count(db, GroupConversation) == 1
    assert chat.groups.members(group) == ["alice", "bob", "carol", "dave"]
    assert chat.groups.ensure("call2", ["alice", "bob", "carol"]) != group  # a new call
    long_id = "x" * 64  # a claimed call id may be as long as any id: the key still fits
    assert len(conversation_id(long_id)) <= 64 and conversation_id(long_id) != conversation_id(
        "y" * 64)


def test_a_member_sends_once_to_the_group(chat, db, group):
    msg, dup = chat.send("alice", None, "g1", "hi **all**", conversation=group)
    assert not dup and msg["conversationId"] == group and msg["to"] is None
    assert msg["from"] == "alice" and msg["fromName"] == "Alice"
    assert msg["html"] == "<p>hi <strong>all</strong></p>"
    again, dup = chat.send("alice", None, "g1", "hi **all**", conversation=group)
    assert dup and again == msg and count(db) == 1
    # the same client id for a pair's message (or another text) is another message: refused
    refused("invalid-state", chat.send, "alice", "bob", "g1", "hi **all**")
    refused("invalid-state", chat.send, "alice", None, "g1", "else", conversation=group)
    assert count(db) == 1


def test_only_members_reach_a_group_and_no_answer_tells_whether_it_exists(chat, db, group):
    chat.send("alice", None, "g1", "hello", conversation=group)
    for key in (group, "call.nope"):
        refused("forbidden", chat.send, "dave", None, "d1", "let me in", conversation=key)
        refused("forbidden", chat.history, "dave", None, conversation=key)
        refused("forbidden", chat.groups.mark, "dave", key, 1, True)
    assert count(db) == 1 and "dave" not in chat.groups.members(group)


def test_a_batch_mixes_pairs_and_groups_and_refuses_only_the_outsider(chat, db, group):
    out = chat.send_many([("alice", "bob", "p1", "to bob"),
                          ("bob", None, "g1", "to all", group),
                          ("dave", None, "g2", "outsider", group),
                          ("bob", None, "g1", "to all", group)])
    assert out[0][0]["to"] == "bob" and "conversationId" not in out[0][0]
    assert out[1][0]["conversationId"] == group and not out[1][1]
    assert isinstance(out[2], Refusal) and out[2].code == "forbidden"
    assert out[3] == (out[1][0], True)
    assert count(db) == 2


def test_history_pages_the_group_with_its_members(chat, group):
    ids = [chat.send(u, None, f"m{i}", f"text {i}", conversation=group)[0]["id"]
           for i, u in enumerate(["alice", "bob", "carol", "alice", "bob"])]
    pair_msg, _ = chat.send("alice", "bob", "p1", "pair")
    page = chat.history("carol", None, limit=2, conversation=group)
    assert [m["id"] for m in page["messages"]] == ids[3:] and page["hasMore"]
    assert page["conversationId"] == group
    assert [m["displayName"] for m in page["members"]] == ["Alice", "Bob", "Carol"]
    assert page["unread"] == 4  # everyone's text but carol's own
    older = chat.history("carol", None, before=ids[3], conversation=group)
    assert [m["id"] for m in older["messages"]] == ids[:3] and not older["hasMore"]
    newer = chat.history("carol", None, after=ids[1], conversation=group)
    assert [m["id"] for m in newer["messages"]] == ids[2:]
    # a cursor of another conversation is not in this one
    refused("not-found", chat.history, "alice", None, before=pair_msg["id"], conversation=group)
    refused("not-found", chat.history, "alice", "bob", before=ids[0])


def test_the_conversation_list_has_groups_and_pairs_newest_first(chat, group):
    assert chat.conversations("alice") == {"conversations": [], "unreadTotal": 0}
    chat.send("bob", "alice", "p1", "pair")
    chat.send("bob", None, "g1", "group", conversation=group)
    listed = chat.conversations("alice")
    assert [c.get("conversationId") for c in listed["conversations"]] == [group, None]
    entry = listed["conversations"][0]
    assert [m["displayName"] for m in entry["members"]] == ["Alice", "Bob", "Carol"]
    assert entry["lastMessage"]["text"] == "group" and entry["unread"] == 1
    assert listed["unreadTotal"] == 2
    assert chat.conversations("dave")["conversations"] == []


def test_marks_move_forward_and_each_member_hears_the_lowest_of_the_others(chat, group):
    first = chat.send("alice", None, "g1", "one", conversation=group)[0]["id"]
    second = chat.send("alice", None, "g2", "two", conversation=group)[0]["id"]
    state, receipts = chat.groups.mark("bob", group, second, read=False)
    assert state == {"conversationId": group, "deliveredUpTo": second, "readUpTo": 0,
                     "unread": 2}
    # alice's messages: delivered to everyone only when carol has them too
    assert receipts["alice"]["deliveredUpTo"] == 0 and set(receipts) == {"alice", "carol"}
    _, receipts = chat.groups.mark("carol", group, first, read=True)
    assert receipts["alice"]["deliveredUpTo"] == first and receipts["alice"]["readUpTo"] == 0
    state, receipts = chat.groups.mark("bob", group, first, read=False)  # never backwards
    assert state["deliveredUpTo"] == second and receipts == {}
    state, _ = chat.groups.mark("bob", group, 10**9, read=True)  # clamped to the newest
    assert state["readUpTo"] == second and state["unread"] == 0


def test_call_events_are_recorded_once_per_call_user_and_kind(chat, db):
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    joined, dup = chat.record_group_event("call9", "dave", "call-joined", at=at)
    assert not dup and joined["kind"] == "call-joined" and joined["from"] == "dave"
    assert joined["fromName"] == "Dave" and joined["call"] == {"callId": "call9"}
    assert joined["ts"] == int(at.timestamp() * 1000)
    assert chat.groups.members(joined["conversationId"]) == ["dave"]  # made a member
    again, dup = chat.record_group_event("call9", "dave", "call-joined",
                                         at=at + timedelta(seconds=5))
    assert dup and again == joined
    left, dup = chat.record_group_event("call9", "dave", "call-left", at=at, reason="hangup")
    assert not dup and left["call"] == {"callId": "call9", "reason": "hangup"}
    assert count(db) == 2 and count(db, GroupMember) == 1
    with pytest.raises(ValueError):
        chat.record_group_event("call9", "dave", "call-started")
    # call events are no unread messages
    chat.groups.ensure("call9", ["alice"])
    assert chat.conversations("alice")["unreadTotal"] == 0
