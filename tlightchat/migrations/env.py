"""Alembic environment: the connection is handed in by tlightchat.db.Database.migrate,
or made from TLC_DATABASE_URL when alembic is run by hand."""
import os

from alembic import context
from sqlalchemy import create_engine

from tlightchat.db import Base


def run(connection):
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = os.environ.get("TLC_DATABASE_URL", "sqlite:///instance/tlightchat.sqlite3")
    with create_engine(url).connect() as own:
        run(own)
        own.commit()
