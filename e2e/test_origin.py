"""The Origin check, from a real browser (issue 18): a page of another origin must not
open a Socket.IO connection to the app, even though the browser sends the user's
session cookie along — the case the check exists for (a WebSocket is not covered by the
browser's CORS at all).

The foreign page is served by a tiny HTTP server of this test at 127.0.0.1 on another
port: the same site as the app (so the SameSite=Lax session cookie goes with the
handshake), another origin. The same page against a server configured to allow that
origin connects as the user, so the refusal is the Origin check's doing and nothing else.
"""
import http.server
import json
import os
import threading

import pytest

from .conftest import ROOT, wait_until
from .services import free_port

CLIENT_JS = os.path.join(ROOT, "static", "vendor", "socket.io.esm.min.js")

ME = "return document.querySelector('[data-chat-root]').dataset.userId"
FOREIGN_PAGE = b"""<!doctype html><meta charset="utf-8"><title>elsewhere</title>
<p>A page of another origin.</p>"""

# Connect to `server` from this (foreign) page with the app's own Socket.IO client; record
# what happens in window.__probe.
PROBE = """
const [server, transport] = arguments;
window.__probe = {events: [], done: false};
import(location.origin + '/io.js').then(({ io }) => {
  const p = window.__probe;
  const socket = window.__socket = io(server, {transports: [transport], withCredentials: true,
                                              reconnection: false, timeout: 4000});
  socket.on('connect', () => { p.events.push('connect'); });
  socket.on('session:welcome', (w) => { p.events.push('welcome'); p.welcome = w; p.done = true; });
  socket.on('connect_error', (err) => {
    p.events.push('connect_error');
    p.error = {message: err.message, data: err.data || null};
    p.done = true;
  });
}, (err) => { window.__probe.error = {message: 'import failed: ' + err}; window.__probe.done = true; });
"""


class _Foreign(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/io.js":
            with open(CLIENT_JS, "rb") as f:
                body, kind = f.read(), "text/javascript"
        else:
            body, kind = FOREIGN_PAGE, "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def foreign():
    """The origin of a page that is not the app's: http://127.0.0.1:<another port>."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Foreign)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def probe_from(driver, origin, server, transport):
    """Be a guest of `server` first (its cookie is set), then open the foreign page and
    try to connect to the server from there."""
    driver.get(server.url + "/chat")  # the first visit makes the guest
    user_id = guest_id(driver)
    driver.get(origin + "/")
    driver.execute_script(PROBE, server.url, transport)
    probe = wait_until(driver, "return window.__probe.done && window.__probe", 8.0, 0.05,
                       f"the connection attempt from {origin} settled")
    driver.execute_script("window.__socket && window.__socket.close()")
    return user_id, probe


def guest_id(driver):
    """The guest's user id, as the app's own page renders it."""
    return driver.execute_script(ME)


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_page_of_another_origin_cannot_connect(server, browsers, foreign, transport):
    user_id, probe = probe_from(browsers(), foreign, server, transport)
    assert probe["events"] == ["connect_error"], (
        f"a page of {foreign} connected to {server.url} over {transport} as user "
        f"{user_id}: {json.dumps(probe)}")
    assert "welcome" not in probe


def test_the_same_page_connects_once_its_origin_is_allowed(server_factory, browsers, foreign):
    allowed = server_factory(TLC_CORS_ALLOWED_ORIGINS=json.dumps([foreign]))
    user_id, probe = probe_from(browsers(), foreign, allowed, "websocket")
    assert sorted(probe["events"]) == ["connect", "welcome"], probe
    assert probe["welcome"]["user"]["id"] == user_id  # the cookie went along: it is the user
