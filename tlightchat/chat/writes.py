"""The chat's write path: a batch of new messages stored in one transaction with a few
SQLAlchemy Core statements (chat/service.py decides what to store and when; this is how).

Idempotency is the database's unique key (sender_id, client_msg_id), so it holds across
processes and machines sharing one database; the pairs' conversation rows are locked
first (PostgreSQL; SQLite has one writer), so message ids commit in id order within a
conversation.
"""
from collections import namedtuple

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.exc import OperationalError

from ..db import Conversation, Message, User, utcnow
from ..errors import Refusal
from .group_writes import GroupStatements, write_group_rows

MESSAGES = Message.__table__
# A batch row to write: its place in the batch and what to store. `group`: the key of a
# group conversation (then to_id is None; chat/group_writes.py writes it).
New = namedtuple("New", "index sender_id to_id client_msg_id kind body html meta at group",
                 defaults=(None,))


class WriteStatements:
    """The write path's statements, built once (building a statement costs more than
    running it from the compiled cache); many rows go through one executemany."""

    def __init__(self, db):
        conv = Conversation.__table__
        self.names = select(User.id, User.display_name).where(
            User.id.in_(bindparam("ids", expanding=True)))
        self.stored = select(MESSAGES).where(tuple_(
            MESSAGES.c.sender_id, MESSAGES.c.client_msg_id).in_(
            bindparam("keys", expanding=True)))
        self.lock_pairs = select(conv.c.id, conv.c.user_a, conv.c.user_b).where(
            tuple_(conv.c.user_a, conv.c.user_b).in_(bindparam("pairs", expanding=True))
        ).order_by(conv.c.id).with_for_update()
        self.insert_pairs = db.insert(conv).on_conflict_do_nothing(
            index_elements=["user_a", "user_b"])
        self.insert_messages = db.insert(MESSAGES).on_conflict_do_nothing(
            index_elements=["sender_id", "client_msg_id"]).returning(*MESSAGES.c)
        self.set_last_message = update(conv).where(conv.c.id == bindparam("conv")).values(
            last_message_id=bindparam("last"))


def _as_duplicate(existing, row, names):
    """A resend (same sender and client id) of what is stored: the stored message, or a
    refusal if the client id was used for different content."""
    if existing.recipient_id != row.to_id or existing.kind != row.kind \
            or existing.body != row.body:
        return Refusal("invalid-state", "clientMsgId: already used for another "
                       "message; make a new id for a new message")
    return existing, names[existing.sender_id], True


def retrying(write, attempts=3):
    """write(), again when PostgreSQL rolled it back for a deadlock or a serialization
    failure (SQLSTATE class 40): two nodes' batches met; one of them tries again."""
    for attempt in range(attempts):
        try:
            return write()
        except OperationalError as err:
            if attempt == attempts - 1 or not str(
                    getattr(err.orig, "sqlstate", "") or "").startswith("40"):
                raise


def pair(u1, u2):
    return (u1, u2) if u1 <= u2 else (u2, u1)


