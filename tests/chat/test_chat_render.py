"""Chat Markdown is rendered once, when a message is stored; history reads never render,
and the renderer's work on a bracket-heavy text is bounded (issue 23, item 3)."""
import pytest
from alembic import command
from markdown_it.parser_inline import ParserInline
from sqlalchemy import text

from tlightchat.chat import markdown
from tlightchat.chat.service import ChatService
from tlightchat.db import Database, Message, User

from tests.support.clients import Tab
from tests.support.storage import alembic_config

pytestmark = pytest.mark.storage
LIMIT = 4000


def worst_case(n):
    """A distinct 4,000-character message full of `[`, within the chat limits."""
    return (f"{n} " + "[" * LIMIT)[:LIMIT]


@pytest.fixture
def renders(monkeypatch):
    """Counts every call of the Markdown renderer (ours and markdown-it's)."""
    calls = []

    def counted(fn):
        def wrapper(*args, **kwargs):
            calls.append(args)
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(markdown, "render", counted(markdown.render))
    monkeypatch.setattr(markdown._md, "render", counted(markdown._md.render))
    return calls


def test_a_history_page_of_100_worst_case_messages_never_renders(app, renders):
    parts = app.extensions["tlightchat"]
    alice, bob = Tab(app), Tab(app)
    results = parts.chat.send_many([(alice.user_id, bob.user_id, f"c{n}", worst_case(n))
                                    for n in range(100)])
    assert all(isinstance(r, tuple) and not r[1] for r in results), results[:1]
    stored = [r[0]["html"] for r in results]
    assert len(renders) >= 100  # rendered when stored, once each
    del renders[:]
    page = bob.ask("chat:history", {"with": alice.user_id, "limit": 100})
    assert page["ok"] and len(page["messages"]) == 100
    assert [m["html"] for m in page["messages"]] == stored
    listing = bob.ask("chat:conversations")
    assert listing["conversations"][0]["lastMessage"]["html"] == stored[-1]
    assert renders == []


def count_inline_scans(source):
    """Work of one render: how often markdown-it's inline parser stepped over a token
    (a link label scan steps once per token it skips)."""
    steps = [0]
    original = ParserInline.skipToken

    def counting(self, state):
        steps[0] += 1
        return original(self, state)

    ParserInline.skipToken = counting
    try:
        html = markdown.render(source)
    finally:
        ParserInline.skipToken = original
    return steps[0], html


@pytest.mark.parametrize("source", [
    "[" * LIMIT, "[\n" * (LIMIT // 2), "*[" * (LIMIT // 2), ("[![" * LIMIT)[:LIMIT],
    ("[a](" * LIMIT)[:LIMIT], "[" * 64 + "a" * (LIMIT - 128) + "]" * 64,
    ("[" + "a" * 61) * 64, "a" * (LIMIT - 64) + "[" * 64,
], ids=["brackets", "bracket-lines", "emphasis-brackets", "image-labels", "open-links",
        "nested-64", "spread-64", "trailing-64"])
def test_the_renderers_work_on_a_bracket_heavy_text_is_bounded(source):
    """Before: a text of 4,000 `[` took 83,871 inline steps (~21 per character)."""
    steps, html = count_inline_scans(source)
    assert steps <= 2 * len(source), steps
    assert "<script" not in html and html.startswith("<p>")
    if source.count("[") > markdown.MAX_LINK_OPENERS:  # shown as written
        assert steps == 0 and "<a " not in html
        assert html.replace("<br>", "").replace("\n", "") == \
            "<p>" + source.replace("\n", "") + "</p>"


def test_a_text_with_many_brackets_is_plain_text_but_still_escaped():
    html = markdown.render("<b>&</b> **x**\n" + "[" * 100 + "\n\nnext")
    assert html == "<p>&lt;b&gt;&amp;&lt;/b&gt; **x**<br>\n" + "[" * 100 + "</p>\n<p>next</p>"


def test_rows_stored_before_the_html_column_are_rendered_once_by_the_migration(
        empty_database_url, monkeypatch):
    db = Database(empty_database_url)
    with db.engine.begin() as c:
        command.upgrade(alembic_config(c), "0006")
        c.execute(text("INSERT INTO users (id, display_name, created_at) VALUES "
                       "('a', 'Ann', CURRENT_TIMESTAMP), ('b', 'Bob', CURRENT_TIMESTAMP)"))
        c.execute(text("INSERT INTO conversations (id, user_a, user_b, created_at, "
                       "last_message_id, a_delivered, a_read, b_delivered, b_read) "
                       "VALUES (1, 'a', 'b', CURRENT_TIMESTAMP, 2, 0, 0, 0, 0)"))
        c.execute(text("INSERT INTO messages (id, conversation_id, sender_id, recipient_id, "
                       "client_msg_id, kind, body, created_at) VALUES "
                       "(1, 1, 'a', 'b', 'c1', 'text', 'hi **old**', CURRENT_TIMESTAMP), "
                       "(2, 1, 'b', 'a', 'c2', 'call-missed', '', CURRENT_TIMESTAMP)"))
    db.migrate()
    with db.session() as s:
        assert [(m.id, m.html) for m in s.query(Message).order_by(Message.id)] == [
            (1, "<p>hi <strong>old</strong></p>"), (2, "")]
    calls = []
    monkeypatch.setattr(markdown, "render", lambda t: calls.append(t))
    page = ChatService(db).history("b", "a")
    assert [m["html"] for m in page["messages"]] == ["<p>hi <strong>old</strong></p>", ""]
    assert calls == []


def test_a_row_without_html_is_shown_as_plain_text_without_rendering(database_url,
                                                                     monkeypatch):
    """A row written by a node of the previous version during a rolling upgrade."""
    db = Database(database_url)
    db.migrate()
    with db.session() as s:
        s.add_all([User(id="a", display_name="Ann"), User(id="b", display_name="Bob")])
    chat = ChatService(db)
    msg, _ = chat.send("a", "b", "c1", "<i>x</i> **y**")
    with db.session() as s:
        s.get(Message, msg["id"]).html = None
    monkeypatch.setattr(markdown, "render", lambda t: pytest.fail("rendered on read"))
    assert chat.history("b", "a")["messages"][0]["html"] == "<p>&lt;i&gt;x&lt;/i&gt; **y**</p>"
