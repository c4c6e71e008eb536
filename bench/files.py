"""A file sent in a call (issue 29), real Chromium: throughput of a 200 MB transfer over
the call's file channel against a bare data channel, and the receiver's peak memory.

    python bench/files.py --out FILE

Two headless Chromium pages on a `python app.py` server call each other; A sends a
random BENCH_FILE_MB file (200; quick 50) through the page's "Send file" input, B
accepts. Throughput is the size over the receiver's own clock from the Accept click to
the file checked (SHA-256 of every block and of the whole) and ready to save. The
baseline, in the same run and interleaved: two RTCPeerConnections in one page of a
third browser, one negotiated data channel, the same bytes in the same chunk size with
the same backpressure thresholds, no file read and no hashing: the floor of the channel
itself. Peak memory: the receiving page's JS heap (performance.memory, sampled every 50
ms) and the renderer's resident memory (/proc, the process whose command line names the
receiving page's profile), both as growth over the moment before Accept.
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import TLCServer, knob, median, rnd, write_json  # noqa: E402
from e2e.services import close_browser as close  # noqa: E402
from e2e.services import new_browser as browser  # noqa: E402
from e2e.services import wait_until  # noqa: E402

OWN_ONLINE = """
const tile = document.querySelector('.tile[data-status="online"]');
return window.tlc && window.tlc.store.getState().me && tile ? tile.dataset.anchorId : null;
"""
SEES = """return !!document.querySelector(
  `.lobby-anchor[data-anchor-id='${arguments[0]}'][data-status='online'] .call-btn:not([hidden])`)"""
HEAP_SAMPLER = """
window.showSaveFilePicker = undefined;  // headless: no Save dialog (the in-memory path)
clearInterval(window.__heapTimer);
window.__heapBase = performance.memory.usedJSHeapSize; window.__heapPeak = window.__heapBase;
window.__heapTimer = setInterval(() => {
  window.__heapPeak = Math.max(window.__heapPeak, performance.memory.usedJSHeapSize); }, 50);
"""
RECEIVED = """
const x = window.tlcFiles.list.filter((t) => t.dir === 'in').pop();
return x && (x.state === 'done' || x.state === 'failed' || x.state === 'cancelled')
  && {state: x.state, reason: x.reason || null, ms: x.endedAt - x.startedAt, size: x.size};
"""
BARE = """
const [size, chunk, high, low] = arguments, done = arguments[arguments.length - 1];
(async () => {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const tx = a.createDataChannel('bare', {negotiated: true, id: 0});
  const rx = b.createDataChannel('bare', {negotiated: true, id: 0});
  rx.binaryType = 'arraybuffer';
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
  await new Promise((r) => (tx.readyState === 'open' ? r() : tx.addEventListener('open', r, {once: true})));
  const payload = crypto.getRandomValues(new Uint8Array(65536)).subarray(0, chunk);
  tx.bufferedAmountLowThreshold = low;
  let got = 0;
  const finished = new Promise((r) => { rx.onmessage = (e) => { got += e.data.byteLength; if (got >= size) r(); }; });
  const t0 = performance.now();
  for (let sent = 0; sent < size; sent += chunk) {
    while (tx.bufferedAmount > high) await new Promise((r) => tx.addEventListener('bufferedamountlow', r, {once: true}));
    tx.send(payload.slice(0, Math.min(chunk, size - sent)));
  }
  await finished;
  const ms = performance.now() - t0;
  a.close(); b.close();
  done({ms});
})().catch((e) => done({error: String(e)}));
"""


def wait(driver, script, timeout, what, *args):
    return wait_until(driver, script, timeout, 0.05, what, *args)


def renderer_rss(profile):
    """KiB resident of the renderer processes of the browser using `profile`."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().decode(errors="replace")
            if "--type=renderer" not in cmd or profile not in cmd:
                continue
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
        except (OSError, StopIteration):
            continue
    return total


def connect(a, b, a_anchor, b_anchor):
    wait(a, SEES, 15, "caller sees callee", b_anchor)
    a.find_element("css selector", f".lobby-anchor[data-anchor-id='{b_anchor}'] .call-btn").click()
    sel = f".tile[data-anchor-id='{b_anchor}'] button[data-action='accept']"
    wait(b, f"const e = document.querySelector(\"{sel}\"); return e && !e.hidden && e", 15, "callee rings")
    b.find_element("css selector", sel).click()
    for d in (a, b):
        # (window.tlcFiles is null until the transfers load: at the first file or offer)
        wait(d, "const s = [...window.tlc.sessions][0];"
                "return s && s.fileChannel && s.fileChannel.readyState === 'open'", 20, "file channel open")


