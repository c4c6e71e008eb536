"""Storage: SQLAlchemy models, engines per app, Alembic migrations at start-up.

Two databases are supported and tested (tests/conftest.py runs every storage test on
both): SQLite, the default (a file in the instance folder, one process), and PostgreSQL
(`TLC_DATABASE_URL=postgresql+psycopg://user:password@host/db`), the database several
processes or machines share. `open_database` brings the schema to the newest migration,
so a fresh database is created on first run and an old one is upgraded; on PostgreSQL an
advisory lock makes nodes that start together migrate one after the other.

Per dialect: SQLite gets WAL, synchronous=FULL and foreign keys on every connection (the
durability PostgreSQL has by default); PostgreSQL sessions get synchronous_commit=on (a
commit is on disk before we ack, whatever the server's default) and a lock timeout
like SQLite's busy timeout.

The chat group commit writes through an engine of its own (`writer`), and first-use
guests through another (`guest_writer`), each used by one thread at a time, so their
batches can run in a real OS thread (worker.run_blocking) while the event loop keeps the
main engine.

Under eventlet, psycopg's C wait function (its default unless *gevent* patched
`select`) would block the whole process in poll() for every query; `_cooperative_psycopg`
switches it to psycopg's select()-based wait, which eventlet makes cooperative.
"""
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from alembic import command
from alembic.config import Config
from typing import Optional

from sqlalchemy import (JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String,
                        Text, TypeDecorator, UniqueConstraint, create_engine, event)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from .sqlite_files import widen
from .worker import run_blocking

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


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


# Message kinds: what a person wrote, and the call events the calls feature records.
MESSAGE_KINDS = ("text", "call-started", "call-ended", "call-missed", "call-declined")


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


class Message(Base):
    """A message or a call event. `id` grows with every insert and is the history cursor;
    (sender_id, client_msg_id) is unique, which is what makes a resend harmless."""
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("sender_id", "client_msg_id", name="uq_messages_sender_client_id"),
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    sender_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recipient_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
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


# Nodes that start together take this lock in turn to migrate (PostgreSQL).
MIGRATION_LOCK = 0x7C5A1E


def _cooperative_psycopg():
    """Measured: a 4-node cluster on PostgreSQL spent 10% of each node's time inside
    psycopg's C wait, every other connection stalled meanwhile."""
    if "eventlet" not in sys.modules:
        return
    from eventlet import patcher

    if patcher.is_monkey_patched("select"):
        from psycopg import waiting

        waiting.wait, waiting._ready = waiting.wait_select, waiting._ready_select


class Database:
    def __init__(self, url, blocking=run_blocking):
        self.url = url
        self.dialect = make_url(url).get_backend_name()  # "sqlite", "postgresql", ...
        if self.dialect == "postgresql":
            _cooperative_psycopg()
        self.engine = self._engine(url)
        in_memory = self.dialect == "sqlite" and make_url(url).database in (None, "", ":memory:")
        # The SQLite file: its -wal and -shm get its modes at start and in recycle()
        # (sqlite_files.py: a node fixed after a read-only fault starts writable).
        self.path = make_url(url).database if self.dialect == "sqlite" and not in_memory else None
        self._widen_side_files()
        # The group commits' engines (chat messages; first-use guests): one connection
        # each, each used by one thread at a time.
        self.writer = self.engine if in_memory else self._engine(url, pool_size=1)
        self.guest_writer = self.engine if in_memory else self._engine(url, pool_size=1)
        self._suspect_writers = set()
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.blocking = blocking  # blocking(fn, *args): fn off the event loop
        self.suspect = False      # a storage fault was seen: reconnect before next use
        self.faulted_at = None    # time.monotonic() of the newest fault

    def _engine(self, url, **pool):
        # PostgreSQL: pre_ping replaces a pooled connection that died (server restarted)
        # before use instead of failing the request that drew it. An SQLite connection
        # does not die (a storage fault recycles the pool: `recycle`).
        kwargs = {"pool_pre_ping": self.dialect != "sqlite", **pool}
        if self.dialect == "sqlite":
            # One connection may be used by several green threads in turn.
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        elif self.dialect == "postgresql" and "options" not in make_url(url).query:
            kwargs["connect_args"] = {"connect_timeout": 10, "options":
                                      "-c synchronous_commit=on -c lock_timeout=15000"}
        engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    def insert(self, table):
        """INSERT with ON CONFLICT clauses (on_conflict_do_nothing / _do_update), in
        this database's dialect."""
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def migrate(self):
        cfg = Config()
        cfg.set_main_option("script_location", MIGRATIONS)
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":  # held until this transaction ends
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

    @contextmanager
    def session(self):
        """A unit of work: committed when the block ends, rolled back on error."""
        if self.suspect:
            self.recycle()
        session = self.Session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def writing(self, engine=None):
        """A transaction on a writer engine (Core; the chat writer unless told):
        committed when the block ends. Only its group commit uses it, one batch at a
        time, possibly in an OS thread."""
        engine = engine or self.writer
        if engine in self._suspect_writers:
            self._suspect_writers.discard(engine)
            engine.dispose()
        with engine.begin() as connection:
            yield connection

    def probe(self):
        """(ok, reason): can the database be read and written right now? One upsert
        of the probe row, so it works on a database whose row is missing too."""
        try:
            now = utcnow()
            with self.session() as s:
                s.execute(self.insert(HealthProbe).values(id="ready", checked_at=now)
                          .on_conflict_do_update(index_elements=["id"],
                                                 set_={"checked_at": now}))
            return True, "ok"
        except Exception as err:
            self.faulted()
            return False, describe_fault(err)

    def faulted(self):
        """A storage fault was seen: the next unit of work starts on fresh connections."""
        self.suspect = True
        self._suspect_writers.update((self.writer, self.guest_writer))
        self.faulted_at = time.monotonic()

    def dispose(self):
        """Close every pooled connection of every engine (tests that drop a database)."""
        for engine in {self.engine, self.writer, self.guest_writer}:
            engine.dispose()

    def recycle(self):
        """Drop every pooled connection: the next use opens a fresh one. SQLite: a
        connection opened while the file was read-only stays read-only after the file
        is fixed (measured: every send failed until a restart). PostgreSQL: after a
        server restart or fail-over every pooled connection is dead. Either way
        recovering needs new connections, not retries. (The writer engine is recycled
        by its own thread, in `writing`.)"""
        self.suspect = False
        self._widen_side_files()
        self.engine.dispose()

    def _widen_side_files(self):
        if self.path:
            widen(self.path)


def describe_fault(err):
    """One line for a storage error: its class and the driver's first line."""
    original = getattr(err, "orig", None) or err
    first = str(original).strip().splitlines()[0] if str(original).strip() else ""
    return f"{type(original).__name__}: {first}"[:200]


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA synchronous=FULL")  # a commit survives a crash
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_database(app):
    """The app's database (DATABASE_URL, or SQLite in the instance folder), migrated."""
    url = app.config.get("DATABASE_URL")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "tlightchat.sqlite3")
    db = Database(url)
    db.migrate()
    return db
