"""Issue 33.2: style sheets and scripts go out minified where they are precompressed; the
file on disk and the uncompressed response stay as written. A minified module must still
be the same program: each one parses as an ES module (Node, tests/js/parses.mjs), and the
browser unit tests (tests/js) pass against the minified copies."""
import gzip
import os
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest

from tlightchat.web.precompressed import minified

ROOT = Path(__file__).parent.parent.parent
# Reads the sources' text (its `from '…/actions.js'` lint), not the program.
SOURCE_LINTS = {"actions.test.mjs"}


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


def test_scripts_are_minified_when_compressed(app):
    client = app.test_client()
    with open(os.path.join(app.static_folder, "js/peer.js"), "rb") as f:
        data = f.read()
    for accept, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get("/static/js/peer.js", headers={"Accept-Encoding": accept})
        assert response.headers["Content-Encoding"] == accept
        sent = decode(response.data)
        assert sent == minified("js/peer.js", data), accept
        assert len(sent) < len(data) * 0.8, accept
        assert b"\n//" not in sent and b"\n  " not in sent
        assert b"export class PeerSession" in sent
    assert client.get("/static/js/peer.js").data == data  # no Accept-Encoding: as written


def test_a_minified_file_is_sent_as_it_is(app):
    path = "vendor/socket.io.esm.min.js"
    with open(os.path.join(app.static_folder, path), "rb") as f:
        data = f.read()
    response = app.test_client().get(f"/static/{path}", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(response.data) == data


@pytest.fixture(scope="module")
def node():
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        pytest.fail("node is not installed (Debian: apt-get install nodejs)")
    return found


@pytest.fixture(scope="module")
def minified_tree(tmp_path_factory):
    """static/ with every script as it is sent minified, and tests/js beside it."""
    tree = tmp_path_factory.mktemp("minified")
    shutil.copytree(ROOT / "static", tree / "static")
    shutil.copytree(ROOT / "tests" / "js", tree / "tests" / "js")
    for path in (tree / "static" / "js").rglob("*.js"):
        name = path.relative_to(tree / "static").as_posix()
        path.write_bytes(minified(name, path.read_bytes()))
    return tree


def test_every_minified_module_parses(node, minified_tree):
    js = minified_tree / "static" / "js"
    assert (js / "peer.js").read_bytes() != (ROOT / "static/js/peer.js").read_bytes()
    done = subprocess.run([node, "--experimental-vm-modules", "tests/js/parses.mjs", str(js)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr[-5000:]
    assert f"{len(list(js.rglob('*.js')))} modules, 0" in done.stdout


def test_the_browser_unit_tests_pass_on_the_minified_modules(node, minified_tree):
    files = sorted(f"tests/js/{p.name}" for p in (minified_tree / "tests" / "js").glob("*.test.mjs")
                   if p.name not in SOURCE_LINTS)
    assert files
    done = subprocess.run([node, "--test", *files], cwd=minified_tree, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-20000:]
