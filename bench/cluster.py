"""The cluster's parts, each against a same-run baseline (docs/scaling.md):

- dispatch round trip: a replicated dispatch (append + read back + apply, one Lua
  script) vs. the same action on the in-memory store vs. a bare Redis PING;
- log apply rate: actions/s a node applies when catching up, vs. the same actions on
  the in-memory store;
- snapshot: size and write time at N clients, and a joining node's load time.

    .venv/bin/python bench/cluster.py --out r.json [--clients 10000] [--actions 20000]

Redis is started here (e2e/services.py: a temp dir, appendfsync always, as the tests).
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import redis  # noqa: E402

from e2e.services import Redis  # noqa: E402
from tlightchat.cluster.log import ReplicatedStore, encode  # noqa: E402
from tlightchat.store import actions as A  # noqa: E402
from tlightchat.store import create_store  # noqa: E402


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def ms(values):
    return {"p50_ms": round(pct(values, 0.5) * 1000, 3), "p99_ms": round(pct(values, 0.99) * 1000, 3),
            "mean_ms": round(statistics.mean(values) * 1000, 3)}


def setup_actions(n_clients):
    for i in range(n_clients):
        cid = f"c{i:06d}"
        yield A.client_connected(cid, f"u{i:06d}", f"Guest-{i}", 1.0, "Chrome on Linux", "n1")
        yield A.anchor_created(cid, f"{cid}.a", "Slot 1")
        yield A.anchor_online_set(cid, f"{cid}.a", True)


def renames(n, n_clients):
    for i in range(n):
        cid = f"c{i % n_clients:06d}"
        yield A.anchor_renamed(cid, f"{cid}.a", f"Slot {i}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    quick = bool(os.environ.get("BENCH_QUICK"))
    ap.add_argument("--clients", type=int, default=2000 if quick else 10000)
    ap.add_argument("--actions", type=int, default=5000 if quick else 20000)
    ap.add_argument("--samples", type=int, default=500 if quick else 2000)
    args = ap.parse_args()
    server = Redis().start()
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        result = run(client, args)
    finally:
        server.stop()
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


def run(client, args):
    small = 100
    # -- dispatch round trip --------------------------------------------------------
    local = create_store(4)
    node = ReplicatedStore(create_store(4), client, "n1", "bench")
    for action in setup_actions(small):
        local.dispatch(action)
        node.dispatch(action)
    ping, plain, replicated = [], [], []
    for action in renames(args.samples, small):
        t = time.perf_counter()
        client.ping()
        ping.append(time.perf_counter() - t)
        t = time.perf_counter()
        local.dispatch(action)
        plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        node.dispatch(action)
        replicated.append(time.perf_counter() - t)

    # -- apply rate: another node catches up on `actions` entries ---------------------
    client.delete("bench2:log")
    writer = client.pipeline(transaction=False)
    actions = list(setup_actions(small)) + list(renames(args.actions, small))
    for action in actions:
        writer.xadd("bench2:log", {"k": "a", "o": "n1", "b": encode(action)})
    writer.execute()
    follower = ReplicatedStore(create_store(4), client, "n2", "bench2")
    t = time.perf_counter()
    follower.catch_up()
    apply_s = time.perf_counter() - t
    baseline = create_store(4)
    t = time.perf_counter()
    for action in actions:
        baseline.dispatch(json.loads(encode(action)))
    local_s = time.perf_counter() - t

    # -- snapshot at N clients ------------------------------------------------------
    big = ReplicatedStore(create_store(4), client, "n1", "bench3")
    with big.lock:
        for action in setup_actions(args.clients):
            big.store.dispatch(action)
    # one entry through the log, so the snapshot has a position (a snapshot at 0-0 is
    # never newer than "none" and is not stored)
    big.dispatch(A.anchor_renamed("c000000", "c000000.a", "Slot 1"))
    t = time.perf_counter()
    big.write_snapshot()
    snap_s = time.perf_counter() - t
    size = client.strlen("bench3:snapshot")
    joiner = ReplicatedStore(create_store(4), client, "n2", "bench3")
    t = time.perf_counter()
    joiner.join()
    join_s = time.perf_counter() - t
    assert len(joiner.get_state()["clients"]) == args.clients

    return {
        "ok": True,
        "dispatch": {"samples": args.samples, "replicated": ms(replicated),
                     "in_memory": ms(plain), "redis_ping": ms(ping)},
        "apply": {"actions": len(actions), "replicated_per_s": round(len(actions) / apply_s),
                  "in_memory_per_s": round(len(actions) / local_s)},
        "snapshot": {"clients": args.clients, "bytes": size, "write_s": round(snap_s, 3),
                     "join_s": round(join_s, 3), "bytes_per_client": round(size / args.clients)},
        "load_average": os.getloadavg()[0],
    }


if __name__ == "__main__":
    main()
