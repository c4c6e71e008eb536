"""One place for limits (issue 25, item 3): the protocol's hard caps are tlightchat/
limits.py; the schemas, names and the chat service use them, and every copy the browser
keeps (a fallback for what the page or the welcome normally says, a constant of its own)
equals the server's number. A number changed on one side only fails here."""
import re
from pathlib import Path

import pytest

from config import defaults
from tlightchat import limits as L
from tlightchat import names, protocol
from tlightchat.chat import service
from tlightchat.errors import Refusal

ROOT = Path(__file__).resolve().parents[2]


def source(path):
    return (ROOT / path).read_text(encoding="utf-8")


def js_number(path, pattern):
    found = re.findall(pattern, source(path))
    assert len(found) == 1, f"{path}: {pattern!r} found {len(found)} times"
    return int(found[0])


@pytest.mark.parametrize("path, pattern, server", [
    ("static/js/chat/pins.js", r"export const WATCH_MAX = (\d+);", L.WATCH_IDS_MAX),
    ("static/js/chat/store.js", r"const PAGE = (\d+);", L.CHAT_PAGE),
    ("static/js/chat/store.js", r"maxLength = (\d+),", defaults.CHAT_MAX_LENGTH),
    ("static/js/chat/panel.js", r"Number\(root\.dataset\.maxLength\) \|\| (\d+)", defaults.CHAT_MAX_LENGTH),
    ("static/js/views/anchor-grid.js", r"state\.me\?\.maxAnchors \?\? (\d+);", defaults.MAX_ANCHORS_PER_CLIENT),
    ("templates/call.html", r'id="me-name" name="displayName" maxlength="(\d+)"', L.NAME_MAX),
    ("templates/me.html", r'maxlength="(\d+)" required autocomplete="nickname"', L.NAME_MAX),
    ("templates/call.html", r'id="lobby-search" [^>]*maxlength="(\d+)"', L.QUERY_MAX),
])
def test_the_browsers_copy_is_the_servers_number(path, pattern, server):
    assert js_number(path, pattern) == server


def test_the_browsers_lobby_watch_fits_the_servers_size_limit():
    # The browser stops a little short of the server's 16 KiB (it counts characters).
    assert js_number("static/js/chat/pins.js", r"const WATCH_MAX_BYTES = (\d+);") <= L.WATCH_BYTES
    # WATCH_IDS_MAX ids of ID_MAX characters, quoted and comma-separated, fit the limit
    assert L.WATCH_IDS_MAX * (L.ID_MAX + 3) + 64 <= L.WATCH_BYTES


def test_the_configured_numbers_stay_within_the_caps():
    assert 1 <= defaults.CHAT_MAX_LENGTH <= L.CHAT_TEXT_MAX
    assert defaults.LOBBY_PINS_MAX <= L.WATCH_IDS_MAX
    assert service.ChatService(db=_NoDb(), max_length=10**9).max_length == L.CHAT_TEXT_MAX


class _NoDb:
    def insert(self, table):
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)


def test_the_server_side_uses_the_one_module():
    assert (names.MAX_LENGTH, names.MAX_MARKS) == (L.NAME_MAX, L.NAME_MAX_MARKS)
    assert (service.MAX_TEXT, service.DEFAULT_PAGE, service.MAX_PAGE, service.MAX_CONVERSATIONS) \
        == (L.CHAT_TEXT_MAX, L.CHAT_PAGE, L.CHAT_PAGE_MAX, L.CONVERSATIONS_MAX)
    assert (protocol.MAX_PAYLOAD_BYTES, protocol.MAX_SIGNAL_BYTES, protocol.MAX_CHAT_SEND_BYTES,
            protocol.MAX_WATCH_BYTES) == (L.PAYLOAD_BYTES, L.SIGNAL_BYTES, L.CHAT_SEND_BYTES,
                                          L.WATCH_BYTES)
    # the schemas: one past each cap is refused
    with pytest.raises(Refusal):
        protocol.validate("lobby:watch", ({"userIds": ["u"] * (L.WATCH_IDS_MAX + 1)},))
    protocol.validate("lobby:watch", ({"userIds": ["u"] * L.WATCH_IDS_MAX},))
    with pytest.raises(Refusal):
        protocol.validate("lobby:get", ({"query": "q" * (L.QUERY_MAX + 1)},))
    with pytest.raises(Refusal):
        protocol.validate("anchor:remove", ({"anchorId": "a" * (L.ID_MAX + 1)},))
    protocol.validate("anchor:remove", ({"anchorId": "a" * L.ID_MAX},))
    with pytest.raises(Refusal):
        protocol.validate("chat:history", ({"with": "u", "limit": L.CHAT_PAGE_MAX + 1},))
