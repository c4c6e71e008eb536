"""Static files: compressed when asked, versioned URLs cached for good.

Measured before: /call's first load moved 271 KB (the app compressed nothing); the same
files compressed are about a third of that. Flask-Compress encodes HTML, CSS, JS and
JSON responses (zstd, br, gzip or deflate, whichever the browser asks for first; static
files stream, so those get zstd, br or deflate). Socket.IO's own polling responses are
compressed by Engine.IO, not here.

`url_for('static', ...)` adds `v=<content hash>`, so a stylesheet or entry script named
by a page is cached `immutable` for a year and a changed file gets a new URL. Modules a
script imports (`./protocol.js`) are named by the import, without a version; a page's
import map (importmap.py) sends those imports to their versioned URLs. A plain URL
(a page without the map, an old cached page) is served `no-cache`: revalidated with its
ETag (304, no body).
"""
import hashlib
import os
import posixpath
import re

from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress

from ..identity import NO_IDENTITY

from . import importmap, precompressed
from .headers import SUBRESOURCES
from .urls import relative_url_for

YEAR = 365 * 24 * 3600

# The import forms static/js uses: `import … from '…'`, `export … from '…'`, `import '…'`
# (at the start of a line, so a comment that mentions one is no edge) and `import('…')`,
# which `import(/* on demand */ '…')` marks as loaded only when the user asks for it.
_STATIC_IMPORT = re.compile(
    r"""^[ \t]*(?:import|export)\b[^'";]*?\bfrom\s*(['"])([^'"]+)\1"""
    r"""|^[ \t]*import\s*(['"])([^'"]+)\3""", re.M)
_DYNAMIC_IMPORT = re.compile(
    r"""\bimport\(\s*(/\*\s*on demand\s*\*/\s*)?(['"])([^'"]+)\2\s*\)""")


def imports_of(source, dynamic=True, on_demand=True):
    """The relative module specifiers a module's source imports, statically (and with
    a literal dynamic import(), unless dynamic=False; one marked on demand unless
    on_demand=False), in order of appearance."""
    found = [(m.start(), m[2] or m[4]) for m in _STATIC_IMPORT.finditer(source)]
    if dynamic:
        found += [(m.start(), m[3]) for m in _DYNAMIC_IMPORT.finditer(source)
                  if on_demand or not m[1]]
    return [spec for _, spec in sorted(found) if spec.startswith(("./", "../"))]


def module_graph(static_folder, entry, on_demand=False):
    """Every module reachable from `entry` (a path under static/), the entry first, then
    breadth first what runs at start (the entry's own imports, static or dynamic, and
    their static graphs), then what a module imports later with import() (the chat
    panel): the order the page needs them, so each can be preloaded in that order.
    With on_demand, then what loads only when asked for (the connection check): those
    are not preloaded, but the import map names them."""
    order, queue, later, demand = [], [(entry, True)], [], []
    while queue or later or demand:
        path, now = (queue or later or demand).pop(0)
        if path in order:
            continue
        try:
            with open(os.path.join(static_folder, path), encoding="utf-8") as f:
                source = f.read()
        except OSError:
            continue  # a missing module fails in the browser, not in the page
        order.append(path)
        base = posixpath.dirname(path)
        join = lambda spec: posixpath.normpath(posixpath.join(base, spec))  # noqa: E731
        static = imports_of(source, dynamic=False)
        queue += [(join(spec), False) for spec in static]
        dynamic = [s for s in imports_of(source, on_demand=False) if s not in static]
        (queue if now else later).extend((join(spec), False) for spec in dynamic)
        if on_demand:
            asked = imports_of(source)
            demand += [(join(s), False) for s in asked if s not in static and s not in dynamic]
    return order


class NoCookieOnStaticFiles(SecureCookieSessionInterface):
    """The session cookie is refreshed on every response that touched the session, and
    every request does (identity.ensure_identity): a static file came back with a new
    `Set-Cookie` and `Vary: Cookie`, so the next request's cookie differed and the
    browser's cache never matched. Measured with real Chromium (bench/page.py): a repeat
    visit fetched all 41 files again, immutable ones included (15.8 KB of headers).
    Static files now leave the session as it was: no Set-Cookie, no Vary: Cookie.

    Nor does a machine endpoint (identity.NO_IDENTITY), nor an unknown URL asked without
    a cookie: a browser asks for /favicon.ico by itself; that 404 came back with a cookie
    holding only a CSRF token and, arriving after the cookie had been set meanwhile,
    replaced the identity (tests/web/test_static_cookie.py)."""

    def save_session(self, app, session, response):
        if keeps_session(app):
            super().save_session(app, session, response)


def keeps_session(app):
    """Whether this request's response writes the session cookie (above); a page whose
    does not offers no form whose CSRF token would live in it (base.html)."""
    if request.endpoint is None:
        return app.config["SESSION_COOKIE_NAME"] in request.cookies
    return request.endpoint not in NO_IDENTITY


def init_app(app):
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = NoCookieOnStaticFiles()
    app.context_processor(lambda: {"keeps_session": lambda: keeps_session(app)})
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/javascript", "application/javascript",
        "application/json", "image/svg+xml", "text/plain"])
    Compress(app)
    precompressed.init_app(app)  # after Compress: its after_request runs first
    versions = {}  # filename -> (mtime, hash)

    def version(filename):
        path = os.path.join(app.static_folder, filename)
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return None
        known = versions.get(filename)
        if known is None or known[0] != mtime:
            with open(path, "rb") as f:
                known = versions[filename] = (mtime, hashlib.sha256(f.read()).hexdigest()[:12])
        return known[1]

    graphs = {}  # (entry, on_demand) -> (mtimes of its modules, its module graph)

    def stamp(paths):
        out = []
        for path in paths:
            try:
                out.append(os.stat(os.path.join(app.static_folder, path)).st_mtime_ns)
            except OSError:
                out.append(None)
        return tuple(out)

    def graph_of(entry, on_demand=False):
        """The module graph of `entry`, parsed again when one of its modules changes."""
        known = graphs.get((entry, on_demand))
        if known is None or stamp(known[1]) != known[0]:
            graph = module_graph(app.static_folder, entry, on_demand)
            known = graphs[entry, on_demand] = (stamp(graph), graph)
        return known[1]

    def preloads(entry):
        """Versioned URLs of `entry` and of every module it imports: the URLs the
        page's import map resolves those imports to, so each preload is used."""
        return [relative_url_for("static", filename=path) for path in graph_of(entry)]

    @app.context_processor
    def module_preloads():
        return {"module_preloads": preloads}

    importmap.init_app(app, graph_of)

    @app.url_defaults
    def versioned_static(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            v = version(values["filename"])
            if v:
                values["v"] = v

    @app.after_request
    def cache_static(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            if request.args.get("v"):
                response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
            else:
                response.headers["Cache-Control"] = "no-cache"
            if response.mimetype in SUBRESOURCES:
                # what a script or stylesheet needs no more of: a file name (for saving
                # it) and a second validator beside its ETag
                response.headers.pop("Content-Disposition", None)
                response.headers.pop("Last-Modified", None)
        return response
