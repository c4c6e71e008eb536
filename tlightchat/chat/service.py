"""Chat storage: one conversation per pair of users, messages stored idempotently.

Persisted state, so it lives here and not in the reducer store. Nothing in this module
knows about sockets or Flask: the socket handlers (realtime/chat_handlers.py) call it
with the user id from the session and emit what it returns, after it returned — so an
ack or a delivery never announces a message that is not committed.

Every query of the chat tables that a user's request runs (send, batch send, history,
receipts, conversations, call events) starts here, so the one place that defines what
a user can reach is read in one sitting; how a batch is written is chat/writes.py, a
message's wire form chat/messages.py.

Authorization is by construction: every read and write starts from the caller's own
user id and the peer's, so the only conversation reachable is the caller's own; a
cursor from another conversation is refused. A group conversation (a group call's,
chat/groups.py) is named by its key and reachable only by its members.
"""
from contextlib import contextmanager

from sqlalchemy import case, func, or_, select, update

from . import markdown
from .groups import GroupChat, conversation_id
from .messages import (CALL_KINDS, GROUP_CALL_KINDS, UNREAD_KINDS, clean_text, page_of,
                       public_peer, unknown_peer, wire)
from .writes import MessageWriter, New, pair as _pair, retrying as _retrying
from .. import limits as L
from ..db import Conversation, Message, User, utcnow
from ..errors import Refusal

# Hard caps of the protocol (limits.py); config CHAT_MAX_LENGTH may only lower MAX_TEXT.
MAX_TEXT = L.CHAT_TEXT_MAX
DEFAULT_PAGE = L.CHAT_PAGE
MAX_PAGE = L.CHAT_PAGE_MAX
MAX_CONVERSATIONS = L.CONVERSATIONS_MAX


def _side(conv, user_id):
    return "a" if conv.user_a == user_id else "b"