class MessageWriter:
    """Writes rows (`New`) on a connection, inside the caller's transaction."""

    def __init__(self, db):
        self.sql = WriteStatements(db)
        self.groups = GroupStatements()

    def write(self, c, rows):
        """Per row, as below; a group's rows go through chat/group_writes.py."""
        groups = [n for n, row in enumerate(rows) if row.group is not None]
        if not groups:
            return self._write_pairs(c, rows)
        pairs = [n for n, row in enumerate(rows) if row.group is None]
        out = [None] * len(rows)
        for n, result in zip(pairs, self._write_pairs(c, [rows[n] for n in pairs])
                             if pairs else []):
            out[n] = result
        group_rows = [rows[n] for n in groups]
        names = dict(c.execute(self.sql.names, {
            "ids": list({r.sender_id for r in group_rows})}).all())
        known = self._stored(c, group_rows)
        for n, result in zip(groups, write_group_rows(c, self.sql, self.groups, group_rows,
                                                      names, known)):
            out[n] = result
        return out

    def _write_pairs(self, c, rows):
        """Within one transaction on connection `c` (SQLAlchemy Core: a few statements
        for the whole batch): per row, (stored row, sender's name, duplicate) or the
        Refusal that refused it.

        Idempotency is the database's unique key (sender_id, client_msg_id), so it holds
        across processes and machines sharing one database: a message that another
        node stored first (before or while we look) comes back as a duplicate. The
        pairs' conversation rows are locked first (PostgreSQL; SQLite has one writer),
        so message ids commit in id order within a conversation and a history cursor
        never skips a message that commits late."""
        out = [None] * len(rows)
        for n, row in enumerate(rows):
            if row.to_id == row.sender_id:
                out[n] = Refusal("invalid-payload", "to: you cannot send a message to yourself")
        live = [n for n in range(len(rows)) if out[n] is None]
        if not live:
            return out
        sql = self.sql
        names = dict(c.execute(sql.names, {"ids": list(
            {rows[n].sender_id for n in live} | {rows[n].to_id for n in live})}).all())
        known = self._stored(c, [rows[n] for n in live])
        fresh = []
        for n in live:
            row = rows[n]
            existing = known.get((row.sender_id, row.client_msg_id))
            if existing is not None:
                out[n] = _as_duplicate(existing, row, names)
            elif row.sender_id not in names:
                out[n] = Refusal("invalid-state", "your identity is gone; reload")
            elif row.to_id not in names:
                out[n] = Refusal("not-found", "to: there is no such user")
            else:
                fresh.append(n)
        if not fresh:
            return out
        convs = self._lock_conversations(c, {pair(rows[n].sender_id, rows[n].to_id)
                                             for n in fresh})
        values = [{"conversation_id": convs[pair(rows[n].sender_id, rows[n].to_id)],
                   "sender_id": rows[n].sender_id, "recipient_id": rows[n].to_id,
                   "client_msg_id": rows[n].client_msg_id, "kind": rows[n].kind,
                   "body": rows[n].body, "html": rows[n].html, "meta": rows[n].meta,
                   "created_at": rows[n].at}
                  for n in fresh]
        inserted = {(r.sender_id, r.client_msg_id): r
                    for r in c.execute(sql.insert_messages, values)}
        raced = [rows[n] for n in fresh
                 if (rows[n].sender_id, rows[n].client_msg_id) not in inserted]
        stored_meanwhile = self._stored(c, raced) if raced else {}  # another node's
        newest = {}
        for n in fresh:
            row, key = rows[n], (rows[n].sender_id, rows[n].client_msg_id)
            if key in inserted:
                stored = inserted[key]
                out[n] = (stored, names[row.sender_id], False)
                newest[stored.conversation_id] = max(newest.get(stored.conversation_id, 0),
                                                     stored.id)
            else:
                out[n] = _as_duplicate(stored_meanwhile[key], row, names)
        if newest:
            c.execute(sql.set_last_message, [{"conv": conv, "last": last}
                                             for conv, last in newest.items()])
        return out

    def _stored(self, c, rows):
        keys = list({(r.sender_id, r.client_msg_id) for r in rows})
        return {(m.sender_id, m.client_msg_id): m
                for m in c.execute(self.sql.stored, {"keys": keys})}

    def _lock_conversations(self, c, pairs):
        """{pair: conversation id}, made where missing, locked FOR UPDATE in id order
        (PostgreSQL) until the transaction ends. Only missing pairs are inserted: an
        insert that meets a conflict still uses up a sequence number on PostgreSQL."""
        sql = self.sql
        found = {(a, b): cid for cid, a, b in c.execute(sql.lock_pairs,
                                                         {"pairs": list(pairs)})}
        missing = sorted(set(pairs) - set(found))
        if missing:  # another node may make the same pair meanwhile: then theirs is used
            now = utcnow()
            c.execute(sql.insert_pairs, [{"user_a": a, "user_b": b, "created_at": now}
                                         for a, b in missing])
            found.update({(a, b): cid for cid, a, b in c.execute(sql.lock_pairs,
                                                                  {"pairs": missing})})
        return found

