"""Configuration layering and the production safety check."""
import pytest

from tlightchat import DEV_SECRET, create_app


def test_environment_variables_override_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("TLC_RING_TIMEOUT", "3")
    monkeypatch.setenv("TLC_ICE_SERVERS", '[{"urls": "stun:a.example:3478"}]')
    monkeypatch.setenv("TLC_TRANSPORTS", "polling")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/c.db"})
    assert app.config["RING_TIMEOUT"] == 3
    assert app.config["ICE_SERVERS"] == [{"urls": "stun:a.example:3478"}]
    assert app.config["TRANSPORTS"] == ["polling"]


def test_database_url_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TLC_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    create_app()
    assert (tmp_path / "env.db").exists()


def test_config_file_layer(tmp_path, monkeypatch):
    cfg = tmp_path / "site.py"
    cfg.write_text("MAX_ANCHORS_PER_CLIENT = 3\n")
    monkeypatch.setenv("TLC_CONFIG_FILE", str(cfg))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/c.db"})
    assert app.config["MAX_ANCHORS_PER_CLIENT"] == 3


def test_production_refuses_the_development_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("TLC_ENV", "production")
    monkeypatch.delenv("TLC_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "SECRET_KEY": DEV_SECRET})
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "SECRET_KEY": "x" * 40})
    assert app.config["ENV_NAME"] == "production"


def test_a_fresh_database_is_created_and_migrated(tmp_path):
    from sqlalchemy import inspect
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db"})
    tables = inspect(app.extensions["tlightchat"].db.engine).get_table_names()
    assert "users" in tables and "alembic_version" in tables
    create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db"})  # second start: no error
