"""Abuse at the HTTP layer, black-box through the Flask test client (a browser's cookie
jar, raw headers, any remote address): open redirects, forged X-Forwarded-For, missing
security headers, cookie-less GETs filling the users table, a forgeable dev secret."""
import re
from urllib.parse import urljoin, urlsplit

import pytest

from tlightchat import DEV_SECRET, create_app

from tests.support.clients import form_token
from tests.support.accounts import user_rows

BASE = "http://localhost"


def register(browser, username="mallory", password="correct horse battery"):
    token = form_token(browser, "/register")
    r = browser.post("/register", data={"csrf_token": token, "username": username,
                                         "password": password, "confirm": password})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return username, password


def where_it_lands(page, location):
    """The URL a browser goes to: Location resolved against the page that answered."""
    return urlsplit(urljoin(BASE + page, location))


# -- 3. open redirect through `next` --------------------------------------------------

EVIL_NEXTS = ["/https:evil.example", "/http:evil.example", "/./https:evil.example",
              "/a/../https:evil.example", "/javascript:alert(1)", "/\t/evil.example",
              "/\\evil.example", "//evil.example", "/%09/evil.example/../https:x",
              "https://evil.example", "/ /evil.example"]


def test_login_next_never_leaves_the_site(app):
    """Before: `POST /login?next=/https:evil.example` answered `Location: https:evil.example`
    (a relative rewrite of an accepted path), which a browser takes as an absolute URL."""
    username, password = register(app.test_client(), "victim1")
    escaped = []
    for target in EVIL_NEXTS:
        browser = app.test_client()
        token = form_token(browser, "/login")
        r = browser.post("/login", query_string={"next": target},
                         data={"csrf_token": token, "username": username, "password": password})
        assert r.status_code == 302
        lands = where_it_lands("/login", r.headers["Location"])
        if (lands.scheme, lands.netloc) != ("http", "localhost"):
            escaped.append((target, r.headers["Location"]))
    assert not escaped


def test_register_next_never_leaves_the_site(app):
    escaped = []
    for i, target in enumerate(EVIL_NEXTS[:4]):
        browser = app.test_client()
        token = form_token(browser, "/register")
        r = browser.post("/register", query_string={"next": target},
                         data={"csrf_token": token, "username": f"newcomer{i}",
                               "password": "long enough pw", "confirm": "long enough pw"})
        assert r.status_code == 302
        lands = where_it_lands("/register", r.headers["Location"])
        if (lands.scheme, lands.netloc) != ("http", "localhost"):
            escaped.append((target, r.headers["Location"]))
    assert not escaped


def test_a_same_site_next_still_works(app):
    username, password = register(app.test_client(), "victim2")
    browser = app.test_client()
    token = form_token(browser, "/login")
    r = browser.post("/login?next=/chat%3Fwith%3Dabc", data={
        "csrf_token": token, "username": username, "password": password})
    lands = where_it_lands("/login", r.headers["Location"])
    assert (lands.netloc, lands.path, lands.query) == ("localhost", "/chat", "with=abc")


# -- 4. the sign-in limit and X-Forwarded-For -------------------------------------------

def guesses(app, remote_addr, forwarded_for, count=25):
    register(app.test_client(), "target")
    browser = app.test_client()
    token = form_token(browser, "/login")
    codes = []
    for i in range(count):
        headers = {"X-Forwarded-For": forwarded_for(i)} if forwarded_for else {}
        r = browser.post("/login", data={"csrf_token": token, "username": "target",
                                          "password": f"guess-{i}"},
                         headers=headers, environ_base={"REMOTE_ADDR": remote_addr})
        codes.append(r.status_code)
    return codes


def test_a_rotating_x_forwarded_for_does_not_reset_the_login_limit(app):
    """Before: 25 guesses from one address with a fresh X-Forwarded-For each got 401, never
    429 (ProxyFix(x_for=1) believed any client)."""
    codes = guesses(app, "203.0.113.9", lambda i: f"198.51.100.{i + 1}")
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes


def test_x_forwarded_for_from_a_trusted_proxy_still_tells_clients_apart(app):
    codes = guesses(app, "127.0.0.1", lambda i: f"198.51.100.{i + 1}")
    assert set(codes) == {401}, codes


def test_trusted_proxies_are_configurable(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3",
                      "TRUSTED_PROXIES": ["10.0.0.0/8"]})
    assert set(guesses(app, "10.1.2.3", lambda i: f"198.51.100.{i + 1}")) == {401}
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/u.sqlite3",
                      "TRUSTED_PROXIES": ["10.0.0.0/8"]})
    assert 429 in guesses(app, "127.0.0.1", lambda i: f"198.51.100.{i + 1}")


# -- 6. security headers ------------------------------------------------------------------

PAGES = ["/", "/about", "/call", "/chat", "/me", "/login", "/register", "/no/such/page"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_security_headers(app, path):
    """Before: none of these headers on any page."""
    r = app.test_client().get(path)
    csp = r.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ") if d}
    # 'self', plus the hash of the page's import map where it has one (test below)
    assert directives.get("script-src")[0] == "'self'", csp
    assert all(s.startswith("'sha256-") for s in directives["script-src"][1:]), csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives.get("frame-ancestors") == ["'none'"]
    assert "'self'" in directives.get("connect-src", [])
    assert any(s.endswith("/socket.io/") and s.startswith("ws://localhost")
               for s in directives["connect-src"]), csp
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert r.headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin",
                                                "no-referrer")
    perms = r.headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "display-capture"):
        assert f"{feature}=(self)" in perms, perms


