"""Storage helpers: alembic's configuration for a database URL."""
from alembic.config import Config
from tlightchat.db import MIGRATIONS


def alembic_config(connection):
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.attributes["connection"] = connection
    return cfg
