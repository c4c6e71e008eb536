"""The browser's pure modules (reducers, selectors, SDP cleaning), unit-tested with Node's
own test runner (`node --test`, Debian's nodejs; no npm package, no build step):
tests/js/*.test.mjs. This wrapper makes `make test` run them and fail with node's report
(node's exit status is the verdict)."""
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent.parent
ROOT = HERE.parent


def test_browser_unit_tests_pass():
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.fail("node is not installed (Debian: apt-get install nodejs)")
    files = sorted(str(p.relative_to(ROOT)) for p in (HERE / "js").glob("*.test.mjs"))
    assert files, "no tests/js/*.test.mjs found"
    # Files named explicitly: the same set on every Node version's discovery rules.
    done = subprocess.run([node, "--test", *files], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-20000:]
