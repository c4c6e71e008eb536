"""Serving behind proxies (prefix header, prefix mount), transports, structured logs."""
import json
import logging
from urllib.parse import urljoin

import pytest

from tlightchat import create_app
from tests.support.paths import ROOT


def make(tmp_path, **config):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/d.db", **config})


def handshake(client, path):
    response = client.get(f"{path}/socket.io/?EIO=4&transport=polling")
    assert response.status_code == 200, response.status_code
    return json.loads(response.get_data(as_text=True)[1:])


def links(page):
    import re
    return {text: href for href, text in re.findall(r'<a[^>]*href="([^"]*)"[^>]*>([^<]+)</a>', page)}


def stylesheet(page):
    import re
    return re.search(r'<link rel="stylesheet" href="([^"?]+app\.css)(?:\?v=[0-9a-f]+)?"', page).group(1)


@pytest.mark.parametrize("headers", [{"X-Forwarded-Prefix": "/port3000"}, {}])
def test_links_resolve_under_a_stripping_proxy_with_or_without_a_prefix_header(tmp_path, headers):
    app = make(tmp_path)
    public = "https://example.org/port3000/call"  # what the browser's address bar shows
    page = app.test_client().get("/call", headers=headers).get_data(as_text=True)
    assert urljoin(public, stylesheet(page)) == "https://example.org/port3000/static/css/app.css"
    assert urljoin(public, links(page)["About"]) == "https://example.org/port3000/about"
    assert urljoin(public, links(page)["Home"]) == "https://example.org/port3000/"


def test_redirects_are_relative_so_they_stay_under_the_prefix(tmp_path):
    app = make(tmp_path)
    response = app.test_client().get("/WebrtcVideoCommunication")
    public = "https://example.org/port3000/WebrtcVideoCommunication"
    assert urljoin(public, response.location) == "https://example.org/port3000/call"


def test_url_prefix_mounts_pages_static_and_socketio_under_it(tmp_path):
    app = make(tmp_path, URL_PREFIX="/port3000")
    client = app.test_client()
    assert client.get("/port3000/call").status_code == 200
    assert client.get("/call").status_code == 404
    assert client.get("/port3000/static/vendor/socket.io.esm.min.js").status_code == 200
    assert handshake(client, "/port3000")["sid"]
    assert client.get("/socket.io/?EIO=4&transport=polling").status_code == 404


def test_polling_only_is_enforced_by_the_server(tmp_path):
    app = make(tmp_path, TRANSPORTS=["polling"])
    assert handshake(app.test_client(), "")["upgrades"] == []
    both = make(tmp_path, TRANSPORTS=["polling", "websocket"])
    assert handshake(both.test_client(), "")["upgrades"] == ["websocket"]


def test_json_logs_one_line_per_event_with_ids_and_no_bodies(tmp_path, tab, capfd):
    app = make(tmp_path, LOG_FORMAT="json", LOG_LEVEL="DEBUG")  # per-event lines: DEBUG
    from tests.support.clients import Tab
    ann = Tab(app)
    secret_name = "Zanzibar-secret"
    ann.ask("anchor:create", {"name": secret_name})
    ann.ask("anchor:rename", {"anchorId": "nope", "name": "x"})
    logging.getLogger().handlers[-1].flush()
    lines = [json.loads(l) for l in capfd.readouterr().err.splitlines() if l.startswith("{")]
    events = [l for l in lines if l.get("msg") == "client event"]
    assert [(e["event"], e["ok"]) for e in events][-2:] == [("anchor:create", True),
                                                           ("anchor:rename", False)]
    assert events[-1]["code"] == "not-found" and events[-1]["anchor"] == "nope"
    assert all(e["client"] == ann.client_id for e in events[-2:])
    assert secret_name not in "\n".join(json.dumps(l) for l in lines)


@pytest.mark.parametrize("script_root, path, target, expected", [
    ("", "/call", "/static/a.css", "static/a.css"),
    ("", "/", "/static/a.css", "static/a.css"),
    ("", "/", "/", "./"),
    ("", "/call", "/", "./"),
    ("", "/chat/with/u1", "/static/a.css?v=2", "../../static/a.css?v=2"),
    ("/port3000", "/call", "/port3000/me", "me"),
    ("", "/me/links/5/revoke", "/me", "../../../me"),  # not "../..": that is "/me/", a 404
    ("", "/me/x", "/me", "../me"),
    ("", "/call", "https://elsewhere.example/x", "https://elsewhere.example/x"),
])
def test_relative(tmp_path, script_root, path, target, expected):
    from tlightchat.web.urls import relative
    app = make(tmp_path)
    with app.test_request_context(path, base_url="http://localhost" + script_root):
        assert relative(target) == expected


def test_a_proxy_that_rewrites_host_needs_the_public_origin_allowed(tmp_path):
    """Same-origin by default: a page from https://chat.example.org whose proxy sends
    Host: 127.0.0.1:5000 is refused, until that origin is configured."""
    headers = {"Origin": "https://chat.example.org", "Host": "127.0.0.1:5000"}
    url = "/socket.io/?EIO=4&transport=polling"
    refused = make(tmp_path).test_client().get(url, headers=headers)
    assert refused.status_code == 400
    allowed = make(tmp_path, CORS_ALLOWED_ORIGINS=["https://chat.example.org"])
    assert allowed.test_client().get(url, headers=headers).status_code == 200
    other = allowed.test_client().get(url, headers={**headers, "Origin": "https://evil.example"})
    assert other.status_code == 400


def denied_peer_ranges(path):
    """deploy/turnserver.conf's denied-peer-ip lines, as (first, last) address pairs."""
    import ipaddress
    ranges = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            if key != "denied-peer-ip":
                continue
            first, _, last = value.partition("-")
            first = ipaddress.ip_address(first.strip())
            last = ipaddress.ip_address((last or str(first)).strip())
            assert first.version == last.version and first <= last, line
            ranges.append((first, last))
    return ranges


@pytest.mark.parametrize("address, denied", [
    ("10.1.2.3", True), ("127.0.0.1", True), ("169.254.1.1", True), ("172.16.5.5", True),
    ("192.168.1.1", True), ("100.64.0.1", True), ("0.0.0.0", True),
    ("::1", True), ("::", True), ("fc00::1", True), ("fd12:3456::1", True),
    ("fe80::1", True), ("febf:ffff::1", True), ("fec0::1", True),
    ("::ffff:10.0.0.1", True), ("::ffff:127.0.0.1", True), ("::ffff:192.168.0.1", True),
    ("::127.0.0.1", True), ("64:ff9b::10.0.0.1", True), ("64:ff9b::7f00:1", True),
    ("64:ff9b:1::1", True),
    ("8.8.8.8", False), ("1.1.1.1", False), ("2001:4860:4860::8888", False),
    ("2a00:1450:4001::200e", False), ("64:ff9b::8.8.8.8", False),
])
def test_the_turn_config_denies_private_and_loopback_peers_in_v4_and_v6(address, denied):
    import ipaddress
    import os
    conf = os.path.join(ROOT, "deploy", "turnserver.conf")
    ip = ipaddress.ip_address(address)
    hits = [(a, b) for a, b in denied_peer_ranges(conf)
            if a.version == ip.version and a <= ip <= b]
    assert bool(hits) == denied, (address, hits)
