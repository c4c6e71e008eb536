"""Run every benchmark on this machine, write bench/results/<stamp>.json + latest.json,
and regenerate BENCHMARKS.md. This is what `make bench` runs.

    python bench/run.py                 # everything (about 75 min on 2 cores)
    BENCH_QUICK=1 python bench/run.py   # small sizes, ~4-5 min smoke run
    python bench/run.py --only relay,rtt

Each benchmark is its own subprocess (its own process group, with the server it starts)
and is killed after a hard time-out, so a stuck benchmark costs its time-out and is
recorded as failed; the others still run.
"""
import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import BENCH, PY, QUICK, ROOT, write_json  # noqa: E402
import report  # noqa: E402

RESULTS = os.path.join(BENCH, "results")
MODES = ("eventlet", "gevent", "threading")


def steps(profile_dir):
    """(key, group, argv, timeout seconds), in run order. TLC and bare alternate so slow
    drifts in the machine's load hit both about equally."""
    load = [PY, os.path.join(BENCH, "load.py")]
    prof = lambda name: ["--profile", os.path.join(profile_dir, f"{name}.txt")]  # noqa: E731
    out = [
        ("weight", "weight", [PY, os.path.join(BENCH, "weight.py")], 60),
        ("micro", "micro", [PY, os.path.join(BENCH, "micro.py")], 180),
        ("rtt", "rtt", load + ["rtt"], 120),
        ("lobby.tlc", "lobby", load + ["lobby", "--server", "tlc"], 240),
        ("lobby.bare", "lobby", load + ["lobby", "--server", "bare"], 180),
    ]
    for mode in MODES:
        # threading is `flask run` (development): a thread per client, which cannot hold
        # 1,000 here (tlc timed out connecting them, bare lost 417): 200 clients, both sides
        small = ["env", "BENCH_RELAY_CLIENTS=200"] if mode == "threading" else []
        out.append((f"relay.bare.{mode}", "relay",
                    small + load + ["relay", "--server", "bare", "--mode", mode], 240))
        out.append((f"relay.tlc.{mode}", "relay",
                    small + load + ["relay", "--server", "tlc", "--mode", mode]
                    + (prof("relay.tlc.eventlet") if mode == "eventlet" else []), 300))
        if mode == "eventlet":  # Node's socket.io, the same bare relay: where the stack stands
            out.append(("relay.node", "relay", load + ["relay", "--server", "node"], 240))
    out += [
        ("chat", "chat", load + ["chat"] + prof("chat"), 180),
        ("cluster", "cluster", [PY, os.path.join(BENCH, "cluster.py")], 240),
        ("cluster.relay", "cluster", [PY, os.path.join(BENCH, "cluster_relay.py")], 480),
        # issue 33.4: one node against two, each pinned to a core (a group of its own)
        ("cluster.scale", "cluster-scale", [PY, os.path.join(BENCH, "cluster_scale.py")], 420),
        ("call", "call", [PY, os.path.join(BENCH, "browser.py")], 240),
        ("files", "files", [PY, os.path.join(BENCH, "files.py")], 420 if QUICK else 1500),
        ("group", "group", [PY, os.path.join(BENCH, "group_call.py")], 420),
        # six browsers on two cores: the call grows to six in minutes (282 s alone, at load 1.6)
        ("group.load", "group-load", [PY, os.path.join(BENCH, "group_load.py")], 900),
        ("netchange", "netchange", [PY, os.path.join(BENCH, "netchange.py")], 420),
        ("page", "page", [PY, os.path.join(BENCH, "page.py")], 240),
        ("idle.tlc", "idle", load + ["idle", "--server", "tlc"] + prof("idle.tlc"),
         150 if QUICK else 420),
        ("idle.bare", "idle", load + ["idle", "--server", "bare"], 150 if QUICK else 300),
        ("idle.node", "idle", load + ["idle", "--server", "node"], 150 if QUICK else 300),
        ("cluster.idle", "cluster-idle", [PY, os.path.join(BENCH, "idle_cluster.py")],
         600 if QUICK else 3600),
    ]
    return out


