"""Unit and test_client fixtures: a fresh app and database per test, real Socket.IO
test clients that share a browser's session cookie (so identity works as in a browser).

Storage tests (modules or tests marked `storage`) run twice, on SQLite and on a real
PostgreSQL server (tests/support/pgserver.py) that this session starts in a temp dir and stops at
the end; each test gets a fresh database. Everything else runs on SQLite only.

The tests are grouped by the layer they exercise: store/ (reducers, selectors, the
emitter tree), realtime/ (socket handlers, calls, lobby, privacy, SDP), protocol/
(docs/protocol.md against the code, from outside), chat/, web/ (pages, accounts, static
files, the browser's modules under node), storage/ (both databases, faults), server/
(the real process: entry point, stop, logs, metrics, deployment files), abuse/ (hostile
input per layer, fuzzing), cluster/ (nodes on a real Redis). Helpers that tests of more
than one file use live in support/; no test module imports another.
"""
import os

import pytest

os.environ.setdefault("TLC_ENV", "testing")

from tlightchat import create_app  # noqa: E402
from tests.support.clients import FakeClock, Tab


@pytest.fixture(autouse=True)
def lobby_deltas_match_a_full_scan(monkeypatch):
    """Every dispatch in every test: the fast lobby diff (it trusts actions to name the
    entries they change) finds exactly what a full scan of the slices finds."""
    import json

    from tlightchat.realtime import outgoing as events

    from tests.support.reference_lobby import full_scan_lobby_deltas

    fast = events._lobby_deltas

    def checked(action, prev, nxt):
        got = fast(action, prev, nxt)
        key = lambda m: (m[1], json.dumps(m[2], sort_keys=True))  # noqa: E731
        want = full_scan_lobby_deltas(prev, nxt)
        assert sorted(map(key, got)) == sorted(map(key, want)), action["type"]
        return got

    monkeypatch.setattr(events, "_lobby_deltas", checked)


def pytest_configure(config):
    config.addinivalue_line("markers", "storage: runs on SQLite and on PostgreSQL "
                            "(the database_url fixture)")


def pytest_generate_tests(metafunc):
    if not metafunc.definition.get_closest_marker("storage"):
        return
    chosen = {n.strip() for m in metafunc.definition.iter_markers("parametrize")
              for n in (m.args[0].split(",") if isinstance(m.args[0], str) else m.args[0])}
    for name in ("database_url", "empty_database_url"):
        if name in metafunc.fixturenames and name not in chosen:  # else: the test chose
            metafunc.parametrize(name, ["sqlite", "postgresql"], indirect=True)
            return


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """One PostgreSQL server for the session (unix socket in its temp dir), or a skip
    saying how to get one."""
    from tests.support.pgserver import running

    yield from running(pytest.skip)


@pytest.fixture
def database_url(request, tmp_path):
    """A fresh database for this test: an SQLite file (create_app or migrate() makes
    its tables), or (storage tests' second run) a database of its own on the session's
    PostgreSQL server, copied from a migrated template and dropped afterwards."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path}/test.sqlite3"
        return
    server = request.getfixturevalue("postgres")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def empty_database_url(request, tmp_path):
    """Like database_url, but not migrated (for migration tests)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.sqlite3"
        return
    server = request.getfixturevalue("postgres")
    name = server.create_database(migrated=False)
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def app(database_url):
    return create_app({"DATABASE_URL": database_url, "TESTING": True})


@pytest.fixture
def life(app):
    """The socket life cycle (realtime/lifecycle.py): disconnect, tick, the store."""
    return app.extensions["tlightchat"].life


@pytest.fixture
def clock(life):
    fake = FakeClock()
    life.ctx.clock = fake
    for bucket in life.connections.buckets.values():
        bucket.clock = fake
    return fake


@pytest.fixture
def tab(app):
    """tab() opens a new browser (new guest) with one connected tab."""
    return lambda: Tab(app)


@pytest.fixture
def pair(tab, clock):
    """Ann and Bob in two browsers, each with one online anchor, inboxes cleared."""
    ann, bob = tab(), tab()
    ann.anchor, bob.anchor = ann.new_anchor("Ann slot"), bob.new_anchor("Bob slot")
    ann.clear(), bob.clear()
    return ann, bob