class ChatService:
    def __init__(self, db, max_length=4000):
        self.db = db
        self.max_length = max(1, min(int(max_length), MAX_TEXT))
        self.writer = MessageWriter(db)
        self.groups = GroupChat(db)

    # -- writing ------------------------------------------------------------------

    def send(self, sender_id, to_id, client_msg_id, text, conversation=None):
        """Store a text message (to a user, or to the group conversation named by
        `conversation` with to_id None); returns (message, duplicate). A resend with
        the same client id returns the stored message and stores nothing."""
        text = clean_text(text, self.max_length)
        return self._store(sender_id, to_id, client_msg_id, "text", text, None,
                           group=conversation)

    def record_group_event(self, call_id, user_id, kind, at=None, parties=(), **details):
        """For group calls: `call-joined` / `call-left` of `user_id` in the call's group
        conversation, once per (call, user, kind); the user and `parties` (the users in
        the call now) become members (and the conversation is made) in the same
        transaction. Returns (message, duplicate)."""
        if kind not in GROUP_CALL_KINDS:
            raise ValueError(f"kind must be one of {GROUP_CALL_KINDS}")
        key = conversation_id(call_id)
        row = New(0, user_id, None, f"{kind}-{call_id}"[:64], kind, "",
                  "", {"callId": call_id, **details}, at or utcnow(), key)

        def write():
            with self._session_connection() as c:
                self.groups.ensure_on(c, call_id, [user_id, *parties], at)
                return self.writer.write(c, [row])
        [outcome] = _retrying(write)
        if isinstance(outcome, Refusal):
            raise outcome
        return wire(outcome[0], outcome[1], key), outcome[2]

    def record_call_event(self, caller_id, callee_id, kind, call_id, at=None, **details):
        """For the calls feature: put a call event in the pair's timeline, once per
        (call, kind) however often it is recorded. `at` is when it happened (default
        now); `details` (e.g. durationMs=61000) are sent as the message's `call` field."""
        if kind not in CALL_KINDS:
            raise ValueError(f"kind must be one of {CALL_KINDS}")
        meta = {"callId": call_id, **details}
        return self._store(caller_id, callee_id, f"call-{kind}-{call_id}"[:64], kind, "",
                           meta, at)

    def send_many(self, items):
        """Group commit: [(sender_id, to_id, client_msg_id, text)] stored in ONE
        transaction; returns, per item, (message, duplicate) or the Refusal that
        refused it. Every check runs before anything is written, so a refused item
        leaves the rest of the batch intact. Nothing is returned before the commit.

        The whole batch (checks, each message's Markdown rendered once and stored with
        it, the transaction on the writer engine, the wire forms) runs in one call of
        db.blocking: a real OS thread when the server runs green threads, so the event
        loop keeps serving while the batch commits."""
        return self.db.blocking(self._send_batch, items)

    def _send_batch(self, items):
        results, rows, first, now = [None] * len(items), [], {}, utcnow()
        for i, (sender_id, to_id, client_msg_id, text, *group) in enumerate(items):
            key = (sender_id, client_msg_id)
            if key in first:  # sent twice within one batch: answered like the first
                results[i] = first[key]
                continue
            first[key] = i
            try:
                text = clean_text(text, self.max_length)
                rows.append(New(i, sender_id, to_id, client_msg_id, "text", text,
                                 markdown.render(text), None, now, *group))
            except Refusal as err:
                results[i] = err
        if rows:
            written = _retrying(lambda: self._write_with(self.db.writing, rows))
            for row, outcome in zip(rows, written):  # committed: now the wire forms
                results[row.index] = outcome if isinstance(outcome, Refusal) else (
                    wire(outcome[0], outcome[1], row.group), outcome[2])
        for i, result in enumerate(results):
            if isinstance(result, int):
                earlier = results[result]
                results[i] = (earlier[0], True) if isinstance(earlier, tuple) else earlier
        return results

    def _store(self, sender_id, to_id, client_msg_id, kind, body, meta, at=None, group=None):
        row = New(0, sender_id, to_id, client_msg_id, kind, body,
                   markdown.render(body) if body else "", meta, at or utcnow(), group)
        [outcome] = _retrying(lambda: self._write_with(self._session_connection, [row]))
        if isinstance(outcome, Refusal):
            raise outcome
        # the unit of work has committed here: only now is it safe to tell anyone
        return wire(outcome[0], outcome[1], group), outcome[2]

    @contextmanager
    def _session_connection(self):
        with self.db.session() as s:
            yield s.connection()

    def _write_with(self, transaction, rows):
        with transaction() as connection:
            return self.writer.write(connection, rows)

    def _conversation(self, s, u1, u2):
        a, b = _pair(u1, u2)
        return s.scalar(select(Conversation).where(Conversation.user_a == a,
                                                   Conversation.user_b == b))

    def mark(self, viewer_id, peer_id, up_to, read):
        """The viewer's tab has received (read=False) or shown (read=True) the peer's
        messages up to `up_to`. Marks only move forward. Returns (state, changed)."""
        with self.db.session() as s:
            conv = self._own_conversation(s, viewer_id, peer_id)
            if conv is None:
                raise Refusal("not-found", "with: you have no messages with this user")
            up_to = min(up_to, conv.last_message_id)
            side = _side(conv, viewer_id)
            delivered_col = getattr(Conversation, f"{side}_delivered")
            read_col = getattr(Conversation, f"{side}_read")
            before = (getattr(conv, f"{side}_delivered"), getattr(conv, f"{side}_read"))
            values = {delivered_col: case((delivered_col < up_to, up_to), else_=delivered_col)}
            if read:
                values[read_col] = case((read_col < up_to, up_to), else_=read_col)
            # one atomic UPDATE, so two tabs marking at once never move a mark back
            s.execute(update(Conversation).where(Conversation.id == conv.id).values(values))
            s.refresh(conv)
            after = (getattr(conv, f"{side}_delivered"), getattr(conv, f"{side}_read"))
            state = {"with": peer_id, "deliveredUpTo": after[0], "readUpTo": after[1],
                     "unread": self._unread(s, conv, viewer_id)}
        return state, after != before

    # -- reading ------------------------------------------------------------------

    def _own_conversation(self, s, viewer_id, peer_id):
        """The pair's conversation or None: None alike for an unknown id and for a user
        the viewer never wrote with, so no answer tells whether an id exists."""
        if peer_id == viewer_id:
            raise Refusal("invalid-payload", "with: that is you; pick someone else")
        return self._conversation(s, viewer_id, peer_id)

    def _unread(self, s, conv, viewer_id):
        read = getattr(conv, f"{_side(conv, viewer_id)}_read")
        return s.scalar(select(func.count()).select_from(Message).where(
            Message.conversation_id == conv.id, Message.id > read,
            Message.sender_id != viewer_id, Message.kind.in_(UNREAD_KINDS)))

    def _marks(self, conv, viewer_id):
        me, peer = _side(conv, viewer_id), "b" if _side(conv, viewer_id) == "a" else "a"
        return {"deliveredUpTo": getattr(conv, f"{peer}_delivered"),
                "readUpTo": getattr(conv, f"{peer}_read"),
                "myDeliveredUpTo": getattr(conv, f"{me}_delivered"),
                "myReadUpTo": getattr(conv, f"{me}_read")}

    def history(self, viewer_id, peer_id, before=None, after=None, limit=DEFAULT_PAGE,
                conversation=None):
        """One page of the viewer's conversation with peer (or of the group
        conversation named by `conversation`), oldest first: the newest page, or the
        page just older than `before`, or just newer than `after`."""
        if before is not None and after is not None:
            raise Refusal("invalid-payload", "send before or after, not both")
        limit = max(1, min(limit, MAX_PAGE))
        if conversation is not None:
            return self.groups.history(viewer_id, conversation, before, after, limit)
        with self.db.session() as s:
            conv = self._own_conversation(s, viewer_id, peer_id)
            # Without a conversation nothing about the id is told: not whether it
            # exists, not its name (the lobby shows the names of those online).
            peer = public_peer(s.get(User, peer_id)) if conv is not None else \
                unknown_peer(peer_id)
            empty = {"with": peer, "messages": [], "hasMore": False, "unread": 0,
                     "deliveredUpTo": 0, "readUpTo": 0, "myDeliveredUpTo": 0, "myReadUpTo": 0}
            if conv is None:
                if before is not None or after is not None:
                    raise Refusal("not-found", "that cursor is not in this conversation")
                return empty
            rows, has_more = page_of(s, Message.conversation_id == conv.id, before, after, limit)
            return {**empty, "messages": [wire(m, name) for m, name in rows],
                    "hasMore": has_more, "unread": self._unread(s, conv, viewer_id),
                    **self._marks(conv, viewer_id)}

    def conversations(self, viewer_id, limit=MAX_CONVERSATIONS):
        """The viewer's conversations (pairs and groups), most recent first, with the
        last message and the unread count of each."""
        out = self._pair_conversations(viewer_id, limit) + self.groups.conversations(
            viewer_id, limit)
        out.sort(key=lambda c: c["lastMessage"]["id"], reverse=True)
        out = out[:limit]
        return {"conversations": out, "unreadTotal": sum(x["unread"] for x in out)}

    def _pair_conversations(self, viewer_id, limit):
        with self.db.session() as s:
            convs = s.scalars(select(Conversation).where(
                or_(Conversation.user_a == viewer_id, Conversation.user_b == viewer_id),
                Conversation.last_message_id > 0,
            ).order_by(Conversation.last_message_id.desc()).limit(limit)).all()
            if not convs:
                return []
            ids = [c.id for c in convs]
            last = {m.id: (m, name) for m, name in s.execute(
                select(Message, User.display_name).join(User, User.id == Message.sender_id)
                .where(Message.id.in_([c.last_message_id for c in convs])))}
            my_read = case((Conversation.user_a == viewer_id, Conversation.a_read),
                           else_=Conversation.b_read)
            unread = dict(s.execute(
                select(Message.conversation_id, func.count())
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Message.conversation_id.in_(ids), Message.sender_id != viewer_id,
                       Message.kind.in_(UNREAD_KINDS), Message.id > my_read)
                .group_by(Message.conversation_id)).all())
            peers = {u.id: u for u in s.scalars(select(User).where(User.id.in_(
                [c.user_b if c.user_a == viewer_id else c.user_a for c in convs])))}
            out = []
            for c in convs:
                peer = peers[c.user_b if c.user_a == viewer_id else c.user_a]
                msg, name = last[c.last_message_id]
                out.append({"with": public_peer(peer), "lastMessage": wire(msg, name),
                            "unread": unread.get(c.id, 0), **self._marks(c, viewer_id)})
            return out
