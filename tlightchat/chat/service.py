"""Chat storage: one conversation per pair of users, messages stored idempotently.

Persisted state, so it lives here and not in the reducer store. Nothing in this module
knows about sockets or Flask: the socket handlers (realtime/chat_handlers.py) call it
with the user id from the session and emit what it returns, after it returned — so an
ack or a delivery never announces a message that is not committed.

Over 300 lines on purpose: every query of the chat tables (send, batch send, history,
receipts, conversations, call events) is here, so the one place that defines what a
user can reach is read in one sitting.

Authorization is by construction: every read and write starts from the caller's own
user id and the peer's, so the only conversation reachable is the caller's own; a
cursor from another conversation is refused.

Wire shape of a message (docs/protocol.md, "Chat"):
    {id, clientMsgId, from, to, fromName, kind, text, html, ts, call?}
`id` grows with every stored message and is the pagination cursor.
"""
import unicodedata
from datetime import timezone

from sqlalchemy import case, func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from . import markdown
from ..db import MESSAGE_KINDS, Conversation, Message, User, utcnow
from ..errors import Refusal

# Hard cap of the protocol; config CHAT_MAX_LENGTH may only lower it.
MAX_TEXT = 10_000
DEFAULT_PAGE = 50
MAX_PAGE = 100
MAX_CONVERSATIONS = 200
CALL_KINDS = tuple(k for k in MESSAGE_KINDS if k != "text")
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
            raise Refusal("invalid-payload",
                                f"text: must not contain control character U+{ord(ch):04X}")
    if len(text) > max_length:
        raise Refusal("payload-too-large", f"text: the message is {len(text):,} "
                            f"characters; the limit is {max_length:,}")
    return text


def _pair(u1, u2):
    return (u1, u2) if u1 <= u2 else (u2, u1)


def _side(conv, user_id):
    return "a" if conv.user_a == user_id else "b"


def _ms(dt):
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def wire(msg, from_name):
    out = {"id": msg.id, "clientMsgId": msg.client_msg_id, "from": msg.sender_id,
           "to": msg.recipient_id, "fromName": from_name, "kind": msg.kind,
           "text": msg.body, "html": markdown.render(msg.body) if msg.body else "",
           "ts": _ms(msg.created_at)}
    if msg.meta is not None:
        out["call"] = dict(msg.meta)
    return out


def public_peer(user):
    return {"id": user.id, "displayName": user.display_name, "account": user.is_account}


