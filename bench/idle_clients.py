"""A load generator of idle Socket.IO clients, as light as the protocol allows: each
client is one asyncio.Protocol that speaks just enough HTTP/1.1, WebSocket (RFC 6455)
and Engine.IO 4 / Socket.IO 5 to be what a real idle browser tab is to the server:

1. GET / for its own guest session cookie (one person per client);
2. open /socket.io/?EIO=4&transport=websocket with that cookie;
3. on the Engine.IO open packet join the "/" namespace ("40"), wait for its answer;
4. answer every ping ("2" → "3"), read and drop everything else.

Used by bench/idle_cluster.py, one process per server node. It talks JSON lines on
stdout (progress, "ramped", "report") and obeys "report" / "quit" on stdin.

    python bench/idle_clients.py --url http://127.0.0.1:5000 --clients 10000 --deadline 300
"""
import argparse
import asyncio
import base64
import json
import os
import resource
import sys
import time
from urllib.parse import urlsplit

SOCKET_PATH = "/socket.io/?EIO=4&transport=websocket"


def say(**msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def masked_text(payload):
    """A client → server text frame (clients must mask; payloads here are < 126 bytes)."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes((0x81, 0x80 | len(payload))) + mask + body


def masked_control(opcode, payload=b""):
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload[:125]))
    return bytes((0x80 | opcode, 0x80 | len(body))) + mask + body


class Client(asyncio.Protocol):
    def __init__(self, host, cookie, joined):
        self.host, self.cookie, self.joined = host, cookie, joined
        self.buf = bytearray()
        self.upgraded = False
        self.transport = None
        self.closed = False
        self.last_ping = None
        self.pings = 0

    def connection_made(self, transport):
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET {SOCKET_PATH} HTTP/1.1\r\nHost: {self.host}\r\n"
                         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                         f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                         f"Cookie: {self.cookie}\r\n\r\n").encode())

    def data_received(self, data):
        self.buf += data
        if not self.upgraded:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buf[:end]).split(b"\r\n", 1)[0]
            if b" 101 " not in status + b" ":
                self._fail(f"upgrade refused: {status[:80]!r}")
                return
            del self.buf[:end + 4]
            self.upgraded = True
        self._frames()

    def _frames(self):
        buf = self.buf
        while len(buf) >= 2:
            op, n, at = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    return
                n, at = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n, at = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < at + n:
                return
            payload = bytes(buf[at:at + n])
            del buf[:at + n]
            self._frame(op, payload)

    def _frame(self, op, payload):
        if op == 1:
            if payload == b"2":                        # Engine.IO ping
                self.transport.write(masked_text(b"3"))
                self.pings += 1
                self.last_ping = time.monotonic()
            elif payload[:1] == b"0":                  # Engine.IO open
                self.transport.write(masked_text(b"40"))
            elif payload[:2] == b"40" and not self.joined.done():
                self.joined.set_result(True)           # Socket.IO namespace joined
            elif payload[:2] == b"44" and not self.joined.done():
                self._fail(f"connect refused: {payload[:120]!r}")
            elif payload[:1] == b"1":                  # Engine.IO close
                self.transport.close()
        elif op == 8:
            self.transport.write(masked_control(8, payload[:2]))
            self.transport.close()
        elif op == 9:
            self.transport.write(masked_control(10, payload))

    def _fail(self, why):
        if not self.joined.done():
            self.joined.set_exception(RuntimeError(why))
        self.transport.close()

    def connection_lost(self, exc):
        self.closed = True
        if not self.joined.done():
            self.joined.set_exception(RuntimeError(f"closed before joining: {exc!r}"))


async def guest_cookie(host, port):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    await reader.read()  # the page itself, to the end (the server closes)
    writer.close()
    for line in head.decode("latin-1").split("\r\n"):
        if line.lower().startswith("set-cookie:") and "tlc_session=" in line:
            return line.split(":", 1)[1].strip().split(";", 1)[0]
    raise RuntimeError(f"no session cookie from /: {head[:80]!r}")


async def run(args):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    url = urlsplit(args.url)
    host, port = url.hostname, url.port
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + args.deadline
    clients, failures = [], []
    started = time.monotonic()
    sem = asyncio.Semaphore(args.concurrency)

    async def one(i):
        if args.rate:  # paced: client i starts no sooner than i / rate seconds in
            await asyncio.sleep(max(0.0, started + i / args.rate - time.monotonic()))
        async with sem:
            if time.monotonic() > deadline:
                return
            try:
                cookie = await asyncio.wait_for(guest_cookie(host, port), 30)
                joined = loop.create_future()
                _, proto = await asyncio.wait_for(loop.create_connection(
                    lambda: Client(f"{host}:{port}", cookie, joined), host, port), 30)
                await asyncio.wait_for(joined, 30)
                clients.append(proto)
            except Exception as err:  # counted, not fatal: the count is the figure
                failures.append(repr(err)[:200])

    async def progress():
        while True:
            await asyncio.sleep(5)
            say(phase="progress", connected=len(clients), failures=len(failures),
                seconds=round(time.monotonic() - started))

    ticker = asyncio.create_task(progress())
    await asyncio.gather(*(one(i) for i in range(args.clients)))
    ticker.cancel()
    say(phase="ramped", connected=len(clients), failures=len(failures),
        failure_examples=failures[:3], seconds=round(time.monotonic() - started, 1),
        cookie_seconds=None)
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    while True:
        line = (await commands.readline()).decode().strip()
        if line == "report":
            now = time.monotonic()
            alive = [c for c in clients if not c.closed]
            answering = [c for c in alive if c.last_ping and now - c.last_ping <= args.window]
            t = os.times()
            say(phase="report", connected=len(alive), answering=len(answering),
                closed=len(clients) - len(alive), failures=len(failures),
                failure_examples=failures[:3], cpu_s=round(t.user + t.system, 1),
                pings=sum(c.pings for c in clients))
        elif line in ("quit", ""):
            for c in clients:
                if c.transport:
                    c.transport.close()
            return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--clients", type=int, required=True)
    ap.add_argument("--deadline", type=float, default=300)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--rate", type=float, default=0,
                    help="new clients per second at most (0: as fast as --concurrency allows)")
    ap.add_argument("--window", type=float, default=10,
                    help="answering: a ping answered this recently (interval + time-out)")
    args = ap.parse_args()
    try:
        asyncio.run(run(args))
    except Exception as err:
        say(phase="failed", error=repr(err)[:300])
        raise


if __name__ == "__main__":
    main()
