"""Issue 36.3: the safety-code formula of docs/protocol.md ("Safety codes"), checked
twice against the document's worked example: computed here from the words of the
formula (an independent implementation), and by static/js/safety.js under Node
(tests/js/safety.test.mjs, which also covers the browser's fallbacks)."""
import hashlib
import json
import os
import re
import shutil
import subprocess

import pytest
from tests.support.paths import ROOT



def doc_example():
    with open(os.path.join(ROOT, "docs", "protocol.md"), encoding="utf-8") as f:
        doc = f.read()
    block = re.search(r"<!-- safety-example: begin.*?-->(.*?)<!-- safety-example: end -->", doc, re.S)
    assert block, "docs/protocol.md has no worked safety-code example"
    sdps = re.findall(r"```\n(.*?)```", block.group(1), re.S)
    code = re.search(r"Code: \*\*`(\d{4} \d{4} \d{4} \d{4})`\*\*", block.group(1))
    assert len(sdps) == 2 and code, block.group(1)
    return {"caller": sdps[0], "callee": sdps[1], "code": code.group(1)}


def side(sdp):
    """Step 1: every a=fingerprint line; hash function lower case, hex upper case;
    distinct, sorted, joined by ","; None when there is none."""
    found = set()
    for line in sdp.split("\n"):
        m = re.fullmatch(r"a=fingerprint:(\S+)[ \t]+(\S+)[ \t]*\r?", line)
        if m:
            found.add(f"{m.group(1).lower()} {m.group(2).upper()}")
    return ",".join(sorted(found)) or None


def safety_code(s1, s2):
    """Steps 2-5."""
    d = hashlib.sha256("\n".join(sorted([s1, s2])).encode("utf-8")).digest()
    return " ".join(f"{(d[2 * i] * 256 + d[2 * i + 1]) % 10000:04d}" for i in range(4))


def test_the_documents_worked_example_computes_to_its_code():
    ex = doc_example()
    a, b = side(ex["caller"]), side(ex["callee"])
    assert a.startswith("sha-256 D3:BA:") and "," not in a
    # every line, normalized, the repeated one once, sorted
    assert b.startswith("sha-1 8A:1C:") and b.count(",") == 1 and b.split(",")[1].startswith("sha-256 F8:69:")
    assert safety_code(a, b) == safety_code(b, a) == ex["code"]


def test_safety_js_gives_the_documents_code_and_falls_back_to_the_sdp():
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed")
    run = subprocess.run([node, "--test", os.path.join(ROOT, "tests", "js", "safety.test.mjs")],
                         env={**os.environ, "TLC_SAFETY_EXAMPLE": json.dumps(doc_example())},
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout and "# skipped 0" in run.stdout, run.stdout