def run_step(key, argv, timeout, workdir):
    out = os.path.join(workdir, key + ".json")
    log = os.path.join(workdir, key + ".log")
    started = time.monotonic()
    print(f"== {key} (time-out {timeout}s)", flush=True)
    with open(log, "w") as logf:
        proc = subprocess.Popen(argv + ["--out", out], cwd=ROOT, stdout=logf,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    # whatever the step left behind in its process group (its server, py-spy) goes too
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    elapsed = round(time.monotonic() - started, 1)
    try:
        with open(out) as f:
            result = json.load(f)
    except (OSError, ValueError):
        result = {"ok": False, "error": f"no result (killed after {timeout}s time-out?)"}
    with open(log, errors="replace") as f:
        tail = f.read()[-1500:]
    if not result.get("ok"):
        result["log_tail"] = tail
    result["wall_seconds"] = elapsed
    print(f"   {key}: {'ok' if result.get('ok') else 'FAILED'} in {elapsed}s", flush=True)
    if not result.get("ok"):
        print("   " + str(result.get("error"))[:300], flush=True)
    return result


def machine():
    def read(path):
        try:
            with open(path) as f:
                return f.read()
        except OSError:
            return ""

    cpu = next((line.split(":", 1)[1].strip() for line in read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) for line in read("/proc/meminfo").splitlines()
                if line.startswith("MemTotal")), 0)
    import importlib.metadata as md

    versions = {}
    for pkg in ("flask-socketio", "python-socketio", "python-engineio", "eventlet", "gevent",
                "aiohttp", "selenium"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True,
                              text=True).stdout.strip() if os.path.exists("/usr/bin/chromium") else ""
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gib": round(mem / 1024 / 1024, 1),
            "os": read("/etc/debian_version").strip() and f"Debian {read('/etc/debian_version').strip()}",
            "kernel": platform.release(), "python": platform.python_version(),
            "packages": versions, "chromium": chromium, "git": git,
            "loadavg_at_start": read("/proc/loadavg").split()[:3]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="", help="comma-separated groups: weight,micro,rtt,lobby,"
                                               "relay,chat,cluster,cluster-scale,call,files,"
                                               "group,group-load,netchange,page,idle,"
                                               "cluster-idle")
    args = ap.parse_args()
    only = {g for g in args.only.split(",") if g}
    stamp = time.strftime("%Y%m%dT%H%M%S")
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="tlc-bench-run-")
    doc = {"stamp": stamp, "quick": QUICK, "machine": machine(), "results": {},
           "knobs": {k: v for k, v in os.environ.items() if k.startswith("BENCH_")}}
    previous, previous_stamp = {}, None
    if only and os.path.exists(os.path.join(RESULTS, "latest.json")):
        with open(os.path.join(RESULTS, "latest.json")) as f:
            last = json.load(f)
        previous, previous_stamp = last.get("results", {}), last.get("stamp")
    # BENCH_SKIP: step keys carried over even in a group that runs (e.g. the threading
    # relay, minutes long, when only the eventlet rows are wanted again)
    skip = {k for k in os.environ.get("BENCH_SKIP", "").split(",") if k}
    for key, group, argv, timeout in steps(workdir):
        if (only and group not in only) or key in skip:
            if key in previous:
                doc["results"][key] = {**previous[key], "carried_over": True,
                                       "from_run": previous[key].get("from_run", previous_stamp)}
            continue
        doc["results"][key] = run_step(key, argv, timeout, workdir)
    doc["seconds"] = round(time.monotonic() - started, 1)
    doc["machine"]["loadavg_at_end"] = open("/proc/loadavg").read().split()[:3]
    path = os.path.join(RESULTS, f"{stamp}{'-quick' if QUICK else ''}.json")
    write_json(path, doc)
    write_json(os.path.join(RESULTS, "latest.json"), doc)
    report.write(doc, os.path.join(ROOT, "BENCHMARKS.md"))
    print(f"wrote {os.path.relpath(path, ROOT)}, bench/results/latest.json and BENCHMARKS.md "
          f"in {doc['seconds']}s", flush=True)


if __name__ == "__main__":
    main()
