"""The stored data: SQLAlchemy models of every table (the schema itself is made and
upgraded by the Alembic migrations, tlightchat/migrations/, run by db.py at start-up).
Everything else imports them through tlightchat.db, which re-exports them.
"""
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import (JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String,
                        Text, TypeDecorator, UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow():
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no time zone)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class User(Base):
    """A guest (username is None) or an account. Registering fills username and
    password_hash on the same row, so the id, and everything keyed by it, stays."""
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username", name="uq_users_username"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Lower-case, unique; None for a guest.
    username: Mapped[Optional[str]] = mapped_column(String(32), default=None)
    password_hash: Mapped[Optional[str]] = mapped_column(String(255), default=None)
    registered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, default=None)
    # "Hide my network address from people I have not verified"; None: never chosen,
    # the admin default RELAY_FOR_STRANGERS applies (tlightchat/privacy.py).
    hide_address: Mapped[Optional[bool]] = mapped_column(Boolean, default=None)
    # The language chosen on a page's menu while signed in (web/i18n.py); None: never chose.
    locale: Mapped[Optional[str]] = mapped_column(String(8), default=None)

    @property
    def is_account(self):
        return self.username is not None


# Message kinds: what a person wrote, and the call events the calls feature records
# (call-joined / call-left: a party of a group call, in the group's conversation;
# file-sent: a file sent in a call, issue 29).
MESSAGE_KINDS = ("text", "call-started", "call-ended", "call-missed", "call-declined",
                 "call-joined", "call-left", "file-sent")


class Conversation(Base):
    """One per pair of users, whoever wrote first: user_a < user_b (the sorted pair)."""
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("user_a", "user_b", name="uq_conversations_pair"),
                      # PostgreSQL compares in code points, like Python (migration 0006)
                      CheckConstraint("user_a <= user_b", name="ck_conversations_sorted"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_a: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    user_b: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)
    # Per side: the newest message id that side has received (delivered) and read.
    a_delivered: Mapped[int] = mapped_column(Integer, default=0)
    a_read: Mapped[int] = mapped_column(Integer, default=0)
    b_delivered: Mapped[int] = mapped_column(Integer, default=0)
    b_read: Mapped[int] = mapped_column(Integer, default=0)


class GroupConversation(Base):
    """The conversation of a group call's users (issue 26, migration 0010): made by the
    server when a call gets its third party, one per call. `key` is its id on the wire
    (`conversationId`, chat/groups.py derives it from the call id)."""
    __tablename__ = "group_conversations"
    __table_args__ = (UniqueConstraint("key", name="uq_group_conversations_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)


class GroupMember(Base):
    """A user of a group conversation, with that user's marks (the newest message id
    they have received and read). Rows are only added: a party that left stays a member."""
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("group_conversations.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    read: Mapped[int] = mapped_column(Integer, default=0)


class Message(Base):
    """A message or a call event. `id` grows with every insert and is the history cursor;
    (sender_id, client_msg_id) is unique, which is what makes a resend harmless.
    A pair's message has conversation_id and recipient_id; a group's has group_id only."""
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("sender_id", "client_msg_id", name="uq_messages_sender_client_id"),
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        Index("ix_messages_group_id_id", "group_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("conversations.id"))
    group_id: Mapped[Optional[int]] = mapped_column(ForeignKey("group_conversations.id"),
                                                    default=None)
    sender_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recipient_id: Mapped[Optional[str]] = mapped_column(ForeignKey("users.id"))
    client_msg_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="text")
    # Markdown source as written.
    body: Mapped[str] = mapped_column(Text, default="")
    # The body rendered to safe HTML once, when stored (chat/markdown.py), so reads never
    # render (migration 0007 rendered the rows stored before). None only for a row
    # written by a node of the previous version: shown as plain text.
    html: Mapped[Optional[str]] = mapped_column(Text, default=None)
    # Call events: {"callId", "durationMs"?, ...}; None for text.
    meta: Mapped[Optional[dict]] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrustMark(Base):
    """One user's mark on a peer: the safety code they compared and whether it matched
    (verified). Each side of a pair marks for itself; a later call whose code is not
    `code` warns instead of showing the mark."""
    __tablename__ = "trust_marks"
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    peer_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    verified: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AccountSession(Base):
    """One signed-in browser of an account (migration 0007): the cookie carries a random
    token, the row its SHA-256 (a copy of this table opens no session). Deleting the row
    ends that session on the next request or connect (tlightchat/sessions.py)."""
    __tablename__ = "account_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HealthProbe(Base):
    """One row, rewritten by the readiness check: a database that cannot take this
    write cannot take a chat message either (disk full, read-only file or mount)."""
    __tablename__ = "health_probe"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    checked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), nullable=True)


# -- Safety (issue 35, tlightchat/safety/): blocks, per-user rules, reports, bans ------
class Block(Base):
    """`user_id` blocked `peer_id`: neither sees the other in the lobby, the peer cannot
    ring or write to the user, and the peer's messages are hidden for the user."""
    __tablename__ = "safety_blocks"
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    peer_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SafetySettings(Base):
    """Who may ring / start a chat with the user (None: the operator's default,
    SAFETY_RING_DEFAULT / SAFETY_CHAT_DEFAULT), and do not disturb until when."""
    __tablename__ = "safety_settings"
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    ring_policy: Mapped[Optional[str]] = mapped_column(String(16), default=None)
    chat_policy: Mapped[Optional[str]] = mapped_column(String(16), default=None)
    dnd_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, default=None)
    # Invisible: sees the lobby, is in nobody's view, is rung as if offline.
    invisible: Mapped[bool] = mapped_column(Boolean, default=False)
    # An operator's warning the user has not dismissed yet (migration 0013): shown on
    # their open pages at once and at each page load until they dismiss it.
    warning: Mapped[Optional[str]] = mapped_column(Text, default=None)
    warned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, default=None)


