"""Sign-ins must not stall calls: a real `python app.py` (eventlet), 40 failed sign-ins
4 at a time, while another user's socket measures its round trips.

Before: scrypt ran on the event loop; the other socket's p50 went to 344 ms (and on
this 2-core machine to several hundred ms more). After: the hash runs in an OS thread
(eventlet.tpool) and the loop keeps serving."""
import re
import statistics
import threading
import time

import pytest
import requests

from e2e.conftest import Server

from tests.support.rawsio import RawSocket


@pytest.fixture(scope="module")
def server():
    srv = Server(env={"TLC_LOGIN_MAX_ATTEMPTS": "1000",
                      "TLC_LOGIN_MAX_ATTEMPTS_PER_ADDRESS": "1000",
                      "TLC_RATE_LIMIT_PER_SECOND": "100000",
                      "TLC_RATE_LIMIT_BURST": "100000"}).start()
    yield srv
    srv.stop()
    srv.cleanup()


def failed_sign_ins(url, count):
    http = requests.Session()
    page = http.get(url + "/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    for i in range(count):
        r = http.post(url + "/login", data={"csrf_token": token, "username": f"nobody{i}",
                                            "password": "wrong password"}, timeout=30)
        assert r.status_code == 401, r.status_code


def test_sign_ins_do_not_stall_other_sockets(server):
    victim = RawSocket(server.url)
    try:
        idle = []
        for ack_id in range(1, 11):
            started = time.perf_counter()
            assert victim.ask(ack_id, "me:state")["ok"]
            idle.append(time.perf_counter() - started)
        workers = [threading.Thread(target=failed_sign_ins, args=(server.url, 10))
                   for _ in range(4)]
        for w in workers:
            w.start()
        busy, ack_id = [], 100
        while any(w.is_alive() for w in workers) and ack_id < 100_000:
            ack_id += 1
            started = time.perf_counter()
            ack = victim.ask(ack_id, "me:state", timeout=10)
            assert ack["ok"], ack
            busy.append(time.perf_counter() - started)
        for w in workers:
            w.join(60)
        p50 = statistics.median(busy)
        print(f"me:state round trip: idle p50 {statistics.median(idle) * 1000:.1f} ms, "
              f"during sign-ins p50 {p50 * 1000:.1f} ms over {len(busy)}")
        assert len(busy) >= 5
        assert p50 < 0.1, f"p50 {p50 * 1000:.0f} ms while sign-ins hash"
    finally:
        victim.close()
