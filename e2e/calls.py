"""Helpers shared by the call tests whose pages serve several tests (test_engines,
test_aiortc_peer): the descriptions a page received, and leaving a page idle."""
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
