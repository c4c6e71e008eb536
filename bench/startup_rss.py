"""The server's memory before any client (issue 33.3): start it as bench/load.py's idle
run does, wait until it answers, and print its RSS and what it imported.

    python bench/startup_rss.py [--visits N] [--bare] [--json FILE]

- `python app.py` with TLCServer's settings (production, SQLite, one process, no Redis,
  no PostgreSQL, no metrics): VmRSS once /healthz answers on a fresh database (what
  load.py's idle run starts on: the migrations run), again after N guest cookie visits
  (the idle run measures "RSS before any client" after one visit per client; --visits 0
  skips that), and once more for a restart on that database (already at the newest
  migration: what a production restart sees).
- A second start under `python -X importtime` (its stderr is the server's log): the
  top-level packages it imported, with their cumulative import time, and which of them
  the configured setup should not need (OPTIONAL below) — nothing is added to the app.
- With --bare, bench/bare_server.py's RSS too (the baseline of the idle rows).
"""
import argparse
import json
import os
import re
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import BareServer, TLCServer, rss_kb, session_cookie  # noqa: E402

# Packages a one-process SQLite server without metrics has no use for at start.
OPTIONAL = ("redis", "psycopg", "psycopg2", "prometheus_client", "aioice", "alembic",
            "mako", "pywebpush", "http_ece", "py_vapid", "cryptography", "requests",
            "tlightchat.cluster.member", "tlightchat.cluster.handoff", "tlightchat.metrics",
            "tlightchat.ice", "aiohttp", "asyncio", "selenium", "pytest")


class ImportTimeServer(TLCServer):
    def command(self):
        return [sys.executable, "-X", "importtime", "app.py"]


def wait_answer(server, deadline=60):
    """TLCServer.start already waited for /healthz; one more GET to be sure it serves."""
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(server.url + server.health, timeout=5) as r:
                r.read()
            return
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def imports_of(log_path):
    """-X importtime lines → {module: cumulative µs}; nested ones included."""
    seen = {}
    pat = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = pat.match(line)
            if m:
                seen[m.group(4)] = int(m.group(2))
    return seen


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
    with ImportTimeServer("eventlet", db) as server:  # at head by now
        wait_answer(server)
        for _ in range(3):  # what the first page views import too
            session_cookie(server.url)
        mods = imports_of(server.log_path)
    top = {}
    for name, us in mods.items():
        head = name.split(".")[0]
        top[head] = max(top.get(head, 0), us)
    out["modules"] = len(mods)
    out["top_level"] = dict(sorted(top.items(), key=lambda kv: -kv[1]))
    out["optional_loaded"] = sorted(n for n in mods if n in OPTIONAL)
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
    print("top-level packages by cumulative import time (ms):")
    for name, us in list(res["top_level"].items())[:25]:
        print(f"  {name:28s} {us / 1000:8.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
