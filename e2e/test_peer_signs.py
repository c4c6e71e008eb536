"""Issue 15: "Not sending video" and "Poor connection" on the peer's tile, detected by the
receiver from getStats (static/js/signs.js), shown within about a second of the change.
The sender's video is stalled or throttled for real, in its RTCPeerConnection: its video
sender sends nothing (replaceTrack(null)) or at most 20 kb/s (setParameters maxBitrate);
the time from that change (B's clock) to A's indicator (A's clock; one machine) is printed."""
from .geometry import axe_violations
from .pages import open_pages
from .calls import connect

TILE = "document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`)"
NOW = "performance.timeOrigin + performance.now()"

# Record, in A's page, when a tile attribute takes a value (and the note's text then).
WATCH = f"""
const tile = {TILE}, attr = arguments[1], value = arguments[2];
window.__seen = window.__seen || {{}};
const key = attr + '=' + value;
window.__seen[key] = null;
const check = () => {{
  if (window.__seen[key] === null && tile.getAttribute(attr) === value) {{
    window.__seen[key] = {{at: {NOW}, note: tile.querySelector('.peer-media').textContent}};
  }}
}};
new MutationObserver(check).observe(tile, {{attributes: true, subtree: true, characterData: true, childList: true}});
check();
"""

VIDEO_SENDER = """
const s = [...window.tlc.sessions.values()][0];
window.__sender = s.pc.getTransceivers().find((t) => t.receiver.track.kind === 'video').sender;
window.__track = window.__sender.track;
"""


def wait_clean(page, anchor):
    """Before a change: the tile shows no sign for a whole second (a call on a starved
    machine, load ~40 on 2 cores, can start with a really low frame rate and bitrate)."""
    page.wait(f"""const t = {TILE};
      if (t.hasAttribute('data-connection') || t.hasAttribute('data-peer-sending-video')) {{
        window.__cleanSince = null; return false; }}
      window.__cleanSince = window.__cleanSince || {NOW};
      return {NOW} - window.__cleanSince >= 1000;""", 10.0, "a clean tile before the change", anchor)


def watch(page, anchor, attr, value):
    page.js(WATCH, anchor, attr, value)


def seen(page, attr, value, timeout, message):
    return page.wait("return window.__seen[arguments[0]]", timeout, message, f"{attr}={value}")


def note(page, anchor):
    return page.js(f"const n = {TILE}.querySelector('.peer-media'); return n.hidden ? '' : n.textContent", anchor)


