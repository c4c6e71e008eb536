"""Relayed signaling in a cluster: both call sides on one node vs. on two nodes, against
the single process (no Redis) measured in the same run; each cluster layout twice, with
ICE candidates sent straight to the peer's node (the default, tlightchat/cluster/direct.py)
and through the log (CLUSTER_DIRECT_RELAY = False).

    .venv/bin/python bench/cluster_relay.py --out r.json [--pairs 25] [--seconds 5] [--rate 300]

For each layout: `pairs` live calls relay ICE candidates (closed loop, 4 in flight per
sender) for `seconds`: msgs/s and server CPU per relayed message (every node process and
redis-server counted); then an open loop at `rate` msgs/s: p50 / p99 latency.
"""
import argparse
import asyncio
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (TLCServer, call, connect_many, cookies, cpu_seconds,  # noqa: E402
                          disconnect_all, pct, rnd)
from bench.load import NO_RATE_LIMIT, candidate, open_loop  # noqa: E402
from e2e.services import Redis  # noqa: E402


class Node(TLCServer):
    def __init__(self, shared_env, name, direct):
        super().__init__("eventlet", {**NO_RATE_LIMIT, **shared_env, "TLC_NODE_ID": name,
                                      "TLC_CLUSTER_DIRECT_RELAY": "true" if direct else "false"})


async def calls(urls, pairs, received):
    """`pairs` calls, the caller served by urls[0] and the callee by urls[-1]."""
    def handlers(i):
        def on_signal(data):
            seq = int(data["candidate"]["candidate"].split(" ", 1)[0].split(":")[1])
            received.append((seq, time.perf_counter()))
        return {"call:signal": on_signal}

    pool = await cookies(urls[0], 10)  # one database: the identity works on every node
    callers, _ = await connect_many(urls[0], pairs, lambda i: pool[i % 10], handlers=handlers)
    callees, _ = await connect_many(urls[-1], pairs, lambda i: pool[(i + 5) % 10],
                                    handlers=handlers)
    sides = []
    for a, b in zip(callers, callees):
        anchors = []
        for c in (a, b):
            aid = (await call(c, "anchor:create", {}))["anchor"]["id"]
            await call(c, "anchor:set-online", {"anchorId": aid, "online": True})
            anchors.append(aid)
        await asyncio.sleep(0.05)  # the other node applies the anchor before the invite
        inv = await call(a, "call:invite", {"fromAnchorId": anchors[0], "toAnchorId": anchors[1]})
        for _ in range(100):
            acc = await call(b, "call:accept", {"invitationId": inv["invitationId"]})
            if acc.get("ok"):
                break
            await asyncio.sleep(0.02)  # the ring has not reached b's node yet
        sides += [(a, acc["callId"]), (b, acc["callId"])]
    return sides, callers + callees


async def measure(urls, pids, args):
    received, seq, errors = [], iter(range(10 ** 9)), []
    sides, clients = await calls(urls, args.pairs, received)
    stop = asyncio.Event()

    async def sender(client, call_id):
        while not stop.is_set():
            try:
                await call(client, "call:signal", {"callId": call_id, "candidate": candidate(next(seq))},
                           timeout=10)
            except Exception as err:
                errors.append(repr(err)[:100])

    tasks = [asyncio.create_task(sender(c, k)) for c, k in sides for _ in range(4)]
    await asyncio.sleep(1.0)
    n0, t0, cpu0 = len(received), time.perf_counter(), sum(map(cpu_seconds, pids))
    await asyncio.sleep(args.seconds)
    got, dt, cpu = len(received) - n0, time.perf_counter() - t0, sum(map(cpu_seconds, pids)) - cpu0
    stop.set()
    await asyncio.wait(tasks, timeout=15)
    await asyncio.sleep(1)
    received.clear()
    sent, lag = {}, []
    total = int(args.rate * args.seconds)
    async for i in open_loop(time.perf_counter(), total, args.rate, lag):
        client, call_id = sides[i % len(sides)]
        s = next(seq)
        sent[s] = time.perf_counter()
        await client.emit("call:signal", {"callId": call_id, "candidate": candidate(s)},
                          callback=lambda *a: None)
    deadline = time.monotonic() + 10
    while len(received) < total and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    lat = [(t - sent[s]) * 1000 for s, t in received if s in sent]
    await disconnect_all(clients)
    return {"msgs_per_s": round(got / dt), "cpu_ms_per_msg": rnd(cpu / max(got, 1) * 1000, 3),
            "p50_ms": rnd(pct(lat, 50)), "p99_ms": rnd(pct(lat, 99)), "lost": total - len(lat),
            "errors": len(errors)}


async def layout(name, args):
    if name == "single":
        server = TLCServer("eventlet", NO_RATE_LIMIT).start()
        try:
            return await measure([server.url], [server.pid], args)
        finally:
            server.stop()
    redis = Redis().start()
    shared = tempfile.mkdtemp(prefix="tlc-bench-cluster-")
    env = {"TLC_REDIS_URL": redis.url, "TLC_DATABASE_URL": f"sqlite:///{shared}/db.sqlite3",
           "TLC_SECRET_KEY": "bench-cluster-secret-key-0123456789"}
    nodes = []
    try:
        for i in range(1 if name.startswith("one-node") else 2):
            nodes.append(Node(env, f"n{i + 1}", direct=not name.endswith("-log")).start())
        pids = [n.pid for n in nodes] + [redis.proc.pid]
        return await measure([n.url for n in nodes], pids, args)
    finally:
        for n in nodes:
            n.stop()
        redis.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--pairs", type=int, default=25)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rate", type=int, default=300)
    args = ap.parse_args()
    names = ("single", "one-node", "two-nodes", "one-node-log", "two-nodes-log")
    result = {name: asyncio.run(layout(name, args)) for name in names}
    for suffix in ("", "-log"):
        result[f"two_nodes_cpu_vs_one_node{suffix.replace('-', '_')}"] = rnd(
            result[f"two-nodes{suffix}"]["cpu_ms_per_msg"]
            / result[f"one-node{suffix}"]["cpu_ms_per_msg"], 2)
    result["load_average"] = os.getloadavg()[0]
    result["ok"] = True
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
