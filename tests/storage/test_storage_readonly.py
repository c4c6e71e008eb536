"""A read-only SQLite database file, fixed while the server runs (issue 24, item 6).

Tests run as root, and file modes do not stop root: the server process (python app.py)
is started through util-linux `setpriv` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
dropped from its bounding and inheritable sets, so the kernel checks the owner's mode
bits for it as for any user. A connection that already has the file open keeps writing
whatever its mode becomes, so the fault is made where it bites: the node starts while
the database file is 0444. Sends are then `unavailable`, readiness 503, liveness 200;
the file is made 0644 again, and the same process must take writes and say ready
within a bounded wait, and still do after a restart.

What fails without each part: without Database.faulted recycling the pools, sends stay
`unavailable` after the fix (a connection SQLite opened read-only stays so); without
sqlite_files.widen, the node recovers but its next start is read-only for good,
because SQLite made the -shm 0444 like the database while it was read-only.
"""
import os
import shutil
import sqlite3
import subprocess

import pytest
import requests
import socketio

from e2e.conftest import Server
from e2e.services import wait_for
from tlightchat.sqlite_files import widen

from tests.support.processes import Person

NO_DAC = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
          "--bounding-set=-dac_override,-dac_read_search"]


def modes_bind(tmp_path):
    """Whether a process started through NO_DAC is refused a write to a 0444 file."""
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0o444)
    try:
        run = subprocess.run([*NO_DAC, "sh", "-c", f"echo y >> {probe}"],
                             capture_output=True, text=True)
    finally:
        probe.chmod(0o644)
    return run.returncode != 0


@pytest.fixture
def unprivileged(tmp_path):
    if shutil.which("setpriv") is None:
        pytest.skip("util-linux setpriv is not installed")
    if not modes_bind(tmp_path):
        pytest.skip("file modes do not stop a process here, even without CAP_DAC_*")
    srv = Server(wrapper=NO_DAC, env={
        "TLC_LOG_LEVEL": "INFO", "TLC_STORAGE_FAULT_LOG_INTERVAL": "60",
        "TLC_CHAT_RATE_PER_SECOND": "1000", "TLC_CHAT_RATE_BURST": "1000"})
    srv.db_path = srv.env["TLC_DATABASE_URL"].removeprefix("sqlite:///")
    yield srv
    for path in db_files(srv):
        os.chmod(path, 0o644)
    srv.stop()
    srv.cleanup()


def db_files(srv):
    return [p for p in (srv.db_path, srv.db_path + "-wal", srv.db_path + "-shm")
            if os.path.exists(p)]


def send(person, to, cid):
    return person.ask("chat:send", {"to": to.id, "clientMsgId": cid, "text": cid})


def status(srv, path):
    return requests.get(srv.url + path, timeout=5).status_code


def modes(srv):
    return {f: oct(os.stat(f).st_mode & 0o777) for f in db_files(srv)}


def test_a_read_only_database_file_is_recovered_from_without_a_restart(unprivileged):
    # A write goes through a connection that has the file open for writing, whatever
    # its mode now: the fault bites connections opened while it lasts, as after a
    # (supervisor's) restart. So: stop, make the file read-only, start.
    srv = unprivileged.start()
    alice, bob = Person(srv.url), Person(srv.url)
    assert send(alice, bob, "before")["ok"]
    for person in (alice, bob):
        person.sio.disconnect()
    srv.stop()
    last = sqlite3.connect(srv.db_path)  # the last connection out removes -wal and -shm
    last.execute("SELECT count(*) FROM sqlite_master").fetchall()
    last.close()
    assert db_files(srv) == [srv.db_path]
    os.chmod(srv.db_path, 0o444)
    srv.start(health="/healthz/live")
    pid = srv.proc.pid
    for person in (alice, bob):  # known guests: connecting reads, it does not write
        person.connect()

    refused = [send(alice, bob, f"during{i}") for i in range(5)]
    assert [r["ok"] for r in refused] == [False] * 5, refused
    assert {r["error"]["code"] for r in refused} == {"unavailable"}
    assert status(srv, "/healthz/ready") == 503
    assert status(srv, "/healthz/live") == 200
    with pytest.raises(socketio.exceptions.ConnectionError):
        Person(srv.url)  # a new visitor's guest row: a connection of the guest writer

    os.chmod(srv.db_path, 0o644)  # the operator fixes the file they broke
    # The outbox resends every retryAfterMs: one comes through within a bounded wait,
    # with readiness, in the same process (failed before Database.faulted recycled the
    # pools: a connection opened while the file was read-only stays read-only).
    wait_for(lambda: send(alice, bob, "after")["ok"], 10,
             "a send is stored again once the file is writable")
    wait_for(lambda: status(srv, "/healthz/ready") == 200, 10,
             "readiness comes back once the file is writable")
    resent = [send(alice, bob, f"during{i}") for i in range(5)]
    assert all(r["ok"] and not r["duplicate"] for r in resent), resent
    assert srv.proc.pid == pid and srv.proc.poll() is None, "recovered without a restart"

    # ... and stays writable across a restart: SQLite made the -shm 0444 like the
    # database while it was read-only (failed before sqlite_files.widen: ready 503).
    for person in (alice, bob):
        person.sio.disconnect()
    srv.stop()
    srv.start(health="/healthz/live")
    for person in (alice, bob):
        person.connect()
    wait_for(lambda: status(srv, "/healthz/ready") == 200, 10,
             f"ready after a restart (modes: {modes(srv)})")
    assert send(alice, bob, "restarted")["ok"]
    assert set(modes(srv).values()) == {"0o644"}
    assert bob.history(alice.id) == \
        ["before", "after"] + [f"during{i}" for i in range(5)] + ["restarted"]
    for person in (alice, bob):
        person.sio.disconnect()


def test_side_files_only_gain_the_database_files_bits(tmp_path):
    db = tmp_path / "x.sqlite3"
    for path, mode in ((db, 0o444), (tmp_path / "x.sqlite3-wal", 0o644),
                       (tmp_path / "x.sqlite3-shm", 0o400)):
        path.write_text("")
        path.chmod(mode)
    widen(str(db))  # while the database is read-only: nothing is taken away
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()} == \
        {"x.sqlite3": "0o444", "x.sqlite3-wal": "0o644", "x.sqlite3-shm": "0o444"}
    db.chmod(0o644)
    widen(str(db))
    assert {oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()} == {"0o644"}
