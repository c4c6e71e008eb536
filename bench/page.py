"""/call in real Chromium, cold: navigation → lobby rendered, first contentful paint, and
the bytes a first load and a repeat visit transfer.

    python bench/page.py --out FILE

Each repeat starts a fresh headless Chromium (empty profile: empty HTTP cache, no
cookie) and opens /call on a `python app.py` server. A script installed before the
page's own (CDP Page.addScriptToEvaluateOnNewDocument) stamps `performance.now()` when
the lobby list first shows a person (`#lobby-list .lobby-user`, from the server's
snapshot): that is "lobby rendered", from the navigation's start. The baseline is the
same navigation's first contentful paint (Paint Timing).

Transfer, from Resource Timing (`transferSize`: headers + body as they came over the
wire, 0 for what the cache answered): the navigation and every resource except the
Socket.IO transport, once the chat panel is mounted too. The repeat visit is a second
navigation to /call in the same browser, so its HTTP cache decides: versioned files are
`immutable`, imported modules revalidate (304, headers only). The baseline of the first
load is the same files' decoded (uncompressed) size.

A returning visitor with an empty cache (issue 33.1): /call renders the lobby's first
view into the page (web/lobby_render.py), for a first visit too (the rows its guest's
socket will be sent; the guest is stored only when that socket connects), so the cold
first visit above no longer waits for the snapshot either. After the repeat visit, the HTTP
cache, the service worker and its caches are cleared (CDP; the cookie is kept) and /call
is opened once more: `returning_*`, against that navigation's own first contentful paint.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import TLCServer, knob, median, rnd, write_json  # noqa: E402
from e2e.services import close_browser as close  # noqa: E402
from e2e.services import new_browser as browser  # noqa: E402
from e2e.services import wait_until  # noqa: E402

STAMP = """
(() => {
  const seen = () => {
    if (window.__lobbyAt || !document.querySelector('#lobby-list .lobby-user')) return;
    window.__lobbyAt = performance.now();
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
})();
"""

READY = "return !!(window.__lobbyAt && window.tlc && window.tlc.chat)"

TIMINGS = """
const nav = performance.getEntriesByType('navigation')[0];
const fcp = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
const res = performance.getEntriesByType('resource').filter((e) => !e.name.includes('/socket.io/'));
const sum = (k) => res.reduce((a, e) => a + (e[k] || 0), 0);
return {
  lobby_ms: window.__lobbyAt, fcp_ms: fcp ? fcp.startTime : null,
  dom_content_loaded_ms: nav.domContentLoadedEventEnd,
  requests: res.length + 1,
  transfer_bytes: nav.transferSize + sum('transferSize'),
  encoded_bytes: nav.encodedBodySize + sum('encodedBodySize'),
  decoded_bytes: nav.decodedBodySize + sum('decodedBodySize'),
  from_cache: res.filter((e) => e.transferSize === 0).length,
  over_network: res.filter((e) => e.transferSize > 0).length + 1,
};
"""


def visit(driver, url):
    driver.get(url)
    wait_until(driver, READY, 20, 0.01, "lobby rendered and chat mounted")
    return driver.execute_script(TIMINGS)


def forget_cache(driver, origin):
    """Everything a visit kept but the cookie: the HTTP cache, service workers and
    their caches."""
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {
        "origin": origin, "storageTypes": "service_workers,cache_storage"})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    repeats = knob("PAGE_REPEATS", 7, 3)
    started = time.time()
    result = {"bench": "page", "repeats": repeats}
    server = TLCServer("eventlet").start()
    cold, again, back, errors = [], [], [], []
    try:
        for i in range(repeats + 1):  # the first is a warm-up (server caches, disk)
            d = browser()
            try:
                d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": STAMP})
                d.get("about:blank")
                first = visit(d, server.url + "/call")
                d.get("about:blank")
                second = visit(d, server.url + "/call")
                d.get("about:blank")
                forget_cache(d, server.url)
                returning = visit(d, server.url + "/call")
                if i:
                    cold.append(first)
                    again.append(second)
                    back.append(returning)
                print(f"page {i}: cold {first} / repeat {second} / returning {returning}",
                      flush=True)
            except Exception as err:
                errors.append(f"run {i}: {err!r}"[:300])
            finally:
                close(d)

        def med(runs, key):
            return rnd(median([r[key] for r in runs if r.get(key) is not None]), 1)

        lobby, fcp = med(cold, "lobby_ms"), med(cold, "fcp_ms")
        back_lobby, back_fcp = med(back, "lobby_ms"), med(back, "fcp_ms")
        result.update({
            "ok": bool(cold),
            "lobby_median_ms": lobby, "fcp_median_ms": fcp,
            "ratio": rnd(lobby / fcp) if lobby and fcp else None,
            "first_load_transfer_bytes": med(cold, "transfer_bytes"),
            "first_load_decoded_bytes": med(cold, "decoded_bytes"),
            "first_load_requests": med(cold, "requests"),
            "repeat_transfer_bytes": med(again, "transfer_bytes"),
            "repeat_requests": med(again, "requests"),
            "repeat_over_network": med(again, "over_network"),
            "repeat_from_cache": med(again, "from_cache"),
            "repeat_lobby_median_ms": med(again, "lobby_ms"),
            "returning_lobby_median_ms": back_lobby, "returning_fcp_median_ms": back_fcp,
            "returning_ratio": rnd(back_lobby / back_fcp) if back_lobby and back_fcp else None,
            "returning_transfer_bytes": med(back, "transfer_bytes"),
            "cold_runs": cold, "repeat_runs": again, "returning_runs": back,
            "errors": errors[:5],
        })
        if not cold:
            result["error"] = errors[0] if errors else "no runs"
    except Exception as err:
        result.update({"ok": False, "error": repr(err)[:500]})
    finally:
        server.stop()
    result["seconds"] = round(time.time() - started, 1)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
