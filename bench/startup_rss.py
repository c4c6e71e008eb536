"""The server's memory before any client (issue 33.3): start it as bench/load.py's idle
run does, wait until it answers, and print its RSS and what it imported.

    python bench/startup_rss.py [--visits N] [--bare] [--json FILE]

- `python app.py` with TLCServer's settings (production, SQLite, one process, no Redis,
  no PostgreSQL, no metrics): VmRSS once /healthz answers on a fresh database (what
  load.py's idle run starts on: the migrations run), again after N guest cookie visits
  (the idle run measures "RSS before any client" after one visit per client; --visits 0
  skips that), and once more for a restart on that database (already at the newest
  migration: what a production restart sees).
- A third start on it with a thread that dumps sys.modules after 3 page views (nothing is
  added to the app): how many modules of which top-level packages it loaded, and which of
  tests/server/test_startup_imports.py's NOT_AT_START (what the default setup must not
  import) are among them.
- With --bare, bench/bare_server.py's RSS too (the baseline of the idle rows).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import ROOT, BareServer, TLCServer, rss_kb, session_cookie  # noqa: E402
from tests.server.test_startup_imports import DUMPING_APP, NOT_AT_START  # noqa: E402



class DumpingServer(TLCServer):
    """`python app.py` plus a thread that writes sys.modules to a file on a byte in
    (tests/server/test_startup_imports.py's DUMPING_APP: the one list of what the
    default setup must not import is that test's NOT_AT_START)."""

    def __init__(self, mode, env, out):
        super().__init__(mode, env)
        self.out = out

    def start(self):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-c", DUMPING_APP, self.out], cwd=ROOT,
                                     env=self.env(), stdin=subprocess.PIPE, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        wait_answer(self)
        return self

    def modules(self, deadline=30):
        self.proc.stdin.write(b"x")
        self.proc.stdin.flush()
        end = time.monotonic() + deadline
        while not os.path.exists(self.out):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError("no module list from the server")
            time.sleep(0.02)
        with open(self.out, encoding="utf-8") as f:
            return json.load(f)


def wait_answer(server, deadline=60):
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(server.url + server.health, timeout=5) as r:
                r.read()
            return
        except OSError:
            if time.monotonic() > end or (server.proc and server.proc.poll() is not None):
                raise
            time.sleep(0.1)


def measure_tlc(visits, keep):
    out = {}
    db = {"TLC_DATABASE_URL": f"sqlite:///{keep}/startup.sqlite3"}
    with TLCServer("eventlet", db) as server:
        wait_answer(server)
        time.sleep(1)
        out["rss_started_kb"] = rss_kb(server.pid)
        if visits:
            for _ in range(visits):
                session_cookie(server.url)
            time.sleep(1)
            out["visits"] = visits
            out["rss_after_visits_kb"] = rss_kb(server.pid)
    with TLCServer("eventlet", db) as server:
        wait_answer(server)
        time.sleep(1)
        out["rss_restart_kb"] = rss_kb(server.pid)
    with DumpingServer("eventlet", db, f"{keep}/modules.json") as server:  # at head by now
        for _ in range(3):  # what the first page views import too
            session_cookie(server.url)
        mods = server.modules()
    top = {}
    for name in mods:
        head = name.split(".")[0]
        top[head] = top.get(head, 0) + 1
    out["modules"] = len(mods)
    out["top_level"] = dict(sorted(top.items(), key=lambda kv: -kv[1]))
    out["optional_loaded"] = sorted(n for n in NOT_AT_START if n in mods)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--visits", type=int, default=200)
    ap.add_argument("--bare", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tlc-startup-") as keep:
        res = measure_tlc(args.visits, keep)
    if args.bare:
        with BareServer("eventlet") as bare:
            wait_answer(bare)
            time.sleep(1)
            res["bare_rss_started_kb"] = rss_kb(bare.pid)
    print(f"tlc: RSS once answering (fresh database) {res['rss_started_kb'] / 1024:.1f} MiB",
          end="")
    if "rss_after_visits_kb" in res:
        print(f", after {res['visits']} cookie visits {res['rss_after_visits_kb'] / 1024:.1f} MiB",
              end="")
    print(f"; restarted on it (at head) {res['rss_restart_kb'] / 1024:.1f} MiB")
    if "bare_rss_started_kb" in res:
        print(f"bare python-socketio: RSS once answering {res['bare_rss_started_kb'] / 1024:.1f} MiB")
    print(f"modules imported (restart at head + 3 page views): {res['modules']}")
    print("optional modules loaded:", ", ".join(res["optional_loaded"]) or "none")
    print("top-level packages by modules loaded:")
    for name, count in list(res["top_level"].items())[:25]:
        print(f"  {name:28s} {count:5d}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
