"""Sticky sessions: every response says which node served it.

Engine.IO's long-polling sends each poll as a new HTTP request, and every one must
reach the node that holds the session. The proxy cannot read the Engine.IO sid
(the handshake that makes it has none), so each node names itself in a cookie,
`tlc_node`, and the proxy routes by that cookie (deploy/nginx-cluster.conf): the
browser's next requests go to the same node, and when that node is gone the proxy
picks another, whose responses then set the cookie to itself.

While the node is cut off from Redis (`refusing()`), it answers a new Engine.IO
handshake (a /socket.io/ request without `sid=`) 503: the proxy passes it to the next
node (proxy_next_upstream http_503), so its clients reconnect elsewhere (handoff.py).
"""
import re

COOKIE = "tlc_node"
SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class NodeCookie:
    def __init__(self, app, node, refusing=lambda: False):
        if not SAFE.match(node):
            raise RuntimeError(f"NODE_ID must be 1-64 letters, digits, '.', '_' or '-': {node!r}")
        self.app = app
        self.cookie = ("Set-Cookie", f"{COOKIE}={node}; Path=/; HttpOnly; SameSite=Lax")
        self.refusing = refusing

    def __call__(self, environ, start_response):
        if self.refusing() and environ.get("PATH_INFO", "").endswith("/socket.io/") \
                and "sid=" not in environ.get("QUERY_STRING", ""):
            body = b'{"code":"unavailable","retryAfterMs":1000}'
            start_response("503 Service Unavailable", [
                ("Content-Type", "application/json"), ("Retry-After", "1"),
                ("Content-Length", str(len(body)))])
            return [body]

        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, self.cookie], exc_info)

        return self.app(environ, start)
