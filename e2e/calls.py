"""Helpers shared by call tests (test_engines, test_aiortc_peer, test_ring_prepared,
test_firefox_ring_attack, test_rejoin, test_firefox_rejoin): what a page received, its
prepared session, connecting two pages (connect, used by most call tests), leaving a page
idle, a reloaded page's call and its sound, a side that hides its address (test_privacy_sides,
test_turn, test_ring_prepared)."""
from selenium.common.exceptions import WebDriverException

from .pages import assert_media_flows, setup_ms
from .services import wait_until

# The descriptions a page received, in order: [event, type] (the offer of a call:ring,
# the description of a call:signal).
DESCRIPTIONS = """
return window.tlc.signaling.received.flatMap((r) => {
  const d = r.event === 'call:ring' ? r.data.offer : r.event === 'call:signal' ? r.data.description : null;
  return d ? [[r.event, d.type]] : [];
});
"""
IDLE_S = 10.0
RECEIVED = "return window.tlc.signaling.received.map((r) => ({event: r.event, at: r.at, data: r.data}))"
# A prepared session (callee or caller): its answer made and its candidates gathered, all held.
HELD = """
const entry = window.tlc.calls.prepared.entries.get(arguments[0]);
const s = entry && entry.session;
if (!s || s.pc.iceGatheringState !== 'complete') return null;
return {role: entry.role, held: s.held, signaling: s.pc.signalingState,
        answers: s.outbox.filter((f) => f.description && f.description.type === 'answer').length,
        candidates: s.outbox.filter((f) => f.candidate).length};
"""


def connect(caller, callee, record_property=None, label="setup"):
    """caller clicks Call on callee's first slot, callee clicks Accept; returns the two
    anchors once media flows both ways."""
    caller.click_call(callee)
    callee.wait_phase(callee.anchor, "ringing-in")
    callee_anchor = callee.anchor
    caller_anchor = caller.wait(
        "return document.querySelector('.tile[data-phase=\"ringing-out\"]')?.dataset.anchorId",
        3.0, "caller slot ringing-out")
    callee.click(callee_anchor, "accept")
    caller_probe, callee_probe = assert_media_flows((caller, caller_anchor), (callee, callee_anchor))
    ms = setup_ms(callee_probe, caller_probe)
    print(f"\n{label}: accept → first remote frame: callee {ms[0]} ms, caller {ms[1]} ms")
    if record_property:
        record_property(f"{label}_ms_callee_caller", ms)
    return caller_anchor, callee_anchor


def end_call(page, timeout=IDLE_S):
    """Leave a shared page idle: hang up, decline or cancel whatever its slot is in."""
    phase = page.tile_attr(page.anchor, "data-phase")
    action = {"connecting": "hangup", "connected": "hangup", "ringing-in": "decline",
              "ringing-out": "cancel"}.get(phase)
    if action:
        page.click(page.anchor, action)
    page.wait_phase(page.anchor, "idle", timeout)


def recover(page):
    """end_call, and when the page does not get back to idle that way (a test that
    failed midway can leave it anywhere), load it again: a fresh client, idle."""
    try:
        end_call(page)
    except (AssertionError, WebDriverException):
        page.open()
        page.wait_phase(page.anchor, "idle", IDLE_S)


# -- a reload mid-call (issues 15 and 36.5) ------------------------------------------------
SLOT = "return window.tlc.store.getState().calls[arguments[0]] || null"
# The sound of a tile's call: its remote <video> and the "click to hear" prompt.
SOUND = """
const tile = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
const video = tile.querySelector('video.remote'), prompt = tile.querySelector('.unmute-btn');
return {muted: video.muted, paused: video.paused, promptHidden: prompt.hidden,
        promptRole: prompt.getAttribute('role'), promptText: prompt.textContent,
        activated: navigator.userActivation ? navigator.userActivation.hasBeenActive : null,
        // Firefox's own answer (Chromium has no getAutoplayPolicy): 'allowed' or 'allowed-muted'
        policy: navigator.getAutoplayPolicy ? navigator.getAutoplayPolicy(video) : null};
"""


