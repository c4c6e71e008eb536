"""BENCHMARKS.md from one run's results (bench/results/latest.json).

    python bench/report.py [bench/results/latest.json]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goals import against, beside, target  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOAD = ".venv/bin/python bench/load.py"


def kb(b):
    return None if b is None else f"{b / 1024:,.1f} KiB"


def n(x, unit="", digits=0):
    if x is None:
        return "—"
    return f"{x:,.{digits}f}{unit}"


def ratio(a, b):
    return round(a / b, 2) if a is not None and b not in (None, 0) else None


def le(x, limit):
    return x is not None and x <= limit


def ok(r):
    return bool(r) and r.get("ok")


def whole(r):
    """A relay run that kept every client it connected: one that lost clients (heartbeat
    time-outs on a loaded box) measured fewer senders, so its figures are not the relay's."""
    return ok(r) and r.get("still_connected", r["connected"]) >= r["connected"]


def failed(r, what):
    if r is None:
        return f"not run ({what})"
    if r.get("pending"):
        return f"pending: {r['pending']}"
    if ok(r):  # ran, but not whole
        return (f"FAILED: {r['server']} lost {r['connected'] - r['still_connected']:,} of "
                f"{r['connected']:,} clients during the run")
    return "FAILED: " + str(r.get("error", "?"))[:120].replace("|", "/")


def group_load_rows(t, row):
    """Browser CPU and upload per party at 2, 4 and 6 parties (bench/group_load.py)."""
    cmd = ".venv/bin/python bench/group_load.py --out r.json"
    if not ok(t):
        if t is not None:
            row("group call: browser CPU and upload bitrate per party at 2, 4, 6 parties", "report",
                failed(t, "group-load"), "—", None, None, cmd)
        return
    by = t["by_size"]
    sizes = sorted(by, key=int)
    top = by[sizes[-1]]
    cond = (f"{t['window_s']:.0f} s window after {t['settle_s']:.0f} s settling; load average "
            + ", ".join(f"{by[x]['load_1min'][0]:.1f} → {by[x]['load_1min'][1]:.1f} at {x}" for x in sizes)
            + "; the box busy " + ", ".join(f"{by[x]['machine_busy_cores']}" for x in sizes) + " of 2 cores")
    if t.get("error"):
        cond += f"; stopped at {t.get('stopped_at_parties')} pages: {str(t['error'])[:100]}".replace("|", "/")
    wide = sorted({w for x in sizes for w in by[x].get("sent_widths", []) if w != 160})
    if wide:
        cond += f"; some video sent at {', '.join(map(str, wide))} px, not 160"
    if t.get("short"):
        cond += f"; a party lacked a connected peer at N = {', '.join(t['short'])}"
    full = [x for x in sizes if by[x]["machine_busy_cores"] >= 1.9]
    if full:  # what each browser got, not what it needed: the encoders drop frames
        cond += (f"; at N = {', '.join(full)} the box was saturated (all cores busy): each party's CPU is "
                 "what it got, and its encoders sent fewer frames, so its upload is under N − 1 times")
    more = " / ".join(f"{by[x].get('cpu_ratio', '—')}×" for x in sizes[1:])
    row(f"group call: browser CPU per party (its whole Chromium process tree, /proc; cores), "
        f"N = {', '.join(sizes)} parties, 160×120 at 8 fps (median, max; {cond})", "report",
        " / ".join(f"N = {x}: {by[x]['cpu_median']:.2f}, {by[x]['cpu_max']:.2f}" for x in sizes)
        + (f"; per party at {' and '.join(sizes[1:])} = {more} the 2-party call" if more else ""),
        f"the 2-party call, same run: {by['2']['cpu_median']:.2f} cores (each party encodes once per "
        "peer and decodes each peer's stream, on top of a fixed browser cost: up to ~ N − 1)", top.get("cpu_ratio"), None, cmd)
    more = " / ".join(f"{by[x].get('upload_ratio', '—')}× (mesh: {by[x].get('expected_upload_ratio')}×)"
                      for x in sizes[1:])
    row(f"group call: upload bitrate per party (outbound-rtp bytesSent over its peer connections, audio + "
        f"video), N = {', '.join(sizes)} parties (median, max)", "report",
        " / ".join(f"N = {x}: {by[x]['upload_median_kbps']:,.0f}, {by[x]['upload_max_kbps']:,.0f} kbit/s"
                   for x in sizes)
        + (f"; per party at {' and '.join(sizes[1:])} = {more} the 2-party call" if more else ""),
        f"the 2-party call, same run: {by['2']['upload_median_kbps']:,.0f} kbit/s (a mesh sends one stream "
        "per other party: expected N − 1 = 3× at 4, 5× at 6)", top.get("upload_ratio"), None, cmd)


