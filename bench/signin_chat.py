"""Issue 23 (4): a bystander's chat:send ack latency while 24 threads sign in with
wrong passwords (one scrypt each), on a real `python app.py` (eventlet).

    .venv/bin/python bench/signin_chat.py      (from the repository root)

Before (hashes in eventlet's tpool, the threads that commit chat too) the bystander's
second ack waited 13.5 s and its socket was closed; after (hashes on HASH_THREADS
threads of their own) its p50 stayed tens of ms on a loaded 2-core box.
"""
import os
import re
import statistics
import sys
import threading
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from e2e.conftest import Server
from tests.support.rawsio import RawSocket

srv = Server(env={"TLC_LOGIN_MAX_ATTEMPTS": "100000", "TLC_LOGIN_MAX_ATTEMPTS_PER_ADDRESS": "100000",
                  "TLC_RATE_LIMIT_PER_SECOND": "100000", "TLC_RATE_LIMIT_BURST": "100000",
                  "TLC_CHAT_RATE_PER_SECOND": "100000", "TLC_CHAT_RATE_BURST": "100000",
                  "TLC_HASH_QUEUE": "100"}).start()
stop = threading.Event()
threads = []
def signins():
    http = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', http.get(srv.url + "/login").text).group(1)
    while not stop.is_set():
        try:
            http.post(srv.url + "/login", data={"csrf_token": token, "username": "nobody", "password": "wrong password"}, timeout=60)
        except Exception:
            return
try:
    ann, bob = RawSocket(srv.url), RawSocket(srv.url)
    to = bob.welcome["user"]["id"]
    def run(n, start):
        out = []
        for i in range(start, start + n):
            t = time.perf_counter()
            try:
                ack = ann.ask(i, "chat:send", {"to": to, "clientMsgId": f"m{i}", "text": "hi"}, timeout=30)
            except Exception as err:
                print(f"bystander socket lost after {len(out)} acks ({time.perf_counter() - t:.1f} s into the wait): {err!r}")
                out.append(time.perf_counter() - t)
                return out + [float("inf")] * (n - len(out) - 1)
            assert ack["ok"], ack
            out.append(time.perf_counter() - t)
        return out
    idle = run(30, 1)
    threads += [threading.Thread(target=signins, daemon=True) for _ in range(24)]
    for th in threads: th.start()
    time.sleep(2)
    busy = run(60, 1000)
    stop.set()
    print(f"chat:send ack p50 idle {statistics.median(idle)*1000:.1f} ms, with 24 sign-in threads "
          f"{statistics.median(busy)*1000:.1f} ms (p90 {sorted(busy)[53]*1000:.1f} ms, n={len(busy)})")
finally:
    stop.set()
    for th in threads: th.join(60)
    srv.stop(); srv.cleanup()
