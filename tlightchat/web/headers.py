"""Security headers on every response: a Content-Security-Policy without inline script
or style (but for a page's import map, allowed by the hash of its text: importmap.py),
no framing, nosniff, a same-origin referrer and camera, microphone and display
capture for this site only.

connect-src allows this origin ('self', which covers the Socket.IO long-polling path)
and the Socket.IO WebSocket path on this host (ws:/wss:, which older Chromium did not
take as 'self'). ICE traffic to STUN/TURN is not fetched, so no browser applies
connect-src to it; the configured STUN/TURN schemes are listed anyway, so the policy
says where the page may talk to.
"""
import re

from flask import g, request

_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")

PERMISSIONS = ("camera=(self), microphone=(self), display-capture=(self), "
               "geolocation=(), payment=(), usb=()")


def _ice_schemes(config):
    urls = list(config.get("TURN_URLS") or [])
    for server in config.get("ICE_SERVERS") or []:
        found = server.get("urls") if isinstance(server, dict) else None
        urls += [found] if isinstance(found, str) else list(found or [])
    return sorted({u.split(":", 1)[0] + ":" for u in urls
                   if isinstance(u, str) and u.split(":", 1)[0] in ("stun", "turn", "turns")})


def policy(config, host, script_root, script_hashes=()):
    socket_path = f"{script_root.rstrip('/')}/socket.io/"
    connect = ["'self'"]
    if _HOST.match(host or "") and re.fullmatch(r"[A-Za-z0-9._~/-]*", socket_path):
        connect += [f"ws://{host}{socket_path}", f"wss://{host}{socket_path}"]
    connect += _ice_schemes(config)
    return "; ".join([
        "default-src 'self'",
        " ".join(["script-src 'self'", *script_hashes]),
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",
        "font-src 'self'",
        f"connect-src {' '.join(connect)}",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


# A script or stylesheet loaded by a page obeys none of these (the page's own do; a
# worker's script would, and there is none): they only made each of /call's ~45
# subresource responses longer. With a Content-Disposition and Last-Modified
# (assets.py), a module's response head was 915 bytes on the wire, now 354 (curl).
# Resource Timing counts a flat 300 bytes per response, so bench/page.py cannot see it.
DOCUMENT_ONLY = ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options")
SUBRESOURCES = frozenset({"text/javascript", "application/javascript", "text/css"})


def add_headers(response):
    from flask import current_app
    headers = response.headers
    if request.endpoint == "static" and response.mimetype in SUBRESOURCES:
        headers.setdefault("X-Content-Type-Options", "nosniff")  # never run as anything else
        headers.setdefault("Referrer-Policy", "same-origin")  # a stylesheet's url() fetches
        return response
    headers.setdefault("Content-Security-Policy",
                       policy(current_app.config, request.host, request.script_root,
                              g.get("csp_script_hashes", ())))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app):
    app.after_request(add_headers)