def cluster_scale_row(t, row):
    """Issue 33.4: relayed msgs/s on two nodes against one, each node pinned to a core."""
    cmd = ".venv/bin/python bench/cluster_scale.py --out r.json"
    figure = ("cluster: relayed msgs/s on two nodes vs one node of this machine, each node "
              "pinned to a core (`taskset -c 0` / `-c 1`), the calls spread across the nodes "
              "(both sides of a call on one node); the load generator and Redis unpinned, on "
              "what is left")
    if not ok(t):
        if t is not None:
            row(figure, "≥ 1.7× one node", failed(t, "cluster scale"), "—", None, None, cmd)
        return

    def cpu(layout):  # the median round's CPU shares (of one core each)
        runs = sorted((r[layout] for r in t["rounds"]), key=lambda v: v["msgs_per_s"])
        return ", ".join(f"{k} {v}" for k, v in runs[len(runs) // 2]["cpu"].items())

    each = lambda key: ", ".join(f"{r[key]['msgs_per_s']:,}" for r in t["rounds"])  # noqa: E731
    cond = (f"median of {len(t['rounds'])} alternating rounds, {t['pairs']} calls, "
            f"{t['seconds']:g} s each; {t['cores']} cores"
            + ("" if t.get("pinned") else "; taskset missing: nodes NOT pinned")
            + "; cores allowed: " + ", ".join(
                f"{k} {v}" for k, v in t["rounds"][0]["two"].get("cores_allowed", {}).items())
            + f"; load average {t['load_1min'][0]} → {t['load_1min'][1]}")
    row(f"{figure} ({cond})", f"≥ {t['goal']:g}× one node",
        f"two nodes: {n(t['two_msgs_per_s'])} msg/s ({each('two')}); CPU share: {cpu('two')}",
        f"one node: {n(t['one_msgs_per_s'])} msg/s ({each('one')}); CPU share: {cpu('one')}",
        t["ratio"], t["met"], cmd)


def rows(doc):
    R = doc["results"]
    out = []

    def row(figure, target, measured, baseline, rat, met, command):
        mark = {True: "✅", False: "❌", None: "—"}[met]
        out.append((figure, target, measured, baseline,
                    "—" if rat is None else f"{rat:.2f}", mark, f"`{command}`"))

    # idle clients + memory; Node's socket.io beside bare python-socketio (issue 33)
    t, b, nd = R.get("idle.tlc"), R.get("idle.bare"), R.get("idle.node")
    nd = nd if ok(nd) else None

    def node(measured, key, fmt):
        return "; " + beside(measured, nd and nd.get(key), "Node socket.io", fmt)

    if ok(t):
        alive = t["server_reports"] if isinstance(t["server_reports"], int) else 0
        meas = (f"{t['connected']:,} of {t['target_clients']:,} connected within the "
                f"{t['ramp_deadline_seconds']} s deadline (ramp {t['ramp_seconds']} s); after "
                f"{t['hold_seconds']} s hold: server counts {t['server_reports']}, load generator "
                f"still has {t['alive_after_hold']:,}")
        base = (f"bare: {b['connected']:,} in {b['ramp_seconds']} s, {b['server_reports']} "
                f"after hold" if ok(b) else "bare: " + failed(b, "idle"))
        if nd:
            base += (f"; Node socket.io: {nd['connected']:,} in {nd['ramp_seconds']} s, "
                     f"{nd['server_reports']} after hold")
        row("concurrent idle WebSocket clients, one server process (eventlet)", "≥ 10,000",
            meas, base, ratio(alive, b["server_reports"]) if ok(b) and isinstance(
                b["server_reports"], int) else None,
            alive >= 10000 and t["alive_after_hold"] >= 10000, f"{LOAD} idle --server tlc --out r.json")
        mem = t["bytes_per_client"]
        r, met = against(mem, b["bytes_per_client"] if ok(b) else None, "≤", 1)
        row("memory per connected client (server RSS growth / clients); issue 33: ≤ bare "
            "python-socketio, Node's socket.io beside it", target("≤", 1),
            f"{mem / 1000:,.1f} KB at {t['connected']:,} clients",
            (f"bare: {b['bytes_per_client'] / 1000:,.1f} KB" if ok(b)
             else "bare: " + failed(b, "idle"))
            + node(mem, "bytes_per_client", lambda v: f"{v / 1000:,.1f} KB"),
            r, met, f"{LOAD} idle --server tlc --out r.json")
        if t.get("rss_before_kb"):
            rss = t["rss_before_kb"]
            r, met = against(rss, b.get("rss_before_kb") if ok(b) else None, "≤", 1.3)
            row("server RSS before any client (after start and the cookie visits)",
                target("≤", 1.3), f"{rss / 1024:,.1f} MiB",
                (f"bare: {b['rss_before_kb'] / 1024:,.1f} MiB" if ok(b)
                 else "bare: " + failed(b, "idle"))
                + node(rss, "rss_before_kb", lambda v: f"{v / 1024:,.1f} MiB"),
                r, met, f"{LOAD} idle --server tlc --out r.json")
    else:
        row("concurrent idle WebSocket clients", "≥ 10,000", failed(t, "idle"), "—", None, None,
            f"{LOAD} idle --server tlc --out r.json")
        row("memory per connected client", "≤ 40 KB", failed(t, "idle"), "—", None, None,
            f"{LOAD} idle --server tlc --out r.json")

    # relay, eventlet; Node's socket.io beside bare python-socketio (issue 33)
    t, b, nd = R.get("relay.tlc.eventlet"), R.get("relay.bare.eventlet"), R.get("relay.node")
    nd = nd if whole(nd) else None
    if whole(t) and whole(b):
        r = ratio(t["throughput_msgs_per_s"], b["throughput_msgs_per_s"])
        row(f"relayed signaling msgs/s at {t['connected']:,} connected clients (eventlet)",
            "≥ 0.7 × bare", n(t["throughput_msgs_per_s"], " msg/s"),
            n(b["throughput_msgs_per_s"], " msg/s (bare)")
            + (f"; Node socket.io {n(nd['throughput_msgs_per_s'], ' msg/s')} (the load "
               f"generator at {nd['cpu_during_throughput']['loadgen']} of a core)" if nd else ""),
            r, r is not None and r >= 0.7,
            f"{LOAD} relay --server tlc --mode eventlet --out r.json")
        def per_cpu(r):
            share = (r.get("cpu_during_throughput") or {}).get("server")
            return r["throughput_msgs_per_s"] / share if share else None

        tc, bc = per_cpu(t), per_cpu(b)
        r, met = against(tc, bc, "≥", 1.2)
        row("relayed msgs per server CPU-second (eventlet; msg/s ÷ the server's CPU share "
            "in the same window); issue 33: ≥ 1.2× bare python-socketio, Node's socket.io "
            "beside it", target("≥", 1.2), n(tc, " msg/CPU-s"),
            n(bc, " msg/CPU-s (bare)") + "; " + beside(
                tc, nd and per_cpu(nd), "Node socket.io", lambda v: n(v, " msg/CPU-s")),
            r, met, f"{LOAD} relay --server tlc --mode eventlet --out r.json")
        row(f"relay latency p50 / p99 at {t['latency_rate']:,} msgs/s (eventlet)",
            "p99 ≤ 20 ms", f"{t['latency_p50_ms']} / {t['latency_p99_ms']} ms",
            f"{b['latency_p50_ms']} / {b['latency_p99_ms']} ms (bare)",
            ratio(t["latency_p99_ms"], b["latency_p99_ms"]), le(t["latency_p99_ms"], 20),
            f"{LOAD} relay --server tlc --mode eventlet --out r.json")
    else:
        bad = t if not whole(t) else b
        row("relayed signaling msgs/s at 1,000 clients", "≥ 0.7 × bare", failed(bad, "relay"),
            "—", None, None, f"{LOAD} relay --server tlc --out r.json")
        row("relay latency p50 / p99 at 1,000 msgs/s", "p99 ≤ 20 ms", failed(bad, "relay"),
            "—", None, None, f"{LOAD} relay --server tlc --out r.json")

    # lobby bytes
    t, b = R.get("lobby.tlc"), R.get("lobby.bare")
    if ok(t) and ok(b):
        tm = {x["n"]: x["per_member_median"] for x in t["rows"]}
        tx = {x["n"]: x["per_member_max"] for x in t["rows"]}
        bm = {x["n"]: x["per_member_median"] for x in b["rows"]}
        ns = sorted(tm)
        top = ns[-1]
        row("bytes each lobby member receives when one client joins, N = "
            + ", ".join(f"{x:,}" for x in ns) + " (median, max)", "constant in N, ≤ 300 B",
            " / ".join(f"{tm[x]:,.0f}, {tx[x]:,.0f} B" for x in ns),
            " / ".join(f"{bm.get(x, 0):,.0f} B" for x in ns) + " (whole-list broadcast)",
            ratio(tx[top], bm.get(top)),
            max(tx.values()) <= 300 and tx[top] <= tx[ns[0]] + 16,
            f"{LOAD} lobby --server tlc --out r.json")
    else:
        row("bytes per lobby member when one client joins", "constant in N, ≤ 300 B",
            failed(t if not ok(t) else b, "lobby"), "—", None, None,
            f"{LOAD} lobby --server tlc --out r.json")

    # the relay's fast paths, in-process CPU (bench/micro.py)
    t = R.get("micro")
    step = (t or {}).get("rows", {}).get(
        "whole relay step, server CPU per candidate (process time, in-process)")
    if ok(t) and step:
        row("server CPU per relayed candidate, whole server step in-process (no network, "
            "no unmasking; fast paths on)", "report", f"{step['fast']} µs",
            f"{step['library']} µs with the library code (fast paths off)",
            ratio(step["fast"], step["library"]), None, ".venv/bin/python bench/micro.py")
        join = t["rows"].get(
            "a client joins and leaves a store of 40,000 (dict slices → persistent maps)")
        if join:
            row("a client joins and leaves a store of 40,000 clients (what every cluster "
                "node applies per join)", "report", f"{join['fast']} µs",
                f"{join['library']} µs with the slices as dicts (a copy per change)",
                ratio(join["fast"], join["library"]), None, ".venv/bin/python bench/micro.py")
        via = t["rows"].get(
            "the relay step with the candidate through a store dispatch (before issue 33.3)")
        if via:
            row("server CPU per relayed candidate in one process: guarded and delivered "
                "(Store.check + EmitterTree.relay) vs through a store dispatch (reducer, "
                "subscribers, the emitter tree's walk); 300 clients online", "report", f"{via['fast']} µs",
                f"{via['library']} µs through a dispatch", ratio(via["fast"], via["library"]),
                None, ".venv/bin/python bench/micro.py")
        rest = [(k, v) for k, v in t["rows"].items() if v not in (step, join, via)]
        row("fast paths vs the library, µs per call (best of 7)", "report",
            "; ".join(f"{k}: {v['fast']}" for k, v in rest),
            "; ".join(f"{v['library']}" for k, v in rest), None, None,
            ".venv/bin/python bench/micro.py")

    # event + ack round trip, polling vs websocket
    t = R.get("rtt")
    if ok(t) and "anchor:rename" in t["websocket"]:
        ws, po = t["websocket"], t["polling"]
        row("event + ack round trip over WebSocket when the server writes an event before "
            "the ack (`anchor:rename`: `lobby:anchor`, then the ack), p50", "≤ 2 ms",
            f"{ws['anchor:rename']['p50_ms']} ms (p99 {ws['anchor:rename']['p99_ms']} ms)",
            f"ack alone (`ice:servers`) {ws['ice:servers']['p50_ms']} ms; the same "
            f"`anchor:rename` over polling {po['anchor:rename']['p50_ms']} ms",
            t.get("event_then_ack_ratio"), le(ws["anchor:rename"]["p50_ms"], 2),
            f"{LOAD} rtt --out r.json")
    if ok(t):
        row("polling vs WebSocket round trip (me:state ack, p50)", "≤ 2×",
            f"{t['polling']['p50_ms']} ms polling", f"{t['websocket']['p50_ms']} ms WebSocket",
            t["ratio"], le(t["ratio"], 2), f"{LOAD} rtt --out r.json")
    else:
        row("polling vs WebSocket round trip", "≤ 2×", failed(t, "rtt"), "—", None, None,
            f"{LOAD} rtt --out r.json")

    # chat
    t = R.get("chat")
    if ok(t):
        row(f"chat: chat:send acked after durable store, at {t['rate']} msgs/s",
            "p99 ≤ 20 ms", f"p99 {t['p99_ms']} ms (p50 {t['p50_ms']} ms; "
            f"{t['acked_ok']:,}/{t['sent']:,} ok, achieved {t.get('achieved_rate')} msgs/s)",
            (f"one SQLite WAL commit with synchronous=FULL on this disk: p99 "
             f"{t['sqlite_commit_floor']['p99_ms']} ms (p50 {t['sqlite_commit_floor']['p50_ms']} ms)"
             if t.get("sqlite_commit_floor") else "—"),
            ratio(t["p99_ms"], (t.get("sqlite_commit_floor") or {}).get("p99_ms")),
            t["p99_ms"] is not None and t["p99_ms"] <= 20 and t["errors"] == 0,
            f"{LOAD} chat --out r.json")
    else:
        row("chat: acked after durable store, p99 at 500 msgs/s", "≤ 20 ms", failed(t, "chat"),
            "—", None, None, f"{LOAD} chat --out r.json")

    # call setup
    t = R.get("call")
    if ok(t):
        row("call setup, Accept → first remote frame on both sides, real Chromium (median)",
            "≤ 1.2×", f"{t['app_median_ms']} ms", f"{t['baseline_median_ms']} ms "
            "(2 RTCPeerConnections, one page)", t["ratio"], le(t["ratio"], 1.2),
            ".venv/bin/python bench/browser.py --out r.json")
    else:
        row("call setup, Accept → first remote frame, real Chromium", "≤ 1.2×",
            failed(t, "call"), "—", None, None, ".venv/bin/python bench/browser.py --out r.json")

    # a file sent in a call, peer to peer (issue 29)
    t = R.get("files")
    cmd = ".venv/bin/python bench/files.py --out r.json"
    if ok(t):
        row(f"file in a call: {t['size_mb']} MB over the call's data channel, real Chromium, "
            "Accept → checked (median MB/s); receiver's peak memory growth", "≥ 0.8× bare",
            f"{t['app_mb_s']} MB/s in a video call ({t.get('quiet_mb_s')} MB/s, "
            f"{t.get('quiet_ratio')}× its bare {t.get('quiet_bare_mb_s')} MB/s, with both pages "
            "sending nothing); receiver JS heap "
            f"+{t['heap_peak_growth_mib']} MiB, renderer RSS +{t['rss_peak_growth_mib']} MiB",
            f"{t['bare_mb_s']} MB/s (a bare data channel, 2 RTCPeerConnections in one page, "
            "measured while the call ran)",
            t["ratio"], None if t["ratio"] is None else t["ratio"] >= 0.8, cmd)
    elif t is not None:
        row("file in a call: throughput over the call's data channel", "≥ 0.8× bare",
            failed(t, "files"), "—", None, None, cmd)
    # group calls (issue 26): the 3rd and 4th party against the two-party setup of the same run
    t = R.get("group")
    cmd = ".venv/bin/python bench/group_call.py --out r.json"
    if ok(t):
        load = t.get("load_1min")
        how = f"median of {len(t['runs'])} rounds" + (f"; load average {load[0]} → {load[1]}" if load else "")
        for nth, key in (("3rd", "third"), ("4th", "fourth")):
            row(f"group call, {nth} party: Accept → first remote frame from every party, real Chromium ({how})",
                "≤ 2×", f"{t[key + '_median_ms']} ms ("
                + ", ".join(f"{r[key + '_ms'] / 1000:.1f} s" for r in t["runs"]) + ")",
                f"{t['two_median_ms']} ms (the two-party setup, same run)",
                t[key + "_ratio"], le(t[key + "_ratio"], 2.0), cmd)
    else:
        row("group call, 3rd/4th party: Accept → first remote frame from every party", "≤ 2×",
            failed(t, "group"), "—", None, None, cmd)
    group_load_rows(R.get("group.load"), row)

    # a network change mid-call in the NAT lab (issue 30.3)
    t = R.get("netchange")
    cmd = ".venv/bin/python bench/netchange.py --out r.json"
    if ok(t):
        row("uplink switch mid-call (NAT lab): media back both ways, no reload (median)", "≤ 3 s",
            f"{t['switch_median_s']} s", f"{t['restart_median_s']} s (an ICE restart on loopback)",
            t["ratio"], le(t["switch_median_s"], 3), cmd)
    elif t is not None:
        row("uplink switch mid-call (NAT lab): media back both ways", "≤ 3 s", failed(t, "netchange"),
            "—", None, None, cmd)

    # the page in real Chromium: navigation → lobby, first-load and repeat transfer
    t = R.get("page")
    cmd = ".venv/bin/python bench/page.py --out r.json"
    if ok(t):
        row("navigation → lobby rendered on /call, real Chromium, cold (median)", "≤ 250 ms",
            f"{t['lobby_median_ms']} ms", f"first contentful paint {t['fcp_median_ms']} ms",
            t["ratio"], le(t["lobby_median_ms"], 250), cmd)
        if t.get("returning_ratio") is not None:  # issue 33.1: the lobby rendered by the server
            row("navigation → lobby rendered on /call, returning visitor, empty cache (median)",
                "≤ 1.1× FCP", f"{t['returning_lobby_median_ms']} ms",
                f"first contentful paint {t['returning_fcp_median_ms']} ms",
                t["returning_ratio"], t["returning_ratio"] <= 1.1, cmd)
        row("/call first load, bytes transferred (compressed, headers included)", "≤ 70 KB",
            f"{t['first_load_transfer_bytes'] / 1000:,.1f} KB in "
            f"{t['first_load_requests']:.0f} requests",
            f"the same files uncompressed: {t['first_load_decoded_bytes'] / 1000:,.1f} KB",
            ratio(t["first_load_transfer_bytes"], t["first_load_decoded_bytes"]),
            le(t["first_load_transfer_bytes"], 70_000), cmd)
        row("/call repeat visit, bytes transferred (the browser's HTTP cache)", "≤ 10 KB",
            f"{t['repeat_transfer_bytes'] / 1000:,.1f} KB ({t['repeat_over_network']:.0f} of "
            f"{t['repeat_requests']:.0f} requests over the network)",
            f"first load {t['first_load_transfer_bytes'] / 1000:,.1f} KB",
            ratio(t["repeat_transfer_bytes"], t["first_load_transfer_bytes"]),
            le(t["repeat_transfer_bytes"], 10_000), cmd)
    else:
        for figure in ("navigation → lobby rendered on /call", "/call first load transfer",
                       "/call repeat visit transfer"):
            row(figure, "—", failed(t, "page"), "—", None, None, cmd)

    # page weight
    t = R.get("weight")
    if ok(t):
        row("call page weight, HTML + JS + CSS, uncompressed, first load", "≤ 120 KB",
            f"{t['html_js_css_bytes'] / 1000:,.1f} KB (+ {t['fonts_bytes'] / 1000:,.0f} KB fonts)",
            f"{t['original_bytes'] / 1000:,.0f} KB (original: 925 KB JS + 24 KB CSS + 600 KB fonts)",
            t["ratio"], t["html_js_css_bytes"] <= 120_000,
            ".venv/bin/python bench/weight.py --out r.json")
    else:
        row("call page weight", "≤ 120 KB", failed(t, "weight"), "—", None, None,
            ".venv/bin/python bench/weight.py --out r.json")

    # the cluster (docs/scaling.md)
    t = R.get("cluster")
    if ok(t):
        d = t["dispatch"]
        row("cluster: one replicated dispatch (append + read back + apply, one Lua script; "
            "Redis appendfsync always), p50 / p99", "report",
            f"{d['replicated']['p50_ms']} / {d['replicated']['p99_ms']} ms",
            f"in-memory dispatch {d['in_memory']['p50_ms']} / {d['in_memory']['p99_ms']} ms; "
            f"Redis PING {d['redis_ping']['p50_ms']} / {d['redis_ping']['p99_ms']} ms",
            ratio(d["replicated"]["p50_ms"], d["redis_ping"]["p50_ms"]), None,
            ".venv/bin/python bench/cluster.py --out r.json")
        a = t["apply"]
        row(f"cluster: log apply rate, a node catching up on {a['actions']:,} actions", "report",
            f"{n(a['replicated_per_s'])} actions/s",
            f"the same actions on the in-memory store: {n(a['in_memory_per_s'])}/s",
            ratio(a["replicated_per_s"], a["in_memory_per_s"]), None,
            ".venv/bin/python bench/cluster.py --out r.json")
        sn = t["snapshot"]
        row(f"cluster: snapshot at {sn['clients']:,} clients", "report",
            f"{kb(sn['bytes'])} ({sn['bytes_per_client']} B per client), written in "
            f"{sn['write_s']} s, loaded by a joining node in {sn['join_s']} s", "—", None, None,
            ".venv/bin/python bench/cluster.py --out r.json")
    else:
        row("cluster: dispatch, apply rate, snapshot", "report", failed(t, "cluster"), "—",
            None, None, ".venv/bin/python bench/cluster.py --out r.json")
    t = R.get("cluster.relay")
    if ok(t):
        single = t["single"]

        def rl(v):
            return (f"{n(v['msgs_per_s'])} msg/s; {v['p50_ms']} / {v['p99_ms']} ms; "
                    f"{v['cpu_ms_per_msg']} ms CPU")
        paths = [("", "candidates straight to the peer's node (the default)")]
        if "one-node-log" in t:
            paths.append(("-log", "candidates through the log (CLUSTER_DIRECT_RELAY = False)"))
        for suffix, how in paths:
            one, two = t[f"one-node{suffix}"], t[f"two-nodes{suffix}"]
            ratio_key = f"two_nodes_cpu_vs_one_node{suffix.replace('-', '_')}"
            row(f"cluster: relay with the call's sides on two nodes vs one node, {how}: "
                "msgs/s; p50 / p99; server CPU per relayed message (nodes + Redis)",
                "CPU per message ≤ 1.3× one node", rl(two),
                f"one node: {rl(one)}. One process, no Redis: {rl(single)}",
                t[ratio_key], t[ratio_key] <= 1.3,
                ".venv/bin/python bench/cluster_relay.py --out r.json")
    else:
        row("cluster: relay on one node vs two", "CPU per message ≤ 1.3× one node",
            failed(t, "cluster relay"), "—", None, None,
            ".venv/bin/python bench/cluster_relay.py --out r.json")

    cluster_scale_row(R.get("cluster.scale"), row)

    for key, what in (("cluster.idle", "1, 2 and 4 processes"),
                      ("cluster.idle.long", "4 processes again, with a longer ramp deadline "
                                            "(a run of its own, with its own baseline)")):
        t = R.get(key)
        command = (".venv/bin/python bench/idle_cluster.py --out r.json"
                   + (" --sizes 4 --deadline 1200" if key.endswith("long") else ""))
        if t is None and key.endswith("long"):
            continue
        if not ok(t):
            row(f"cluster: idle clients across {what}", "≥ 40,000 in total",
                failed(t, "idle cluster"), "—", None, None, command)
            continue
        L = t["layouts"]
        base = L.get("embedded", {})
        sizes = sorted((v for k, v in L.items() if k.startswith("cluster")),
                       key=lambda v: v["processes"])
        biggest = sizes[-1] if sizes else {}

        def lay(v):
            return (f"{v['processes']} node{'s' if v['processes'] > 1 else ''}: "
                    f"{v['answering_pings']:,} of {v['target']:,} answering pings "
                    f"(ramp {v['ramp_seconds']} s, each node's store counts "
                    f"{', '.join(str(c) for c in v['nodes_report_clients'])}; "
                    f"{', '.join(kb(b) for b in v['bytes_per_client'])} per client; "
                    f"holding them: {v['cpu_hold_cores']['nodes']} of a core, all nodes)")
        row(f"cluster: idle clients across {what}, all answering pings "
            f"({t['per_node']:,} per process, one person each; one Redis log, one "
            f"PostgreSQL; heartbeat {t.get('ping_interval', 25)} s + "
            f"{t.get('ping_timeout', 20)} s; ramp deadline {t.get('deadline', 600):.0f} s "
            "per layout"
            + (f"; every layout ramps at ≤ {t['rate']:.0f} new clients/s" if t.get("rate")
               else "") + ")", "≥ 40,000 in total", "; ".join(lay(v) for v in sizes),
            (f"one process, no Redis (SQLite): {base['answering_pings']:,} of "
             f"{base['target']:,}, {kb(base['bytes_per_client'][0])} per client, holding "
             f"them: {base['cpu_hold_cores']['nodes']} of a core") if base else "—",
            ratio(biggest.get("answering_pings"), base.get("answering_pings")),
            biggest.get("answering_pings", 0) >= 40000, command)

    # async modes
    e = R.get("relay.tlc.eventlet")
    for mode in ("gevent", "threading"):
        t, b = R.get(f"relay.tlc.{mode}"), R.get(f"relay.bare.{mode}")
        if ok(t) and ok(e):
            bare = f"; bare {mode}: {n(b['throughput_msgs_per_s'])} msg/s, p99 {b['latency_p99_ms']} ms" if ok(b) else ""
            dropped = ""
            if t.get("still_connected", t["connected"]) < t["connected"]:
                dropped = (f" — only {t['still_connected']:,} of {t['connected']:,} clients "
                           "still connected at the end (heartbeat time-outs during set-up)")
            row(f"relay under {mode} at {t['connected']:,} connected clients: msgs/s; p50 / p99 "
                f"at {t['latency_rate']:,}/s",
                "report", f"{n(t['throughput_msgs_per_s'])} msg/s; {t['latency_p50_ms']} / "
                f"{t['latency_p99_ms']} ms{dropped}{bare}",
                f"eventlet at {e['connected']:,}: {n(e['throughput_msgs_per_s'])} msg/s; "
                f"{e['latency_p50_ms']} / "
                f"{e['latency_p99_ms']} ms", ratio(t["throughput_msgs_per_s"],
                                                   e["throughput_msgs_per_s"]), None,
                f"{LOAD} relay --server tlc --mode {mode} --out r.json")
        else:
            row(f"relay under {mode}", "report", failed(t if not ok(t) else e, "relay"), "—",
                None, None, f"{LOAD} relay --server tlc --mode {mode} --out r.json")
    return out


def details(doc):
    R = doc["results"]
    lines = ["| run | server | mode | clients (connected → still at end) | msg/s | p50 ms | p99 ms | lost | server CPU | "
             "load-gen CPU | other CPU on the box |", "|" + " --- |" * 11]
    for mode in ("eventlet", "gevent", "threading"):
        for kind in ("bare", "tlc"):
            r = R.get(f"relay.{kind}.{mode}")
            if not ok(r):
                lines.append(f"| relay | {kind} | {mode} | {failed(r, 'relay')} |" + " |" * 7)
                continue
            c = r["cpu_during_throughput"]
            lines.append(f"| relay | {kind} | {mode} | {r['connected']:,} → "
                         f"{r.get('still_connected', r['connected']):,} | "
                         f"{n(r['throughput_msgs_per_s'])} | {r['latency_p50_ms']} | "
                         f"{r['latency_p99_ms']} | {r['latency_lost']} | {c['server']} | "
                         f"{c['loadgen']} | {c.get('others', '—')} |")
        if mode == "eventlet" and R.get("relay.node") is not None:
            r = R["relay.node"]
            if not ok(r):
                lines.append(f"| relay | node | — | {failed(r, 'relay')} |" + " |" * 7)
                continue
            c = r["cpu_during_throughput"]
            lines.append(f"| relay | node (socket.io) | — | {r['connected']:,} → "
                         f"{r.get('still_connected', r['connected']):,} | "
                         f"{n(r['throughput_msgs_per_s'])} | {r['latency_p50_ms']} | "
                         f"{r['latency_p99_ms']} | {r['latency_lost']} | {c['server']} | "
                         f"{c['loadgen']} | {c.get('others', '—')} |")
    return lines


def profile_lines(doc):
    out = []
    for key, label in (("relay.tlc.eventlet", "relay throughput, TLightChat, eventlet"),
                       ("chat", "chat at 500 msgs/s"), ("idle.tlc", "idle ramp (first 30 s)")):
        r = doc["results"].get(key) or {}
        p = r.get("profile")
        if not p:
            continue
        out.append(f"**{label}** — {p['samples']:,} py-spy samples; top own time:")
        out.append("")
        for fr, share in p["top_own"][:8]:
            out.append(f"- {share}% `{fr}`")
        app = [(fr, s) for fr, s in p["top_total"] if "tlightchat/" in fr][:6]
        if app:
            out.append("- app frames by total time: " + "; ".join(f"`{fr}` {s}%" for fr, s in app))
        out.append("")
    return out


def write(doc, path):
    m = doc["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `make bench` ({'BENCH_QUICK=1 smoke run — small sizes' if doc['quick'] else 'full run'})"
        f" on {doc['stamp']}, git {m.get('git') or '?'}; {doc['seconds']:.0f} s in all. "
        "Raw figures: `bench/results/latest.json` (and one file per run next to it).",
        "",
    ]
    carried = {}
    for key, r in sorted(doc["results"].items()):
        if r.get("carried_over"):
            carried.setdefault(r.get("from_run", "an earlier run"), []).append(key)
    if carried:
        lines += ["This run measured only some groups (`bench/run.py --only`); the others are "
                  "carried over, each still against its own same-run baseline: "
                  + "; ".join(f"{', '.join(keys)} from {stamp}" for stamp, keys in carried.items())
                  + ".", ""]
    lines += [
        "| figure | target | measured | baseline (same run) | ratio | met | command |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows(doc):
        lines.append("| " + " | ".join(str(x) for x in r) + " |")
    lines += ["", "Ratio = measured / baseline (for the relay and latency rows: TLightChat / bare "
              "python-socketio; for async modes: that mode / eventlet).", "",
              "## Relay runs in detail", ""] + details(doc)
    lines += ["", "CPU columns are shares of one core over the measuring window: the server "
              "process, the load generator, and everything else running on the box at the time "
              "(these machines are shared; other people's browser tests show up there).", ""]
    prof = profile_lines(doc)
    if prof:
        lines += ["## Profiles (py-spy, server process)", ""] + prof
    lines += [
        "## How measured",
        "",
        f"- Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('mem_gib')} GiB, "
        f"{m.get('os')}, Linux {m.get('kernel')}, Python {m.get('python')}; "
        f"{', '.join(f'{k} {v}' for k, v in m.get('packages', {}).items())}; "
        f"{m.get('chromium')}. Load average at start {m.get('loadavg_at_start')}, at end "
        f"{m.get('loadavg_at_end')}.",
        "- Server and load generator on this one box over 127.0.0.1. The server is "
        "`python app.py` (production settings: `TLC_ENV=production`, JSON logs at INFO, a fresh "
        "SQLite file) in its own process; the baseline is `bench/bare_server.py`, python-socketio "
        "alone with the same async mode, web server and heartbeat. The load generator is "
        "python-socketio's `AsyncClient` (aiohttp), all connections from one asyncio process, "
        "WebSocket transport unless stated; it raises its file-descriptor limit itself.",
        "- Every client first visits `/call` for a guest session cookie (a pool of cookies is "
        "shared round-robin where the figure does not depend on distinct users).",
        "- Relay: 50 live calls (100 clients) plus idle clients up to 1,000 connected. Throughput "
        "is closed-loop (both sides of each call keep 4 `call:signal` ICE candidates in flight, "
        "each acked), counted at the receiving peers over 10 s after a 1 s warm-up. Latency is "
        "open-loop at 1,000 msgs/s for 10 s: send → relayed `call:signal` arrives at the peer, "
        "one clock. The per-connection rate limit is lifted for these runs "
        "(`TLC_RATE_LIMIT_*`), since it is policy, not capacity; the bare server has none.",
        "- Lobby bytes: WebSocket frame bytes (payload + frame header, heartbeats excluded) that "
        "each existing member receives when one more client connects, at N members (one guest "
        "each): the `lobby:client-joined` delta where the member's view has room for the "
        "joiner (every view, below `LOBBY_WINDOW` = 100 users), plus the coalesced "
        "`lobby:count` every member gets; measured after 2.5 s of quiet; the "
        "baseline is the bare server re-broadcasting the whole lobby list in the shape of "
        "`lobby:snapshot` to every member on a join, as the original did.",
        "- Connecting many clients is paced: batches of 25, each followed by a round trip on "
        "the oldest client (its ack arrives only after every lobby message queued before it), "
        "so the join fan-out cannot pile up unread; without it, 1,000 fast joins dropped most "
        "clients on heartbeat time-outs.",
        "- Idle: connect up to 10,000 clients (one guest each: 10,000 people) before a deadline, "
        "hold longer than ping interval "
        "+ timeout (5 + 5 s), then count clients still connected on the server (`/healthz`) "
        "and in the load generator; memory is the server's RSS growth divided by the clients "
        "connected.",
        "- Chat: 200 users in 100 pairs, open-loop 500 `chat:send`/s in all (2.5/s per user, under "
        "the per-user chat limit), latency from emit to the ack (sent after the commit). The "
        "relay and chat profiles (py-spy) are taken in a window of their own after the "
        "measured one.",
        "- Idle clients across processes (`bench/idle_cluster.py`): `python app.py` nodes "
        "sharing one Redis log and one PostgreSQL database (a one-process baseline without "
        "Redis, on SQLite), 10,000 clients per process, one person each, from one "
        "minimal Engine.IO/WebSocket load generator per node (`bench/idle_clients.py`); every "
        "layout and its baseline with the same heartbeat (Engine.IO's 25 s + 20 s); each "
        "load generator stops starting connections at the ramp deadline; after a hold "
        "longer than interval + time-out, a client counts if its socket is open and it "
        "answered a ping within interval + time-out.",
        "- Call setup: two headless Chromium (fake camera/mic) on `/call`; A clicks Call, B "
        "clicks Accept; each page stamps Accept and its remote video's first frame "
        "(`requestVideoFrameCallback`); the figure is max(caller, callee). Baseline: "
        "`bench/static/baseline.html`, two RTCPeerConnections in one page, timed from just "
        "before `createOffer` (camera already open, as on the call page). Runs alternate; the "
        "first of each is a warm-up.",
        "- File in a call (`bench/files.py`): two headless Chromium in a call; A sends a random "
        "`BENCH_FILE_MB` file (200) with the page's Send file input, B accepts; MB/s = size over "
        "B's clock from Accept to the file checked (every block's and the whole file's SHA-256). "
        "Baseline, interleaved: a bare negotiated data channel between two RTCPeerConnections "
        "in one page, the same bytes, chunk size and backpressure thresholds, no file read, no "
        "hashing. The transfer is measured in the video call, then again with both pages sending "
        "nothing (the video's encoding and decoding share the same CPU). Memory: growth of B's JS "
        "heap (sampled every 50 ms) and of its renderer's RSS.",
        "- Group calls (`bench/group_call.py`, `bench/group_load.py`): headless Chromium with the "
        "fake camera scaled to 160×120 at 8 fps (as the group e2e), one browser per party. Setup: "
        "A calls B, then adds C and D from its lobby; each newcomer's Accept click → the last first "
        "remote frame of its new pairs, both ends. Load: the call grows 2 → 4 → 6 (browsers started "
        "as it grows); at each size, after settling, each party's Chromium process tree CPU time "
        "(/proc) and its `outbound-rtp` `bytesSent` summed over its peer connections, over a "
        "fixed window; the 1-minute load average before and after each window is in the row.",
        "- Page weight: `/call` with an empty cache, following `<script>`, `<link>`, ES-module "
        "imports and CSS `url()`s, no compression.",
        "- Round trips: one client, 40 events/s, emit → ack; `me:state` and `ice:servers` are "
        "answered by the ack alone, `anchor:rename` first writes `lobby:anchor` to the same "
        "client; WebSocket, then polling.",
        "- The page (`bench/page.py`): a fresh headless Chromium per run opens /call (empty "
        "cache); lobby rendered = the first `#lobby-list .lobby-user` (from the server's "
        "snapshot), stamped by a script installed before the page's own, from navigation start; "
        "baseline: the same navigation's first contentful paint. Transfer: Resource Timing "
        "`transferSize` of the navigation and every resource but the Socket.IO transport, once "
        "the chat panel is mounted; the repeat visit is a second navigation in the same "
        "browser (its HTTP cache).",
        "- Knobs: `BENCH_QUICK=1` (small sizes), `BENCH_IDLE_CLIENTS`, `BENCH_IDLE_RAMP_SECONDS`, "
        "`BENCH_RELAY_CLIENTS`, `BENCH_RELAY_PAIRS`, `BENCH_RELAY_SECONDS`, "
        "`BENCH_RELAY_LATENCY_RATE`, `BENCH_LOBBY_SIZES`, `BENCH_CHAT_RATE`, `BENCH_CALL_REPEATS`, "
        "`BENCH_PAGE_REPEATS`, `BENCH_FILE_MB`, `BENCH_FILE_REPEATS`, "
        "`BENCH_LOG_LEVEL`; see bench/README.md.",
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench", "results", "latest.json")
    with open(src) as f:
        write(json.load(f), os.path.join(ROOT, "BENCHMARKS.md"))
