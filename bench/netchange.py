"""Network change mid-call (issue 30, item 3): in the NAT lab of e2e/netlab.py a home with
two uplinks moves from one to the other mid-call (its address changes, the old one
disappears); the time from the switch until video arrives again on both sides, without a
reload (the app's own ICE restart), median of NETCHANGE_RUNS. Baseline: the same app's
ICE restart on loopback (two pages in the root namespace, a restart asked of the caller's
recovery), from restartIce() until video arrives again on both sides.

    .venv/bin/python bench/netchange.py --out r.json     (as root: network namespaces)
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import knob, median, rnd, write_json  # noqa: E402  (puts the repository on the path)
from e2e import netlab  # noqa: E402
from e2e import test_nat as lab_tests  # noqa: E402
from e2e.conftest import Server  # noqa: E402
from e2e.pages import CallPage  # noqa: E402
from e2e.services import close_browser, new_browser, wait_for  # noqa: E402

RUNS = knob("NETCHANGE_RUNS", 5, 3)
RESTART = "window.tlc.sessions.values().next().value.recovery.restartIce('bench')"


def settle(a, b):
    """Media flowing both ways (the next measurement starts from a working call)."""
    lab_tests.assert_media_flows((a, a.anchor), (b, b.anchor), timeout=lab_tests.SETUP_S)


def uplink_switches(runs):
    lab = lab_tests.start_lab({"mobile": "cone", "peer": "cone"})
    drivers = []
    try:
        pages = lab_tests.open_lab_pages(lab, drivers)
        a, b = pages["mobile"], pages["peer"]
        lab_tests.call(a, b)
        times = []
        for _ in range(runs):
            settle(a, b)
            times.append(lab_tests.switch_and_wait(a, b))
        return times
    finally:
        for driver in drivers:
            close_browser(driver)
        lab.close()


def loopback_restarts(runs):
    srv = Server().start()
    drivers = [new_browser(), new_browser()]
    try:
        a, b = (CallPage(d, srv).open() for d in drivers)
        a.wait_sees(b)
        lab_tests.call(a, b)
        times = []
        for _ in range(runs):
            settle(a, b)
            sides = [(a, a.anchor), (b, b.anchor)]
            before = [p.driver.execute_async_script(lab_tests.INBOUND, x)["bytes"] for p, x in sides]
            started = time.monotonic()
            a.js(RESTART)

            def back():
                now = [p.driver.execute_async_script(lab_tests.INBOUND, x) for p, x in sides]
                restarted = a.js("return window.tlc.sessions.values().next().value.recovery.restarting") is None
                return restarted and all(n and n["state"] == "connected" and n["bytes"] > v + lab_tests.BACK_BYTES
                                         for n, v in zip(now, before))
            wait_for(back, lab_tests.SETUP_S, "media back after the ICE restart", poll=0.05)
            times.append(time.monotonic() - started)
        return times
    finally:
        for driver in drivers:
            close_browser(driver)
        srv.stop()
        srv.cleanup()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    reason = netlab.why_not()
    if reason:
        write_json(args.out, {"ok": False, "error": reason})
        return
    switch = uplink_switches(RUNS)
    restart = loopback_restarts(RUNS)
    result = {"ok": True, "runs": RUNS, "switch_s": [rnd(t) for t in switch],
              "restart_s": [rnd(t) for t in restart], "switch_median_s": rnd(median(switch)),
              "restart_median_s": rnd(median(restart))}
    result["ratio"] = rnd(result["switch_median_s"] / result["restart_median_s"])
    print(result)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
