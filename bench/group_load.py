"""Group call load in real Chromium (issue 26): each party's browser CPU and upload
bitrate at 2, 4 and 6 parties of one mesh call, against the two-party call of the same run.

    python bench/group_load.py --out FILE

Headless Chromium pages (the e2e flags, fake camera and microphone scaled to 160x120 at
8 fps as e2e/group.py's LOW_RES) open /call on a `python app.py` server. Pages are started
only when the call grows, so at each size N exactly N browsers run: A calls B, B accepts
(N = 2); then A adds the next page from its lobby ("Add to call") and it accepts, until
the call has the next N (4, then 6). At each N, after every pair's first remote frame on
both ends and BENCH_GROUP_LOAD_SETTLE seconds, over BENCH_GROUP_LOAD_SECONDS:
- CPU per party: user+system time of the browser's whole process tree (the chromedriver's
  descendants: browser, renderer, GPU, network, audio processes), from /proc, as a share
  of one core;
- upload per party: the `outbound-rtp` `bytesSent` (RTP payload, audio and video) summed
  over the page's peer connections, kbit/s (a mesh sends one stream per other party, so
  upload is expected to grow as N - 1);
- the 1-minute load average and the whole machine's busy cores in the window.
Median and max over the parties at each N, and their ratios to N = 2.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import TLCServer, cpu_seconds, knob, machine_busy_seconds, median, rnd, write_json  # noqa: E402
from group_call import OWN, click, join, loadavg, wait  # noqa: E402
from e2e.group import LOW_RES  # noqa: E402
from e2e.services import close_browser as close  # noqa: E402
from e2e.services import new_browser as browser  # noqa: E402

# Every peer connection of the page: its outbound RTP payload bytes (all, video), its
# state and what limits its video's quality; the page's clock.
SENT = """
const done = arguments[arguments.length - 1];
const sessions = [...window.tlc.calls.sessions.values()];
Promise.all(sessions.map(async (s) => {
  let bytes = 0, video = 0, width = 0, fps = 0, limited = null;
  (await s.pc.getStats()).forEach((r) => {
    if (r.type !== 'outbound-rtp') return;
    bytes += r.bytesSent || 0;
    if (r.kind === 'video') {
      video += r.bytesSent || 0; width = r.frameWidth || width; fps = r.framesPerSecond || fps;
      limited = r.qualityLimitationReason || limited;
    }
  });
  return {peer: s.peerAnchorId, state: s.pc.connectionState, bytes, video, width, fps, limited};
})).then((list) => done({at: Date.now(), list}), (err) => done({error: String(err)}));
"""

# On a failure: where each page's connections stood (kept in the result, to tell a starved
# machine from a fault).
STATES = """
return [...window.tlc.calls.sessions.values()].map((s) => ({
  peer: s.peerAnchorId, conn: s.pc.connectionState, ice: s.pc.iceConnectionState,
  signaling: s.pc.signalingState, frame: !!s.firstFrameAt, restarting: s.restarting && s.restarting.reason,
  attempts: s.attempt, log: (s.log || []).slice(-40).map(String)}));
"""


def states(pages):
    out = []
    for drv, own in pages:
        try:
            out.append({"own": own, "sessions": drv.execute_script(STATES)})
        except Exception as err:  # a page that no longer answers is a finding too
            out.append({"own": own, "error": repr(err)[:200]})
    return out


def tree_cpu(root):
    """CPU seconds of every descendant of `root` (the chromedriver: its Chromium)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    total, todo = 0.0, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        try:
            total += cpu_seconds(pid)
        except (OSError, ValueError, IndexError):
            continue  # gone between the listing and the read
        todo += children.get(pid, [])
    return total


def sample(page):
    drv = page[0]
    sent = drv.execute_async_script(SENT)
    return {"cpu": tree_cpu(drv.service.process.pid), "t": time.monotonic(), "sent": sent}


def measure(pages, window):
    """Per party: CPU share of one core and upload kbit/s over `window` seconds."""
    load0, busy0, t0 = loadavg(), machine_busy_seconds(), time.monotonic()
    first = [sample(p) for p in pages]
    time.sleep(window)  # the measuring window itself, not a wait for a condition
    last = [sample(p) for p in pages]
    busy = (machine_busy_seconds() - busy0) / (time.monotonic() - t0)
    parties = []
    for a, b in zip(first, last):
        if a["sent"].get("error") or b["sent"].get("error"):
            raise RuntimeError(f"getStats failed: {a['sent']} / {b['sent']}")
        before = {s["peer"]: s for s in a["sent"]["list"]}
        dt_page = (b["sent"]["at"] - a["sent"]["at"]) / 1000
        pairs = [(before.get(s["peer"]), s) for s in b["sent"]["list"]]
        parties.append({
            "cpu_cores": round((b["cpu"] - a["cpu"]) / (b["t"] - a["t"]), 3),
            "upload_kbps": round(sum(s["bytes"] - (p or {"bytes": 0})["bytes"] for p, s in pairs) * 8 / 1000 / dt_page, 1),
            "video_kbps": round(sum(s["video"] - (p or {"video": 0})["video"] for p, s in pairs) * 8 / 1000 / dt_page, 1),
            "connections": len(pairs),
            "connected": sum(s["state"] == "connected" for _, s in pairs),
            "video": sorted({f"{s['width']}px {s['fps'] or 0:.0f} fps, limited by {s['limited']}" for _, s in pairs}),
        })
    return {"parties": parties, "load_1min": [load0, loadavg()], "machine_busy_cores": round(busy, 2)}


