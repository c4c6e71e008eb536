"""Call page weight: HTML + JS + CSS (+ fonts) of /call on a first load, uncompressed.

    python bench/weight.py --out FILE

Fetches /call from a `python app.py` server like a browser with an empty cache: the
HTML, every <script src> and <link rel=stylesheet|modulepreload|preload> it names, every
ES module they import (static `import … from`, `export … from`, bare `import '…'`, and
dynamic `import('…')` with a literal URL), and every url(…) / @import in the CSS. No
Accept-Encoding is sent, so sizes are uncompressed bytes, as written. Each file is also
fetched as a browser gets it (br) and decoded: `sent_bytes`, the same file minified where
the server minifies it (scripts and style sheets, web/precompressed.py, issue 33.2).
What is read for imports is the file as written, whose `/* on demand */` marks say what
a first load does not fetch.
"""
import argparse
import os

import brotli
import re
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import TLCServer, session_cookie, write_json  # noqa: E402

# The original's production bundle (docs/original.md; issue 7's baseline).
ORIGINAL = {"js": 925 * 1024, "css": 24 * 1024, "font": 600 * 1024}

HTML_REFS = re.compile(
    r"""<script\b[^>]*\bsrc=["']([^"']+)["']|<link\b(?=[^>]*\brel=["'](?:stylesheet|modulepreload|preload)["'])[^>]*\bhref=["']([^"']+)["']""",
    re.I)
JS_IMPORTS = re.compile(
    r"""(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"']+)["']"""
    r"""|\bimport\(\s*["']([^"']+)["']\s*\)""", re.M)
CSS_REFS = re.compile(r"""@import\s+(?:url\()?["']?([^"')\s;]+)|url\(\s*["']?([^"')]+)["']?\s*\)""")


def kind_of(url, content_type):
    path = urllib.parse.urlparse(url).path
    if path.endswith((".js", ".mjs")) or "javascript" in content_type:
        return "js"
    if path.endswith(".css") or "css" in content_type:
        return "css"
    if path.endswith((".woff", ".woff2", ".ttf", ".otf")) or "font" in content_type:
        return "font"
    if "html" in content_type:
        return "html"
    return "other"


def fetch(url, cookie, encoding="identity"):
    req = urllib.request.Request(url, headers={"Cookie": cookie, "Accept-Encoding": encoding})
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
        if r.headers.get("Content-Encoding") == "br":
            body = brotli.decompress(body)
        return body, r.headers.get("Content-Type", "")


def measure(base, cookie):
    seen, files, queue = set(), [], [(base + "/call", "html")]
    while queue:
        url, hint = queue.pop(0)
        # one file, one count: a module is named by its versioned URL (modulepreload,
        # the import map) and by its plain URL (the import statements)
        key = urllib.parse.urlparse(url).path
        if key in seen or url.startswith("data:"):
            continue
        seen.add(key)
        body, ctype = fetch(url, cookie)
        kind = kind_of(url, ctype) if hint != "html" else "html"
        sent = len(fetch(url, cookie, "br")[0]) if hint != "html" else len(body)
        files.append({"url": url[len(base):], "kind": kind, "bytes": len(body), "sent_bytes": sent})
        text = body.decode("utf-8", "replace")
        if kind == "html":
            refs = [a or b for a, b in HTML_REFS.findall(text)]
        elif kind == "js":
            refs = [a or b for a, b in JS_IMPORTS.findall(text)]
            refs = [r for r in refs if r.startswith((".", "/", "http"))]
        elif kind == "css":
            refs = [a or b for a, b in CSS_REFS.findall(text)]
        else:
            refs = []
        for ref in refs:
            queue.append((urllib.parse.urljoin(url, ref.strip()), None))
    totals, sent = {}, {}
    for f in files:
        totals[f["kind"]] = totals.get(f["kind"], 0) + f["bytes"]
        sent[f["kind"]] = sent.get(f["kind"], 0) + f["sent_bytes"]
    return files, totals, sent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    started = time.time()
    result = {"bench": "page-weight"}
    with TLCServer("eventlet") as server:
        try:
            cookie = session_cookie(server.url)
            session_cookie(server.url)  # warm
            files, totals, sent = measure(server.url, cookie)
            page = sum(v for k, v in totals.items() if k in ("html", "js", "css"))
            original = sum(ORIGINAL.values())
            result.update({
                "ok": True, "files": files, "totals": totals,
                "html_js_css_bytes": page, "fonts_bytes": totals.get("font", 0),
                "html_js_css_sent_bytes": sum(v for k, v in sent.items() if k in ("html", "js", "css")),
                "sent_totals": sent,
                "total_bytes": sum(totals.values()),
                "original_bytes": original, "original": ORIGINAL,
                "ratio": round(sum(totals.values()) / original, 3),
            })
        except Exception as err:
            result.update({"ok": False, "error": repr(err)[:500]})
    result["seconds"] = round(time.time() - started, 1)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
