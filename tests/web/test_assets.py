"""Pages and static files: compressed when asked, versioned URLs cached for good."""
import gzip
import re


def _without_csrf(page):
    """A page's CSRF tokens carry the second they were signed in (Flask-WTF): two requests
    that straddle a second differ there and nowhere else."""
    return re.sub(rb'name="csrf_token" value="[^"]*"', b'name="csrf_token" value=""', page)


def test_pages_are_compressed_when_the_browser_asks(app):
    client = app.test_client()
    plain = client.get("/call")
    packed = client.get("/call", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert b'name="csrf_token" value="' in plain.data
    assert _without_csrf(gzip.decompress(packed.data)) == _without_csrf(plain.data)
    assert "Accept-Encoding" in packed.headers.get("Vary", "")


def test_static_modules_are_compressed_too(app):
    client = app.test_client()
    response = client.get("/static/js/peer.js", headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    import brotli

    from tlightchat.web.precompressed import minified  # scripts go minified (issue 33.2)

    plain = client.get("/static/js/peer.js").get_data()
    assert brotli.decompress(response.get_data()) == minified("js/peer.js", plain)


def test_pages_name_static_files_by_version_and_those_are_immutable(app):
    client = app.test_client()
    html = client.get("/call").get_data(as_text=True)
    css = re.search(r'href="([^"]*css/app\.css\?v=([0-9a-f]{12}))"', html)
    assert css, "the stylesheet URL carries its content hash"
    url = "/static/css/app.css?v=" + css.group(2)
    response = client.get(url)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_unversioned_modules_are_revalidated_not_refetched(app):
    client = app.test_client()
    first = client.get("/static/js/protocol.js")
    assert first.headers["Cache-Control"] == "no-cache" and first.headers.get("ETag")
    again = client.get("/static/js/protocol.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def file_bytes(app, path):
    import os
    with open(os.path.join(app.static_folder, path), "rb") as f:
        return f.read()


def test_static_text_is_compressed_at_the_best_level(app):
    """Before: Flask-Compress encoded each request again, streaming at a fast level
    (zstd 3, or deflate for a browser without br): larger bodies (web/precompressed.py)."""
    import brotli

    from tlightchat.web.precompressed import minified

    client = app.test_client()
    data = file_bytes(app, "js/peer.js")
    sent = minified("js/peer.js", data)  # scripts go minified (issue 33.2)
    for accept, encoding, decode, best in (
            ("gzip, deflate, br, zstd", "br", brotli.decompress,
             lambda d: brotli.compress(d, quality=11)),
            ("gzip, deflate", "gzip", gzip.decompress, lambda d: gzip.compress(d, 9, mtime=0))):
        response = client.get("/static/js/peer.js?v=x", headers={"Accept-Encoding": accept})
        assert response.headers["Content-Encoding"] == encoding, accept
        assert decode(response.data) == sent
        assert len(response.data) == len(best(sent)) < len(data) / 3
        assert "accept-encoding" in response.headers["Vary"].lower()
        again = client.get("/static/js/peer.js", headers={
            "Accept-Encoding": accept, "If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
    plain = client.get("/static/js/peer.js")
    assert "Content-Encoding" not in plain.headers and plain.data == data


def test_each_file_is_compressed_once_per_encoding_and_kept(app, monkeypatch):
    from tlightchat.web import precompressed

    made = []
    for name, encode in list(precompressed.ENCODERS.items()):
        monkeypatch.setitem(precompressed.ENCODERS, name,
                            lambda data, encode=encode, name=name: made.append(name) or encode(data))
    client = app.test_client()
    for accept in ("br", "br", "gzip", "gzip, br", "gzip"):
        assert client.get("/static/js/store.js",
                          headers={"Accept-Encoding": accept}).status_code == 200
    assert made == ["br", "gzip"]


def test_scripts_and_stylesheets_carry_no_document_only_headers(app):
    """A subresource obeys no CSP, Permissions-Policy or X-Frame-Options (its page does):
    before, they made each of /call's ~45 responses ~500 bytes longer."""
    client = app.test_client()
    for url in ("/static/js/protocol.js?v=x", "/static/css/app.css", "/static/js/chat/view.js"):
        headers = client.get(url, headers={"Accept-Encoding": "br"}).headers
        for name in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options",
                     "Content-Disposition", "Last-Modified"):
            assert name not in headers, (url, name)
        assert headers["X-Content-Type-Options"] == "nosniff", url
    # a file a browser may open as a document keeps them, and so does every page
    for url in ("/static/favicon.svg", "/call"):
        headers = client.get(url).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
        assert headers["X-Frame-Options"] == "DENY", url


def test_a_changed_file_is_compressed_again(app, tmp_path):
    import os

    import brotli

    from tlightchat.web.precompressed import minified  # scripts go minified (issue 33.2)

    app.static_folder = str(tmp_path)
    path = tmp_path / "x.js"
    client = app.test_client()
    for i, text in enumerate(("export const a = 1;\n" * 100, "export const b = 2;\n" * 90)):
        path.write_text(text)
        os.utime(path, ns=(10**18 + i, 10**18 + i))  # a new mtime, however fast the disk
        response = client.get("/static/x.js", headers={"Accept-Encoding": "br"})
        assert brotli.decompress(response.data) == minified("x.js", text.encode())
