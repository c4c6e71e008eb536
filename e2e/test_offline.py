"""Offline mode: the static export with no app server at all, and the call page's offer
of offline mode when its server goes away. Both run a loopback test call with real media."""
import os
import subprocess
import sys
import tempfile
import time

import pytest

from .conftest import ROOT, free_port, wait_http, wait_until
from .geometry import DESKTOP, PHONE, axe_violations, in_viewport, rect, set_viewport

LANDSCAPE = (844, 390)
OFFLINE_FETCHED = ("return performance.getEntriesByType('resource')"
                   ".some((e) => new URL(e.name).pathname.endsWith('/static/js/offline.js'))")

LOOPBACK_PROBE = """
const done = arguments[arguments.length - 1];
const mode = window.tlcOffline;
if (!mode || mode.sessions.size !== 2) return done(null);
Promise.all([...mode.slots].map(async (slot) => {
  const session = mode.sessions.get(slot.name);
  let bytes = 0;
  (await session.pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') bytes += s.bytesReceived || 0;
  });
  const v = slot.remote;
  return {slot: slot.name, state: session.pc.connectionState, width: v.videoWidth,
          height: v.videoHeight, time: v.currentTime, bytes,
          audio: v.srcObject ? v.srcObject.getAudioTracks().length : 0};
})).then(done, (e) => done({error: String(e)}));
"""


def assert_loopback_media(driver, a_gets, b_gets, timeout=15.0):
    driver.find_element("css selector", "button[data-action='loopback-start']").click()
    wait_until(driver, """
        const m = window.tlcOffline;
        return m && m.sessions.size === 2 && [...m.sessions.values()].every(
          (s) => s.pc.connectionState === 'connected')
          && m.slots.every((s) => s.remote.videoWidth > 0);
    """, timeout, message="both loopback slots connected with remote video")
    first = driver.execute_async_script(LOOPBACK_PROBE)
    deadline = time.monotonic() + 5
    while True:
        later = driver.execute_async_script(LOOPBACK_PROBE)
        grew = all(b["time"] > a["time"] + 0.3 and b["bytes"] > a["bytes"]
                   for a, b in zip(first, later))
        if grew or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert grew, (first, later)
    by_slot = {p["slot"]: p for p in later}
    # each slot receives what the other sends
    assert (by_slot["A"]["width"], by_slot["A"]["height"]) == a_gets
    assert (by_slot["B"]["width"], by_slot["B"]["height"]) == b_gets
    assert all(p["audio"] == 1 for p in later)


@pytest.fixture
def static_export():
    """`flask export-offline` into a temp dir, served by a plain static file server."""
    target = tempfile.mkdtemp(prefix="tlc-offline-")
    env = {**os.environ, "TLC_DATABASE_URL": f"sqlite:///{target}/unused.sqlite3"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "export-offline", target],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    os.remove(os.path.join(target, "unused.sqlite3"))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", target], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    wait_http(url, proc=proc)
    yield url
    proc.terminate()
    proc.wait()


def test_the_static_export_opens_in_offline_mode_and_runs_a_loopback_call(static_export, browsers):
    driver = browsers()
    driver.get(static_export)
    wait_until(driver, "return !document.getElementById('offline-panel').hidden", 5,
               message="offline panel shown")
    assert driver.execute_script(OFFLINE_FETCHED)  # from the service worker's cache
    assert driver.execute_script("return document.getElementById('anchors-panel').hidden")
    assert "Offline" in driver.find_element("css selector", "#conn").text
    assert_loopback_media(driver, a_gets=(480, 270), b_gets=(640, 480))  # B's clip, A's camera
    # nothing tried to reach an app server
    assert not driver.execute_script("return performance.getEntriesByType('resource')"
                                     ".some((e) => e.name.includes('socket.io'))")


def test_an_unreachable_server_is_announced_and_offline_mode_offered(server_factory, browsers):
    srv = server_factory()
    driver = browsers()
    driver.get(srv.url + "/call")
    wait_until(driver, "return window.tlc && window.tlc.signaling.connected", 8,
               message="connected to the server")
    # Issue 33.2: offline mode loads on demand, not with the page; it can start with the
    # server gone once the service worker keeps the page's files (call-page.js)
    wait_until(driver, "return window.tlc.offlineReady", 10, message="offline mode loadable")
    assert not driver.execute_script(OFFLINE_FETCHED), "offline.js on the first load"
    srv.stop()
    started = time.monotonic()
    wait_until(driver, "return !document.getElementById('unreachable').hidden", 10,
               message="'server cannot be reached' shown")
    print(f"\nunreachable notice after {time.monotonic() - started:.1f}s")
    assert "cannot be reached" in driver.find_element("css selector", "#unreachable").text
    driver.find_element("css selector", "#go-offline").click()
    wait_until(driver, "return !document.getElementById('offline-panel').hidden", 5,
               message="offline panel shown")
    assert driver.execute_script(OFFLINE_FETCHED)  # from the service worker's cache
    # the clips went with the server: both slots send the camera
    assert_loopback_media(driver, a_gets=(640, 480), b_gets=(640, 480))
    # Issue 15 (5): the page keeps checking and says when the server is back; its own
    # connection stays closed meanwhile (no slots callable behind the offline panel)
    assert "keeps checking" in driver.find_element("css selector", "#offline-panel").text
    srv.start()
    wait_until(driver, "const n = document.querySelector('#offline-panel .server-back');"
               " return n && !n.hidden", 10, message="'the server is back' shown")
    assert "Reload" in driver.find_element("css selector", "#offline-panel .server-back").text
    # and no longer that it cannot be reached (issue 31.9: both were said at once)
    assert "keeps checking" not in driver.find_element("css selector", "#offline-panel").text
    # at each size, where the offline panel starts, "the server is back" is in view with
    # its Reload, and nothing says the opposite
    for size in (DESKTOP, PHONE, LANDSCAPE):
        set_viewport(driver, size)
        driver.execute_script("document.querySelector('#offline-panel').scrollIntoView({block: 'start'})")
        assert in_viewport(driver, "#offline-panel .server-back")[0], (size, rect(driver, "#offline-panel .server-back"))
        for gone in ("#unreachable", "#offline-panel .offline-why"):
            assert not driver.execute_script("return document.querySelector(arguments[0]).checkVisibility()", gone), \
                (size, gone)
    assert driver.execute_script("return window.tlc.signaling.connected") is False
    assert axe_violations(driver) == []  # the offline panel and its notice