def summary(m):
    cpu = [p["cpu_cores"] for p in m["parties"]]
    up = [p["upload_kbps"] for p in m["parties"]]
    return {"cpu_median": rnd(median(cpu), 3), "cpu_max": max(cpu),
            "upload_median_kbps": rnd(median(up), 1), "upload_max_kbps": max(up),
            "sent_widths": sorted({int(v.split("px")[0]) for p in m["parties"] for v in p["video"]})}


def compare(result):
    """Ratios to the two-party call; ok when N = 2 was measured (a bigger N that could not
    be built is named in `error`), `short` lists the sizes where a party lacked a peer."""
    base = result["by_size"].get("2")
    for size, m in result["by_size"].items():
        if base and size != "2":
            m["cpu_ratio"] = rnd(m["cpu_median"] / base["cpu_median"]) if base["cpu_median"] else None
            m["upload_ratio"] = rnd(m["upload_median_kbps"] / base["upload_median_kbps"]) \
                if base["upload_median_kbps"] else None
            m["expected_upload_ratio"] = int(size) - 1
    result["short"] = [size for size, m in result["by_size"].items()
                       if any(p["connected"] < int(size) - 1 for p in m["parties"])]
    result["ok"] = bool(base)
    if not base and "error" not in result:
        result["error"] = "the two-party call was not measured"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    sizes = sorted(int(x) for x in os.environ.get("BENCH_GROUP_LOAD_SIZES", "2,4,6").split(",") if x)
    window, settle = knob("GROUP_LOAD_SECONDS", 10, 10), knob("GROUP_LOAD_SETTLE", 5, 3)
    started = time.time()
    result = {"bench": "group-call-load", "sizes": sizes, "window_s": window, "settle_s": settle,
              "by_size": {}, "setup_ms": {}}
    server = TLCServer("eventlet", env={"TLC_RING_TIMEOUT": "120"}).start()  # rings outlast a loaded machine
    pages = []
    call_btn = ".lobby-anchor[data-anchor-id='{}'] .call-btn"
    add_btn = ".lobby-anchor[data-anchor-id='{}'] .add-btn"
    try:
        for size in sizes:
            while len(pages) < size:
                drv = browser()
                pages.append((drv, None))
                drv.get(server.url + "/call")
                own = wait(drv, OWN, 60, "page ready with a slot online")
                drv.set_script_timeout(60)
                # the camera and every line's own copy of it (e2e/group.py); what counts is
                # what is sent, recorded per size as sent_widths
                low = drv.execute_async_script(LOW_RES)
                if not isinstance(low, dict) or "error" in low:
                    raise RuntimeError(f"low resolution not applied: {low}")
                pages[-1] = (drv, own)
                if len(pages) == 1:
                    continue
                a, new = pages[0], pages[-1]
                first = len(pages) == 2
                css = call_btn if first else add_btn
                ready = ":not([disabled])" if first else ":not([hidden])"
                wait(a[0], f"return !!document.querySelector(\"{css.format(new[1])}{ready}\")", 60,
                     "A can ring the newcomer")
                ms = join(a, new, pages[:-1], css, timeout=90, poll=0.25)
                result["setup_ms"][str(len(pages))] = round(ms, 1)
                print(f"party {len(pages)} in the call after {ms:.0f} ms", flush=True)
            time.sleep(settle)  # let the bandwidth estimate settle before the window
            m = measure(pages, window)
            m.update(summary(m))
            result["by_size"][str(size)] = m
            compare(result)
            write_json(args.out, {**result, "stopped_at_parties": len(pages),  # kept if the step is killed
                                  "error": f"killed while building the call beyond {size} parties"})
            print(f"N={size}: {m['cpu_median']} cores (max {m['cpu_max']}), "
                  f"{m['upload_median_kbps']} kbit/s (max {m['upload_max_kbps']}), load {m['load_1min']}", flush=True)
    except Exception as err:
        result.update({"error": repr(err)[:500], "stopped_at_parties": len(pages), "states": states(pages),
                       "server_log": [line for line in server.log_tail(400).splitlines()
                                      if '"WARNING"' in line or '"ERROR"' in line][-60:]})
    finally:
        for drv, aid in pages:  # everyone hangs up, then the browsers close
            try:
                hang = f".tile[data-anchor-id='{aid}'] button[data-action='hangup']"
                if aid and drv.execute_script(f"const e = document.querySelector(\"{hang}\"); return e && !e.hidden"):
                    click(drv, hang)
            except Exception:
                pass
        for drv, _ in pages:
            close(drv)
        server.stop()
    compare(result)
    result["seconds"] = round(time.time() - started, 1)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
