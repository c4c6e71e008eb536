"""Page objects for the call page: tests act through the UI (clicks) and read state
through the DOM and the read-only `window.tlc` handle (store, RTCPeerConnections).

Every wait polls a specific condition with a short timeout; nothing sleeps for a state.
"""
import time
from concurrent.futures import ThreadPoolExecutor

from .conftest import wait_until
from .site import SITE_PAGES  # noqa: F401  (the site's pages, declared once)

# One probe of a tile's call, read from the page itself: the remote <video> element and
# the RTCPeerConnection's inbound-rtp stats.
MEDIA_PROBE = """
const anchorId = arguments[0], done = arguments[arguments.length - 1];
const tile = document.querySelector(`.tile[data-anchor-id="${anchorId}"]`);
const session = tile && window.tlc.sessions.get(tile.dataset.callId);
if (!session) return done(null);
const video = tile.querySelector('video.remote');
session.pc.getStats().then((stats) => {
  let videoBytes = 0, audioBytes = 0;
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') videoBytes += s.bytesReceived || 0;
    if (s.kind === 'audio') audioBytes += s.bytesReceived || 0;
  });
  const stream = video.srcObject;
  done({
    callId: tile.dataset.callId, phase: tile.dataset.phase,
    connectionState: session.pc.connectionState,
    videoWidth: video.videoWidth, videoHeight: video.videoHeight,
    currentTime: video.currentTime, paused: video.paused, muted: video.muted,
    autoplay: video.autoplay,
    // Firefox has no playsInline property: the page then sets the attribute
    playsInline: 'playsInline' in video ? video.playsInline : video.hasAttribute('playsinline'),
    audioTracks: stream ? stream.getAudioTracks().filter((t) => t.readyState === 'live').length : 0,
    videoBytes, audioBytes,
    firstFrameAt: session.firstFrameAt || null, acceptClickedAt: session.acceptClickedAt || null,
  });
}, (err) => done({error: String(err)}));
"""


