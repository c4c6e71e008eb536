"""Versioned module URLs through an import map, allowed by its hash in the CSP.

A module a script imports (`./protocol.js`) is fetched by the URL the import names, which
carries no version: a repeat visit of /call revalidated each of its modules (a 304 each:
41 requests, 15.8 KB; bench/page.py). The page now emits, first in its <head>,

    <script type="importmap">{"imports": {"./static/js/protocol.js": "./static/js/protocol.js?v=…", …}}</script>

so every import of the graph resolves to its versioned URL, which is served `immutable`
(assets.py) and answered by the cache on the next visit: 1 request (the page), 4.6 KB. Keys and values are relative to
the page, like every URL the templates write (urls.py), so the map works behind a prefix
proxy that sends no prefix header; a key must look like a URL (`./`, `../`, `/`), else it
would be a bare specifier. The modulepreload links name the same versioned URLs, so a
preload and the import it serves are one fetch.

The policy allows no inline script; this one is allowed by the `'sha256-…'` of the exact
text emitted (headers.py reads `g.csp_script_hashes`), so it and only it runs. Should
the hash ever not match, the browser ignores the map and the modules load by their plain
URLs: slower on a repeat visit, never broken.
"""
import base64
import hashlib
import json

from flask import g
from markupsafe import Markup

from .urls import relative_url_for


def _url_like(url):
    return url if url.startswith(("./", "../", "/")) else "./" + url


def script_hash(text):
    """The CSP hash-source of an inline script's text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def map_text(graph):
    """The import map of the modules in `graph` (paths under static/), as JSON text:
    each plain URL to its versioned one. `<` is escaped so no URL can end the script."""
    imports = {}
    for path in graph:
        plain = _url_like(relative_url_for("static", filename=path, v=None))
        versioned = _url_like(relative_url_for("static", filename=path))
        if versioned != plain:
            imports[plain] = versioned
    return json.dumps({"imports": imports}, separators=(",", ":")).replace("<", "\\u003c")


def init_app(app, graph_of):
    """`graph_of(entry, on_demand)`: the module graph of an entry script (assets.py),
    with the modules it loads on demand."""

    def import_map(*entries):
        graph = [path for entry in entries for path in graph_of(entry, on_demand=True)]
        text = map_text(list(dict.fromkeys(graph)))
        hashes = g.setdefault("csp_script_hashes", [])
        if script_hash(text) not in hashes:
            hashes.append(script_hash(text))
        return Markup('<script type="importmap">') + Markup(text) + Markup("</script>")

    @app.context_processor
    def import_maps():
        return {"import_map": import_map}
