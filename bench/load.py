"""Socket.IO load benchmarks, one per subcommand; each writes one JSON result.

    python bench/load.py idle   --server tlc|bare|node --out FILE
    python bench/load.py relay  --server tlc|bare|node --mode eventlet|gevent|threading --out FILE
    python bench/load.py lobby  --server tlc|bare --out FILE
    python bench/load.py rtt    --out FILE
    python bench/load.py chat   --out FILE

The client is python-socketio's AsyncClient (aiohttp), many connections from one asyncio
process; the server is a subprocess on 127.0.0.1. Every phase has a deadline and a
count, so a benchmark always ends (bench/run.py also kills it after a hard time-out).
Sizes come from BENCH_* knobs (see bench/README.md); BENCH_QUICK=1 picks small ones.
"""
import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import (BARRIER_EVERY, BareServer, CpuMeter, NodeServer, TLCServer,  # noqa: E402
                    barrier,
                    call, connect, connect_many,
                    cookies, disconnect_all, knob, median, new_client, pct,
                    raise_fd_limit, rnd, rss_kb, write_json)

NO_RATE_LIMIT = {"TLC_RATE_LIMIT_PER_SECOND": "1000000", "TLC_RATE_LIMIT_BURST": "1000000"}


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def make_server(kind, mode="eventlet", env=None, **kw):
    if kind == "tlc":
        return TLCServer(mode, env)
    if kind == "node":
        return NodeServer(mode, env)
    return BareServer(mode, env, **kw)


