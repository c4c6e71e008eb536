"""Abuse at the Engine.IO long-polling layer, black-box: a real `python app.py` (eventlet)
and raw HTTP on a TCP socket, without any cookie.

Before: a POST announcing more than the payload limit (then 128 KiB, now 1 MiB) got no
answer at all, and the server kept the Engine.IO socket after the client went away:
python-engineio 4.15.1 calls `disconnect` on ContentTooLongError, whose close waits for
a polling queue that nobody drains. 60 such POSTs exhausted a 60-connection cap."""
import json
import socket
import time

import pytest
import requests

from e2e.conftest import serve


@pytest.fixture(scope="module")
def server():
    yield from serve(TLC_MAX_CONNECTIONS="12")


def handshake(url):
    body = requests.get(url + "/socket.io/?EIO=4&transport=polling", timeout=5).text
    assert body.startswith("0{"), body
    return json.loads(body[1:])["sid"]


def raw_post(port, sid, length, body=b"", timeout=5):
    """A POST announcing `length` bytes and sending `body`; the status line of the
    answer, or None when none came within `timeout`."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        head = (f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nContent-Type: text/plain;charset=UTF-8\r\n"
                f"Content-Length: {length}\r\n\r\n").encode()
        conn.sendall(head + body)
        try:
            answer = conn.recv(4096)
        except socket.timeout:
            return None
        return answer.split(b"\r\n", 1)[0].decode() if answer else None
    finally:
        conn.close()


def session_known(url, sid):
    """False once the server has let go of the Engine.IO session."""
    r = requests.get(url + f"/socket.io/?EIO=4&transport=polling&sid={sid}", timeout=8)
    return r.status_code == 200


def test_an_oversized_polling_post_is_answered_at_once_and_frees_the_socket(server):
    sid = handshake(server.url)
    started = time.monotonic()
    status = raw_post(server.port, sid, 2 * 1024 * 1024, b"4" + b"x" * 1000)
    assert status is not None, "no answer to an oversized POST"
    assert status.split()[1] in ("413", "400"), status
    assert time.monotonic() - started < 3
    assert not session_known(server.url, sid)


def test_oversized_posts_do_not_exhaust_the_connection_cap(server):
    """The server admits 12 connections: 20 hostile POSTs, one after another, each
    answered, and the site still serves."""
    for _ in range(20):
        sid = handshake(server.url)
        status = raw_post(server.port, sid, 2 * 1024 * 1024)
        assert status is not None and status.split()[1] in ("413", "400"), status
    health = requests.get(server.url + "/healthz", timeout=5)
    assert health.status_code == 200 and health.json()["clients"] == 0


def test_a_polling_post_within_the_limit_still_works(server):
    sid = handshake(server.url)
    r = requests.post(server.url + f"/socket.io/?EIO=4&transport=polling&sid={sid}",
                      data="40", timeout=5)
    assert r.status_code == 200 and r.text.lower() == "ok"
