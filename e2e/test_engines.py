"""Issues 23 and 36: calls between Chromium and Firefox ESR (e2e/firefox.py), in both
directions. The ring is prepared (the caller's offer travels with call:ring, the callee
answers and gathers while it rings and holds it all until Accept); after Accept real
media flows both ways (remote <video> sized and playing, inbound bytes growing on both
engines); microphone and camera off show on the peer's tile; a hang-up ends it on both.
A second test counts the descriptions of such a call (exactly one offer, one answer).
"""
import pytest

from .pages import CallPage, assert_media_flows
from .test_ring_prepared import HELD, RECEIVED

DIRECTIONS = ["chromium-calls-firefox", "firefox-calls-chromium"]

# The descriptions a page received, in order: (event, type).
DESCRIPTIONS = """
return window.tlc.signaling.received.flatMap((r) => {
  const d = r.event === 'call:ring' ? r.data.offer : r.event === 'call:signal' ? r.data.description : null;
  return d ? [[r.event, d.type]] : [];
});
"""
SETUPS = "return window.tlc.calls.prepared.setups"


def open_pair(server, browsers, firefoxes, direction):
    """(caller, callee) pages on /call, one in each engine, each seeing the other."""
    chromium = CallPage(browsers(), server).open()
    firefox = CallPage(firefoxes(), server).open()
    chromium.wait_sees(firefox)
    firefox.wait_sees(chromium)
    return (chromium, firefox) if direction == DIRECTIONS[0] else (firefox, chromium)


def ring_prepared(caller, callee):
    """Ring; the callee gets the offer with the ring and prepares its answer, and nothing
    of the callee reaches the caller before Accept."""
    caller.click_call(callee)
    callee.wait_phase(callee.anchor, "ringing-in")
    caller.wait_phase(caller.anchor, "ringing-out")
    [rung] = [r for r in callee.js(RECEIVED) if r["event"] == "call:ring"]
    offer = rung["data"].get("offer")
    assert offer and offer["type"] == "offer" and "m=video" in offer["sdp"], rung
    held = callee.wait(HELD, 8.0, "the callee's answer and candidates prepared and held", callee.anchor)
    assert held["role"] == "callee" and held["held"] is True and held["answers"] == 1, held
    caller.wait(HELD, 8.0, "the caller gathered, held", caller.anchor)
    got = [r["event"] for r in caller.js(RECEIVED)]
    assert "call:signal" not in got and "call:started" not in got, got


def switch(page, control, attr, other, value):
    """Click `control` (mic / cam) on page's tile; the other page's tile shows it."""
    page.click(page.anchor, control)
    other.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`)"
               ".getAttribute(arguments[1]) === arguments[2]", 3.0,
               f"{other.name} sees {page.name}'s {control} {value}", other.anchor, attr, value)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_call_between_chromium_and_firefox(server, browsers, firefoxes, direction):
    caller, callee = open_pair(server, browsers, firefoxes, direction)
    ring_prepared(caller, callee)
    callee.click(callee.anchor, "accept")
    # Firefox sends 320x240 at first and more later: any size will do
    assert_media_flows((caller, caller.anchor), (callee, callee.anchor), timeout=10.0)
    for page in (caller, callee):
        assert page.js(SETUPS) == {"prepared": 1, "fallback": 0}, page.name
    # Microphone and camera, each way: off shows on the peer's tile, on again clears it.
    for page, other in ((caller, callee), (callee, caller)):
        switch(page, "mic", "data-peer-audio", other, "false")
        switch(page, "cam", "data-peer-video", other, "false")
        switch(page, "mic", "data-peer-audio", other, "true")
        switch(page, "cam", "data-peer-video", other, "true")
    assert_media_flows((caller, caller.anchor), (callee, callee.anchor), timeout=10.0)

    callee.click(callee.anchor, "hangup")
    assert "hung up" in caller.wait_idle(caller.anchor, "hangup")
    assert "You hung up" in callee.wait_idle(callee.anchor, "hangup")
    for page in (caller, callee):
        page.wait("return window.tlc.sessions.size === 0", 3.0, f"{page.name}: no session left")


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_prepared_call_between_engines_sends_one_offer_and_one_answer(
        server, browsers, firefoxes, direction):
    """Issue 36, item 1: each page's receive log holds every description the other sent;
    in the whole call there is exactly one offer (with the ring) and one answer."""
    caller, callee = open_pair(server, browsers, firefoxes, direction)
    ring_prepared(caller, callee)
    callee.click(callee.anchor, "accept")
    assert_media_flows((caller, caller.anchor), (callee, callee.anchor), timeout=10.0)
    to_callee, to_caller = callee.js(DESCRIPTIONS), caller.js(DESCRIPTIONS)
    callee.click(callee.anchor, "hangup")
    caller.wait_idle(caller.anchor, "hangup")
    assert (to_callee, to_caller) == ([["call:ring", "offer"]], [["call:signal", "answer"]])
