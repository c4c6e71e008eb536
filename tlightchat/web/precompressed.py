"""Static text files compressed once, at the best level, instead of on every request.

Flask-Compress encodes each static file again on every request, as a stream, at a fast
level (zstd 3, or deflate for a browser without zstd or br). Measured with bench/page.py
(Chromium, which takes br from this local server): /call's first load moved 142 KB, of
which 128 KB were bodies; with the files at brotli 11 it moves 117 KB (103 KB bodies,
the rest Chromium's flat 300 bytes per response for headers). gzip 9 is for browsers
that do not take br (Chromium over plain HTTP to another host).

A file is compressed on its first request (after a change: on the first request after
it), off the event loop (worker.run_blocking: brotli and zlib release the GIL),
and kept in memory for the process, keyed by its path and modification time. Brotli 11
is slow (2.3 s of CPU for every file of static/ on this box), so the first visit after
a start pays it once; every later one reads the kept bytes.

Style sheets (rcssmin) and scripts (rjsmin) are minified before they are compressed,
here and only here: the copy a developer reads and edits, and the uncompressed response,
stay as written, with no build step (issue 33.2). rjsmin keeps ES-module syntax (import,
export, template literals, regex literals, optional chaining): tests/web/test_minified.py
parses every minified module with Node and runs the browser unit tests against them.
Its comments go too, `/* on demand */` included: assets.py reads the marks from the file
on disk. A file already minified (`.min.js`) is sent as it is, and so is one whose
literals the minifier would change (rjsmin squeezes a template nested in another's
`${…}`: jsliterals.py). Measured with brotli 11:
/call's modules 144.9 KB -> 96.3 KB.
"""
import gzip
import os

import brotli
import rcssmin
import rjsmin
from flask import request

from ..worker import run_blocking as off_loop
from .jsliterals import same_literals

TYPES = frozenset({"text/javascript", "application/javascript", "text/css",
                   "image/svg+xml", "application/json"})
ENCODERS = {  # in order of preference
    "br": lambda data: brotli.compress(data, quality=11),
    "gzip": lambda data: gzip.compress(data, 9, mtime=0),
}


def minified(filename, data):
    """What is sent for a static file: a style sheet or a script without its comments
    and spaces."""
    if filename.endswith(".css"):
        return rcssmin.cssmin(data)
    if filename.endswith(".js") and not filename.endswith(".min.js"):
        small = rjsmin.jsmin(data)
        # sent only when every string, template and regex is as written (jsliterals.py)
        return small if same_literals(data.decode("utf-8"), small.decode("utf-8")) else data
    return data


def _encode(encoding, filename, data):
    return ENCODERS[encoding](minified(filename, data))


def choose(accept_encodings):
    """The encoding to send for a request's Accept-Encoding (werkzeug's parsed form)."""
    for name in ENCODERS:
        if accept_encodings[name] > 0:
            return name
    return None


def init_app(app):
    kept = {}  # (filename, mtime_ns, encoding) -> compressed bytes

    def compressed(filename, encoding):
        path = os.path.join(app.static_folder, filename)
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return None
        key = (filename, mtime, encoding)
        body = kept.get(key)
        if body is None:  # two requests at once may both make it: the same bytes
            with open(path, "rb") as f:
                body = off_loop(_encode, encoding, filename, f.read())
            for old in [k for k in list(kept) if k[0] == filename and k[2] == encoding]:
                kept.pop(old, None)  # the file changed: its old bytes go
            kept[key] = body
        return body

    @app.after_request
    def send_precompressed(response):
        """Runs before Flask-Compress (registered after it), which then leaves an
        encoded response alone."""
        if (request.endpoint != "static" or response.status_code != 200
                or response.mimetype not in TYPES or "Content-Encoding" in response.headers
                or request.headers.get("Range")):
            return response
        encoding = choose(request.accept_encodings)
        filename = (request.view_args or {}).get("filename")
        body = compressed(filename, encoding) if encoding and filename else None
        if body is None:
            return response
        response.close()  # the file send_file opened
        response.direct_passthrough = False
        response.set_data(body)
        response.headers["Content-Encoding"] = encoding
        etag, weak = response.get_etag()
        if etag:
            response.set_etag(f"{etag}:{encoding}", weak=weak)
        return response.make_conditional(request)

    return send_precompressed
