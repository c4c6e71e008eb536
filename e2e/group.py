"""Helpers of the group-call e2e test (issue 26; e2e/test_group_call.py): pages at low
resolution and frame rate (four browsers on two cores), the lobby's "Add to call" and
"Call selected", and a probe of every party tile of a slot: each pair's remote video
must play and its inbound RTP grow. Chromium and Firefox ESR pages alike (e2e/firefox.py):
the name form by the Enter key, the viewport by CDP or by the window's size."""
import json
import time

from selenium.webdriver.common.keys import Keys

from .geometry import set_viewport

# One probe of each party tile of a slot's group call: its pair's session (calls.js
# sessionOf) and <video>. Inbound video bytes and frames decoded, the video's size and
# clock.
PARTIES_PROBE = """
const anchorId = arguments[0], done = arguments[arguments.length - 1];
const tile = document.querySelector(`.tile[data-anchor-id="${anchorId}"]`);
const parties = tile ? [...tile.querySelectorAll('.party-grid:not([hidden]) .party-tile')] : [];
Promise.all(parties.map(async (el) => {
  const peer = el.dataset.peerAnchorId;
  const session = window.tlc.calls.sessionOf(anchorId, peer);
  const video = el.querySelector('video');
  let videoBytes = 0, frames = 0, audioBytes = 0;
  if (session) (await session.pc.getStats()).forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') { videoBytes += s.bytesReceived || 0; frames += s.framesDecoded || 0; }
    if (s.kind === 'audio') audioBytes += s.bytesReceived || 0;
  });
  // The sending side of the pair, for a failure's message: what this page sends the peer.
  const sender = session?.pc.getTransceivers().find((t) => t.receiver.track.kind === 'video')?.sender;
  let sentVideoBytes = 0;
  if (session) (await session.pc.getStats()).forEach((s) => {
    if (s.type === 'outbound-rtp' && s.kind === 'video') sentVideoBytes += s.bytesSent || 0;
  });
  const sending = !sender ? 'no sender' : !sender.track ? 'no track'
    : `${sender.track.readyState}${sender.track.enabled ? '' : ' disabled'}`;
  return {peer, state: session ? session.pc.connectionState : null, videoBytes, frames, audioBytes,
          sentVideoBytes, sending,
          width: video.videoWidth, time: video.currentTime, muted: video.muted,
          code: el.querySelector('.safety')?.dataset.code || null, log: session ? session.log.slice(-8) : null};
})).then(done, (err) => done([{error: String(err)}]));
"""

# Low resolution and frame rate for every sender of the page: the fake camera scaled
# down, and every slot's own copy of it (media.js AnchorMedia: clones of the camera's
# tracks, made when the slot appeared, which are what its calls send). Firefox's fake
# camera keeps its 640x480 at 30 fps for the track getUserMedia gave (its
# applyConstraints resolves and changes nothing, seen with Firefox ESR 153), while a
# clone of it takes the constraints: that track is then swapped for such a clone. A slot
# is told of the swap ('change', as a source switch does), so its calls' senders take the
# clone: a sender left with the stopped track sends no video at all (seen when the knock
# test scaled a newcomer's slot while its connections were being made).
LOW_RES = """
const done = arguments[arguments.length - 1];
const lib = window.tlc.library, low = {width: 160, height: 120, frameRate: 8};
const scale = async (stream, owner) => {
  const track = stream && stream.getVideoTracks()[0];
  if (!track) return null;
  await track.applyConstraints(low);
  if (track.getSettings().width === low.width) return track.getSettings();
  const clone = track.clone();
  await clone.applyConstraints(low);
  stream.removeTrack(track);
  stream.addTrack(clone);
  owner?.dispatchEvent(new Event('change'));
  track.stop();
  return {...clone.getSettings(), cloned: true};
};
const go = async () => {
  const camera = await scale(lib.camera.stream || await lib.startCamera());
  const slots = [];
  for (const m of window.tlc.media.values()) slots.push(await scale(m.stream, m));
  return {camera, slots};
};
go().then(done, (err) => done({error: String(err)}));
"""


def axe_group(driver):
    """axe-core's critical and serious violations in what a group call shows: the slot's
    tile (party tiles, roster, controls) and the lobby (Add to call, Call selected). The
    whole page's axe starves four browsers on two cores for minutes; e2e/test_layout.py
    checks the rest of the page."""
    from .geometry import AXE_JS

    if not driver.execute_script("return Boolean(window.axe)"):
        with open(AXE_JS, encoding="utf-8") as f:
            driver.execute_script(f.read())
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run({include: [['.tile[data-group]'], ['#lobby-panel']]}, {resultTypes: ['violations']})"
        ".then((r) => done(r.violations.map((v) => ({id: v.id, impact: v.impact,"
        " targets: v.nodes.map((n) => n.target.join(' '))}))))"
        ".catch((e) => done([{id: 'axe-error', impact: 'critical', targets: [String(e)]}]))")
    return [v for v in found if v["impact"] in ("critical", "serious")]


