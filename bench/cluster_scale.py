"""Several cores (issue 33.4): relayed messages per second on one cluster node against two
nodes of the same machine, each node pinned to a core of its own (`taskset -c 0`, `-c 1`),
the calls spread across the nodes (both sides of a call on one node: what a balancer with
sticky calls gives). Redis and the load generator are not pinned: they take what is left,
and every process's CPU share is in the result, so a load generator short of a core shows.

    .venv/bin/python bench/cluster_scale.py --out r.json [--pairs 24] [--seconds 5] [--rounds 2]

Each round measures one node, then two (fresh Redis, database and nodes each time): `pairs`
live calls in all (split evenly over the nodes), both sides keeping 4 ICE candidates in
flight (closed loop, each acked), counted at the receiving peers for `seconds` after a 1 s
warm-up. The figure is the median over rounds of msgs/s; the goal: two nodes ≥ 1.7× one.
"""
import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.cluster_relay import Node, calls  # noqa: E402
from bench.common import (call, cpu_seconds, disconnect_all, machine_busy_seconds,  # noqa: E402
                          self_cpu_seconds)
from bench.goals import against  # noqa: E402
from bench.load import candidate  # noqa: E402
from e2e.services import Redis  # noqa: E402

GOAL = 1.7
TASKSET = shutil.which("taskset")


class PinnedNode(Node):
    """A cluster node (direct relay, the default) on one core."""

    def __init__(self, shared_env, name, core):
        super().__init__(shared_env, name, direct=True)
        self.name, self.core = name, core

    start_timeout = 90.0  # one core, shared with whatever else runs on it

    def command(self):
        pin = [TASKSET, "-c", str(self.core)] if TASKSET else []
        return pin + super().command()  # taskset execs: the pid is the node's


def allowed_cpus(pid):
    """The cores a process may run on, as the kernel has it (proof of the pinning)."""
    with open(f"/proc/{pid}/status") as f:
        return next((line.split(":", 1)[1].strip() for line in f
                     if line.startswith("Cpus_allowed_list")), "?")


def shares(pids):
    """Start a window; the function returned ends it: CPU share of one core per named
    process, of this process (the load generator) and of everything else on the box."""
    before = {k: cpu_seconds(p) for k, p in pids.items()}
    me, box, t0 = self_cpu_seconds(), machine_busy_seconds(), time.monotonic()

    def done():
        dt = time.monotonic() - t0
        out = {k: round((cpu_seconds(p) - before[k]) / dt, 2) for k, p in pids.items()}
        out["loadgen"] = round((self_cpu_seconds() - me) / dt, 2)
        out["others"] = round(max(0.0, (machine_busy_seconds() - box) / dt - sum(out.values())), 2)
        return out
    return done


async def measure(nodes, redis, args):
    received, errors, seq = [], [], iter(range(10 ** 9))
    sides, clients = [], []
    per = args.pairs // len(nodes)
    for node in nodes:  # both sides of each call on the same node
        s, c = await calls([node.url], per, received)
        sides += s
        clients += c
    stop = asyncio.Event()

    async def sender(client, call_id):
        while not stop.is_set():
            try:
                await call(client, "call:signal",
                           {"callId": call_id, "candidate": candidate(next(seq))}, timeout=10)
            except Exception as err:
                errors.append(repr(err)[:100])
                await asyncio.sleep(0.05)

    tasks = [asyncio.create_task(sender(c, k)) for c, k in sides for _ in range(4)]
    await asyncio.sleep(1.0)
    pids = {n.name: n.pid for n in nodes}
    pids["redis"] = redis.proc.pid
    n0, t0 = len(received), time.perf_counter()
    done = shares(pids)
    await asyncio.sleep(args.seconds)
    got, dt, cpu = len(received) - n0, time.perf_counter() - t0, done()
    stop.set()
    await asyncio.wait(tasks, timeout=15)
    await disconnect_all(clients)
    node_cpu = sum(cpu[n.name] for n in nodes)
    return {"nodes": len(nodes), "pairs": per * len(nodes), "msgs_per_s": round(got / dt),
            "cpu": cpu, "node_cpu_ms_per_msg": round(node_cpu * dt / max(got, 1) * 1000, 3),
            "errors": len(errors), "error_examples": errors[:2],
            "cores_allowed": {k: allowed_cpus(p) for k, p in pids.items()},
            "load_1min": round(os.getloadavg()[0], 1)}


async def layout(count, args):
    redis = Redis().start()
    shared = tempfile.mkdtemp(prefix="tlc-bench-scale-")
    env = {"TLC_REDIS_URL": redis.url, "TLC_DATABASE_URL": f"sqlite:///{shared}/db.sqlite3",
           "TLC_SECRET_KEY": "bench-cluster-secret-key-0123456789"}
    nodes = []
    try:
        for i in range(count):
            nodes.append(PinnedNode(env, f"n{i + 1}", core=i % (os.cpu_count() or 1)).start())
        return await measure(nodes, redis, args)
    finally:
        for node in nodes:
            node.stop()
        redis.stop()
        shutil.rmtree(shared, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--pairs", type=int, default=24)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    load0 = round(os.getloadavg()[0], 1)
    rounds = []
    for _ in range(args.rounds):  # one and two alternate: a drift in the box's load hits both
        rounds.append({"one": asyncio.run(layout(1, args)), "two": asyncio.run(layout(2, args))})
        print(json.dumps(rounds[-1]), flush=True)
    one = statistics.median(r["one"]["msgs_per_s"] for r in rounds)
    two = statistics.median(r["two"]["msgs_per_s"] for r in rounds)
    r, met = against(two, one, "≥", GOAL)
    result = {"ok": True, "rounds": rounds, "one_msgs_per_s": one, "two_msgs_per_s": two,
              "ratio": r, "goal": GOAL, "met": met, "pinned": bool(TASKSET),
              "cores": os.cpu_count(), "pairs": args.pairs, "seconds": args.seconds,
              "load_1min": [load0, round(os.getloadavg()[0], 1)]}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps({k: v for k, v in result.items() if k != "rounds"}), flush=True)


if __name__ == "__main__":
    main()
