"""Storage on both databases: migrations from empty and from an old revision, the
readiness probe row, and chat idempotency across two server processes that share one
database (two apps, as two nodes of a cluster would be)."""
import threading

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text

from tlightchat import create_app
from tlightchat.db import Database, HealthProbe, Message, User

from tests.support.clients import Tab
from tests.support.storage import alembic_config

pytestmark = pytest.mark.storage  # each runs on SQLite and on PostgreSQL


def head_revision(db):
    with db.engine.connect() as c:
        return c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def test_an_empty_database_is_migrated_at_start_and_again_is_harmless(empty_database_url):
    app = create_app({"DATABASE_URL": empty_database_url, "TESTING": True})
    db = app.extensions["tlightchat"].db
    tables = set(inspect(db.engine).get_table_names())
    assert {"users", "conversations", "messages", "health_probe", "trust_marks",
            "alembic_version"} <= tables
    assert head_revision(db) == "0014"
    assert db.probe() == (True, "ok")
    again = create_app({"DATABASE_URL": empty_database_url, "TESTING": True})
    assert head_revision(again.extensions["tlightchat"].db) == "0014"


def test_an_old_database_is_upgraded_keeping_its_rows_and_can_go_back(empty_database_url):
    db = Database(empty_database_url)
    with db.engine.begin() as c:
        command.upgrade(alembic_config(c), "0001")
        c.execute(text("INSERT INTO users (id, display_name, created_at) "
                       "VALUES ('u1', 'Old Guest', CURRENT_TIMESTAMP)"))
    db.migrate()
    with db.session() as s:
        user = s.get(User, "u1")
        assert user.display_name == "Old Guest" and user.username is None
    with db.engine.begin() as c:  # every downgrade works too
        command.downgrade(alembic_config(c), "base")
    assert "users" not in inspect(db.engine).get_table_names()


def test_the_probe_puts_back_a_missing_row(database_url):
    db = Database(database_url)
    db.migrate()
    with db.session() as s:
        s.query(HealthProbe).delete()
    assert db.probe() == (True, "ok")
    with db.session() as s:
        assert s.get(HealthProbe, "ready").checked_at is not None


def test_pairs_are_sorted_by_code_point_on_every_database(database_url):
    """'Bob' < 'alice' by code point (Python, SQLite) but not in an ICU or en_US
    collation (the test PostgreSQL uses ICU en-US): the pair check must agree with
    Python's sort."""
    db = Database(database_url)
    db.migrate()
    with db.session() as s:
        s.add_all([User(id="alice", display_name="A"), User(id="Bob", display_name="B"),
                   User(id="-x_", display_name="X")])
    from tlightchat.chat.service import ChatService
    chat = ChatService(db)
    assert chat.send("alice", "Bob", "c1", "hi")[1] is False
    assert chat.send("Bob", "-x_", "c2", "hi")[1] is False
    assert [m["text"] for m in chat.history("Bob", "alice")["messages"]] == ["hi"]


def two_nodes(database_url):
    """Two apps on one database with one secret: a browser may talk to either."""
    config = {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "k" * 40}
    return create_app(config), create_app(config)


def tab_on(app, other_tab):
    """A tab of the same browser (same cookie) connected to another node."""
    browser = app.test_client()
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = other_tab.browser.get_cookie(name)
    browser.set_cookie(cookie.key, cookie.value)
    return Tab(app, browser=browser)


def messages_with(db, client_msg_id):
    with db.engine.connect() as c:
        return c.execute(select(func.count()).select_from(Message)
                         .where(Message.client_msg_id == client_msg_id)).scalar()


def test_a_resend_to_another_node_is_stored_once_and_acked_with_the_same_message(database_url):
    one, two = two_nodes(database_url)
    ann, bob = Tab(one), Tab(one)
    ann_elsewhere = tab_on(two, ann)
    assert ann_elsewhere.user_id == ann.user_id
    payload = {"to": bob.user_id, "clientMsgId": "same-id", "text": "once"}
    first = ann.ask("chat:send", payload)
    again = ann_elsewhere.ask("chat:send", payload)
    assert first["ok"] and again["ok"]
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert again["message"] == first["message"]
    assert messages_with(one.extensions["tlightchat"].db, "same-id") == 1


def test_two_nodes_storing_the_same_messages_at_once_store_each_once(database_url):
    one, two = two_nodes(database_url)
    ann, bob = Tab(one), Tab(one)
    batch = [(ann.user_id, bob.user_id, f"m{i}", f"message {i}") for i in range(30)]
    start, results = threading.Barrier(2), {}

    def node(name, app):
        chat = app.extensions["tlightchat"].chat
        start.wait(5)
        results[name] = chat.send_many(batch)

    threads = [threading.Thread(target=node, args=pair) for pair in (("one", one), ("two", two))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    a, b = results["one"], results["two"]
    assert [m["id"] for m, _ in a] == [m["id"] for m, _ in b]
    assert all(dup_a != dup_b for (_, dup_a), (_, dup_b) in zip(a, b))  # one stored it
    with one.extensions["tlightchat"].db.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(Message)).scalar() == 30
        assert c.exec_driver_sql("SELECT last_message_id FROM conversations").scalar() == \
            max(m["id"] for m, _ in a)


@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_nodes_starting_together_migrate_one_after_the_other(empty_database_url):
    """PostgreSQL only: the database several nodes share (an advisory lock)."""
    errors = []

    def start():
        try:
            Database(empty_database_url).migrate()
        except Exception as err:  # collected, asserted below
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert head_revision(Database(empty_database_url)) == "0014"
