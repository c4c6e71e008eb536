"""The baseline: a bare python-socketio relay with no app around it.

    python bench/bare_server.py --port 5099 --mode eventlet|gevent|threading [--lobby-broadcast]

Same async mode and the same web server as `python app.py` uses for that mode (eventlet's
wsgi, gevent's pywsgi + gevent-websocket, werkzeug threaded + simple-websocket), same
heartbeat settings. It does the least a signaling relay can do:

- `pair` {callId}: the two clients that send the same callId are the two sides of it.
- `call:signal` {callId, candidate|description}: emitted to the other side as
  `call:signal` {callId, fromAnchorId, ...}, acked {"ok": true}. No validation, no store.
- `me:state`: acked with a tiny dict (a round-trip probe).
- with --lobby-broadcast, a connect re-broadcasts the whole lobby list to everyone in it
  (what the original app did), in the shape of TLightChat's lobby:snapshot; clients that
  connect with auth {announce: false} join the list quietly (to build a lobby of N fast).
- GET /health: {"clients": n}.
"""
import argparse
import json
import os
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--mode", default="eventlet", choices=["eventlet", "gevent", "threading"])
ap.add_argument("--lobby-broadcast", action="store_true")
ap.add_argument("--nodelay", action="store_true",
                help="set TCP_NODELAY on the listening socket (accepted sockets inherit it)")
args = ap.parse_args()

if args.mode == "eventlet":
    import warnings

    warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")
    import eventlet

    eventlet.monkey_patch()
elif args.mode == "gevent":
    from gevent import monkey

    monkey.patch_all()

import resource  # noqa: E402

import socketio  # noqa: E402

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

sio = socketio.Server(async_mode=args.mode, ping_interval=5, ping_timeout=5,
                      max_http_buffer_size=128 * 1024, cors_allowed_origins=None)
peers = {}      # callId -> [sid, sid]
side_of = {}    # (sid, callId) -> the other sid
members = {}    # sid -> {"id", "userId", "displayName"}  (lobby mode)


@sio.event
def connect(sid, environ, auth=None):
    if args.lobby_broadcast:
        auth = auth or {}
        members[sid] = {"id": sid[:12], "userId": auth.get("userId", sid[:22]),
                        "displayName": auth.get("displayName", "Guest-0000")}
        sio.enter_room(sid, "lobby")
        if not auth.get("announce", True):
            return  # set-up: fill the lobby quietly; only the measured join broadcasts
        sio.emit("lobby:snapshot", {
            "users": {m["userId"]: {"id": m["userId"], "displayName": m["displayName"]}
                      for m in members.values()},
            "clients": {m["id"]: {"id": m["id"], "userId": m["userId"]}
                        for m in members.values()},
            "anchors": {}}, to="lobby")


@sio.event
def disconnect(sid, reason=None):
    members.pop(sid, None)
    for key in [k for k in side_of if k[0] == sid]:
        other = side_of.pop(key)
        side_of.pop((other, key[1]), None)
        peers.pop(key[1], None)


@sio.on("pair")
def pair(sid, data):
    call_id = data["callId"]
    sides = peers.setdefault(call_id, [])
    sides.append(sid)
    if len(sides) == 2:
        side_of[(sides[0], call_id)] = sides[1]
        side_of[(sides[1], call_id)] = sides[0]
    return {"ok": True}


@sio.on("call:signal")
def call_signal(sid, data):
    other = side_of.get((sid, data["callId"]))
    if other is None:
        return {"ok": False, "error": {"code": "not-found", "message": "no such call"}}
    out = {"callId": data["callId"], "fromAnchorId": sid[:12]}
    for key in ("description", "candidate"):
        if key in data:
            out[key] = data[key]
    sio.emit("call:signal", out, to=other)
    return {"ok": True}


@sio.on("me:state")
def me_state(sid, data=None):
    return {"ok": True, "clientId": sid[:12]}


def other_app(environ, start_response):
    if environ.get("PATH_INFO") == "/health":
        body = json.dumps({"clients": len(sio.manager.rooms.get("/", {}).get(None, {}))})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body.encode()]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


app = socketio.WSGIApp(sio, other_app)

print(f"bare python-socketio {args.mode} on {args.port} "
      f"(lobby broadcast: {args.lobby_broadcast})", flush=True)
if args.mode == "eventlet":
    import eventlet.wsgi

    listener = eventlet.listen(("127.0.0.1", args.port))
    if args.nodelay:
        import socket

        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    eventlet.wsgi.server(listener, app,
                         log_output=False, max_size=20000)
elif args.mode == "gevent":
    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    pywsgi.WSGIServer(("127.0.0.1", args.port), app, handler_class=WebSocketHandler,
                      log=None).serve_forever()
else:
    from werkzeug.serving import run_simple

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    run_simple("127.0.0.1", args.port, app, threaded=True)
    sys.exit(os.EX_OK)
