// The Node baseline (issue 33): the same bare relay as bench/bare_server.py, on Node's
// socket.io, so bench/load.py's `relay` and `idle` runs show where the stack stands.
//
//     node bench/node/server.js --port 5099
//
// Same events, acks and heartbeat as bare_server.py (its --lobby-broadcast mode is not
// needed here):
// - `pair` {callId}: the two clients that send the same callId are the two sides of it.
// - `call:signal` {callId, candidate|description}: emitted to the other side as
//   `call:signal` {callId, fromAnchorId, ...}, acked {ok: true}. No validation, no store.
// - `me:state`: acked with a tiny object (a round-trip probe).
// - GET /health: {"clients": n}.
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const at = process.argv.indexOf("--port");
const port = at > 0 ? Number(process.argv[at + 1]) : NaN;
if (!Number.isInteger(port)) {
  console.error("usage: node bench/node/server.js --port PORT");
  process.exit(2);
}

const httpServer = http.createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ clients: io.engine.clientsCount }));
    return;
  }
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end("not found");
});

const io = new Server(httpServer, {
  pingInterval: 5000, pingTimeout: 5000, maxHttpBufferSize: 128 * 1024,
});
const peers = new Map();   // callId -> [socket id, socket id]
const sideOf = new Map();  // `${id} ${callId}` -> the other socket id

// python-socketio sends `me:state` with no data: the ack is then the only argument
const ackOf = (args) => (typeof args[args.length - 1] === "function" ? args.pop() : () => {});

io.on("connection", (socket) => {
  const mine = new Set();  // the callIds this socket paired into

  socket.on("pair", (...args) => {
    const ack = ackOf(args);
    const callId = args[0].callId;
    const sides = peers.get(callId) || [];
    sides.push(socket.id);
    peers.set(callId, sides);
    mine.add(callId);
    if (sides.length === 2) {
      sideOf.set(`${sides[0]} ${callId}`, sides[1]);
      sideOf.set(`${sides[1]} ${callId}`, sides[0]);
    }
    ack({ ok: true });
  });

  socket.on("call:signal", (...args) => {
    const ack = ackOf(args);
    const data = args[0];
    const other = sideOf.get(`${socket.id} ${data.callId}`);
    if (other === undefined) {
      ack({ ok: false, error: { code: "not-found", message: "no such call" } });
      return;
    }
    const out = { callId: data.callId, fromAnchorId: socket.id.slice(0, 12) };
    for (const key of ["description", "candidate"]) {
      if (key in data) out[key] = data[key];
    }
    io.to(other).emit("call:signal", out);
    ack({ ok: true });
  });

  socket.on("me:state", (...args) => {
    ackOf(args)({ ok: true, clientId: socket.id.slice(0, 12) });
  });

  socket.on("disconnect", () => {
    for (const callId of mine) {
      const other = sideOf.get(`${socket.id} ${callId}`);
      sideOf.delete(`${socket.id} ${callId}`);
      if (other !== undefined) sideOf.delete(`${other} ${callId}`);
      peers.delete(callId);
    }
  });
});

process.on("SIGTERM", () => process.exit(0));
httpServer.listen(port, "127.0.0.1", () => {
  console.log(`bare Node socket.io ${require("socket.io/package.json").version} on ${port}`);
});
