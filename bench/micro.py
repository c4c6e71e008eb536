"""Micro-benchmarks of the relay's fast paths against the library code they replace
(tlightchat/realtime/fastpath.py, protocol.fast_signal_candidate), one process, CPU only;
and the whole server step of one relayed candidate, in CPU time, with and without them,
and with the candidate relayed through a store dispatch rather than guarded and delivered
(Store.check + EmitterTree.relay, issue 33.3).

    python bench/micro.py [--out FILE]

Each figure is the best of 7 timings of a loop (µs per call): the least disturbed by
other work on a shared box. The frame and packet are a relayed ICE candidate's.
"""
import argparse
import json
import os
import sys
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")

CANDIDATE = {"candidate": "candidate:1234 1 udp 2122260223 127.0.0.1 41234 typ host "
                          "generation 0", "sdpMid": "0", "sdpMLineIndex": 0}
PAYLOAD = {"callId": "c0123456789abcdef", "candidate": CANDIDATE}
ONLINE = 300  # clients online while a call relays (the dispatch's cost grows with them)
RELAYED = ["call:signal", {**PAYLOAD, "fromAnchorId": "a0123456789abcdef"}]


def best(fn, n=5000, repeats=7):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t) / n * 1e6)
    return round(min(times), 2)


def relay_step_cpu(n=3000, online=2):
    """CPU seconds (process time, so other work on the box does not count) per relayed
    candidate through the whole server step: the packet guard's decode, the hub (rate
    limit, validation, store, delivery), the peer's packet encoded; over Flask-SocketIO's
    test client (no network, no unmasking), handlers run inline. Fast paths on, then off
    (the library functions put back, the validation fast path skipped)."""
    import tempfile

    os.environ.setdefault("TLC_ENV", "testing")
    from tlightchat import create_app, protocol
    from tlightchat.realtime import fastpath

    tmp = tempfile.mkdtemp(prefix="tlc-micro-")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3", "TESTING": True,
                      "RATE_LIMIT_PER_SECOND": 10 ** 9, "RATE_LIMIT_BURST": 10 ** 9})
    socketio = app.extensions["tlightchat"].socketio
    socketio.server.async_handlers = False
    tabs = []
    for _ in range(online):  # the first two call; the others are online, in the lobby
        browser = app.test_client()
        browser.get("/")
        tabs.append(socketio.test_client(app, flask_test_client=browser))
    anchors = []
    for t in tabs[:2]:
        aid = t.emit("anchor:create", {}, callback=True)["anchor"]["id"]
        t.emit("anchor:set-online", {"anchorId": aid, "online": True}, callback=True)
        anchors.append(aid)
    inv = tabs[0].emit("call:invite", {"fromAnchorId": anchors[0], "toAnchorId": anchors[1]},
                       callback=True)
    call_id = tabs[1].emit("call:accept", {"invitationId": inv["invitationId"]},
                           callback=True)["callId"]
    text = "21" + json.dumps(["call:signal", {"callId": call_id, "candidate": CANDIDATE}],
                              separators=(",", ":"))
    handle = socketio.server._handle_eio_message
    eio_sid = tabs[0].eio_sid

    def run():
        for t in tabs:
            t.get_received()
        best = None
        for _ in range(5):
            start = time.process_time()
            for _ in range(n):
                handle(eio_sid, text)
            took = (time.process_time() - start) / n
            tabs[1].get_received()
            best = took if best is None else min(best, took)
        return round(best * 1e6, 1)

    fast = run()
    # The same step with the candidate relayed through a store dispatch (the reducer, every
    # subscriber, the emitter tree's walk of the change), as before issue 33.3.
    node = app.extensions["tlightchat"].life.ctx.node

    def via_dispatch(action, recipient, deliver):
        with node.store.lock:
            node.store.dispatch(action)
        return {}

    node.relay = via_dispatch
    try:
        dispatched = run()
    finally:
        del node.relay
    fast_validate = protocol.fast_signal_candidate
    installed = {key: getattr(*key) for key in fastpath.LIBRARY}
    for (owner, name), original in fastpath.LIBRARY.items():
        setattr(owner, name, original)
    protocol.fast_signal_candidate = lambda raw: None
    try:
        slow = run()
    finally:
        protocol.fast_signal_candidate = fast_validate
        for (owner, name), value in installed.items():
            setattr(owner, name, value)
    handle(eio_sid, text)
    got = tabs[1].get_received()
    assert got and got[-1]["name"] == "call:signal", got[-1:]  # relayed, not refused
    return slow, fast, dispatched