def wait_resumed(page, timeout=8.0):
    """After page.driver.refresh(): the same client is back (session resumed)."""
    page.wait("const s = window.tlc && window.tlc.store.getState();"
              "return s && s.me && s.me.clientId === arguments[0]", timeout,
              f"{page.name}'s client resumed", page.client_id)


def wait_muted_with_prompt(page, anchor_id, timeout=5.0):
    """The tile's remote video plays muted (the picture) and the prompt shows as an alert."""
    return page.wait(f"const r = (() => {{{SOUND}}})(); return r.muted && !r.paused && !r.promptHidden"
                     " && r.promptRole === 'alert' ? r : null",
                     timeout, f"{page.name}'s call plays muted, the prompt shows", anchor_id)


def wait_sound(page, anchor_id, timeout=5.0):
    """The tile's remote video plays with sound (not muted, not paused) and no prompt
    shows; returns the last SOUND probe (its `activated`: had the page a gesture)."""
    return page.wait(f"const r = (() => {{{SOUND}}})(); return !r.muted && !r.paused && r.promptHidden ? r : null",
                     timeout, f"{page.name}'s call plays with sound, no prompt", anchor_id)


# -- a side that hides its address (issue 23.9) --------------------------------------------
SECRET = "e2e-turn-secret"  # coturn's static-auth-secret and the server's TLC_TURN_SECRET

# Every RTCPeerConnection the page makes, with the ICE transport policy it was made with
# (a function: record_pcs runs it before the page's own scripts).
RECORD_PCS = """() => {
  const Native = window.RTCPeerConnection, made = [];
  window.__pcs = made;
  window.RTCPeerConnection = class extends Native {
    constructor(config, ...rest) {
      super(config, ...rest);
      made.push({pc: this, policy: (config && config.iceTransportPolicy) || 'all'});
    }
  };
}"""
# The candidate types of every local candidate each recorded connection gathered.
LOCAL_TYPES = """
const done = arguments[arguments.length - 1];
Promise.all(window.__pcs.map(({pc, policy}) => pc.getStats().then((stats) => {
  const types = [];
  stats.forEach((s) => { if (s.type === 'local-candidate') types.push(s.candidateType); });
  return {policy, types};
}))).then(done, (err) => done({error: String(err)}));
"""
# A tile's privacy note: what it says, and the tile's data-privacy.
NOTE = ("const n = document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .privacy-note`);"
        "return {hidden: n.hidden, text: n.textContent, privacy: n.parentElement.dataset.privacy || null}")


def record_pcs(driver):
    """RECORD_PCS in every page the driver loads from now on, before the page's scripts:
    CDP for Chromium, a WebDriver BiDi preload script for Firefox (new_firefox(bidi=True))."""
    if getattr(driver, "_tlc_engine", None) == "firefox":
        driver.script.add_preload_script(RECORD_PCS)
    else:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": f"({RECORD_PCS})();"})


def hide_my_address(driver, server):
    """Tick "Hide my network address…" on /me and save, as a person would."""
    driver.get(server.url + "/me")
    box = driver.find_element("id", "hideAddress")
    assert box.is_enabled()
    if not box.is_selected():
        box.click()
    driver.find_element("css selector", "#privacy-form button[type=submit]").click()
    wait_until(driver, "return document.querySelector('#hideAddress')?.checked === true"
               " && document.body.innerText.includes('Privacy setting saved')", 5.0, 0.05,
               "setting saved")


def wait_signaling(page, status, timeout):
    page.wait("return window.tlc.signaling.status === arguments[0]", timeout,
              f"{page.name} signaling {status}", status)


def tile_code(page, anchor_id, timeout=10.0, not_=None):
    """The code the tile shows (waits for one, or for one other than `not_`)."""
    return page.wait("""
        const el = document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .safety`);
        const code = el && el.dataset.code;
        return code && code !== arguments[1] && el.querySelector('.safety-line').innerText.includes(code) && code;
    """, timeout, f"{page.name}'s tile shows a safety code", anchor_id, not_)