class ChatService:
    def __init__(self, db, max_length=4000):
        self.db = db
        self.max_length = max(1, min(int(max_length), MAX_TEXT))

    # -- writing ------------------------------------------------------------------

    def send(self, sender_id, to_id, client_msg_id, text):
        """Store a text message; returns (message, duplicate). A resend with the same
        client id returns the stored message and stores nothing."""
        text = clean_text(text, self.max_length)
        return self._store(sender_id, to_id, client_msg_id, "text", text, None)

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
        refused it. Every check runs before an item writes anything, so a refused item
        leaves the rest of the batch intact; if the commit fails (a concurrent writer
        stored the same row), each item is retried in its own transaction. Nothing is
        returned before the commit."""
        outcomes = []  # per item: ("new", make_wire) | ("dup", message) | ("err", error) | ("again", i)
        try:
            with self.db.session() as s, s.no_autoflush:
                first = {}
                known, convs = self._prefetch(s, items)
                for i, (sender_id, to_id, client_msg_id, text) in enumerate(items):
                    key = (sender_id, client_msg_id)
                    if key in first:  # sent twice within one batch
                        outcomes.append(("again", first[key]))
                        continue
                    first[key] = i
                    try:
                        text = clean_text(text, self.max_length)
                        made, duplicate = self._insert(s, sender_id, to_id, client_msg_id,
                                                       "text", text, None, convs, known=known)
                        outcomes.append(("dup", made) if duplicate else ("new", made))
                    except Refusal as err:
                        outcomes.append(("err", err))
                s.flush()  # one flush for the batch: ids for every new message
                for conv, msgs in convs.values():
                    if msgs:
                        conv.last_message_id = max(m.id for m in msgs)
        except IntegrityError:
            return [self._one(*item) for item in items]
        results = []  # the commit is done: only now are the wire forms made
        for kind, value in outcomes:
            if kind == "new":
                results.append((value(), False))
            elif kind == "dup":
                results.append((value, True))
            elif kind == "err":
                results.append(value)
            else:
                earlier = results[value]
                results.append((earlier[0], True) if isinstance(earlier, tuple) else earlier)
        return results

    def _prefetch(self, s, items):
        """Three queries for a whole batch instead of three per message: the messages
        already stored under these client ids, the users (into the session's identity
        map, so s.get() finds them), and the pairs' conversations."""
        senders = {i[0] for i in items}
        known = {(m.sender_id, m.client_msg_id): m for m in s.scalars(select(Message).where(
            Message.sender_id.in_(senders), Message.client_msg_id.in_({i[2] for i in items})))}
        s.scalars(select(User).where(User.id.in_(senders | {i[1] for i in items}))).all()
        pairs = {_pair(i[0], i[1]) for i in items if i[0] != i[1]}
        convs = {(c.user_a, c.user_b): (c, []) for c in s.scalars(select(Conversation).where(
            tuple_(Conversation.user_a, Conversation.user_b).in_(pairs)))} if pairs else {}
        return known, convs

    def _one(self, sender_id, to_id, client_msg_id, text):
        try:
            return self.send(sender_id, to_id, client_msg_id, text)
        except Refusal as err:
            return err

    def _store(self, sender_id, to_id, client_msg_id, kind, body, meta, at=None):
        for _attempt in range(3):  # a concurrent insert of the same row makes us look again
            try:
                with self.db.session() as s:
                    made, duplicate = self._insert(s, sender_id, to_id, client_msg_id, kind,
                                                   body, meta, at=at)
                # the unit of work has committed here: only now is it safe to tell anyone
                return made() if callable(made) else made, duplicate
            except IntegrityError:
                continue
        raise Refusal("internal", "could not store the message; please retry")

    def _insert(self, s, sender_id, to_id, client_msg_id, kind, body, meta, convs=None,
                at=None, known=None):
        """Within session `s`: (message, True) for a resend, or (make_wire, False) for a
        new row, where make_wire() gives its wire form once the commit is done. With
        `convs` (a batch's {pair: (conversation, [new messages])}), nothing is flushed
        here: the batch flushes once and sets each conversation's last message."""
        if to_id == sender_id:
            raise Refusal("invalid-payload", "to: you cannot send a message to yourself")
        if known is not None:  # the batch looked them all up at once
            existing = known.get((sender_id, client_msg_id))
        else:
            existing = s.scalar(select(Message).where(
                Message.sender_id == sender_id, Message.client_msg_id == client_msg_id))
        if existing is not None:
            return self._duplicate(s, existing, to_id, kind, body)
        sender, recipient = s.get(User, sender_id), s.get(User, to_id)
        if sender is None:
            raise Refusal("invalid-state", "your identity is gone; reload")
        if recipient is None:
            raise Refusal("not-found", "to: there is no such user")
        pair = _pair(sender_id, to_id)
        if convs is not None and pair in convs:
            conv = convs[pair][0]
        else:
            conv = self._conversation(s, sender_id, to_id, create=True)
        msg = Message(conversation_id=conv.id, sender_id=sender_id, recipient_id=to_id,
                      client_msg_id=client_msg_id, kind=kind, body=body, meta=meta,
                      created_at=at or utcnow())
        s.add(msg)
        if convs is None:
            s.flush()
            conv.last_message_id = msg.id
        else:
            convs.setdefault(pair, (conv, []))[1].append(msg)
        name = sender.display_name
        return (lambda: wire(msg, name)), False

    def _duplicate(self, s, existing, to_id, kind, body):
        if existing.recipient_id != to_id or existing.kind != kind or existing.body != body:
            raise Refusal("invalid-state", "clientMsgId: already used for another "
                                "message; make a new id for a new message")
        sender = s.get(User, existing.sender_id)
        return wire(existing, sender.display_name), True

    def _conversation(self, s, u1, u2, create=False):
        a, b = _pair(u1, u2)
        conv = s.scalar(select(Conversation).where(Conversation.user_a == a,
                                                   Conversation.user_b == b))
        if conv is None and create:
            conv = Conversation(user_a=a, user_b=b, created_at=utcnow())
            s.add(conv)
            s.flush()
        return conv

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
        if peer_id == viewer_id:
            raise Refusal("invalid-payload", "with: that is you; pick someone else")
        if s.get(User, peer_id) is None:
            raise Refusal("not-found", "with: there is no such user")
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

    def history(self, viewer_id, peer_id, before=None, after=None, limit=DEFAULT_PAGE):
        """One page of the viewer's conversation with peer, oldest first: the newest
        page, or the page just older than `before`, or just newer than `after`."""
        if before is not None and after is not None:
            raise Refusal("invalid-payload", "send before or after, not both")
        limit = max(1, min(limit, MAX_PAGE))
        with self.db.session() as s:
            conv = self._own_conversation(s, viewer_id, peer_id)
            peer = public_peer(s.get(User, peer_id))
            empty = {"with": peer, "messages": [], "hasMore": False, "unread": 0,
                     "deliveredUpTo": 0, "readUpTo": 0, "myDeliveredUpTo": 0, "myReadUpTo": 0}
            cursor = before if before is not None else after
            if conv is None:
                if cursor is not None:
                    raise Refusal("not-found", "that cursor is not in this conversation")
                return empty
            if cursor is not None and s.scalar(select(Message.id).where(
                    Message.id == cursor, Message.conversation_id == conv.id)) is None:
                raise Refusal("not-found", "that cursor is not in this conversation")
            q = select(Message, User.display_name).join(User, User.id == Message.sender_id) \
                .where(Message.conversation_id == conv.id)
            if after is not None:
                q = q.where(Message.id > after).order_by(Message.id.asc())
            else:
                if before is not None:
                    q = q.where(Message.id < before)
                q = q.order_by(Message.id.desc())
            rows = s.execute(q.limit(limit + 1)).all()
            has_more = len(rows) > limit
            rows = rows[:limit]
            if after is None:
                rows.reverse()
            return {**empty, "messages": [wire(m, name) for m, name in rows],
                    "hasMore": has_more, "unread": self._unread(s, conv, viewer_id),
                    **self._marks(conv, viewer_id)}

    def conversations(self, viewer_id, limit=MAX_CONVERSATIONS):
        """The viewer's conversations, most recent first, with the last message and the
        unread count of each."""
        with self.db.session() as s:
            convs = s.scalars(select(Conversation).where(
                or_(Conversation.user_a == viewer_id, Conversation.user_b == viewer_id),
                Conversation.last_message_id > 0,
            ).order_by(Conversation.last_message_id.desc()).limit(limit)).all()
            if not convs:
                return {"conversations": [], "unreadTotal": 0}
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
            return {"conversations": out, "unreadTotal": sum(x["unread"] for x in out)}
