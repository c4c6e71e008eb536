"""Long-polling POSTs over the payload limit are refused here, before python-engineio.

python-engineio 4.15.1 (the newest we pin) answers a POST whose Content-Length is over
`max_http_buffer_size` by calling `disconnect(sid)`, which closes the socket with
`wait=True`: it waits for the polling queue to be drained by a GET that never comes.
The POST gets no answer, the socket is never freed, and each such request holds one of
the server's connections for good. This WSGI layer, in front of the Socket.IO
middleware, answers such a POST at once (413, or 400 for a Content-Length that is not a
number) and closes the Engine.IO session without waiting (its pending GET, if any, gets
the close packet). The fix lives in our code; nothing else changes in engineio.
"""
import logging
from urllib.parse import parse_qs

log = logging.getLogger(__name__)


class PollingGuard:
    def __init__(self, wsgi_app, eio, path="socket.io"):
        self.wsgi_app = wsgi_app
        self.eio = eio
        self.prefix = "/" + path.strip("/") + "/"

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" \
                and environ.get("PATH_INFO", "").startswith(self.prefix):
            length = (environ.get("CONTENT_LENGTH") or "0").strip()
            limit = self.eio.max_http_buffer_size
            if not length.isdigit():
                return self.refuse(environ, start_response, "400 Bad Request",
                                   "Content-Length is not a number")
            if int(length) > limit:
                return self.refuse(environ, start_response, "413 Payload Too Large",
                                   f"a POST of {length} bytes; the limit is {limit}")
        return self.wsgi_app(environ, start_response)

    def refuse(self, environ, start_response, status, reason):
        sid = (parse_qs(environ.get("QUERY_STRING", "")).get("sid") or [""])[0]
        socket = self.eio.sockets.pop(sid, None)
        if socket is not None:
            socket.close(wait=False, reason=self.eio.reason.SERVER_DISCONNECT)
        log.warning("refused a polling POST and closed its session",
                    extra={"sid": sid[:32], "reason": reason})
        body = (reason + "\n").encode()
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                                ("Content-Length", str(len(body))),
                                ("Connection", "close")])
        return [body]


def allow_burst(packets):
    """Let a polling POST carry `packets` Engine.IO packets (the socket's rate-limit burst,
    RATE_LIMIT_BURST: what a WebSocket client may send at once). python-engineio decodes at
    most Payload.max_decode_packets (16) and drops a POST with more whole — every event in
    it, no ack, a logged ValueError — while the browser's engine.io client puts everything
    it queued into one POST: a page reloaded mid-call in a group call (its offers and
    candidates to each party before the upgrade to WebSocket; seen with Firefox, the e2e
    test_group_call) lost them all. The POST's bytes stay bounded (PollingGuard above)."""
    from engineio.payload import Payload

    Payload.max_decode_packets = max(Payload.max_decode_packets, int(packets))
