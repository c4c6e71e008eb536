"""Migration 0010 (group conversations, issue 26) on both databases: a database of 0009
with pair messages is upgraded keeping them (and their ids: SQLite rebuilds the table),
takes group messages, and goes back to 0009 keeping the pair messages."""
import pytest
from alembic import command
from sqlalchemy import inspect, text

from tlightchat.chat.service import ChatService
from tlightchat.db import Database

from tests.support.storage import alembic_config

pytestmark = pytest.mark.storage


def rows(db, sql):
    with db.engine.connect() as c:
        return c.execute(text(sql)).all()


def test_0010_upgrades_keeping_pair_messages_and_goes_back(empty_database_url):
    db = Database(empty_database_url)
    with db.engine.begin() as c:
        command.upgrade(alembic_config(c), "0009")
        c.execute(text("INSERT INTO users (id, display_name, created_at) VALUES "
                       "('a', 'A', CURRENT_TIMESTAMP), ('b', 'B', CURRENT_TIMESTAMP), "
                       "('c', 'C', CURRENT_TIMESTAMP)"))
        c.execute(text("INSERT INTO conversations (user_a, user_b, created_at, "
                       "last_message_id, a_delivered, a_read, b_delivered, b_read) "
                       "VALUES ('a', 'b', CURRENT_TIMESTAMP, 0, 0, 0, 0, 0)"))
        c.execute(text("INSERT INTO messages (conversation_id, sender_id, recipient_id, "
                       "client_msg_id, kind, body, created_at) SELECT id, 'a', 'b', 'p1', "
                       "'text', 'before', CURRENT_TIMESTAMP FROM conversations"))
        c.execute(text("UPDATE conversations SET last_message_id = (SELECT max(id) FROM messages)"))
    db.migrate()
    assert {"group_conversations", "group_members"} <= set(inspect(db.engine).get_table_names())
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("messages")}
    assert {"ix_messages_conversation_id_id", "ix_messages_group_id_id"} <= indexes
    chat = ChatService(db)
    assert [m["text"] for m in chat.history("b", "a")["messages"]] == ["before"]
    key = chat.groups.ensure("k1", ["a", "b", "c"])
    group_msg, _ = chat.send("c", None, "g1", "after", conversation=key)
    pair_msg, _ = chat.send("a", "b", "p2", "again")
    first = rows(db, "SELECT min(id) FROM messages")[0][0]
    assert pair_msg["id"] > group_msg["id"] > first  # ids keep growing across the rebuild
    with db.engine.begin() as c:
        command.downgrade(alembic_config(c), "0009")
    assert "group_members" not in inspect(db.engine).get_table_names()
    assert [r[0] for r in rows(db, "SELECT body FROM messages ORDER BY id")] == ["before", "again"]
    assert "group_id" not in {col["name"] for col in inspect(db.engine).get_columns("messages")}