def test_the_policy_names_configured_stun_and_turn(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3",
                      "ICE_SERVERS": [{"urls": "stun:stun.example.org:3478"}],
                      "TURN_URLS": ["turns:turn.example.org:443?transport=tcp"]})
    csp = app.test_client().get("/call").headers["Content-Security-Policy"]
    connect = next(d for d in csp.split("; ") if d.startswith("connect-src")).split()
    assert "stun:" in connect and "turns:" in connect


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_style_or_handlers(app, path):
    """What the policy forbids must not be in the pages (it would silently not run). The
    one inline script allowed is an import map whose hash the policy names."""
    import base64
    import hashlib

    response = app.test_client().get(path)
    html = response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    allowed = next(d for d in csp.split("; ") if d.startswith("script-src ")).split()[2:]
    maps = re.findall(r'<script type="importmap">(.*?)</script>', html, re.S)
    hashes = ["'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
              for m in maps]
    assert hashes == allowed, "the policy allows exactly the import maps of the page"
    html = re.sub(r'<script type="importmap">.*?</script>', "", html, flags=re.S)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"<style\b", html), "inline <style>"
    assert not re.search(r"\sstyle\s*=", html), "a style= attribute"
    assert not re.search(r"\son[a-z]+\s*=", html), "an event-handler attribute"
    assert "javascript:" not in html


# -- 7. guests are stored when used, not when a page is fetched -------------------------


@pytest.mark.storage  # on SQLite and PostgreSQL
def test_cookieless_gets_store_no_guests(app):
    """Before: 300 cookie-less GETs made 305 user rows in 0.8 s."""
    for i in range(100):
        assert app.test_client().get(PAGES[i % 4]).status_code == 200
    assert user_rows(app) == 0


@pytest.mark.storage  # on SQLite and PostgreSQL
def test_a_guest_is_stored_when_its_socket_connects(app):
    browser = app.test_client()
    page = browser.get("/me").get_data(as_text=True)
    name = re.search(r'value="(Guest-\d{4})"', page).group(1)
    assert user_rows(app) == 0
    sio = app.extensions["tlightchat"].socketio.test_client(app, flask_test_client=browser)
    welcome = next(m for m in sio.get_received() if m["name"] == "session:welcome")["args"][0]
    assert welcome["user"]["displayName"] == name
    assert user_rows(app) == 1
    sio.disconnect()
    app.extensions["tlightchat"].socketio.test_client(app, flask_test_client=browser).disconnect()
    assert user_rows(app) == 1


@pytest.mark.storage  # on SQLite and PostgreSQL
def test_a_guest_can_rename_itself_before_it_ever_connected(app):
    browser = app.test_client()
    token = form_token(browser, "/me")
    r = browser.post("/me", data={"csrf_token": token, "displayName": "Early Bird"})
    assert r.status_code == 302
    assert "Early Bird" in browser.get("/me").get_data(as_text=True)
    assert user_rows(app) == 1


# -- the development secret --------------------------------------------------------------

def test_development_uses_a_random_local_secret_not_the_published_one(tmp_path):
    """Before: development signed cookies with the constant in config/defaults.py, so
    anyone could forge a cookie for any user id shown in the lobby."""
    from flask.sessions import SecureCookieSessionInterface

    secret_file = tmp_path / "instance" / "secret_key"
    config = {"DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite3", "ENV_NAME": "development",
              "SECRET_KEY": DEV_SECRET, "SECRET_KEY_FILE": str(secret_file)}
    app = create_app(config)
    assert app.config["SECRET_KEY"] != DEV_SECRET and len(app.config["SECRET_KEY"]) >= 32
    assert secret_file.stat().st_mode & 0o077 == 0
    assert create_app(config).config["SECRET_KEY"] == app.config["SECRET_KEY"]  # kept

    # a cookie forged with the published constant, for a user id seen in the lobby
    victim = app.test_client()
    victim.get("/")
    seen = app.extensions["tlightchat"].socketio.test_client(app, flask_test_client=victim)
    victim_id = next(m for m in seen.get_received()
                     if m["name"] == "session:welcome")["args"][0]["user"]["id"]
    forger = create_app({**config, "ENV_NAME": "testing"})  # signs with DEV_SECRET
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    forged = serializer.dumps({"uid": victim_id})
    browser = app.test_client()
    browser.set_cookie("tlc_session", forged)
    sio = app.extensions["tlightchat"].socketio.test_client(app, flask_test_client=browser)
    assert not sio.is_connected()


def test_production_still_refuses_the_development_secret(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3",
                    "ENV_NAME": "production", "SECRET_KEY": DEV_SECRET})


def test_a_trusted_proxy_seen_as_an_ipv4_mapped_address_is_still_trusted(app):
    """Issue 34, item 5: on a dual-stack socket a loopback nginx is seen as
    ::ffff:127.0.0.1. Without the IPv4-mapped branch it was not trusted, its
    X-Forwarded-For dropped, and every client behind it shared one sign-in limit."""
    codes = guesses(app, "::ffff:127.0.0.1", lambda i: f"198.51.100.{i + 1}")
    assert set(codes) == {401}, codes


def test_an_ipv4_mapped_address_outside_the_trusted_networks_is_not_trusted():
    from tlightchat.web.proxies import TrustedProxyFix
    fix = TrustedProxyFix(lambda environ, start: [], ["127.0.0.1/32", "10.0.0.0/8"])
    assert fix.trusts("::ffff:127.0.0.1") and fix.trusts("::ffff:10.9.8.7")
    assert fix.trusts("127.0.0.1") and not fix.trusts("::1")
    for address in ("::ffff:203.0.113.9", "203.0.113.9", "::ffff:7f00:2", "", None, "junk"):
        assert not fix.trusts(address), address
