"""Static files leave the session alone: no cookie, so a browser's cache can match them on
the next visit (a new Set-Cookie and `Vary: Cookie` on each one defeated it), and no
identity work (identity.NO_IDENTITY): no user lookup, no SQL."""


def test_static_files_set_no_cookie_and_do_not_vary_on_it(app):
    client = app.test_client()
    page = client.get("/call")
    assert "tlc_session=" in page.headers.get("Set-Cookie", "")  # pages keep their cookie
    for url in ("/static/js/protocol.js", "/static/css/app.css?v=anything"):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, url
        assert "cookie" not in response.headers.get("Vary", "").lower(), url
        assert "accept-encoding" in response.headers.get("Vary", "").lower(), url


def test_a_static_file_costs_no_identity_lookup(app, monkeypatch):
    """A page resolves the session's user (one database lookup); a static file, plain or
    versioned, under the app's URL or its mount prefix, looks nobody up: no call to the
    lookup, no SQL statement, no session write."""
    from sqlalchemy import event

    from tlightchat import create_app, parts

    prefixed = create_app(dict(app.config, URL_PREFIX="/port3000"))
    for site, prefix in ((app, ""), (prefixed, "/port3000")):
        client = site.test_client()
        client.get(prefix + "/call")  # a guest, in the cookie
        sio = parts(site).socketio.test_client(site, flask_test_client=client)
        assert sio.is_connected()  # its row is stored now: a lookup would find it
        sio.disconnect()
        lookups, statements = [], []
        identity = parts(site).identity
        real = identity.load_user
        monkeypatch.setattr(identity, "load_user",
                            lambda user_id: lookups.append(user_id) or real(user_id))
        engine = parts(site).db.engine
        count = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", count)
        try:
            for url in ("/static/js/protocol.js", "/static/css/app.css?v=x",
                        "/static/js/no-such-module.js"):
                response = client.get(prefix + url)
                assert response.status_code in (200, 404), url
                assert "Set-Cookie" not in response.headers, url
            assert (lookups, statements) == ([], []), (lookups, statements)
            client.get(prefix + "/call")  # the counting works: a page looks its user up
            assert lookups and statements
        finally:
            event.remove(engine, "before_cursor_execute", count)


def test_an_unknown_url_asked_without_a_cookie_or_a_machine_endpoint_writes_none(app):
    """A browser that shows a JSON page (/healthz) asks for /favicon.ico on its own; that
    404 rendered a page with a CSRF token and sent back a cookie holding only that token.
    Arriving after the browser's cookie had changed (a sign-in, a restored profile: seen in
    e2e/test_chat.py), it replaced the identity with nothing, and the next page made a new
    guest. Responses that never make or change an identity leave the cookie alone."""
    client = app.test_client()
    for url in ("/favicon.ico", "/no/such/page", "/healthz"):
        response = client.get(url)
        assert "Set-Cookie" not in response.headers, (url, response.status_code)
    page = client.get("/call")
    cookie = page.headers.get("Set-Cookie", "")
    assert "tlc_session=" in cookie
    assert "Set-Cookie" not in client.get("/healthz").headers  # a machine endpoint, ever


def test_a_page_that_writes_no_cookie_offers_no_form_that_needs_one(app):
    """The language form's CSRF token lives in the session; a fresh browser's 404 (no
    cookie written) offered one that could only fail (review). It is not offered there;
    with a cookie, the 404's form works."""
    client = app.test_client()
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and b'id="lang-form"' not in missing.data
    assert b'id="lang-form"' in client.get("/").data
    missing = client.get("/no/such/page").get_data(as_text=True)
    token = missing.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    chosen = client.post("/lang", data={"csrf_token": token, "lang": "de", "next": "/"})
    assert chosen.status_code == 302, chosen.status_code
