"""Shared pieces of the benchmarks: servers as subprocesses, Socket.IO clients, stats.

Nothing here imports the app: the TLightChat server runs as `python app.py` (as in
production) and the bare baseline as `python bench/bare_server.py`, each in its own
process, so the load generator (asyncio, python-socketio's AsyncClient over aiohttp)
never shares an interpreter with the server it measures.
"""
import asyncio
import json
import os
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
sys.path.insert(0, ROOT)

# Shared with the e2e fixtures (ports, waiting for a server, Chromium's flags).
from e2e.services import free_port, wait_http  # noqa: E402,F401
PY = sys.executable
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")


def knob(name, full, quick):
    """An integer/float setting: env BENCH_<NAME>, else the quick or full default."""
    raw = os.environ.get(f"BENCH_{name}")
    if raw:
        return type(full)(float(raw)) if isinstance(full, int) else float(raw)
    return quick if QUICK else full


def raise_fd_limit(wanted=65536):
    """Each connection is a file descriptor: lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else hard
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]




# -- process measurements (/proc) ---------------------------------------------------

def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """user+system CPU seconds of a process (its threads included)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def self_cpu_seconds():
    t = os.times()
    return t.user + t.system


def machine_busy_seconds():
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU share (1.0 = one full core) of the server, of this process, and of everything
    else on the machine (other people's tests: these boxes are shared) over a window."""

    def __init__(self, pid):
        self.pid = pid

    def __enter__(self):
        self.t0, self.s0, self.c0 = time.monotonic(), cpu_seconds(self.pid), self_cpu_seconds()
        self.m0 = machine_busy_seconds()
        return self

    def __exit__(self, *exc):
        dt = time.monotonic() - self.t0
        self.server = round((cpu_seconds(self.pid) - self.s0) / dt, 2)
        self.loadgen = round((self_cpu_seconds() - self.c0) / dt, 2)
        self.others = round(max(0.0, (machine_busy_seconds() - self.m0) / dt
                                - self.server - self.loadgen), 2)

    def as_dict(self):
        return {"server": self.server, "loadgen": self.loadgen, "others": self.others}


# -- servers --------------------------------------------------------------------------

class Server:
    """A server subprocess on a free port with its own temp dir (DB, log)."""

    kind = "?"
    start_timeout = 20.0  # seconds to answer its health check

    def __init__(self, mode="eventlet", env=None):
        self.mode = mode
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix=f"tlc-bench-{self.kind}-")
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None

    def command(self):
        raise NotImplementedError

    def env(self):
        return {**os.environ, "PYTHONUNBUFFERED": "1", **self.extra_env}

    def start(self):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=self.env(),
                                     stdout=self._log, stderr=subprocess.STDOUT)
        wait_http(self.url + self.health, timeout=self.start_timeout, proc=self.proc)
        return self

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()
        keep = os.environ.get("BENCH_KEEP_LOGS")  # a folder: the server's log is kept there
        if keep and os.path.exists(self.log_path):
            os.makedirs(keep, exist_ok=True)
            shutil.copy(self.log_path, os.path.join(keep, f"{self.kind}-{self.port}.log"))
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, n=30):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class TLCServer(Server):
    """`python app.py` with production settings (JSON logs at INFO, as
    config/production.example.py), a fresh SQLite file, TLC_* overrides on top."""

    kind = "tlc"
    health = "/healthz"

    def command(self):
        return [PY, "app.py"]

    def env(self):
        base = {
            "TLC_ENV": "production", "TLC_SECRET_KEY": secrets.token_hex(32),
            "TLC_HOST": "127.0.0.1", "TLC_PORT": str(self.port),
            "TLC_ASYNC_MODE": self.mode,
            "TLC_DATABASE_URL": f"sqlite:///{self.dir}/bench.sqlite3",
            "TLC_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
            "TLC_LOG_FORMAT": "json",
            # thousands of simulated people, all from 127.0.0.1
            "TLC_GUEST_MAX_PER_ADDRESS": "100000000",
        }
        return {**os.environ, "PYTHONUNBUFFERED": "1", **base, **self.extra_env}

    def clients(self):
        with urllib.request.urlopen(self.url + "/healthz", timeout=30) as r:
            return json.load(r)["clients"]


class BareServer(Server):
    """bench/bare_server.py: python-socketio alone, same async mode and web server."""

    kind = "bare"
    health = "/health"

    def __init__(self, mode="eventlet", env=None, lobby_broadcast=False, nodelay=False):
        super().__init__(mode, env)
        self.lobby_broadcast = lobby_broadcast
        self.nodelay = nodelay or os.environ.get("BENCH_BARE_NODELAY") == "1"

    def command(self):
        cmd = [PY, os.path.join(BENCH, "bare_server.py"), "--port", str(self.port),
               "--mode", self.mode]
        return (cmd + (["--lobby-broadcast"] if self.lobby_broadcast else [])
                + (["--nodelay"] if self.nodelay else []))

    def clients(self):
        with urllib.request.urlopen(self.url + "/health", timeout=30) as r:
            return json.load(r)["clients"]