def test_not_sending_video_shows_on_the_peers_tile_and_clears(server, browsers, record_property):
    a, b = open_pages(server, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    b.js(VIDEO_SENDER)
    a.wait(f"return {TILE}.dataset.peerVideo === 'true'", 3.0, "A knows B's camera is on", a_anchor)
    wait_clean(a, a_anchor)
    assert note(a, a_anchor) == ""

    # B's camera stays on, but no video leaves: outbound frames stop
    watch(a, a_anchor, "data-peer-sending-video", "false")
    changed = b.driver.execute_async_script(
        f"const done = arguments[0], at = {NOW}; window.__sender.replaceTrack(null).then(() => done(at));")
    hit = seen(a, "data-peer-sending-video", "false", 3.0, "A sees B not sending video")
    stalled_ms = hit["at"] - changed
    assert "Not sending video" in hit["note"]
    assert a.js(f"return {TILE}.dataset.peerVideo", a_anchor) == "true"  # camera on, by B's word
    assert a.js(f"return {TILE}.dataset.connection || ''", a_anchor) == ""  # audio flows: not the link
    assert axe_violations(a.driver) == []

    # the video comes back: the sign goes
    b.driver.execute_async_script(
        f"const done = arguments[0], at = {NOW}; window.__sender.replaceTrack(window.__track).then(() => done(at));")
    # (the first frames after a gap may come unevenly: wait for the sign to be gone for
    # a whole second)
    a.wait(f"""const t = {TILE};
      if (t.hasAttribute('data-peer-sending-video') || t.querySelector('.peer-media').textContent.includes('Not sending')) {{
        window.__clearSince = null; return false; }}
      window.__clearSince = window.__clearSince || {NOW};
      return {NOW} - window.__clearSince >= 1000;""", 5.0, "A sees B's video back", a_anchor)

    # camera turned off by B: that is "camera off", not a problem
    b.click(b_anchor, "cam")
    a.wait(f"return {TILE}.dataset.peerVideo === 'false'", 2.0, "A sees B's camera off", a_anchor)
    a.wait(f"const t = {TILE}; return t.querySelector('.peer-media').textContent === arguments[1]"
           " && !t.hasAttribute('data-peer-sending-video')", 3.0, "camera off, nothing else", a_anchor,
           f"{b.name}'s camera is off")
    print(f"\nvideo stalled (B) → 'Not sending video' on A's tile: {stalled_ms:.0f} ms")
    record_property("not_sending_video_ms", round(stalled_ms))


def test_poor_connection_shows_on_the_peers_tile_and_clears(server, browsers, record_property):
    a, b = open_pages(server, browsers, 2)
    a_anchor, _ = connect(a, b)
    b.js(VIDEO_SENDER)
    a.wait(f"return {TILE}.dataset.peerVideo === 'true'", 3.0, "A knows B's camera is on", a_anchor)
    wait_clean(a, a_anchor)

    # B's video squeezed to 20 kb/s (what a collapsed bandwidth estimate sends)
    watch(a, a_anchor, "data-connection", "poor")
    changed = b.driver.execute_async_script(f"""
        const done = arguments[0], s = window.__sender, p = s.getParameters();
        p.encodings[0].maxBitrate = 20000;
        const at = {NOW};
        s.setParameters(p).then(() => done(at));""")
    hit = seen(a, "data-connection", "poor", 3.0, "A sees a poor connection")
    poor_ms = hit["at"] - changed
    assert "Poor connection" in hit["note"]
    assert a.js(f"return {TILE}.dataset.poorReason", a_anchor) in ("bitrate", "freeze")
    assert "Not sending video" not in note(a, a_anchor)  # video trickles: the link, not the camera
    assert axe_violations(a.driver) == []

    # the cap lifted: the sign goes once the video is back to its rate
    b.driver.execute_async_script("""
        const done = arguments[0], s = window.__sender, p = s.getParameters();
        delete p.encodings[0].maxBitrate;
        s.setParameters(p).then(() => done(true));""")
    a.wait(f"return !{TILE}.hasAttribute('data-connection')", 10.0, "A sees the connection good again",
           a_anchor)
    assert "Poor connection" not in note(a, a_anchor)
    print(f"\nvideo capped at 20 kb/s (B) → 'Poor connection' on A's tile: {poor_ms:.0f} ms")
    record_property("poor_connection_ms", round(poor_ms))


# The thresholds themselves, on hand-made snapshots (the pure module, in a page).
THRESHOLDS = """
const done = arguments[arguments.length - 1];
import(arguments[0]).then(({SignsTracker, verdict}) => {
  const base = {bytesIn: 0, packetsIn: 0, lostIn: 0, framesIn: 0, reportsIn: 0, audioPacketsIn: 0,
                videoBytesIn: 0, freezes: 0, rttMs: 20};
  // 3.2 s of snapshots every 200 ms (as health.js polls); `change(i)` alters the counters from step i on
  const run = (change, peerMedia) => {
    const tr = new SignsTracker(), out = [];
    let s = {...base};
    for (let i = 0; i < 16; i += 1) {
      s = {...s, at: 1000 + i * 200, audioPacketsIn: s.audioPacketsIn + 12, packetsIn: s.packetsIn + 30,
           framesIn: s.framesIn + 5, videoBytesIn: s.videoBytesIn + 14000};
      s = change(i, s);
      out.push(verdict(tr.update(s, true), peerMedia));
    }
    return out[out.length - 1];
  };
  done({
    healthy: run((i, s) => s),
    loss: run((i, s) => (i >= 10 ? {...s, lostIn: s.lostIn + 4} : s)),
    lossSmall: run((i, s) => (i >= 10 ? {...s, lostIn: s.lostIn + 1} : s)),
    rtt: run((i, s) => (i >= 10 ? {...s, rttMs: 900} : s)),
    freezeClean: run((i, s) => (i === 12 ? {...s, freezes: 1} : s)),
    freeze: run((i, s) => (i === 12 ? {...s, freezes: 1} : i > 12 ? {...s, lostIn: s.lostIn + 1} : s)),
    stall: run((i, s) => (i >= 12 ? {...s, framesIn: s.framesIn - 5 * (i - 11), videoBytesIn: s.videoBytesIn - 14000 * (i - 11)} : s)),
    stallCameraOff: run((i, s) => (i >= 12 ? {...s, framesIn: s.framesIn - 5 * (i - 11)} : s), {audio: true, video: false}),
    nothingAtAll: run((i, s) => (i >= 12 ? {...s, framesIn: s.framesIn - 5 * (i - 11), audioPacketsIn: s.audioPacketsIn - 12 * (i - 11)} : s)),
    lowBitrate: run((i, s) => (i >= 10 ? {...s, videoBytesIn: s.videoBytesIn - 13500} : s)),
  });
}, (err) => done({error: String(err)}));
"""


def test_the_thresholds_on_hand_made_snapshots(server, browsers):
    driver = browsers()
    driver.get(server.url + "/about")
    r = driver.execute_async_script(THRESHOLDS, server.url + "/static/js/signs.js")
    assert "error" not in r, r
    assert r["healthy"] == {"notSending": False, "poor": None}
    assert r["loss"]["poor"] == "loss"            # 8 of 68 packets in 400 ms: 12 %
    assert r["lossSmall"]["poor"] is None          # 2 of 62: 3 %
    assert r["rtt"]["poor"] == "rtt"
    assert r["freezeClean"]["poor"] is None        # a freeze on a clean network: not the link
    assert r["freeze"]["poor"] == "freeze"         # a freeze with 3 % loss
    assert r["stall"] == {"notSending": True, "poor": None}
    assert r["stallCameraOff"] == {"notSending": False, "poor": None}
    assert r["nothingAtAll"]["notSending"] is False  # no audio either: the link, not the camera
    assert r["lowBitrate"]["poor"] == "bitrate"     # 500 B / 200 ms = 20 kb/s
