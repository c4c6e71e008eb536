"""Relative URLs everywhere, so the app works behind any path-prefix proxy.

A proxy may strip a prefix (/port3000) and tell us (X-Forwarded-Prefix, handled by
ProxyFix) or not tell us at all. Links relative to the current page work in every case,
so templates get a `url_for` that returns relative URLs and redirects get a relative
Location. The browser derives the Socket.IO path from the page the same way.
"""
import posixpath
from urllib.parse import urlsplit

from flask import request, url_for


def relative(target):
    """`target` (an absolute path, maybe with a query) relative to the current page."""
    if not target.startswith("/") or target.startswith("//"):
        return target
    path, sep, query = target.partition("?")
    here = request.script_root + request.path
    base = here if here.endswith("/") else posixpath.dirname(here)
    rel = posixpath.relpath(path, base or "/")
    if not path.endswith("/") and rel.rsplit("/", 1)[-1] in ("..", "."):
        # this page's folder or an ancestor ("/me" from /me/links/5/revoke): "../.." would be
        # read as the directory "/me/"; go up to its parent and name it
        rel = posixpath.relpath(posixpath.dirname(path), base or "/") + "/" + posixpath.basename(path)
    if path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" or rel == ".":
        rel = "./"
    if ":" in rel.split("/", 1)[0]:
        rel = "./" + rel  # "https:evil.example" would be an absolute URL to a browser
    return rel + sep + query


def same_site_path(target):
    """`target` when it is a path on this site, else None: never a scheme, a host, a
    `//` or `\\` (which browsers take as //), nor a tab, newline or other control
    character (which browsers strip out of URLs before parsing them)."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2048:
        return None
    if any(ord(ch) < 0x21 or ord(ch) == 0x7f for ch in target) or "\\" in target:
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    normal = posixpath.normpath(path)
    if target.startswith("//") or normal.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def relative_url_for(endpoint, **values):
    if values.get("_external"):
        return url_for(endpoint, **values)
    return relative(url_for(endpoint, **values))


def relative_location(response):
    location = response.headers.get("Location")
    if location and location.startswith("/") and not location.startswith("//"):
        response.headers["Location"] = relative(location)
    return response


def init_app(app):
    app.jinja_env.globals["url_for"] = relative_url_for
    app.after_request(relative_location)
