"""Call setup in real Chromium: Accept click → first remote frame on both sides.

    python bench/browser.py --out FILE

Two headless Chromium browsers (Debian's chromium + chromedriver, fake camera and
microphone, flags from /work/shared/docs/e2e-recipe.md) open /call on a `python app.py`
server; A clicks Call on B's slot, B clicks Accept; each page stamps the Accept click and
its remote <video>'s first frame (requestVideoFrameCallback) on the same machine clock.
Repeated BENCH_CALL_REPEATS times (hang up in between), interleaved with the baseline:
bench/static/baseline.html, two RTCPeerConnections in one page with no server.
"""
import argparse
import functools
import http.server
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import BENCH, TLCServer, knob, median, rnd, write_json  # noqa: E402
from e2e.services import close_browser as close  # noqa: E402
from e2e.services import new_browser as browser  # noqa: E402
from e2e.services import wait_until  # noqa: E402



def wait(driver, script, timeout, what, *args):
    return wait_until(driver, script, timeout, 0.02, what, *args)


OWN_ONLINE = """
const t = window.tlc; if (!t || !t.store) return null;
const s = t.store.getState(); if (!s.me) return null;
const tile = document.querySelector('.tile[data-status="online"]');
return tile ? {anchorId: tile.dataset.anchorId, clientId: s.me.clientId} : null;
"""
SEES = """return !!document.querySelector(
  `.lobby-anchor[data-anchor-id='${arguments[0]}'][data-status='online'] .call-btn:not([hidden])`)"""
ACCEPT = "button[data-action='accept']"
# The caller page's arrival time of the callee's answer (works with any version of the
# page: it hooks the exposed socket), to split setup into signaling and the rest.
HOOK_ANSWER = """
const sock = window.tlc.signaling.socket;
if (!window.__answerHook) {
  window.__answerHook = true;
  sock.onAny((event, data) => {
    if (event === 'call:signal' && data && data.description && data.description.type === 'answer'
        && !window.__answerAt) window.__answerAt = performance.timeOrigin + performance.now();
  });
}
window.__answerAt = 0;
"""
SESSION = """
const tile = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
const s = tile && tile.dataset.callId && window.tlc.sessions.get(tile.dataset.callId);
return s && s.firstFrameAt ? {firstFrameAt: s.firstFrameAt,
                              acceptClickedAt: s.acceptClickedAt || null} : null;
"""


def app_setup_once(a, b, a_anchor, b_anchor):
    wait(a, SEES, 10, "caller sees callee's slot online", b_anchor)
    a.execute_script(HOOK_ANSWER)
    a.find_element("css selector",
                   f".lobby-anchor[data-anchor-id='{b_anchor}'] .call-btn").click()
    sel = f".tile[data-anchor-id='{b_anchor}'] {ACCEPT}"
    wait(b, f"const e = document.querySelector(\"{sel}\"); return e && !e.hidden && !e.disabled",
         10, "callee rings")
    b.find_element("css selector", sel).click()
    callee = wait(b, SESSION, 15, "callee first frame", b_anchor)
    caller = wait(a, SESSION, 15, "caller first frame", a_anchor)
    clicked = callee["acceptClickedAt"]
    answer_at = a.execute_script("return window.__answerAt || null")
    result = {"callee_ms": callee["firstFrameAt"] - clicked,
              "caller_ms": caller["firstFrameAt"] - clicked,
              "answer_at_caller_ms": answer_at - clicked if answer_at else None}
    # hang up and wait for both slots to be free again
    a.find_element("css selector", f".tile[data-anchor-id='{a_anchor}'] "
                                   "button[data-action='hangup']").click()
    for d, aid in ((a, a_anchor), (b, b_anchor)):
        wait(d, "const t = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);"
                "return t && t.dataset.phase === 'idle' && t.dataset.status === 'online'",
             10, "slot idle again", aid)
    return result


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    repeats = knob("CALL_REPEATS", 7, 3)
    started = time.time()
    result = {"bench": "call-setup", "repeats": repeats}
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=os.path.join(BENCH, "static")))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    baseline_url = f"http://127.0.0.1:{httpd.server_address[1]}/baseline.html"
    server = TLCServer("eventlet").start()
    drivers = []
    try:
        a, b, c = browser(), browser(), browser()
        drivers += [a, b, c]
        c.get(baseline_url)
        for d in (a, b):
            d.get(server.url + "/call")
        a_me = wait(a, OWN_ONLINE, 15, "page A ready with a slot online")
        b_me = wait(b, OWN_ONLINE, 15, "page B ready with a slot online")
        app_runs, base_runs, errors = [], [], []
        for i in range(repeats + 1):  # the first of each is a warm-up, not counted
            try:
                r = app_setup_once(a, b, a_me["anchorId"], b_me["anchorId"])
                if i:
                    app_runs.append(r)
            except Exception as err:
                errors.append(f"app run {i}: {err!r}"[:300])
            try:
                r = c.execute_async_script(
                    "window.bench.run().then(arguments[0], (e) => arguments[0]({error: String(e)}))")
                if i and "error" not in r:
                    base_runs.append({"callee_ms": r["callee"], "caller_ms": r["caller"]})
                elif "error" in r:
                    errors.append(f"baseline run {i}: {r['error']}")
            except Exception as err:
                errors.append(f"baseline run {i}: {err!r}"[:300])
            print(f"call setup {i}: app {app_runs[-1:]} baseline {base_runs[-1:]}", flush=True)

        def both(runs):
            return [max(r["callee_ms"], r["caller_ms"]) for r in runs]

        app_ms, base_ms = median(both(app_runs)), median(both(base_runs))
        answers = [r["answer_at_caller_ms"] for r in app_runs if r.get("answer_at_caller_ms")]
        # Issue 14: how each page's calls were set up (prepared while ringing, or not).
        setups = [d.execute_script("const c = window.tlc.calls;"
                                   "return (c.prepared && c.prepared.setups) || null") for d in (a, b)]
        result.update({
            "ok": bool(app_runs and base_runs),
            "app_median_ms": rnd(app_ms, 1), "baseline_median_ms": rnd(base_ms, 1),
            "ratio": rnd(app_ms / base_ms) if app_ms and base_ms else None,
            "answer_at_caller_median_ms": rnd(median(answers), 1) if answers else None,
            "setups": setups,
            "app_runs": app_runs, "baseline_runs": base_runs, "errors": errors[:5],
            "what": "median over runs of max(callee, caller) ms from the Accept click to the "
                    "first remote video frame; baseline from just before createOffer; "
                    "answer_at_caller: Accept click to the callee's answer reaching the caller page",
        })
        if not app_runs:
            result["error"] = errors[0] if errors else "no app runs"
    except Exception as err:
        result.update({"ok": False, "error": repr(err)[:500]})
    finally:
        for d in drivers:
            close(d)
        server.stop()
        httpd.shutdown()
    result["seconds"] = round(time.time() - started, 1)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
