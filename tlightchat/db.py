"""Storage: engines per app, sessions, Alembic migrations at start-up. The models are
models.py, re-exported here (`from tlightchat.db import User` keeps working).

Two databases are supported and tested (tests/conftest.py runs every storage test on
both): SQLite, the default (a file in the instance folder, one process), and PostgreSQL
(`TLC_DATABASE_URL=postgresql+psycopg://user:password@host/db`), the database several
processes or machines share. `open_database` brings the schema to the newest migration,
so a fresh database is created on first run and an old one is upgraded; on PostgreSQL an
advisory lock makes nodes that start together migrate one after the other. A database
already at the newest migration (every restart) is told by one SELECT, and Alembic is
then not even imported (11 MiB of the server's memory, issue 33.3).

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
import re
import sys
import time
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from .models import (MESSAGE_KINDS, AccountSession, Base, Conversation,  # noqa: F401
                     HealthProbe, Message, TrustMark, User, UTCDateTime, utcnow)
from .sqlite_files import widen
from .worker import run_blocking

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


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

    def at_head(self):
        """Is the schema at the newest migration already? One SELECT of Alembic's own
        table; False whenever unsure (no table, several heads): then `migrate` runs."""
        head = head_revision()
        if head is None:
            return False
        try:
            with self.engine.connect() as connection:
                rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                return [row[0] for row in rows] == [head]
        except SQLAlchemyError:
            return False

    def migrate(self):
        from alembic import command
        from alembic.config import Config

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
    def reading(self):
        """A connection for a read on a hot path: Core, no ORM unit of work, for a
        statement built once and given its values (safety/data.py chat_facts: the ORM
        session and building the statement anew cost 10x the query itself)."""
        if self.suspect:
            self.recycle()
        with self.engine.connect() as connection:
            yield connection

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


_REVISION = re.compile(r"^revision\s*=\s*[\"'](\w+)[\"']\s*$", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:[\"'](\w+)[\"']|None)\s*(?:#.*)?$", re.M)


def head_revision(versions=os.path.join(MIGRATIONS, "versions")):
    """The newest migration's id, read from the files without Alembic: the one
    revision no other revises. None when the files say anything else (a merge, a
    branch, a line this does not read): the caller then asks Alembic."""
    revisions, revised = set(), set()
    for name in os.listdir(versions):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(versions, name), encoding="utf-8") as f:
            text = f.read()
        rev, down = _REVISION.findall(text), _DOWN.findall(text)
        if len(rev) != 1 or len(down) != 1:
            return None
        revisions.add(rev[0])
        revised.update(d for d in down if d)
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 and revised <= revisions else None


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


def migrate_here(db):
    db.migrate()


def migrate_apart(db):
    """`python app.py` on a database behind the newest migration (a first start, an
    upgrade): the migrations run in a forked child, so the serving process never loads
    Alembic (11 MiB, issue 33.3). A child cannot reach an in-memory database, and some
    systems have no fork: those migrate here."""
    if (db.path is None and db.dialect == "sqlite") or not hasattr(os, "fork"):
        return db.migrate()
    db.dispose()  # no connection crosses the fork
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            Database(db.url).migrate()
            code = 0
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the migrations of {make_url(db.url)!r} failed (above)")


def open_database(app, migrate=migrate_here):
    """The app's database (DATABASE_URL, or SQLite in the instance folder), migrated
    (by `migrate`, when it is not at the newest migration already)."""
    url = app.config.get("DATABASE_URL")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "tlightchat.sqlite3")
    db = Database(url)
    if not db.at_head():
        migrate(db)
    return db
