"""A database that stops taking writes, with the real server process (python app.py).

The fault: the database's write-ahead log made immutable (`chattr +i`), which no
process, root included, can write: every commit fails as it would on a read-only file
or mount. While it lasts: readiness is 503 with the reason, each chat send is refused
with the documented `unavailable` + `retryAfterMs` (not `internal`), and the log says so
once per interval with a count, never a traceback per request. Once the file is
writable again the same process serves writes again: no restart.
"""
import os
import subprocess

import pytest
import requests

from e2e.conftest import Server
from e2e.services import wait_for

from tests.support.processes import Person


def chattr(flag, path):
    return subprocess.run(["chattr", flag, path], capture_output=True, text=True)


# SQLite only: the fault is made by making the SQLite write-ahead log file immutable;
# a PostgreSQL server keeps its files to itself (its faults are a server that is down
# or read-only, which pre_ping and Database.recycle handle).
@pytest.fixture
def faulty():
    srv = Server(env={"TLC_LOG_LEVEL": "INFO", "TLC_STORAGE_FAULT_LOG_INTERVAL": "60",
                      "TLC_CHAT_RATE_PER_SECOND": "1000", "TLC_CHAT_RATE_BURST": "1000"})
    srv.wal = srv.env["TLC_DATABASE_URL"].removeprefix("sqlite:///") + "-wal"
    yield srv
    chattr("-i", srv.wal)
    srv.stop()
    srv.cleanup()


def send(person, to, cid):
    return person.ask("chat:send", {"to": to.id, "clientMsgId": cid, "text": cid})


def test_a_read_only_database_is_reported_refused_and_recovered_from(faulty):
    srv = faulty.start()
    alice, bob = Person(srv.url), Person(srv.url)
    assert send(alice, bob, "before")["ok"]
    assert os.path.exists(srv.wal)
    made = chattr("+i", srv.wal)
    if made.returncode != 0:
        pytest.skip(f"this filesystem cannot make a file immutable: {made.stderr.strip()}")
    pid = srv.proc.pid

    refused = [send(alice, bob, f"during{i}") for i in range(20)]
    assert [r["ok"] for r in refused] == [False] * 20
    assert {r["error"]["code"] for r in refused} == {"unavailable"}
    assert all(r["error"]["retryAfterMs"] > 0 for r in refused)

    ready = requests.get(srv.url + "/healthz/ready", timeout=5)
    assert ready.status_code == 503
    assert "readonly" in ready.json()["checks"]["database"] or \
        "I/O" in ready.json()["checks"]["database"]
    assert requests.get(srv.url + "/healthz/live", timeout=5).status_code == 200
    assert requests.get(srv.url + "/healthz", timeout=5).status_code == 503

    log = srv.log()
    assert log.count("storage unavailable") == 1, "once per interval, with a count"
    assert "(1 failed requests since the last report" in log
    assert "Traceback" not in log

    assert chattr("-i", srv.wal).returncode == 0
    wait_for(lambda: requests.get(srv.url + "/healthz/ready", timeout=5).status_code == 200,
               10, "readiness comes back once the file is writable")
    resent = [send(alice, bob, f"during{i}") for i in range(20)]  # as the outbox does
    assert all(r["ok"] and not r["duplicate"] for r in resent), resent
    assert srv.proc.pid == pid and srv.proc.poll() is None, "recovered without a restart"
    stored = bob.history(alice.id)
    assert stored == ["before"] + [f"during{i}" for i in range(20)]
    for person in (alice, bob):
        person.sio.disconnect()