def app_once(a, b, path, size):
    b.execute_script(HEAP_SAMPLER)
    b.execute_script("window.tlcFiles?.list.slice().forEach((x) => window.tlcFiles.dismiss(x))")
    rss_before = renderer_rss(b._tlc_profile)
    a.find_element("id", "file-input").send_keys(path)
    accept = ".file-card[data-state='offered'][data-dir='in'] [data-action='accept']"
    button = wait(b, f"return document.querySelector(\"{accept}\")", 120, "offer shown")
    b.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    peak_rss = rss_before
    deadline = time.monotonic() + 600
    got = None
    while time.monotonic() < deadline and not got:
        peak_rss = max(peak_rss, renderer_rss(b._tlc_profile))
        got = b.execute_script(RECEIVED)
        time.sleep(0.2)
    if not got or got["state"] != "done":
        raise RuntimeError(f"transfer did not finish: {got}")
    heap = b.execute_script("clearInterval(window.__heapTimer); return [window.__heapBase, window.__heapPeak]")
    wait(a, "const x = window.tlcFiles.list.filter((t) => t.dir === 'out').pop(); return x && x.state === 'done'",
         120, "sender done")
    return {"ms": got["ms"], "mb_s": size / 1e6 / (got["ms"] / 1000),
            "heap_growth_mib": (heap[1] - heap[0]) / 2**20, "rss_growth_mib": (peak_rss - rss_before) / 1024}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    size_mb = knob("FILE_MB", 200, 50)
    repeats = knob("FILE_REPEATS", 2, 1)
    size = size_mb * 1024 * 1024
    started = time.time()
    result = {"bench": "files", "size_mb": size_mb, "repeats": repeats}
    server = TLCServer("eventlet").start()
    drivers, tmp = [], tempfile.mkdtemp(prefix="tlc-files-")
    try:
        path = os.path.join(tmp, "bench.bin")
        with open(path, "wb") as f:
            for _ in range(size_mb):
                f.write(os.urandom(1024 * 1024))
        a, b, c = browser(), browser(), browser()
        drivers += [a, b, c]
        for d in (a, b, c):
            d.set_script_timeout(600)
            d.get(server.url + "/call")
        a_anchor = wait(a, OWN_ONLINE, 20, "page A ready")
        b_anchor = wait(b, OWN_ONLINE, 20, "page B ready")
        c.get(server.url + "/about")
        connect(a, b, a_anchor, b_anchor)
        chunk = 65536 - 8  # chunking.js between two Chromiums: 64 KiB less the header (read back below)
        app_runs, quiet_runs, base_runs, errors = [], [], [], []

        bare_of = {id(app_runs): [], id(quiet_runs): []}  # each phase's own floor

        def bare(i, phase):
            r = c.execute_async_script(BARE, size, chunk, 4 * 1024 * 1024, 1024 * 1024)
            if "error" in r:
                errors.append(f"bare run {i}: {r['error']}")
            else:
                base_runs.append({"ms": r["ms"], "mb_s": size / 1e6 / (r["ms"] / 1000)})
                bare_of[id(phase)].append(base_runs[-1]["mb_s"])

        # With the call's camera and microphone on (what a person does), then with both
        # pages sending nothing (the slot's "Nothing" source): what the transfer costs
        # apart from the video the same CPU encodes and decodes.
        for runs, label in ((app_runs, "in a video call"), (quiet_runs, "in a call sending nothing")):
            if runs is quiet_runs:
                for d in (a, b):
                    d.execute_script("for (const m of window.tlc.media.values()) m.setSource('none')")
            for i in range(repeats):
                try:
                    runs.append(app_once(a, b, path, size))
                    chunk = a.execute_script(
                        "return window.tlcFiles.list.filter((x) => x.dir === 'out').pop().sender.chunk")
                except Exception as err:
                    errors.append(f"app run {i} ({label}): {err!r}"[:300])
                    print(errors[-1], flush=True)
                bare(i, runs)
                print(f"files {label} {i}: app {runs[-1:]} bare {base_runs[-1:]}", flush=True)
        # The floor of each phase is the bare channel measured between its own transfers: in
        # the first phase the call's video runs (in the other two browsers) while the bare
        # channel is measured too, so both share the CPU the same way.
        app_rate = median([r["mb_s"] for r in app_runs]) if app_runs else None
        quiet_rate = median([r["mb_s"] for r in quiet_runs]) if quiet_runs else None
        base_rate = median(bare_of[id(app_runs)]) if bare_of[id(app_runs)] else None
        quiet_base = median(bare_of[id(quiet_runs)]) if bare_of[id(quiet_runs)] else None
        result.update({
            "ok": bool(app_runs and base_runs),
            "app_mb_s": rnd(app_rate, 1), "bare_mb_s": rnd(base_rate, 1),
            "ratio": rnd(app_rate / base_rate) if app_rate and base_rate else None,
            "quiet_mb_s": rnd(quiet_rate, 1),
            "quiet_bare_mb_s": rnd(quiet_base, 1),
            "quiet_ratio": rnd(quiet_rate / quiet_base) if quiet_rate and quiet_base else None,
            "quiet_runs": quiet_runs,
            "heap_peak_growth_mib": rnd(max(r["heap_growth_mib"] for r in app_runs), 1) if app_runs else None,
            "rss_peak_growth_mib": rnd(max(r["rss_growth_mib"] for r in app_runs), 1) if app_runs else None,
            "chunk_bytes": chunk, "app_runs": app_runs, "bare_runs": base_runs, "errors": errors[:5],
            "what": "MB/s (10^6 bytes) of the file's size over the receiver's Accept click → file "
                    "checked, in a video call and in a call sending nothing; bare: first send → "
                    "last byte received on a plain data channel",
        })
        if not app_runs:
            result["error"] = errors[0] if errors else "no app runs"
    except Exception as err:
        result.update({"ok": False, "error": repr(err)[:500]})
    finally:
        for d in drivers:
            close(d)
        server.stop()
        try:
            os.remove(os.path.join(tmp, "bench.bin"))
            os.rmdir(tmp)
        except OSError:
            pass
    result["seconds"] = round(time.time() - started, 1)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
