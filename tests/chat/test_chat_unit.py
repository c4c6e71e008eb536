"""Chat service and Markdown: idempotent store, cursor pagination, authorization,
marks, and a list of hostile inputs."""
import re
from html.parser import HTMLParser

import pytest

from tlightchat.chat.service import ChatService
from tlightchat.db import Database, Message, User
from tlightchat.chat.markdown import render
from tlightchat.errors import Refusal

# Storage tests: each runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.storage


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.migrate()
    with database.session() as s:
        for uid in ("alice", "bob", "carol"):
            s.add(User(id=uid, display_name=uid.title()))
    return database


@pytest.fixture
def chat(db):
    return ChatService(db, max_length=100)


def count(db):
    with db.session() as s:
        return s.query(Message).count()


def test_send_stores_and_returns_the_wire_message(chat, db):
    msg, dup = chat.send("alice", "bob", "c1", "  hi **there**  ")
    assert not dup and count(db) == 1
    assert msg["from"] == "alice" and msg["to"] == "bob" and msg["fromName"] == "Alice"
    assert msg["text"] == "hi **there**" and msg["html"] == "<p>hi <strong>there</strong></p>"
    assert msg["kind"] == "text" and msg["clientMsgId"] == "c1" and msg["ts"] > 0


def test_a_resend_is_stored_once(chat, db):
    first, _ = chat.send("alice", "bob", "c1", "hello")
    again, dup = chat.send("alice", "bob", "c1", "hello")
    assert dup and again == first and count(db) == 1
    # the same client id from another sender is another message
    _, dup = chat.send("bob", "alice", "c1", "hello")
    assert not dup and count(db) == 2


def test_a_reused_client_id_for_different_content_is_refused(chat, db):
    chat.send("alice", "bob", "c1", "hello")
    with pytest.raises(Refusal) as err:
        chat.send("alice", "bob", "c1", "something else")
    assert err.value.code == "invalid-state" and "clientMsgId" in err.value.message
    assert count(db) == 1


def test_one_conversation_per_pair_whoever_writes(chat):
    chat.send("alice", "bob", "a1", "from alice")
    chat.send("bob", "alice", "b1", "from bob")
    page = chat.history("alice", "bob")
    assert [m["text"] for m in page["messages"]] == ["from alice", "from bob"]
    assert [m["text"] for m in chat.history("bob", "alice")["messages"]] == ["from alice", "from bob"]


def test_cursor_pagination_walks_back_without_gaps_or_repeats(chat):
    sent = [chat.send("alice", "bob", f"c{i}", f"m{i}")[0]["id"] for i in range(23)]
    page = chat.history("bob", "alice", limit=10)
    seen = [m["id"] for m in page["messages"]]
    assert seen == sent[-10:] and page["hasMore"]
    while page["hasMore"]:
        page = chat.history("bob", "alice", before=page["messages"][0]["id"], limit=10)
        seen = [m["id"] for m in page["messages"]] + seen
    assert seen == sent
    # a message arriving between pages does not shift older pages (keyset, not offset)
    first = chat.history("bob", "alice", limit=5)
    chat.send("alice", "bob", "late", "late")
    older = chat.history("bob", "alice", before=first["messages"][0]["id"], limit=5)
    assert older["messages"][-1]["id"] == first["messages"][0]["id"] - 1


def test_after_cursor_catches_up(chat):
    ids = [chat.send("alice", "bob", f"c{i}", f"m{i}")[0]["id"] for i in range(5)]
    page = chat.history("bob", "alice", after=ids[1], limit=2)
    assert [m["id"] for m in page["messages"]] == ids[2:4] and page["hasMore"]
    page = chat.history("bob", "alice", after=ids[3], limit=2)
    assert [m["id"] for m in page["messages"]] == ids[4:] and not page["hasMore"]


def test_nobody_reads_a_conversation_that_is_not_theirs(chat):
    secret, _ = chat.send("alice", "bob", "c1", "secret")
    chat.send("carol", "alice", "c2", "hi alice")
    # carol's only view is her own conversations; alice–bob is not reachable
    assert all(m["text"] != "secret" for m in chat.history("carol", "alice")["messages"])
    assert chat.history("carol", "bob")["messages"] == []
    assert [c["with"]["id"] for c in chat.conversations("carol")["conversations"]] == ["alice"]
    # a cursor from alice–bob is refused in carol's conversations
    for kwargs in ({"before": secret["id"]}, {"after": secret["id"]}):
        with pytest.raises(Refusal) as err:
            chat.history("carol", "alice", **kwargs)
        assert err.value.code == "not-found"
    # marks cannot be moved in someone else's conversation either
    with pytest.raises(Refusal) as err:
        chat.mark("carol", "bob", secret["id"], read=True)
    assert err.value.code == "not-found"
    assert chat.history("bob", "alice")["myReadUpTo"] == 0


def test_unknown_peer_and_self_are_refused(chat):
    with pytest.raises(Refusal) as err:
        chat.send("alice", "nobody", "c1", "x")
    assert err.value.code == "not-found"
    # without a conversation, an unknown id reads as an empty one, like any stranger's
    assert chat.history("alice", "nobody")["messages"] == []
    for call in (lambda: chat.send("alice", "alice", "c1", "x"),
                 lambda: chat.history("alice", "alice")):
        with pytest.raises(Refusal) as err:
            call()
        assert err.value.code == "invalid-payload"