def is_firefox(driver):
    return getattr(driver, "_tlc_engine", None) == "firefox"


def rename(page, name):
    """page.rename on either engine: geckodriver types "\\n" as a character, so the
    form is sent with the Enter key."""
    field = page.driver.find_element("id", "me-name")
    field.clear()
    field.send_keys(name, Keys.ENTER)
    page.wait("return window.tlc.store.getState().me.user.displayName === arguments[0]",
              5.0, f"renamed to {name!r}", name)
    page.name = name


def viewport(driver, size):
    """The page's viewport `size` CSS pixels: Chromium by CDP (geometry.set_viewport, a
    phone as a mobile viewport); Firefox by WebDriver BiDi's browsingContext.setViewport
    (new_firefox(bidi=True); its window cannot be narrower than 500 px)."""
    if not is_firefox(driver):
        return set_viewport(driver, size)
    if not hasattr(driver, "_tlc_viewport"):  # the window's own, for reset_viewport
        driver._tlc_viewport = driver.execute_script("return {width: innerWidth, height: innerHeight}")
    driver.browsing_context.set_viewport(context=driver.current_window_handle,
                                         viewport={"width": size[0], "height": size[1]})
    assert driver.execute_script("return [innerWidth, innerHeight]") == list(size), size
    return driver


def reset_viewport(driver):
    """The viewport back to the browser window's (Firefox: its size before viewport();
    setting none back timed out there)."""
    if not is_firefox(driver):
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    elif hasattr(driver, "_tlc_viewport"):
        driver.browsing_context.set_viewport(context=driver.current_window_handle, viewport=driver._tlc_viewport)


def low_res(page):
    """LOW_RES: the camera and every slot's video track at 160x120."""
    settings = page.driver.execute_async_script(LOW_RES)
    tracks = [settings.get("camera"), *settings.get("slots", [])] if "error" not in settings else [None]
    assert all(t and t.get("width") == 160 for t in tracks), settings
    return settings


def party_probe(page, anchor_id):
    return page.driver.execute_async_script(PARTIES_PROBE, anchor_id)


def wait_parties(page, anchor_id, peers, timeout=30.0):
    """Wait until the slot shows exactly these peer anchors as party tiles."""
    wanted = sorted(peers)
    page.wait("""
        const tile = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
        const ids = [...tile.querySelectorAll('.party-grid:not([hidden]) .party-tile')].map((e) => e.dataset.peerAnchorId);
        return JSON.stringify(ids.sort()) === arguments[1];
    """, timeout, f"{page.name} shows party tiles {wanted}", anchor_id, json.dumps(wanted, separators=(",", ":")))


def assert_parties_flow(*sides, timeout=30.0):
    """For each (page, anchor_id, [peer anchor ids]): a party tile per peer, and on each the
    pair's connection is connected, its video has a size, its clock advances and inbound
    video bytes, decoded frames and audio bytes grow. Returns the last probes."""
    for page, anchor_id, peers in sides:
        wait_parties(page, anchor_id, peers, timeout)
    first = [{p["peer"]: p for p in party_probe(page, anchor_id)} for page, anchor_id, _ in sides]
    deadline = time.monotonic() + timeout
    while True:
        last = [{p["peer"]: p for p in party_probe(page, anchor_id)} for page, anchor_id, _ in sides]
        lagging = [(page.name, peer) for (page, _, peers), a, b in zip(sides, first, last) for peer in peers
                   if not (peer in a and peer in b and b[peer]["state"] == "connected" and b[peer]["width"] > 0
                           and b[peer]["time"] > a[peer]["time"] and b[peer]["videoBytes"] > a[peer]["videoBytes"]
                           and b[peer]["frames"] > a[peer]["frames"] and b[peer]["audioBytes"] > a[peer]["audioBytes"])]
        if not lagging:
            return last
        if time.monotonic() > deadline:
            logs = {(page.name, peer): b.get(peer, {}).get("log") for (page, _, _), b in zip(sides, last)
                    for name, peer in lagging if name == page.name}
            raise AssertionError(f"media not moving on every party tile within {timeout}s: {lagging}; "
                                 f"their sessions' traces: {logs}; {first} → {last}")
        time.sleep(0.2)


def add_button(anchor_id):
    return f".lobby-anchor[data-anchor-id='{anchor_id}'] .add-btn"


def click_add(page, other):
    """'Add to call' on `other`'s first slot in this page's lobby."""
    button = page.driver.find_element("css selector", add_button(other.anchor))
    page.js("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def ring_selected(page, *others):
    """Tick each of `others`' first slot in the lobby, then 'Call selected'."""
    for other in others:
        box = page.driver.find_element("css selector", f".lobby-anchor[data-anchor-id='{other.anchor}'] .select-box")
        page.js("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
    button = page.driver.find_element("css selector", ".call-many-btn")
    assert button.text.endswith(f"({len(others)})"), button.text
    button.click()