class Profiler:
    """py-spy on the server for a window: top functions by own and total samples."""

    def __init__(self, pid, path, seconds):
        self.pid, self.path, self.seconds = pid, path, seconds
        self.proc = None

    def start(self):
        if not self.path:
            return self
        exe = os.path.join(os.path.dirname(sys.executable), "py-spy")
        try:
            self.proc = subprocess.Popen(
                [exe, "record", "-p", str(self.pid), "-d", str(int(self.seconds)), "-r", "200",
                 "-f", "raw", "-o", self.path, "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as err:
            log("py-spy not started:", err)
        return self

    def finish(self, timeout=30):
        if self.proc is None:
            return None
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return summarize_profile(self.path)


def summarize_profile(path, top=15):
    """Collapsed stacks → [(function, own %, total %)], app and library frames."""
    own, total, samples = {}, {}, 0
    try:
        with open(path) as f:
            for line in f:
                stack, _, count = line.rstrip("\n").rpartition(" ")
                if not stack:
                    continue
                n = int(count)
                samples += n
                frames = stack.split(";")
                for fr in set(frames):
                    total[fr] = total.get(fr, 0) + n
                own[frames[-1]] = own.get(frames[-1], 0) + n
    except (OSError, ValueError):
        return None
    if not samples:
        return None

    def short(fr):
        return fr.replace(os.path.dirname(sys.executable).rsplit("/", 2)[0] + "/", "")

    idle_words = ("hubs/hub.py", "(wait)", "select", "poll (", "epoll", "_wait (")
    busy = samples - sum(n for fr, n in own.items() if any(w in fr for w in idle_words))
    return {
        "samples": samples,
        "busy_share": round(busy / samples, 3),
        "top_own": [(short(fr), round(100 * n / samples, 1))
                    for fr, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]],
        "top_total": [(short(fr), round(100 * n / samples, 1))
                      for fr, n in sorted(total.items(), key=lambda kv: -kv[1])[:top * 2]],
    }


# -- idle clients ---------------------------------------------------------------------


async def open_loop(start, total, rate, lag):
    """Yield 0..total-1 on an open-loop schedule of `rate` per second from `start`
    (perf_counter); how late each one was, when it was, goes into `lag` (seconds)."""
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            lag.append(-delay)
        yield i

async def bench_idle(args):
    n = knob("IDLE_CLIENTS", 10000, 1000)
    ramp_s = knob("IDLE_RAMP_SECONDS", 300, 60)
    hold_s = knob("IDLE_HOLD_SECONDS", 13, 12)
    server = make_server(args.server, args.mode).start()
    try:
        url = server.url
        cookie_s = time.monotonic()
        if args.server == "tlc":
            # one guest per client: ten thousand people, not a hundred people with a
            # hundred tabs each (a user's tabs are all in view wherever one of them is)
            pool = await cookies(url, n, concurrency=16)
        else:
            pool = [None]
        cookie_s = time.monotonic() - cookie_s
        log(f"idle/{args.server}: {len(pool)} guest cookies in {cookie_s:.0f}s")
        await asyncio.sleep(1)
        rss0 = rss_kb(server.pid)
        progress = {"n": 0, "marks": []}
        t0 = time.monotonic()

        def tick(_i):
            progress["n"] += 1

        async def reporter():
            last = 0
            while True:
                await asyncio.sleep(10)
                k = progress["n"]
                progress["marks"].append((round(time.monotonic() - t0), k))
                log(f"idle/{args.server}: {k} connected, {(k - last) / 10:.0f}/s, "
                    f"server RSS {rss_kb(server.pid) / 1024:.0f} MiB")
                last = k

        rep = asyncio.create_task(reporter())
        profiler = Profiler(server.pid, args.profile, min(30, ramp_s)).start()
        with CpuMeter(server.pid) as cpu:
            clients, failures = await connect_many(
                url, n, lambda i: pool[i % len(pool)], concurrency=100,
                deadline=t0 + ramp_s, on_progress=tick)
        ramp = time.monotonic() - t0
        rep.cancel()
        prof = profiler.finish()
        log(f"idle/{args.server}: ramp done: {len(clients)}/{n} in {ramp:.0f}s; holding {hold_s}s")
        await asyncio.sleep(hold_s)  # longer than ping interval + ping timeout
        alive = sum(1 for c in clients if c.connected)
        try:
            on_server = server.clients()
        except Exception as err:
            on_server = f"healthz failed: {err!r}"[:120]
        rss1 = rss_kb(server.pid)
        per_client = (rss1 - rss0) * 1024 / max(1, len(clients))
        result = {
            "target_clients": n, "connected": len(clients), "alive_after_hold": alive,
            "server_reports": on_server, "ramp_seconds": round(ramp, 1),
            "ramp_deadline_seconds": ramp_s, "hold_seconds": hold_s,
            "users": len(pool) if args.server == "tlc" else n,
            "connect_rate_per_s": round(len(clients) / ramp, 1),
            "progress": progress["marks"], "failures": len(failures),
            "failure_examples": failures[:3],
            "rss_before_kb": rss0, "rss_after_kb": rss1,
            "bytes_per_client": round(per_client),
            "cpu_during_ramp": cpu.as_dict(),
            "profile": prof,
        }
        await disconnect_all(clients)
        return result
    finally:
        server.stop()


# -- relay throughput and latency ---------------------------------------------------

def candidate(seq):
    return {"candidate": f"candidate:{seq} 1 udp 2122260223 127.0.0.1 {40000 + seq % 20000} "
                         "typ host generation 0", "sdpMid": "0", "sdpMLineIndex": 0}


async def setup_calls(server, kind, pairs, received):
    """2*pairs connected clients in `pairs` live calls; returns [(client, callId)]."""
    url = server.url

    def handlers(i):
        def on_signal(data):
            now = time.perf_counter()
            seq = int(data["candidate"]["candidate"].split(" ", 1)[0].split(":")[1])
            received.append((seq, now))
        return {"call:signal": on_signal}

    pool = await cookies(url, 20) if kind == "tlc" else [None]
    clients, failures = await connect_many(url, 2 * pairs, lambda i: pool[i % len(pool)],
                                           concurrency=20, handlers=handlers)
    if len(clients) != 2 * pairs:
        raise RuntimeError(f"only {len(clients)} of {2 * pairs} call clients connected: "
                           f"{failures[:2]}")
    sides = []
    for k in range(pairs):
        a, b = clients[2 * k], clients[2 * k + 1]
        if kind == "tlc":
            anchors = []
            for c in (a, b):
                ack = await call(c, "anchor:create", {})
                aid = ack["anchor"]["id"]
                await call(c, "anchor:set-online", {"anchorId": aid, "online": True})
                anchors.append(aid)
            inv = await call(a, "call:invite", {"fromAnchorId": anchors[0],
                                                "toAnchorId": anchors[1]})
            call_id = (await call(b, "call:accept",
                                  {"invitationId": inv["invitationId"]}))["callId"]
        else:
            call_id = f"call{k}"
            await call(a, "pair", {"callId": call_id})
            await call(b, "pair", {"callId": call_id})
        sides += [(a, call_id), (b, call_id)]
    return sides


async def bench_relay(args):
    n = knob("RELAY_CLIENTS", 1000, 300)
    pairs = knob("RELAY_PAIRS", 50, 25)
    window = knob("RELAY_WINDOW", 4, 4)
    tput_s = knob("RELAY_SECONDS", 10, 5)
    rate = knob("RELAY_LATENCY_RATE", 1000, 1000)
    lat_s = knob("RELAY_LATENCY_SECONDS", 10, 5)
    env = NO_RATE_LIMIT if args.server == "tlc" else {}
    server = make_server(args.server, args.mode, env).start()
    received = []
    try:
        t0 = time.monotonic()
        sides = await setup_calls(server, args.server, pairs, received)
        # people with a few tabs each: under MAX_CONNECTIONS_PER_USER (20), which would
        # otherwise refuse most of the idle clients (every failure is in the result)
        pool = (await cookies(server.url, max(1, (n - 2 * pairs) // 10))
                if args.server == "tlc" else [None])
        idle, failures = await connect_many(server.url, n - 2 * pairs,
                                            lambda i: pool[i % len(pool)], concurrency=50,
                                            deadline=time.monotonic() + 240)
        connected = len(sides) + len(idle)
        log(f"relay/{args.server}/{args.mode}: {connected} connected, {pairs} calls, "
            f"setup {time.monotonic() - t0:.0f}s")
        await asyncio.sleep(2)  # let lobby fan-out drain
        seq = itertools.count()

        # 1) throughput: closed loop, `window` messages in flight per sender, both sides send
        stop = asyncio.Event()
        errors = []

        async def sender(client, call_id):
            while not stop.is_set():
                try:
                    await call(client, "call:signal",
                               {"callId": call_id, "candidate": candidate(next(seq))},
                               timeout=10)
                except Exception as err:
                    errors.append(repr(err)[:120])
                    await asyncio.sleep(0.05)

        async def measure_throughput():
            received.clear()
            tasks = [asyncio.create_task(sender(c, cid)) for c, cid in sides
                     for _ in range(window)]
            await asyncio.sleep(1.0)  # warm up
            start_n, start_t = len(received), time.perf_counter()
            with CpuMeter(server.pid) as cpu:
                await asyncio.sleep(tput_s)
            got, dt = len(received) - start_n, time.perf_counter() - start_t
            # the profile in a window of its own, after the measured one: py-spy takes
            # most of a core here, which the bare baseline would not have to share
            profiler = Profiler(server.pid, args.profile, min(5, tput_s)).start()
            if args.profile:
                await asyncio.sleep(min(5, tput_s))
            prof = profiler.finish()
            stop.set()
            await asyncio.wait(tasks, timeout=15)
            for t in tasks:
                t.cancel()
            return got / dt, cpu, prof

        mps, cpu_t, prof = await measure_throughput()
        log(f"relay/{args.server}/{args.mode}: {mps:.0f} msgs/s "
            f"(CPU {cpu_t.as_dict()})")
        await asyncio.sleep(1)

        # 2) latency: open loop at `rate` msgs/s spread over the senders
        received.clear()
        sent = {}
        total = int(rate * lat_s)
        lag = []
        start = time.perf_counter()
        with CpuMeter(server.pid) as cpu_l:
            async for i in open_loop(start, total, rate, lag):
                client, call_id = sides[i % len(sides)]
                s = next(seq)
                sent[s] = time.perf_counter()
                try:
                    await client.emit("call:signal", {"callId": call_id,
                                                      "candidate": candidate(s)},
                                      callback=lambda *a: None)
                except Exception as err:  # a dropped client: counted as lost, not fatal
                    errors.append(repr(err)[:120])
            deadline = time.monotonic() + 10
            while len(received) < total and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        lat = [(t - sent[s]) * 1000 for s, t in received if s in sent]
        achieved = total / (time.perf_counter() - start)
        result = {
            "server": args.server, "mode": args.mode, "connected": connected,
            "still_connected": sum(1 for c, _ in sides if c.connected)
            + sum(1 for c in idle if c.connected),
            "idle_connect_failures": len(failures), "calls": pairs,
            "throughput_msgs_per_s": round(mps, 1), "window_per_sender": window,
            "throughput_seconds": tput_s, "send_errors": len(errors),
            "error_examples": errors[:3],
            "cpu_during_throughput": cpu_t.as_dict(),
            "latency_rate": rate, "latency_sent": total, "latency_received": len(lat),
            "latency_lost": total - len(lat),
            "latency_p50_ms": rnd(pct(lat, 50)), "latency_p99_ms": rnd(pct(lat, 99)),
            "latency_max_ms": rnd(max(lat) if lat else None),
            "sender_lag_p99_ms": rnd(pct(lag, 99) * 1000 if lag else 0),
            "cpu_during_latency": cpu_l.as_dict(),
            "profile": prof,
        }
        log(f"relay/{args.server}/{args.mode}: p50 {result['latency_p50_ms']} ms "
            f"p99 {result['latency_p99_ms']} ms at {achieved:.0f}/s")
        await disconnect_all([c for c, _ in sides] + idle)
        return result
    finally:
        server.stop()


# -- bytes per lobby member when one client joins -----------------------------------

WS_BYTES = {}


def count_ws_bytes():
    """Count the WebSocket frames each client receives (payload + frame header),
    leaving out Engine.IO heartbeats, by wrapping aiohttp's receive()."""
    import aiohttp

    original = aiohttp.ClientWebSocketResponse.receive

    async def receive(self, *a, **kw):
        msg = await original(self, *a, **kw)
        data = msg.data
        if isinstance(data, (str, bytes)) and data not in ("2", "3", b"2", b"3"):
            size = len(data.encode() if isinstance(data, str) else data)
            header = 2 if size < 126 else 4 if size < 65536 else 10
            WS_BYTES[id(self)] = WS_BYTES.get(id(self), 0) + size + header
        return msg

    aiohttp.ClientWebSocketResponse.receive = receive


def ws_key(client):
    return id(client.eio.ws)


async def bench_lobby(args):
    count_ws_bytes()
    sizes = [int(x) for x in os.environ.get(
        "BENCH_LOBBY_SIZES", "10,100,300" if os.environ.get("BENCH_QUICK") else "10,100,1000"
    ).split(",")]
    kind = args.server
    server = make_server(kind, "eventlet", lobby_broadcast=(kind == "bare")).start()
    try:
        url = server.url
        pool = await cookies(url, max(sizes) + 1) if kind == "tlc" else []
        members, out = [], []
        serial = itertools.count()
        # Longer than a count push can be apart for this many views (lobby.py): then no
        # push from the joins before is still pending when the measured join comes.
        from tlightchat.realtime.lobby import COUNT_WRITES_PER_SECOND
        settle = (lambda n: max(2.5, (n + 2) / COUNT_WRITES_PER_SECOND + 0.5)) \
            if kind == "tlc" else (lambda n: 0.5)

        def auth(announce):
            i = next(serial)
            return {"userId": f"u{i:021d}", "displayName": f"Guest-{1000 + i % 9000}",
                    "announce": announce}

        seat = itertools.count()  # one guest each: concurrent joins must not share one

        async def join(announce):
            i = next(seat)
            c = new_client()
            await connect(c, url, pool[i] if kind == "tlc" else None,
                          auth=None if kind == "tlc" else auth(announce))
            return c

        async def quiet(seconds=0.5, limit=30):
            """Wait until no member has received anything for `seconds`."""
            deadline = time.monotonic() + limit
            last = dict(WS_BYTES)
            while time.monotonic() < deadline:
                await asyncio.sleep(seconds)
                now = dict(WS_BYTES)
                if now == last:
                    return
                last = now

        for n in sizes:
            sem = asyncio.Semaphore(50)

            async def add():
                async with sem:
                    members.append(await join(False))

            while len(members) < n:
                await asyncio.gather(*(add() for _ in range(min(BARRIER_EVERY,
                                                                n - len(members)))))
                await barrier(members)
            # quiet for longer than the count interval: no count push is pending
            await quiet(settle(n))
            before = {ws_key(c): WS_BYTES.get(ws_key(c), 0) for c in members}
            joiner = await join(True)
            # Everyone hears of a join: the delta (views with room), or at least the
            # coalesced lobby:count (full views); then nothing more for `settle`.
            deadline = time.monotonic() + 30 + settle(n)
            while time.monotonic() < deadline:
                got = [WS_BYTES.get(k, 0) - b for k, b in before.items()]
                if all(g > 0 for g in got):
                    break
                await asyncio.sleep(0.02)
            await quiet(settle(n))
            got = [WS_BYTES.get(k, 0) - b for k, b in before.items()]
            own = WS_BYTES.get(ws_key(joiner), 0)
            row = {"n": n, "per_member_median": median(got), "per_member_max": max(got),
                   "per_member_mean": round(sum(got) / len(got), 1),
                   "members_reached": sum(1 for g in got if g > 0),
                   "joiner_received": own}
            log(f"lobby/{kind}: N={n}: {row}")
            out.append(row)
            members.append(joiner)
        await disconnect_all(members)
        return {"server": kind, "rows": out,
                "what": "WebSocket frame bytes (payload + frame header) each existing member "
                        "received when one more client connected (the lobby delta where "
                        "the member's view takes the joiner, and the coalesced lobby:count); "
                        "heartbeats excluded"}
    finally:
        server.stop()


# -- round trips: an ack alone, an event then the ack; WebSocket and polling ---------

RTT_EVENTS = ("me:state", "ice:servers", "anchor:rename")


async def bench_rtt(args):
    """p50/p99 of emit → ack for events whose answer is the ack alone (`me:state`,
    `ice:servers`) and one where the server first writes an event to the same client
    (`anchor:rename`: the `lobby:anchor` delta, then the ack: two frames in a row, where
    Nagle's algorithm once added ~44 ms), over WebSocket and over polling."""
    samples = knob("RTT_SAMPLES", 200, 80)
    server = make_server("tlc", args.mode).start()
    try:
        cookie = (await cookies(server.url, 1))[0]
        result = {"samples": samples}
        for transport in ("websocket", "polling"):
            c = new_client()
            await connect(c, server.url, cookie, transports=(transport,))
            await asyncio.sleep(0.5)
            anchor = (await call(c, "anchor:create", {}, timeout=10))["anchor"]["id"]
            result[transport] = {}
            for event in RTT_EVENTS:
                times = []
                for i in range(samples + 5):
                    payload = ({"anchorId": anchor, "name": f"Slot {i % 2 + 1}x"}
                               if event == "anchor:rename" else None)
                    t = time.perf_counter()
                    ack = await call(c, event, payload, timeout=10)
                    if i >= 5:
                        times.append((time.perf_counter() - t) * 1000)
                    assert ack.get("ok"), ack
                    await asyncio.sleep(0.025)  # 40 events/s: under the rate limit
                result[transport][event] = {"p50_ms": rnd(median(times), 3),
                                            "p99_ms": rnd(pct(times, 99), 3)}
                log(f"rtt/{transport}/{event}: {result[transport][event]}")
            assert c.transport() == transport, c.transport()
            await c.disconnect()
            # the figures BENCHMARKS.md had before (me:state) keep their place
            result[transport].update(result[transport]["me:state"])
        result["ratio"] = rnd(result["polling"]["p50_ms"] / result["websocket"]["p50_ms"])
        ws = result["websocket"]
        result["event_then_ack_ratio"] = rnd(ws["anchor:rename"]["p50_ms"]
                                             / ws["ice:servers"]["p50_ms"])
        return result
    finally:
        server.stop()


# -- chat: acked after the durable store --------------------------------------------

def fsync_floor(directory, n=300):
    """The floor for a durable ack on this disk: one SQLite insert + commit in WAL mode with
    synchronous=FULL (the app's pragmas), n times, in the server's own temp dir."""
    import sqlite3

    path = os.path.join(directory, "fsync-probe.sqlite3")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, body TEXT)")
    times = []
    for i in range(n):
        t = time.perf_counter()
        con.execute("BEGIN")
        con.execute("INSERT INTO m (body) VALUES (?)", (f"message {i} " * 8,))
        con.execute("COMMIT")
        times.append((time.perf_counter() - t) * 1000)
    con.close()
    return {"commits": n, "p50_ms": rnd(pct(times, 50), 3), "p99_ms": rnd(pct(times, 99), 3)}


async def bench_chat(args):
    users = knob("CHAT_USERS", 200, 100)
    rate = knob("CHAT_RATE", 500, 500)
    seconds = knob("CHAT_SECONDS", 10, 5)
    server = make_server("tlc", args.mode).start()
    try:
        pool = await cookies(server.url, users)
        clients, failures = await connect_many(server.url, users, lambda i: pool[i],
                                               concurrency=20)
        if len(clients) != users:
            raise RuntimeError(f"{len(clients)}/{users} connected: {failures[:2]}")
        ids = []
        for c in clients:
            ids.append((await call(c, "me:state"))["user"]["id"])
        # warm-up: one message per pair creates the conversations
        for i in range(0, users, 2):
            await call(clients[i], "chat:send", {"to": ids[i + 1], "clientMsgId": f"w{i}",
                                                 "text": "hello"})
        await asyncio.sleep(6)  # the per-user chat bucket (5/s, burst 30) refills
        floor = await asyncio.get_running_loop().run_in_executor(None, fsync_floor, server.dir)
        log(f"chat: durable-commit floor on this disk: {floor}")
        lat, errors = [], []
        total = int(rate * seconds)
        lag = []

        def acked(t0, lat, errors):
            def cb(ack=None, *_):
                if isinstance(ack, dict) and ack.get("ok"):
                    lat.append((time.perf_counter() - t0) * 1000)
                else:
                    errors.append(str(ack)[:160])
            return cb

        async def storm(total, tag, lat, errors, lag):
            start = time.perf_counter()
            async for i in open_loop(start, total, rate, lag):
                k = i % users
                peer = k + 1 if k % 2 == 0 else k - 1
                text = f"message {i}: the quick brown fox jumps over the lazy dog **{k}**"
                try:
                    await clients[k].emit("chat:send", {"to": ids[peer],
                                                        "clientMsgId": f"{tag}{i}",
                                                        "text": text},
                                          callback=acked(time.perf_counter(), lat, errors))
                except Exception as err:  # a dropped client: counted, not fatal
                    errors.append(repr(err)[:160])
            deadline = time.monotonic() + 20
            while len(lat) + len(errors) < total and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return time.perf_counter() - start

        with CpuMeter(server.pid) as cpu:
            measured_s = await storm(total, "m", lat, errors, lag)
        # the profile in a storm of its own, after the measured one: py-spy takes most of
        # a core on this box, which would otherwise show up as chat latency
        prof = None
        if args.profile:
            await asyncio.sleep(6)  # the chat buckets refill
            profiler = Profiler(server.pid, args.profile, 5).start()
            await storm(int(rate * 5), "p", [], [], [])
            prof = profiler.finish()
        result = {"users": users, "rate": rate, "seconds": seconds, "sent": total,
                  "sqlite_commit_floor": floor,
                  "acked_ok": len(lat), "errors": len(errors), "error_examples": errors[:3],
                  "achieved_rate": round(total / measured_s, 1),
                  "p50_ms": rnd(pct(lat, 50)), "p99_ms": rnd(pct(lat, 99)),
                  "max_ms": rnd(max(lat) if lat else None),
                  "sender_lag_p99_ms": rnd(pct(lag, 99) * 1000 if lag else 0),
                  "cpu": cpu.as_dict(), "profile": prof}
        log(f"chat: {result}")
        await disconnect_all(clients)
        return result
    finally:
        server.stop()


BENCHES = {"idle": bench_idle, "relay": bench_relay, "lobby": bench_lobby, "rtt": bench_rtt,
           "chat": bench_chat}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", choices=sorted(BENCHES))
    # node: bench/node/server.js, the bare relay on Node's socket.io (relay and idle only)
    ap.add_argument("--server", default="tlc", choices=["tlc", "bare", "node"])
    ap.add_argument("--mode", default="eventlet", choices=["eventlet", "gevent", "threading"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--profile", default=None, help="py-spy raw output path (optional)")
    args = ap.parse_args()
    fds = raise_fd_limit()
    started = time.time()
    try:
        result = asyncio.run(BENCHES[args.bench](args))
        result["ok"] = True
    except Exception as err:
        import traceback

        traceback.print_exc()
        result = {"ok": False, "error": repr(err)[:500]}
    result.update({"bench": args.bench, "server": args.server, "mode": args.mode,
                   "seconds": round(time.time() - started, 1), "fd_limit": fds})
    write_json(args.out, result)


if __name__ == "__main__":
    main()