def test_unread_counts_and_marks_move_forward_only(chat):
    ids = [chat.send("alice", "bob", f"c{i}", f"m{i}")[0]["id"] for i in range(4)]
    reply, _ = chat.send("bob", "alice", "r1", "my own reply does not count")
    listing = chat.conversations("bob")
    assert listing["unreadTotal"] == 4 and listing["conversations"][0]["unread"] == 4
    state, changed = chat.mark("bob", "alice", ids[1], read=False)
    assert changed and state["deliveredUpTo"] == ids[1] and state["unread"] == 4
    state, changed = chat.mark("bob", "alice", ids[2], read=True)
    assert changed and state["readUpTo"] == ids[2] and state["deliveredUpTo"] == ids[2]
    assert state["unread"] == 1
    state, changed = chat.mark("bob", "alice", ids[0], read=True)  # backwards: no-op
    assert not changed and state["readUpTo"] == ids[2]
    state, _ = chat.mark("bob", "alice", 10**9, read=True)  # clamped to the last message
    assert state["unread"] == 0 and state["readUpTo"] == reply["id"]
    # alice sees bob's marks as receipts on her messages, and bob's reply as unread
    page = chat.history("alice", "bob")
    assert page["readUpTo"] == reply["id"] and page["unread"] == 1


def test_call_events_are_in_the_timeline_once(chat):
    msg, dup = chat.record_call_event("alice", "bob", "call-ended", "call42", durationMs=61000)
    again, dup2 = chat.record_call_event("alice", "bob", "call-ended", "call42", durationMs=61000)
    assert not dup and dup2 and again["id"] == msg["id"]
    chat.record_call_event("alice", "bob", "call-missed", "call43")
    page = chat.history("bob", "alice")
    assert [m["kind"] for m in page["messages"]] == ["call-ended", "call-missed"]
    assert page["messages"][0]["call"] == {"callId": "call42", "durationMs": 61000}
    assert page["unread"] == 1  # a missed call is unread; an ended one is not
    with pytest.raises(ValueError):
        chat.record_call_event("alice", "bob", "text", "x")


@pytest.mark.parametrize("text, code", [
    ("", "invalid-payload"),
    ("   \n\t ", "invalid-payload"),
    ("bell \x07", "invalid-payload"),
    ("nul \x00 byte", "invalid-payload"),
    ("lone surrogate \ud800", "invalid-payload"),
    ("x" * 101, "payload-too-large"),
])
def test_unstorable_text_is_refused_with_a_clear_error(chat, db, text, code):
    with pytest.raises(Refusal) as err:
        chat.send("alice", "bob", "c1", text)
    assert err.value.code == code and err.value.message.startswith("text:")
    assert count(db) == 0


def test_the_length_limit_counts_characters_not_bytes(chat):
    chat.send("alice", "bob", "c1", "é" * 100)  # 200 bytes of UTF-8, 100 characters


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "![x](https://tracker.example/pixel.gif)",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
    "[x](https://ok.example \"title\" onmouseover=alert(1))",
    "<style>body{display:none}</style>",
    "<div style=\"position:fixed;inset:0\">overlay</div>",
    "<form action=https://evil.example><input name=p></form>",
    "<!-- comment --><b>bold</b>",
    "[x](/logout)",
    "[x](//evil.example)",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
]


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


SAFE_TAGS = {"p", "br", "em", "strong", "s", "del", "code", "pre", "a", "ul", "ol", "li",
             "blockquote", "hr"}
SAFE_ATTRS = {"a": {"href", "title", "target", "rel"}, "ol": {"start"}}


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_neutralised(text):
    html = render(text)
    for tag, attrs in _Elements(html).found:
        assert tag in SAFE_TAGS, (text, html)
        assert set(attrs) <= SAFE_ATTRS.get(tag, set()), (text, html)
        if tag == "a" and "href" in attrs:
            assert re.match(r"^(https?://|mailto:)", attrs["href"]), (text, html)
            assert attrs["rel"] == "noopener noreferrer nofollow" and attrs["target"] == "_blank"
    # what was markup in the input is shown as text: escaped, never live
    if "<script" in text and "`" not in text:
        assert "&lt;script" in html.lower()


def test_links_are_safe_and_open_in_a_new_tab():
    html = render("see [docs](https://example.org/a?b=1) and www.example.com")
    assert html.count('rel="noopener noreferrer nofollow"') == 2
    assert html.count('target="_blank"') == 2
    assert 'href="https://example.org/a?b=1"' in html


def test_the_markdown_people_use_renders():
    html = render("*em* **strong** `code` ~~gone~~\n\n- a\n- b\n\n1. x\n2. y\n\n> quoted")
    for tag in ("<em>", "<strong>", "<code>", "<s>", "<ul>", "<ol>", "<li>", "<blockquote>"):
        assert tag in html
    assert "<br>" in render("line one\nline two")


def test_huge_input_is_refused_before_rendering(db):
    chat = ChatService(db, max_length=4000)
    with pytest.raises(Refusal) as err:
        chat.send("alice", "bob", "big", "x" * 1_000_000)
    assert err.value.code == "payload-too-large" and "4,000" in err.value.message


def test_deep_nesting_renders_quickly():
    import time
    start = time.perf_counter()
    render("> " * 2000 + "x")
    render("[" * 3000 + "x" + "](y)" * 10)
    render("*" * 4000)
    assert time.perf_counter() - start < 2.0
