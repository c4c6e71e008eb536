"""Idle clients across 1, 2 and 4 server processes on this box (issue 16's goal: at
least 40,000 in total, all answering pings), against one process without Redis (the
embedded default) measured in the same run.

    .venv/bin/python bench/idle_cluster.py --out r.json [--per-node 10000] [--sizes 1,2,4]

Each layout starts its own processes: `python app.py` nodes (production settings, the
same secret, one Redis log, one PostgreSQL database: the real multi-node set-up, as
`tests/cluster/test_cluster_hubs.py`), and one load generator per node
(`bench/idle_clients.py`, a minimal Engine.IO/WebSocket client: a 20,000
file-descriptor limit per process here, and python-socketio's client costs too much CPU
per ping to drive 40,000 connections from two cores). Each load generator fetches one
guest cookie per client from its node (one person per client), opens its WebSocket,
joins the Socket.IO namespace and answers every ping. After the ramp it holds for
longer than the ping interval + ping time-out and then counts the clients whose
socket is open and which answered a ping in the last ping interval + time-out: those
are the ones the server still counts as connected.

Every layout, the baseline too, runs with the same heartbeat: by default Engine.IO's
own 25 s interval + 20 s time-out, the setting the production guide gives for many
idle clients. The app's default (5 s + 5 s, so a vanished client shows away within
~10 s) costs an idle eventlet process ~0.6 of a core per 10,000 clients in pings
alone (measured here): 40,000 would need more than this box's two cores.
`--ping-interval 5 --ping-timeout 5` measures that setting.

Every layout ramps at the same pace, by default at most 60 new clients a second across
the box (`--rate`, 0: as fast as the load generators' concurrency allows). What is
measured is holding idle clients; a flash crowd that saturates both cores for ten
minutes is another test. Unpaced, four nodes reached 40,000 in 530 s once and, in the
next run, fell into a storm of dropped connections (the box was saturated: a node's
Redis reads timed out, nodes missed heartbeats and were declared lost; BENCHMARKS.md).
Each cluster layout gets a Redis of its own (its nodes share it).

Each node reports (its `/healthz`) how many clients its copy of the store holds: in a
cluster every node holds every client, so each must report the layout's total.
"""
import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (PY, TLCServer, cpu_seconds, knob,  # noqa: E402
                          machine_busy_seconds, rss_kb, write_json)
from e2e.services import Redis  # noqa: E402
from tests.support.pgserver import PostgresServer, find_bindir  # noqa: E402

LOADGEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "idle_clients.py")


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


