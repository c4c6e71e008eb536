"""The whole Content-Security-Policy, directive by directive (issue 34, item 3).

test_abuse_http.py checks the directives a page needs to work (script-src, connect-src,
frame-ancestors); a policy that silently lost `base-uri 'none'` (a `<base>` injected
before the page's module scripts would load them from another origin), `object-src`,
`form-action` or `default-src` went unnoticed. Here every directive is pinned, none may be
added or dropped without this test changing too.
"""
import pytest

from tlightchat import create_app
from tlightchat.web.headers import policy

PAGES = ["/", "/about", "/call", "/chat", "/me", "/login", "/register", "/no/such/page"]

FIXED = {
    "default-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:", "mediastream:"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
VARYING = {"script-src", "connect-src"}  # import-map hashes, host and STUN/TURN schemes


def directives(csp):
    parsed = [d.split() for d in csp.split(";") if d.strip()]
    names = [d[0] for d in parsed]
    assert len(names) == len(set(names)), f"a directive named twice: {csp}"
    return {d[0]: d[1:] for d in parsed}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_exactly_the_documented_policy(app, path):
    found = directives(app.test_client().get(path).headers["Content-Security-Policy"])
    assert set(found) == set(FIXED) | VARYING
    for name, sources in FIXED.items():
        assert found[name] == sources, name
    assert found["script-src"][0] == "'self'"
    assert all(s.startswith("'sha256-") and s.endswith("'") for s in found["script-src"][1:])
    assert found["connect-src"] == ["'self'", "ws://localhost/socket.io/",
                                    "wss://localhost/socket.io/"]


def test_the_policy_function_alone():
    config = {"ICE_SERVERS": [{"urls": ["stun:s.example:3478"]}],
              "TURN_URLS": ["turn:t.example:3478", "turns:t.example:443"]}
    found = directives(policy(config, "chat.example:8443", "/app", ("'sha256-abc='",)))
    for name, sources in FIXED.items():
        assert found[name] == sources, name
    assert found["script-src"] == ["'self'", "'sha256-abc='"]
    assert found["connect-src"] == ["'self'", "ws://chat.example:8443/app/socket.io/",
                                    "wss://chat.example:8443/app/socket.io/",
                                    "stun:", "turn:", "turns:"]


def test_a_hostile_host_header_adds_no_source(tmp_path):
    """The Host header is the client's: one that is not a plain host[:port] must not put
    anything into connect-src (nor a `;` start a new directive)."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3"})
    r = app.test_client().get("/call", headers={"Host": "evil.example; script-src *"})
    found = directives(r.headers["Content-Security-Policy"])
    assert found["connect-src"] == ["'self'"]
    for name, sources in FIXED.items():
        assert found[name] == sources, name