def store_join(online=40_000):
    """µs of one client joining (and leaving, to keep the size) a store of `online`
    clients, as every cluster node applies it: slices as plain dicts (a copy of the slice
    per change, as before) against persistent maps (tlightchat/store/reducers.py)."""
    from tlightchat.store import actions as A
    from tlightchat.store import create_store
    from tlightchat.store.reducers import initial_state, persistent

    state = {name: dict(value) for name, value in initial_state().items()}
    for i in range(online):
        cid, uid = f"c{i:06d}", f"u{i:06d}"
        state["users"][uid] = {"id": uid, "displayName": f"Guest-{i}", "clientIds": (cid,)}
        state["clients"][cid] = {"id": cid, "userId": uid, "connectedAt": 1.0, "device": "",
                                 "node": "n1", "tab": 1, "anchorIds": (), "awayUntil": None}
    join = A.client_connected("new", "u-new", "New", 2.0, "", "n2")
    leave = A.client_disconnected("new", "n2")
    timings = []
    for loaded in (state, persistent(state)):
        store = create_store()
        store.load(loaded)

        def step():
            store.dispatch(join)
            store.dispatch(leave)
        timings.append(best(step, n=50, repeats=5))
    return tuple(timings)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", help="write the result as JSON (bench/run.py's `micro` group)")
    args = ap.parse_args()
    from eventlet.websocket import RFC6455WebSocket
    from geventwebsocket.websocket import Header
    from socketio import packet

    from tlightchat import protocol
    from tlightchat.realtime import fastpath, wire

    frame = ("42" + json.dumps(["call:signal", PAYLOAD], separators=(",", ":"))).encode()
    mask = (11, 22, 33, 44)
    lib = lambda owner, name: fastpath.LIBRARY.get((owner, name), owner.__dict__[name])  # noqa
    ev_mask = lib(RFC6455WebSocket, "_apply_mask").__func__
    gv_mask = lib(Header, "mask_payload")
    header = Header(fin=True, opcode=1, length=len(frame))
    header.mask = bytes(mask)
    std_json = lib(packet.Packet, "json")
    std_binary = lib(packet.Packet, "data_is_binary").__func__
    schema = protocol.CLIENT_EVENTS["call:signal"]
    text = frame.decode()[2:]

    def schema_validate():
        json.dumps(PAYLOAD, separators=(",", ":"), allow_nan=False)  # validate()'s size check
        return schema.model_validate(PAYLOAD).model_dump(exclude_none=True, by_alias=True)

    def full_depth_check():
        shape = wire._STRING.sub("", text)
        for _ in range(wire.MAX_DEPTH + 1):
            shape, removed = wire._INNERMOST.subn("", shape)
            if not removed:
                return

    rows = {
        f"unmask a {len(frame)}-byte frame, eventlet": (
            best(lambda: ev_mask(frame, mask, length=len(frame))),
            best(lambda: fastpath.eventlet_apply_mask(frame, mask, length=len(frame)))),
        f"unmask a {len(frame)}-byte frame, gevent-websocket": (
            best(lambda: gv_mask(header, frame)),
            best(lambda: fastpath.gevent_mask_payload(header, frame))),
        "unmask a 64 KiB frame, eventlet": (
            best(lambda: ev_mask(b"x" * 65536, mask), n=3, repeats=3),
            best(lambda: fastpath.eventlet_apply_mask(b"x" * 65536, mask), n=200)),
        "JSON of a relayed call:signal": (
            best(lambda: std_json.dumps(RELAYED, separators=(",", ":"))),
            best(lambda: fastpath.fast_json.dumps(RELAYED, separators=(",", ":")))),
        "Packet.data_is_binary of a relayed call:signal": (
            best(lambda: std_binary(packet.Packet, RELAYED)),
            best(lambda: fastpath.has_binary(RELAYED))),
        "validate a call:signal candidate": (
            best(schema_validate),
            best(lambda: protocol.validate("call:signal", (PAYLOAD,)))),
        "depth check of a call:signal packet": (
            best(full_depth_check), best(lambda: wire.too_deep(text))),
    }
    slow, fast, _ = relay_step_cpu()
    rows["whole relay step, server CPU per candidate (process time, in-process)"] = (slow, fast)
    _, fast, dispatched = relay_step_cpu(online=ONLINE)
    rows["the relay step with the candidate through a store dispatch (before issue 33.3)"] = \
        (dispatched, fast)
    rows["a client joins and leaves a store of 40,000 (dict slices → persistent maps)"] = \
        store_join()
    result = {"ok": True, "unit": "µs per call, best of 7 (the relay step: best of 5)",
              "rows": {k: {"library": a, "fast": b, "speedup": round(a / b, 1)}
                       for k, (a, b) in rows.items()},
              "loadavg": open("/proc/loadavg").read().split()[:3]}
    for k, v in result["rows"].items():
        print(f"{k:52} {v['library']:>9} → {v['fast']:>7} µs  ({v['speedup']}×)")
    print("load average", result["loadavg"])
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