class Report(Base):
    """A person (and what the reporter chose to attach: messages of their conversation,
    copied as they were) reported to the operators (/admin)."""
    __tablename__ = "safety_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[Optional[list]] = mapped_column(JSON, default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, closed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Sanction(Base):
    """An operator's suspension (until a time) or ban (until None) of a user: their
    sessions end at once and they cannot connect or sign in while it lasts."""
    __tablename__ = "safety_sanctions"
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # suspend, ban
    until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OperatorAction(Base):
    """Who did what on /admin: the log operators read (and the metrics count)."""
    __tablename__ = "safety_operator_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))  # warn, suspend, ban, lift, dismiss
    target_id: Mapped[Optional[str]] = mapped_column(String(64), default=None)
    report_id: Mapped[Optional[int]] = mapped_column(Integer, default=None)
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- reach (issue 27): call links ------------------------------------------------------

class CallLink(Base):
    """A link that rings its maker's slot (tlightchat/reach/links.py). The URL carries a
    random token of 192 bits; the row keeps only its SHA-256 (a copy of this table rings
    nobody). `expires_at` None: until the maker revokes it."""
    __tablename__ = "call_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    # The slot it rings: by id while that anchor lives, then by its name.
    anchor_id: Mapped[str] = mapped_column(String(64))
    anchor_name: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, default=None)


class PushSubscription(Base):
    """One browser's Web Push subscription (tlightchat/reach/push.py): where its push
    service takes messages for it and the keys that encrypt them (RFC 8291). Deleted
    when the push service answers 404 or 410, or the person turns it off."""
    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))  # the browser's P-256 key, base64url
    auth: Mapped[str] = mapped_column(String(40))     # its 16-byte auth secret, base64url
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeviceRing(Base):
    """A link's ring on its maker's devices (Web Push; tlightchat/reach/links.py): kept
    here, not in a node's memory, so that Decline, Accept, a block or the visitor's page
    asking again finds it on whichever node of a cluster they reach. `id` is the ring's
    opaque id (the only thing the devices are sent besides the caller's name); `state`
    is ringing, answered (the maker's page took the call: Accept still finds who rang)
    or declined (the visitor's next `link:open` hears it once). Rows past `until` are
    swept when the next ring is made."""
    __tablename__ = "device_rings"
    __table_args__ = (
        Index("ix_device_rings_link_visitor", "token_hash", "visitor_id"),
        # one ringing ring per visitor and link, whichever node stores it
        Index("uq_device_rings_ringing", "token_hash", "visitor_id", unique=True,
              sqlite_where=text("state = 'ringing'"), postgresql_where=text("state = 'ringing'")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))  # the link's (call_links.token_hash)
    maker_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    visitor_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="ringing")
    until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