class CallPage:
    def __init__(self, driver, server, query=""):
        self.driver = driver
        self.server = server
        self.query = query

    # -- plumbing ----------------------------------------------------------------------
    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, script, timeout=5.0, message=None, *args):
        return wait_until(self.driver, script, timeout, 0.03, message, *args)

    def open(self):
        """Load /call and wait until connected with its first slot online."""
        self.driver.get(self.server.url + "/call" + self.query)
        me = self.wait("""
            const t = window.tlc; if (!t) return null;
            const s = t.store.getState();
            if (!s.me) return null;
            const own = Object.values(s.lobby.anchors).filter((a) => a.clientId === s.me.clientId);
            return own.length && own.every((a) => a.status === 'online')
              && document.querySelector('.tile[data-status="online"]') ? s.me : null;
        """, 8.0, "call page connected with Slot 1 online")
        self.user_id = me["user"]["id"]
        self.client_id = me["clientId"]
        self.name = me["user"]["displayName"]
        return self

    def anchors(self):
        """Own anchor ids in tile order."""
        return self.js("return [...document.querySelectorAll('.tile')].map((t) => t.dataset.anchorId)")

    @property
    def anchor(self):
        return self.anchors()[0]

    def tile_attr(self, anchor_id, name):
        return self.js("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`)"
                       ".getAttribute(arguments[1])", anchor_id, name)

    def tile_text(self, anchor_id):
        return self.js("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).innerText",
                       anchor_id)

    # -- lobby -------------------------------------------------------------------------
    def lobby_names(self):
        return self.js("return [...document.querySelectorAll('#lobby-list .lobby-user .name')]"
                       ".map((e) => e.textContent)")

    def wait_sees(self, *others, online=1, timeout=5.0):
        """Wait until this page's lobby shows each other page with `online` free slots."""
        for other in others:
            self.wait("""
                const row = document.querySelector(`.lobby-user[data-user-id='${arguments[0]}']`);
                return row && row.querySelectorAll(
                  `.lobby-anchor[data-status='online']:not([data-away='true']) .call-btn:not([hidden])`
                ).length >= arguments[1];
            """, timeout, f"{self.name} sees {other.name} online in the lobby", other.user_id, online)

    def lobby_user_ids(self):
        """User ids of the lobby rows, in order (own row first)."""
        return self.js("return [...document.querySelectorAll('#lobby-list .lobby-user')]"
                       ".map((e) => e.dataset.userId)")

    def wait_lobby_users(self, *pages, timeout=5.0):
        """Wait until the lobby rows are exactly this page and `pages` (any order)."""
        wanted = sorted([self.user_id, *(p.user_id for p in pages)])
        self.wait("""
            const ids = [...document.querySelectorAll('#lobby-list .lobby-user')].map((e) => e.dataset.userId);
            return JSON.stringify(ids.sort()) === JSON.stringify(arguments[0]);
        """, timeout, f"{self.name}'s lobby shows exactly {[p.name for p in pages]} and itself", wanted)

    def lobby_text(self, css):
        """The text of an element of the lobby panel (#lobby-note, #lobby-empty,
        #lobby-error, #lobby-count), or None while it is hidden."""
        return self.js("const el = document.querySelector(arguments[0]);"
                       "return el.hidden ? null : el.textContent", css)

    def wait_lobby_text(self, css, text, timeout=5.0):
        """Wait until the lobby panel's `css` element is shown and contains `text`."""
        return self.wait("const el = document.querySelector(arguments[0]);"
                         "return !el.hidden && el.textContent.includes(arguments[1]) && el.textContent",
                         timeout, f"{self.name}: {css} shows {text!r}", css, text)

    def search_lobby(self, text):
        """Type into the lobby's search field, replacing what it held; "" empties it
        (by keyboard: Selenium's clear() alone fires no input event)."""
        field = self.driver.find_element("id", "lobby-search")
        field.clear()
        field.send_keys(text or "x\b")

    def rename(self, name):
        """Change this user's display name with the name form; wait for the server."""
        field = self.driver.find_element("id", "me-name")
        field.clear()
        field.send_keys(name + "\n")
        self.wait("return window.tlc.store.getState().me.user.displayName === arguments[0]",
                  3.0, f"renamed to {name!r}", name)
        self.name = name

    def lobby_anchor_status(self, anchor_id):
        return self.js("const li = document.querySelector(`.lobby-anchor[data-anchor-id='${arguments[0]}']`);"
                       "return li && li.dataset.status", anchor_id)

    def call_button(self, anchor_id):
        return f".lobby-anchor[data-anchor-id='{anchor_id}'] .call-btn"

    def click_call(self, other, anchor_id=None):
        """Click Call on one of `other`'s slots (its first by default)."""
        anchor_id = anchor_id or other.anchor
        self.driver.find_element("css selector", self.call_button(anchor_id)).click()
        return anchor_id

    # -- one slot ----------------------------------------------------------------------
    def click(self, anchor_id, action):
        button = self.driver.find_element(
            "css selector", f".tile[data-anchor-id='{anchor_id}'] button[data-action='{action}']")
        # as a person would: bring it to the middle of the window (not under the sticky bar)
        self.js("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()

    def wait_phase(self, anchor_id, phase, timeout=5.0):
        try:
            self.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`)"
                      ".dataset.phase === arguments[1]",
                      timeout, f"{self.name} slot in phase {phase!r}", anchor_id, phase)
        except AssertionError as err:
            # Say where the slot is instead: its store state and its peer connection.
            seen = self.js("""
                const tlc = window.tlc, slot = tlc.store.getState().calls[arguments[0]];
                const s = slot && slot.callId && tlc.sessions.get(slot.callId);
                return JSON.stringify({slot, pc: s && s.pc && {
                  signaling: s.pc.signalingState, ice: s.pc.iceConnectionState,
                  connection: s.pc.connectionState}, glare: tlc.calls && tlc.calls.glare});
            """, anchor_id)
            raise AssertionError(f"{err}; the slot: {seen}") from None

    def wait_idle(self, anchor_id, outcome, timeout=5.0):
        """Back to idle, online, with `outcome` (a protocol reason) shown on the tile."""
        self.wait("""
            const t = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
            return t.dataset.phase === 'idle' && t.dataset.status === 'online'
              && t.dataset.outcome === arguments[1] && !document.querySelector(
                 `.tile[data-anchor-id='${arguments[0]}'] .outcome`).hidden;
        """, timeout, f"{self.name} idle after {outcome!r}", anchor_id, outcome)
        return self.js("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .outcome`)"
                       ".textContent", anchor_id)

    def media(self, anchor_id):
        return self.driver.execute_async_script(MEDIA_PROBE, anchor_id)

    def session_count(self):
        return self.js("return window.tlc.sessions.size")


