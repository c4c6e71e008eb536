"""Pages and static files: compressed when asked, versioned URLs cached for good."""
import gzip
import re


def test_pages_are_compressed_when_the_browser_asks(app):
    client = app.test_client()
    plain = client.get("/call")
    packed = client.get("/call", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert "Accept-Encoding" in packed.headers.get("Vary", "")


def test_static_modules_are_compressed_too(app):
    client = app.test_client()
    response = client.get("/static/js/peer.js", headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    import brotli

    assert brotli.decompress(response.get_data()) == client.get("/static/js/peer.js").get_data()


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
