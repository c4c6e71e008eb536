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
    with open(os.path.join(app.static_folder, "js/media.js"), "rb") as f:
        data = f.read()
    for accept, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get("/static/js/media.js", headers={"Accept-Encoding": accept})
        assert response.headers["Content-Encoding"] == accept
        sent = decode(response.data)
        assert sent == minified("js/media.js", data), accept
        assert len(sent) < len(data) * 0.8, accept
        assert b"\n//" not in sent and b"\n  " not in sent
        assert b"export class MediaLibrary" in sent
    assert client.get("/static/js/media.js").data == data  # no Accept-Encoding: as written


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
    assert (js / "media.js").read_bytes() != (ROOT / "static/js/media.js").read_bytes()
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


def test_every_script_keeps_its_strings_templates_and_regexes_as_written():
    """rjsmin squeezed the spaces of a template nested in another's `${…}` ("Connected·
    websocket", "Firefox,tab 2"): such a file is sent as written. Every module sent keeps
    the literals of its source."""
    from tlightchat.web.jsliterals import literals

    squeezed = []
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        source = path.read_bytes()
        sent = minified(path.name, source)
        assert literals(sent.decode()) == literals(source.decode()), path
        squeezed += [path.name] if sent == source else []
    assert "status.js" in squeezed  # `${…}` nesting a template: kept as written
    assert len(squeezed) < 10  # the others are minified


def test_the_literal_scanner_tells_what_a_minifier_changed():
    import rjsmin

    from tlightchat.web.jsliterals import literals, same_literals

    nested = "const s = `${a ? ` · ${b}` : ''} x`;\nconst r = /a\\/ b[/]/g.test(y) / 2;"
    assert literals(nested) == [("T", ""), ("T", " · "), ("T", ""), ("S", "''"), ("T", " x"),
                                ("R", "/a\\/ b[/]/g")]
    assert not same_literals(nested, rjsmin.jsmin(nested))  # rjsmin 1.3.0 squeezes " · "
    assert minified("x.js", nested.encode()) == nested.encode()
    plain = "const s = 'a  b'; // note\nreturn x / 2;"
    assert same_literals(plain, rjsmin.jsmin(plain))
    assert minified("x.js", plain.encode()) != plain.encode()
    with pytest.raises(ValueError):
        literals("const s = `open")