def assert_media_flows(*sides, timeout=6.0, min_advance=0.5):
    """For each (page, anchor_id): the call is connected (server and RTCPeerConnection),
    the remote <video> has a size, plays with sound on (not muted, autoplay, playsinline),
    its currentTime advances, inbound video bytes grow and an audio track is received.
    Returns the last probe of each side."""
    for page, anchor_id in sides:
        page.wait_phase(anchor_id, "connected", timeout)
    first = [page.media(anchor_id) for page, anchor_id in sides]
    deadline = time.monotonic() + timeout
    while True:
        last = [page.media(anchor_id) for page, anchor_id in sides]
        done = all(
            b and a and b["callId"] == a["callId"] and b["connectionState"] == "connected"
            and b["videoWidth"] > 0 and b["videoHeight"] > 0
            and b["currentTime"] >= a["currentTime"] + min_advance
            and b["videoBytes"] > a["videoBytes"] and b["audioBytes"] > a["audioBytes"]
            and b["audioTracks"] >= 1
            for a, b in zip(first, last))
        if done:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"media not flowing both ways within {timeout}s: {first} → {last}")
        time.sleep(0.05)
    for probe in last:
        assert not probe["muted"] and probe["autoplay"] and probe["playsInline"], probe
    return last


def setup_ms(callee_probe, caller_probe):
    """Accept click (callee) → first remote frame, on each side, in ms (one machine,
    one clock: the two pages' wall-clock stamps compare)."""
    clicked = callee_probe["acceptClickedAt"]
    if not clicked:
        return None
    return (round(callee_probe["firstFrameAt"] - clicked), round(caller_probe["firstFrameAt"] - clicked))


def open_pages(server, browsers, count, query=""):
    """Start `count` browsers on /call at once (each waits for its own slot online), then
    wait until every page sees every other in the lobby: a ring sent before the callee
    has joined would be lost."""
    with ThreadPoolExecutor(count) as pool:
        pages = list(pool.map(lambda _: CallPage(browsers(), server, query).open(), range(count)))
    for page in pages:
        page.wait_sees(*[p for p in pages if p is not page])
    return pages


# -- issue 6 (recovery, TURN, stats): more probes of one tile's call ---------------------

# The selected ICE candidate pair of a tile's call, from getStats: candidate types
# (host / srflx / prflx / relay) on both ends, and the local ufrag in use.
PAIR_PROBE = """
const anchorId = arguments[0], done = arguments[arguments.length - 1];
const tile = document.querySelector(`.tile[data-anchor-id="${anchorId}"]`);
const session = tile && window.tlc.sessions.get(tile.dataset.callId);
if (!session) return done(null);
session.pc.getStats().then((stats) => {
  let pair = null;
  stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
  const local = pair && stats.get(pair.localCandidateId), remote = pair && stats.get(pair.remoteCandidateId);
  done({local: local ? local.candidateType : null, remote: remote ? remote.candidateType : null,
        relayProtocol: local ? local.relayProtocol || null : null, state: pair ? pair.state : null,
        ufrag: (session.pc.localDescription.sdp.match(/a=ice-ufrag:(\\S+)/) || [])[1] || null});
}, (err) => done({error: String(err)}));
"""


def selected_pair(page, anchor_id):
    return page.driver.execute_async_script(PAIR_PROBE, anchor_id)


def record_tile_states(page, anchor_id):
    """Start recording every value the tile's data-net takes (a MutationObserver in the
    page), so a test can tell afterwards that "reconnecting" was shown, however briefly."""
    page.js("""
        const tile = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
        window.__netSeen = [tile.dataset.net || null];
        new MutationObserver(() => {
          const v = tile.dataset.net || null;
          if (window.__netSeen[window.__netSeen.length - 1] !== v) window.__netSeen.push(v);
        }).observe(tile, {attributes: true, attributeFilter: ['data-net']});
    """, anchor_id)


def tile_states_seen(page):
    return page.js("return window.__netSeen || []")


def bytes_in(page, anchor_id):
    """Inbound RTP bytes (video + audio) of a tile's call, or None without a call."""
    probe = page.media(anchor_id)
    return probe and probe["videoBytes"] + probe["audioBytes"]


def shot(page, name, css=None):
    """Save a PNG of the page (or of one element, scrolled into view) in
    $TLC_SHOTS_DIR (default /tmp/shots-6), for people to look at what the tests saw."""
    import os

    shots = os.environ.get("TLC_SHOTS_DIR", "/tmp/shots-6")
    os.makedirs(shots, exist_ok=True)
    if css:
        element = page.driver.find_element("css selector", css)
        page.js("arguments[0].scrollIntoView({block: 'center'})", element)
        element.screenshot(os.path.join(shots, name))
    else:
        page.driver.save_screenshot(os.path.join(shots, name))
