"""Group call setup in real Chromium (issue 26): Accept → first remote frame from every
party, for the 3rd and the 4th party of a call, against the two-party setup of the same
run.

    python bench/group_call.py --out FILE

Four headless Chromium (the e2e flags, fake camera and microphone scaled to 160x120 at
8 fps as in e2e/test_group_call.py, so four fit on the machine) open /call on a `python
app.py` server. Each round: A calls B and B accepts (the baseline: two parties); A adds
C from its lobby ("Add to call") and C accepts (the 3rd party); A adds D and D accepts
(the 4th). Each figure is the time from the newcomer's Accept click to the last first
remote frame among its new pairs, on both ends of each (one machine clock: the pages'
wall-clock stamps compare). Then everyone hangs up. BENCH_GROUP_REPEATS rounds (the
first a warm-up, not counted).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import TLCServer, knob, median, rnd, write_json  # noqa: E402
from e2e.group import LOW_RES  # noqa: E402
from e2e.services import close_browser as close  # noqa: E402
from e2e.services import new_browser as browser  # noqa: E402
from e2e.services import wait_until  # noqa: E402

OWN = """
const t = window.tlc; if (!t || !t.store) return null;
const s = t.store.getState(); if (!s.me) return null;
const tile = document.querySelector('.tile[data-status="online"]');
return tile ? tile.dataset.anchorId : null;
"""
# The first remote frame of the pair (own anchor, peer anchor), and the Accept click stamp.
FRAME = """
const s = window.tlc.calls.sessionOf(arguments[0], arguments[1]);
return s && s.firstFrameAt ? {frame: s.firstFrameAt, accept: s.acceptClickedAt || null} : null;
"""
IDLE = """const t = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
return t && t.dataset.phase === 'idle' && t.dataset.status === 'online'"""


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def wait(driver, script, timeout, what, *args, poll=0.02):
    """The figures are the pages' own timestamps: `poll` only sets how soon we notice."""
    return wait_until(driver, script, timeout, poll, what, *args)


def click(driver, css):
    el = driver.find_element("css selector", css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    el.click()


def join(inviter, newcomer, parties, css_button, timeout=30, poll=0.02):
    """inviter clicks `css_button` (Call or Add to call) on the newcomer's slot, the
    newcomer accepts; ms from its Accept click to the last first frame of its new pairs
    (each wait up to `timeout` s; bench/group_load.py gives six pages longer)."""
    (drv, own), (ndrv, nown) = inviter, newcomer
    click(drv, css_button.format(nown))
    accept = f".tile[data-anchor-id='{nown}'] button[data-action='accept']"
    wait(ndrv, f"const e = document.querySelector(\"{accept}\"); return e && !e.hidden", timeout, "newcomer rings",
         poll=poll)
    click(ndrv, accept)
    clicked = None
    last = 0
    for pdrv, pown in parties:  # each old party's pair with the newcomer, and its reverse
        mine = wait(ndrv, FRAME, timeout, "newcomer's first frame from a party", nown, pown, poll=poll)
        theirs = wait(pdrv, FRAME, timeout, "a party's first frame from the newcomer", pown, nown, poll=poll)
        clicked = clicked or mine["accept"]
        last = max(last, mine["frame"], theirs["frame"])
    return last - clicked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    repeats = knob("GROUP_REPEATS", 5, 2)
    started = time.time()
    result = {"bench": "group-call-setup", "repeats": repeats, "load_1min": [loadavg()]}
    server = TLCServer("eventlet", env={"TLC_RING_TIMEOUT": "120"}).start()  # rings outlast a loaded machine
    drivers = []
    try:
        drivers = [browser() for _ in range(4)]
        for d in drivers:
            d.get(server.url + "/call")
        own = [wait(d, OWN, 20, "page ready with a slot online") for d in drivers]
        for d in drivers:
            d.set_script_timeout(30)
            d.execute_async_script(LOW_RES)
        a, b, c, d = zip(drivers, own)
        call_btn = ".lobby-anchor[data-anchor-id='{}'] .call-btn"
        add_btn = ".lobby-anchor[data-anchor-id='{}'] .add-btn"
        runs, errors = [], []
        for i in range(repeats + 1):
            try:
                for drv, _ in (a, b, c, d):
                    wait(drv, OWN, 20, "slot online")
                wait(a[0], f"return !!document.querySelector(\"{call_btn.format(b[1])}:not([disabled])\")", 20, "A sees B")
                two = join(a, b, [a], call_btn)
                wait(a[0], f"return !!document.querySelector(\"{add_btn.format(c[1])}:not([hidden])\")", 20, "A can add C")
                third = join(a, c, [a, b], add_btn)
                wait(a[0], f"return !!document.querySelector(\"{add_btn.format(d[1])}:not([hidden])\")", 20, "A can add D")
                fourth = join(a, d, [a, b, c], add_btn)
                if i:
                    runs.append({"two_ms": two, "third_ms": third, "fourth_ms": fourth})
                print(f"group setup {i}: two {two:.0f} ms, 3rd {third:.0f} ms, 4th {fourth:.0f} ms", flush=True)
            except Exception as err:
                errors.append(f"run {i}: {err!r}"[:300])
            for drv, aid in (a, b, c, d):  # everyone hangs up
                hang = f".tile[data-anchor-id='{aid}'] button[data-action='hangup']"
                if drv.execute_script(f"const e = document.querySelector(\"{hang}\"); return e && !e.hidden"):
                    click(drv, hang)
                    time.sleep(0.3)  # one leave at a time: the call shrinks as a call would
            for drv, aid in (a, b, c, d):
                wait(drv, IDLE, 20, "slot idle again", aid)
        two, third, fourth = (median([r[k] for r in runs]) for k in ("two_ms", "third_ms", "fourth_ms"))
        result.update({
            "ok": bool(runs),
            "two_median_ms": rnd(two, 1), "third_median_ms": rnd(third, 1), "fourth_median_ms": rnd(fourth, 1),
            "third_ratio": rnd(third / two) if third and two else None,
            "fourth_ratio": rnd(fourth / two) if fourth and two else None,
            "runs": runs, "errors": errors[:5],
            "what": "median ms from the newcomer's Accept click to the last first remote frame of its "
                    "new pairs (both ends); baseline: the two-party call of the same round",
        })
        if not runs:
            result["error"] = errors[0] if errors else "no runs"
    except Exception as err:
        result.update({"ok": False, "error": repr(err)[:500]})
    finally:
        for drv in drivers:
            close(drv)
        server.stop()
    result["load_1min"].append(loadavg())  # the machine is shared: say how busy it was
    result["seconds"] = round(time.time() - started, 1)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
