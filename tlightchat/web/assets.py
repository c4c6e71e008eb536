"""Static files: compressed when asked, versioned URLs cached for good.

Measured before: /call's first load moved 271 KB (the app compressed nothing); the same
files compressed are about a third of that. Flask-Compress encodes HTML, CSS, JS and
JSON responses (zstd, br, gzip or deflate, whichever the browser asks for first; static
files stream, so those get zstd, br or deflate). Socket.IO's own polling responses are
compressed by Engine.IO, not here.

`url_for('static', ...)` adds `v=<content hash>`, so a stylesheet or entry script named
by a page is cached `immutable` for a year and a changed file gets a new URL. Modules a
script imports (`./protocol.js`) carry no version (the import names them), so they
are served `no-cache`: a repeat visit revalidates them with their ETag (304, no body).
"""
import hashlib
import os

from flask import request
from flask_compress import Compress

YEAR = 365 * 24 * 3600


def init_app(app):
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/javascript", "application/javascript",
        "application/json", "image/svg+xml", "text/plain"])
    Compress(app)
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
        return response
