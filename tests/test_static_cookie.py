"""Static files leave the session cookie alone, so a browser's cache can match them on
the next visit (a new Set-Cookie and `Vary: Cookie` on each one defeated it)."""


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
