"""Helpers shared by call tests (test_engines, test_aiortc_peer, test_ring_prepared,
test_firefox_ring_attack): what a page received, its prepared session, and leaving a
page idle."""
from selenium.common.exceptions import WebDriverException

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
