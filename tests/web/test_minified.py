"""Issue 33.2: style sheets go out minified where they are precompressed; the file on disk
and the uncompressed response stay as written."""
import gzip
import os

import brotli


def test_style_sheets_are_minified_when_compressed(app):
    client = app.test_client()
    with open(os.path.join(app.static_folder, "css/app.css"), "rb") as f:
        data = f.read()
    for accept, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get("/static/css/app.css", headers={"Accept-Encoding": accept})
        assert response.headers["Content-Encoding"] == accept
        sent = decode(response.data)
        assert len(sent) < len(data) * 0.9, accept
        assert b"/*" not in sent and b"\n  " not in sent
        assert b".lobby-user" in sent  # the rules themselves are all still there
    assert client.get("/static/css/app.css").data == data


def test_scripts_are_sent_as_written(app):
    client = app.test_client()
    with open(os.path.join(app.static_folder, "js/peer.js"), "rb") as f:
        data = f.read()
    response = client.get("/static/js/peer.js", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(response.data) == data
