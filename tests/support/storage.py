"""Storage helpers: alembic's configuration for a database URL."""
from alembic.config import Config
from tlightchat.db import MIGRATIONS


def alembic_config(connection):
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.attributes["connection"] = connection
    return cfg


def rows_naming(app, user_id):
    """Every row of every table of `app`'s database in which `user_id` appears (a string
    column, or inside a JSON one): [(table, row)]."""
    import json

    from sqlalchemy import MetaData, select

    db = app.extensions["tlightchat"].db
    found = []
    with db.engine.connect() as c:
        meta = MetaData()
        meta.reflect(bind=c)
        for table in meta.sorted_tables:
            for row in c.execute(select(table)).mappings():
                if any(user_id in (value if isinstance(value, str) else json.dumps(value))
                       for value in row.values() if isinstance(value, (str, list, dict))):
                    found.append((table.name, dict(row)))
    return found
