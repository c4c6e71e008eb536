"""/call's import map sends every import of its module graph to the module's versioned
URL (served immutable), and the CSP allows exactly that inline script by its hash
(tlightchat/web/importmap.py; issue 14, the repeat visit)."""
import base64
import hashlib
import json
import re
from urllib.parse import urljoin

import pytest

from tlightchat import create_app

from tests.support.modules import closure

IMPORTMAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)


def script_src(response):
    csp = response.headers["Content-Security-Policy"]
    return next(d for d in csp.split("; ") if d.startswith("script-src ")).split()[1:]


def sha256(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture(params=["", "/port3000"], ids=["root", "url-prefix"])
def site(request, app):
    """The app at the root, and mounted under a path prefix (TLC_URL_PREFIX)."""
    if not request.param:
        return app, ""
    return create_app(dict(app.config, URL_PREFIX=request.param)), request.param


def test_the_map_sends_every_module_of_the_graph_to_its_immutable_versioned_url(site):
    app, prefix = site
    client = app.test_client()
    page = f"http://localhost{prefix}/call"
    html = client.get(page).get_data(as_text=True)
    imports = json.loads(IMPORTMAP.search(html).group(1))["imports"]
    # keys: each module's plain URL, as a module's import resolves it (under the prefix)
    keys = {urljoin(page, key) for key in imports}
    want = {f"http://localhost{prefix}/static/{path}"
            for path in closure("js/call-entry.js", on_demand=True)}
    assert keys == want
    for key, value in imports.items():
        assert key.startswith(("./", "../", "/")) and value.startswith(("./", "../", "/"))
        versioned = urljoin(page, value)
        assert versioned.split("?v=")[0] == urljoin(page, key) and "?v=" in versioned
        response = client.get(versioned.removeprefix("http://localhost"))
        assert response.status_code == 200, versioned
        assert "immutable" in response.headers["Cache-Control"], versioned
    # the preloads name the same URLs, so a preload is the fetch its import uses; what
    # loads on demand only is mapped, not preloaded
    preloads = {urljoin(page, p) for p in
                re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)}
    at_start = {f"http://localhost{prefix}/static/{path}" for path in closure("js/call-entry.js")}
    on_demand = {urljoin(page, v) for v in imports.values() if urljoin(page, v).split("?v=")[0] not in at_start}
    assert {v.split("?v=")[0].rsplit("/", 1)[1] for v in on_demand} >= {"connectivity.js", "transfers.js", "knock.js"}
    assert preloads == {urljoin(page, v) for v in imports.values()} - on_demand


def test_the_map_comes_before_any_module_script_or_preload(app):
    html = app.test_client().get("/call").get_data(as_text=True)
    at = html.index('<script type="importmap">')
    assert at < html.index('rel="modulepreload"') and at < html.index('type="module"')
    assert len(IMPORTMAP.findall(html)) == 1


def test_the_policy_allows_the_map_by_the_hash_of_the_bytes_sent(app):
    client = app.test_client()
    for encoding in ("identity", "gzip"):
        response = client.get("/call", headers={"Accept-Encoding": encoding})
        if encoding == "gzip":
            import gzip
            assert response.headers["Content-Encoding"] == "gzip"
            html = gzip.decompress(response.data).decode()
        else:
            html = response.get_data(as_text=True)
        text = IMPORTMAP.search(html).group(1)
        assert script_src(response) == ["'self'", sha256(text)]


def test_pages_without_a_map_allow_no_hash(app):
    for path in ("/", "/chat", "/me"):
        assert script_src(app.test_client().get(path)) == ["'self'"], path


def test_the_offline_export_has_no_map(app, tmp_path):
    from tlightchat.web.export import export_offline

    with open(export_offline(app, str(tmp_path / "out")), encoding="utf-8") as f:
        assert "importmap" not in f.read()
