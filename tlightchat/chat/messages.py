"""A chat message as stored and as sent: the text as typed made storable
(`clean_text`), the wire form of a stored row (`wire`), a conversation's peer
(`public_peer`), one page of a conversation (`page_of`).

Wire shape of a message (docs/protocol.md, "Chat"):
    {id, clientMsgId, from, to, fromName, kind, text, html, ts, call?, conversationId?}
A group conversation's message has `to: null` and `conversationId` (chat/groups.py).
`id` grows with every stored message and is the pagination cursor.
"""
import unicodedata
from datetime import timezone

from sqlalchemy import select

from . import markdown
from ..db import MESSAGE_KINDS, Message, User
from ..errors import Refusal
from .. import names

GROUP_CALL_KINDS = ("call-joined", "call-left")  # a group conversation's call events
CALL_KINDS = tuple(k for k in MESSAGE_KINDS if k != "text" and k not in GROUP_CALL_KINDS)
# What makes the unread badge: what a person wrote, and calls you did not pick up.
UNREAD_KINDS = ("text", "call-missed")
_ALLOWED_CONTROLS = {"\n", "\t"}


def clean_text(text, max_length):
    """Normalise a message as typed; refuse what cannot be stored or shown."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.strip()
    if not text:
        raise Refusal("invalid-payload", "text: the message is empty")
    for ch in text:
        category = unicodedata.category(ch)
        if (category == "Cc" and ch not in _ALLOWED_CONTROLS) or category == "Cs":
            char = "%04X" % ord(ch)
            raise Refusal("invalid-payload",
                          "text: must not contain control character U+%(char)s", char=char)
    if len(text) > max_length:
        n, limit = format(len(text), ","), format(max_length, ",")
        raise Refusal("payload-too-large", "text: the message is %(n)s characters; the "
                      "limit is %(limit)s", n=n, limit=limit)
    return text


def _ms(dt):
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def _html(msg):
    """The HTML rendered when the message was stored; reads never render. A row without
    it (written by a node of the previous version during a rolling upgrade) is shown as
    plain text, which costs one pass."""
    if msg.html is not None:
        return msg.html
    return markdown.plain(msg.body) if msg.body else ""


def wire(msg, from_name, conversation_id=None):
    """`conversation_id`: the group's key, for a group's message (msg.group_id set)."""
    out = {"id": msg.id, "clientMsgId": msg.client_msg_id, "from": msg.sender_id,
           "to": msg.recipient_id, "fromName": from_name, "kind": msg.kind,
           "text": msg.body, "html": _html(msg), "ts": _ms(msg.created_at)}
    if msg.meta is not None:
        out["call"] = dict(msg.meta)
    if getattr(msg, "group_id", None) is not None:
        out["conversationId"] = conversation_id
    return out


def public_peer(user):
    """A conversation's peer: the one public shape of a user (names.public_user), with
    whether it is an account."""
    return names.public_user(user.id, user.display_name, account=user.is_account)


def unknown_peer(user_id):
    """The peer of no conversation: nothing told about the id, not even its name."""
    return names.public_user(user_id, None, account=None)


def page_of(s, where, before=None, after=None, limit=20):
    """One page of a conversation's messages with their senders' names, oldest first:
    those before `before` (the latest when None), or after `after`; `where` picks the
    conversation (a pair's or a group's). (rows, has_more). The cursor must be a message
    of that conversation: else Refusal("not-found")."""
    cursor = before if before is not None else after
    if cursor is not None and s.scalar(select(Message.id).where(Message.id == cursor, where)) is None:
        raise Refusal("not-found", "that cursor is not in this conversation")
    q = select(Message, User.display_name).join(User, User.id == Message.sender_id).where(where)
    if after is not None:
        q = q.where(Message.id > after).order_by(Message.id.asc())
    else:
        if before is not None:
            q = q.where(Message.id < before)
        q = q.order_by(Message.id.desc())
    rows = s.execute(q.limit(limit + 1)).all()
    has_more, rows = len(rows) > limit, rows[:limit]
    if after is None:
        rows.reverse()
    return rows, has_more
