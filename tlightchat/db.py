"""Storage: SQLAlchemy models, one engine per app, Alembic migrations at start-up.

Any SQLAlchemy URL works (TLC_DATABASE_URL); the default is an SQLite file in the
instance folder. `init_app` brings the schema to the newest migration, so a fresh
database is created on first run and an old one is upgraded.
"""
import os
from contextlib import contextmanager
from datetime import datetime, timezone

from alembic import command
from alembic.config import Config
from sqlalchemy import DateTime, String, create_engine, event, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def utcnow():
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Database:
    def __init__(self, url):
        self.url = url
        kwargs = {}
        if url.startswith("sqlite"):
            # One connection may be used by several green threads in turn.
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        self.engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self):
        cfg = Config()
        cfg.set_main_option("script_location", MIGRATIONS)
        with self.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

    @contextmanager
    def session(self):
        """A unit of work: committed when the block ends, rolled back on error."""
        session = self.Session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def reachable(self):
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA synchronous=FULL")  # a commit survives a crash
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app):
    url = app.config.get("DATABASE_URL")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "tlightchat.sqlite3")
    db = Database(url)
    db.migrate()
    app.extensions["tlc_db"] = db
    return db