class LoadGen:
    """One bench/idle_clients.py process; its stdout is one JSON object per line."""

    def __init__(self, url, clients, deadline_s, name, window_s, rate=0):
        self.name = name
        self.proc = subprocess.Popen(
            [PY, LOADGEN, "--url", url, "--clients", str(clients),
             "--deadline", str(deadline_s), "--window", str(window_s), "--rate", str(rate)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
            start_new_session=True)
        self.lines, self.cond = [], threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            with self.cond:
                self.lines.append(msg)
                self.cond.notify_all()
        with self.cond:
            self.lines.append({"phase": "exited", "rc": self.proc.wait()})
            self.cond.notify_all()

    def wait_phase(self, phase, timeout):
        """The first line of `phase` (or of an exit), waiting up to `timeout` s."""
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for msg in self.lines:
                    if msg.get("phase") in (phase, "exited", "failed"):
                        return msg
                left = end - time.monotonic()
                if left <= 0:
                    return {"phase": "timeout", "waiting_for": phase}
                self.cond.wait(left)

    def latest(self, phase):
        with self.cond:
            found = [m for m in self.lines if m.get("phase") == phase]
        return found[-1] if found else None

    def tell(self, word):
        try:
            self.proc.stdin.write(word + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def stop(self):
        self.tell("quit")
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def node_clients(url):
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=30) as r:
            return json.load(r)["clients"]
    except Exception as err:
        return f"healthz failed: {err!r}"[:120]


def run_layout(name, processes, per_node, shared, args):
    """Start `processes` nodes (a cluster when `shared` has Redis and PostgreSQL), drive
    `per_node` idle clients at each, hold, count."""
    servers, gens = [], []
    window = args.ping_interval + args.ping_timeout
    deadline_s, hold_s, mode = args.deadline, window + 3, args.mode
    try:
        for i in range(processes):
            env = {"TLC_NODE_ID": f"n{i + 1}", "TLC_PING_INTERVAL": str(args.ping_interval),
                   "TLC_PING_TIMEOUT": str(args.ping_timeout), **shared["env"]}
            servers.append(TLCServer(mode, env).start())
        time.sleep(1)  # nodes settle (a cluster node joins the log at start)
        rss0 = [rss_kb(s.pid) for s in servers]
        pids = [s.pid for s in servers] + shared["pids"]
        cpu0, busy0, t0 = [cpu_seconds(p) for p in pids], machine_busy_seconds(), time.monotonic()
        gens = [LoadGen(s.url, per_node, deadline_s, f"{name}/{i}", window,
                        args.rate / processes)
                for i, s in enumerate(servers)]
        log(f"idle {name}: {processes} process(es), {per_node} clients each")
        ramps = [g.wait_phase("ramped", deadline_s + 120) for g in gens]
        ramp_s = time.monotonic() - t0
        log(f"idle {name}: ramped in {ramp_s:.0f} s: "
            + ", ".join(str(r.get("connected", r)) for r in ramps))
        cpu_ramp = [cpu_seconds(p) - c for p, c in zip(pids, cpu0)]
        busy_ramp = machine_busy_seconds() - busy0
        hold_from = time.monotonic()
        time.sleep(hold_s)  # the measurement: idle for longer than ping interval + time-out
        for g in gens:
            g.tell("report")
        reports = [g.wait_phase("report", 60) for g in gens]
        hold_cpu = [cpu_seconds(p) - c - r for p, c, r in zip(pids, cpu0, cpu_ramp)]
        hold_dt = time.monotonic() - hold_from
        counted = [node_clients(s.url) for s in servers]
        rss1 = [rss_kb(s.pid) for s in servers]
        connected = [r.get("connected", 0) for r in reports]
        answering = [r.get("answering", 0) for r in reports]
        gen_cpu = [r.get("cpu_s", 0) for r in reports]
        per_client = [round((b - a) * 1024 / max(1, c)) for a, b, c in zip(rss0, rss1, connected)]
        result = {
            "processes": processes, "cluster": bool(shared["pids"]),
            "target": per_node * processes, "connected": sum(connected),
            "answering_pings": sum(answering), "per_node_answering": answering,
            "nodes_report_clients": counted,
            "ramp_seconds": round(ramp_s, 1), "hold_seconds": round(hold_dt, 1),
            "failures": sum(r.get("failures", 0) for r in reports),
            "failure_examples": [e for r in reports for e in r.get("failure_examples", [])][:3],
            "rss_mib": [round(k / 1024) for k in rss1],
            "bytes_per_client": per_client,
            "cpu_ramp_cores": {"nodes": round(sum(cpu_ramp[:processes]) / ramp_s, 2),
                               "redis+postgres": round(sum(cpu_ramp[processes:]) / ramp_s, 2),
                               "machine": round(busy_ramp / ramp_s, 2)},
            "cpu_hold_cores": {"nodes": round(sum(hold_cpu[:processes]) / hold_dt, 2),
                               "redis+postgres": round(sum(hold_cpu[processes:]) / hold_dt, 2)},
            "loadgen_cpu_s": gen_cpu,
        }
        if shared.get("redis_info"):
            result["redis"] = shared["redis_info"]()
        log(f"idle {name}: {result['answering_pings']}/{result['target']} answering pings; "
            f"nodes count {counted}")
        return result
    finally:
        for g in gens:
            g.stop()
        for s in servers:
            s.stop()


def cluster_env(redis, pg, prefix):
    db = pg.create_database()
    return {"env": {"TLC_REDIS_URL": redis.url, "TLC_REDIS_PREFIX": prefix,
                    "TLC_DATABASE_URL": pg.url(db),
                    "TLC_SECRET_KEY": "bench-idle-cluster-secret-0123456789abcdef"},
            "pids": [redis.proc.pid, pg_postmaster(pg)],
            "redis_info": lambda: redis_info(redis.url, prefix)}


def pg_postmaster(pg):
    with open(os.path.join(pg.data, "postmaster.pid")) as f:
        return int(f.readline())


def redis_info(url, prefix):
    import redis as redis_lib

    r = redis_lib.Redis.from_url(url, decode_responses=True)
    mem = r.info("memory")
    return {"used_memory_mib": round(mem["used_memory"] / 2 ** 20, 1),
            "log_entries": r.xlen(f"{prefix}:log"), "appended": int(r.get(f"{prefix}:seq") or 0),
            "snapshot_bytes": r.strlen(f"{prefix}:snapshot")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-node", type=int, default=knob("IDLE_PER_NODE", 10000, 500))
    ap.add_argument("--sizes", default=os.environ.get("BENCH_IDLE_CLUSTER_SIZES", "1,2,4"))
    ap.add_argument("--deadline", type=float, default=knob("IDLE_CLUSTER_DEADLINE", 1200, 60))
    # Engine.IO's own defaults (25 s + 20 s), the setting for many idle clients
    # (README, production guide); the app's default is 5 + 5 s (presence within ~10 s).
    ap.add_argument("--ping-interval", type=int, default=knob("IDLE_PING_INTERVAL", 25, 25))
    ap.add_argument("--ping-timeout", type=int, default=knob("IDLE_PING_TIMEOUT", 20, 20))
    ap.add_argument("--mode", default=os.environ.get("BENCH_IDLE_CLUSTER_MODE", "eventlet"))
    ap.add_argument("--rate", type=float, default=knob("IDLE_CLUSTER_RATE", 60, 60),
                    help="new clients per second at most, across all load generators")
    args = ap.parse_args()
    # bench/run.py's time-out sends SIGTERM: still stop Redis, PostgreSQL and the nodes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    started = time.monotonic()
    out = {"per_node": args.per_node, "mode": args.mode, "ping_interval": args.ping_interval,
           "ping_timeout": args.ping_timeout, "deadline": args.deadline, "rate": args.rate,
           "layouts": {}}
    tmp = tempfile.mkdtemp(prefix="tlc-bench-idle-")
    embedded = {"env": {"TLC_DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
                        "TLC_SECRET_KEY": secrets.token_hex(32)}, "pids": []}
    out["layouts"]["embedded"] = run_layout("embedded", 1, args.per_node, embedded, args)
    pg = PostgresServer(find_bindir())
    try:
        pg.start()
        for size in [int(s) for s in args.sizes.split(",") if s]:
            redis = Redis().start()  # a log of its own: no earlier layout's data in it
            try:
                shared = cluster_env(redis, pg, f"idle{size}")
                out["layouts"][f"cluster{size}"] = run_layout(
                    f"cluster{size}", size, args.per_node, shared, args)
            finally:
                redis.stop()
    finally:
        pg.stop()
    out["seconds"] = round(time.monotonic() - started, 1)
    out["load_average"] = os.getloadavg()[0]
    out["ok"] = all(r["answering_pings"] > 0 for r in out["layouts"].values())
    write_json(args.out, out)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
