"""What `python app.py` loads before its first client (issue 33.3): with the default setup
(SQLite, one process, no Redis, no PostgreSQL, no metrics, no TURN) none of the
libraries only another setup needs is imported, on a first start (the migrations run in
a forked child) as on a restart (the database is at the newest migration: none run). Each of
them cost the server's memory before any client (bench/startup_rss.py)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from e2e.services import free_port, wait_http
from tlightchat.db import Database, head_revision

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# `python app.py` as it is, plus one OS thread (started before eventlet patches anything)
# that writes sys.modules to argv[1] once a byte arrives on stdin.
DUMPING_APP = """
import _thread, json, os, runpy, sys
out = sys.argv[1]
sys.argv = ["app.py"]
def dump():
    os.read(0, 1)
    with open(out + ".part", "w") as f:
        json.dump(sorted(sys.modules), f)
    os.replace(out + ".part", out)
_thread.start_new_thread(dump, ())
runpy.run_path("app.py", run_name="__main__")
"""

NOT_AT_START = [
    "alembic", "mako", "pygments",              # migrations: at head, or run in a child
    "prometheus_client", "tlightchat.metrics",  # METRICS_ENABLED is off
    "aioice",                                   # the TURN check: no TURN configured
    "redis", "valkey", "tlightchat.cluster.member", "tlightchat.cluster.log",
    "tlightchat.cluster.direct", "tlightchat.cluster.nodes",  # no REDIS_URL
    "psycopg", "psycopg2",                      # SQLite
    "aiohttp", "requests", "websocket",         # python-socketio's client transports
    "OpenSSL",                                  # eventlet's pyOpenSSL support
    "markdown_it", "nh3",                       # chat Markdown: at the first message
]


@pytest.fixture(scope="module", params=["first start", "restart"])
def started(request):
    """(modules after start and a page view, database URL): on a fresh database (the
    migrations run in a child) and on one at the newest migration (they do not run)."""
    home = tempfile.mkdtemp(prefix="tlc-startup-")
    url = f"sqlite:///{home}/db.sqlite3"
    if request.param == "restart":
        Database(url).migrate()
    port, out = free_port(), os.path.join(home, "modules.json")
    env = {**os.environ, "TLC_ENV": "production", "TLC_SECRET_KEY": "s" * 64,
           "TLC_HOST": "127.0.0.1", "TLC_PORT": str(port), "TLC_DATABASE_URL": url,
           "TLC_ASYNC_MODE": "eventlet", "PYTHONUNBUFFERED": "1"}
    for key in ("TLC_REDIS_URL", "TLC_METRICS_ENABLED", "TLC_TURN_URLS", "TLC_CONFIG_FILE"):
        env.pop(key, None)
    log = open(os.path.join(home, "server.log"), "wb")
    proc = subprocess.Popen([sys.executable, "-c", DUMPING_APP, out], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=45.0, proc=proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as r:
            assert r.status == 200  # a first page view: what it needs is in too
        proc.stdin.write(b"x")
        proc.stdin.flush()
        deadline = time.monotonic() + 30
        while not os.path.exists(out):
            assert proc.poll() is None and time.monotonic() < deadline, "no module list"
            time.sleep(0.02)
        with open(out, encoding="utf-8") as f:
            yield set(json.load(f)), url
    finally:
        proc.kill()  # nothing to keep; a graceful stop here takes the whole STOP_TIMEOUT
        proc.wait()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def test_the_default_setup_imports_none_of_the_optional_libraries(started):
    modules, url = started
    assert "tlightchat.realtime.hub" in modules  # the list is the server's
    assert sorted(n for n in NOT_AT_START if n in modules) == []
    db = Database(url)
    assert db.at_head()  # migrated all the same
    db.dispose()


def test_head_revision_is_alembics_head():
    from alembic.script import ScriptDirectory

    from tests.support.storage import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def test_head_revision_is_none_when_the_chain_is_not_one_line(tmp_path):
    (tmp_path / "a.py").write_text('revision = "a"\ndown_revision = None\n')
    (tmp_path / "b.py").write_text('revision = "b"\ndown_revision = "a"\n')
    assert head_revision(str(tmp_path)) == "b"
    (tmp_path / "c.py").write_text('revision = "c"\ndown_revision = "a"\n')  # a branch
    assert head_revision(str(tmp_path)) is None
    (tmp_path / "c.py").write_text('revision = "c"\ndown_revision = ("a", "b")\n')  # a merge
    assert head_revision(str(tmp_path)) is None


def test_at_head_only_when_the_database_says_the_newest(tmp_path):
    from alembic import command

    from tests.support.storage import alembic_config

    db = Database(f"sqlite:///{tmp_path}/db.sqlite3")
    assert not db.at_head()  # empty: no alembic_version table
    db.migrate()
    assert db.at_head()
    with db.engine.begin() as c:
        command.downgrade(alembic_config(c), "-1")
    assert not db.at_head()
    db.dispose()