NODE_DIR = os.path.join(BENCH, "node")


class NodeServer(Server):
    """bench/node/server.js: Node's socket.io with the same bare relay (issue 33), so the
    relay and idle rows show where the stack stands. `make bench` installs its
    node_modules (`npm ci --prefix bench/node`); node itself is the Debian package."""

    kind = "node"
    health = "/health"

    def __init__(self, mode="eventlet", env=None):
        super().__init__(mode, env)  # the mode means nothing to Node; kept for the JSON

    def command(self):
        if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "socket.io")):
            raise RuntimeError("bench/node/node_modules is missing: run `make bench` "
                               "(or `npm ci --prefix bench/node`)")
        return [shutil.which("node") or "node", os.path.join(NODE_DIR, "server.js"),
                "--port", str(self.port)]

    def clients(self):
        with urllib.request.urlopen(self.url + "/health", timeout=30) as r:
            return json.load(r)["clients"]


def session_cookie(url):
    """Visit / once: the server makes a guest and sets its signed session cookie."""
    with urllib.request.urlopen(url + "/", timeout=30) as r:
        for header in r.headers.get_all("Set-Cookie") or []:
            m = re.match(r"\s*(tlc_session=[^;]+)", header)
            if m:
                return m.group(1)
    raise RuntimeError("no tlc_session cookie from /call")


async def cookies(url, n, concurrency=8):
    """n guest cookies (n users)."""
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(concurrency)

    async def one():
        async with sem:
            return await loop.run_in_executor(None, session_cookie, url)

    return list(await asyncio.gather(*(one() for _ in range(n))))


# -- clients --------------------------------------------------------------------------

def new_client(**handlers):
    import socketio  # imported late: only the load generator needs it

    client = socketio.AsyncClient(reconnection=False, request_timeout=30)
    for event, fn in handlers.items():
        client.on(event, fn)
    return client


async def connect(client, url, cookie=None, transports=("websocket",), auth=None):
    headers = {"Cookie": cookie} if cookie else {}
    options = {"headers": dict(headers)} if cookie else {}
    client.eio.websocket_extra_options = options
    await client.connect(url, headers=headers, transports=list(transports), auth=auth,
                         wait_timeout=30)
    return client


BARRIER_EVERY = 25


async def barrier(clients):
    """A round trip on the oldest connected client: its ack comes after every lobby
    message queued before it on that socket has been read, so waiting for it keeps the
    join fan-out from piling up unread (in the server's queues or this process)."""
    for c in clients:
        if c is not None and c.connected:
            try:
                await c.call("me:state", None, timeout=30)
            except Exception:
                pass
            return


async def connect_many(url, n, cookie_for, concurrency=50, deadline=None, handlers=None,
                       on_progress=None, transports=("websocket",), paced=True):
    """Connect n clients (cookie_for(i) -> cookie) in batches of BARRIER_EVERY, each
    followed by a barrier() when `paced`; stop starting new ones at `deadline`
    (monotonic). Returns (clients, failures)."""
    sem = asyncio.Semaphore(concurrency)
    clients, failures = [None] * n, []

    async def one(i):
        if deadline and time.monotonic() > deadline:
            return
        async with sem:
            if deadline and time.monotonic() > deadline:
                return
            c = new_client(**((handlers or (lambda i: {}))(i)))
            try:
                await connect(c, url, cookie_for(i), transports=transports)
                clients[i] = c
                if on_progress:
                    on_progress(i)
            except Exception as err:  # counted, not fatal: the count is the figure
                failures.append(repr(err)[:200])
                try:
                    await c.disconnect()
                except Exception:
                    pass

    step = BARRIER_EVERY if paced else n
    for start in range(0, n, max(1, step)):
        if deadline and time.monotonic() > deadline:
            break
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + step))))
        if paced:
            await barrier(clients)
    return [c for c in clients if c is not None], failures


async def disconnect_all(clients, concurrency=200, timeout=60):
    sem = asyncio.Semaphore(concurrency)

    async def one(c):
        async with sem:
            try:
                await asyncio.wait_for(c.disconnect(), 5)
            except Exception:
                pass

    try:
        await asyncio.wait_for(asyncio.gather(*(one(c) for c in clients)), timeout)
    except asyncio.TimeoutError:
        pass


async def call(client, event, data=None, timeout=30):
    """Emit with an ack; raise if the ack is not ok."""
    ack = await client.call(event, data, timeout=timeout)
    if isinstance(ack, dict) and ack.get("ok") is False:
        raise RuntimeError(f"{event}: {ack['error']}")
    return ack


# -- stats ----------------------------------------------------------------------------

def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def median(values):
    return statistics.median(values) if values else None


def rnd(x, n=2):
    return None if x is None else round(x, n)


def write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)
