"""Issues 23 and 36: calls between Chromium and Firefox ESR (e2e/firefox.py), in both
directions. The ring is prepared (the caller's offer travels with call:ring, the callee
answers and gathers while it rings and holds it all until Accept); after Accept real
media flows both ways (remote <video> sized and playing, inbound bytes growing on both
engines); microphone and camera off show on the peer's tile; a hang-up ends it on both.
A second test counts the descriptions of such a call (exactly one offer, one answer), a
third compares the safety codes of the two tiles. One Chromium and one Firefox page serve
the module's calls (a browser start is seconds on a loaded machine); each test starts
from idle slots and clean receive logs (a page that does not get back to idle is loaded
again), and a failed test keeps screenshots of both pages in e2e/artifacts/. Waits are
10 s or more: two browsers share two loaded cores.
"""
import pytest

from .calls import DESCRIPTIONS, HELD, RECEIVED, end_call, recover
from .conftest import keep_screenshots
from .firefox import new_firefox
from .pages import CallPage, assert_media_flows
from .services import close_browser, new_browser
from .calls import tile_code

DIRECTIONS = ["chromium-calls-firefox", "firefox-calls-chromium"]
SETUPS = "return window.tlc.calls.prepared.setups"
WAIT_S = 10.0


@pytest.fixture(scope="module")
def engine_pages(server):
    """(chromium, firefox) pages on /call, kept for the module."""
    drivers = []
    try:
        drivers.append(new_browser())
        drivers.append(new_firefox())
        yield tuple(CallPage(driver, server).open() for driver in drivers)
    finally:
        for driver in drivers:
            close_browser(driver)


@pytest.fixture
def pages(engine_pages, request):
    """The module's pages for one test; screenshots of both when it failed."""
    yield engine_pages
    keep_screenshots(request, [page.driver for page in engine_pages], "engine")


def open_pair(engine_pages, direction):
    """(caller, callee): idle (loaded again if need be), each seeing the other, their
    receive logs emptied."""
    chromium, firefox = engine_pages
    for page in engine_pages:
        recover(page)
    chromium.wait_sees(firefox, timeout=WAIT_S)
    firefox.wait_sees(chromium, timeout=WAIT_S)
    for page in engine_pages:
        page.js("window.tlc.signaling.received.length = 0")
    return (chromium, firefox) if direction == DIRECTIONS[0] else (firefox, chromium)


def ring_prepared(caller, callee):
    """Ring; the callee gets the offer with the ring and prepares its answer, and nothing
    of the callee reaches the caller before Accept."""
    caller.click_call(callee)
    callee.wait_phase(callee.anchor, "ringing-in", WAIT_S)
    caller.wait_phase(caller.anchor, "ringing-out", WAIT_S)
    [rung] = [r for r in callee.js(RECEIVED) if r["event"] == "call:ring"]
    offer = rung["data"].get("offer")
    assert offer and offer["type"] == "offer" and "m=video" in offer["sdp"], rung
    held = callee.wait(HELD, WAIT_S, "the callee's answer and candidates prepared and held", callee.anchor)
    assert held["role"] == "callee" and held["held"] is True and held["answers"] == 1, held
    caller.wait(HELD, WAIT_S, "the caller gathered, held", caller.anchor)
    got = [r["event"] for r in caller.js(RECEIVED)]
    assert "call:signal" not in got and "call:started" not in got, got


def switch(page, control, attr, other, value):
    """Click `control` (mic / cam) on page's tile; the other page's tile shows it."""
    page.click(page.anchor, control)
    other.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`)"
               ".getAttribute(arguments[1]) === arguments[2]", WAIT_S,
               f"{other.name} sees {page.name}'s {control} {value}", other.anchor, attr, value)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_call_between_chromium_and_firefox(pages, direction):
    caller, callee = open_pair(pages, direction)
    setups = [page.js(SETUPS) for page in (caller, callee)]
    ring_prepared(caller, callee)
    callee.click(callee.anchor, "accept")
    # Firefox sends 320x240 at first and more later: any size will do
    assert_media_flows((caller, caller.anchor), (callee, callee.anchor), timeout=10.0)
    for page, before in zip((caller, callee), setups):  # both used what they prepared
        assert page.js(SETUPS) == {"prepared": before["prepared"] + 1,
                                   "fallback": before["fallback"]}, page.name
    # Microphone and camera, each way: off shows on the peer's tile, on again clears it.
    for page, other in ((caller, callee), (callee, caller)):
        switch(page, "mic", "data-peer-audio", other, "false")
        switch(page, "cam", "data-peer-video", other, "false")
        switch(page, "mic", "data-peer-audio", other, "true")
        switch(page, "cam", "data-peer-video", other, "true")
    assert_media_flows((caller, caller.anchor), (callee, callee.anchor), timeout=10.0)

    callee.click(callee.anchor, "hangup")
    assert "hung up" in caller.wait_idle(caller.anchor, "hangup", WAIT_S)
    assert "You hung up" in callee.wait_idle(callee.anchor, "hangup", WAIT_S)
    for page in (caller, callee):
        page.wait("return window.tlc.sessions.size === 0", WAIT_S, f"{page.name}: no session left")


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_prepared_call_between_engines_sends_one_offer_and_one_answer(pages, direction):
    """Issue 36, item 1: each page's receive log holds every description the other sent;
    in the whole call there is exactly one offer (with the ring) and one answer."""
    caller, callee = open_pair(pages, direction)
    ring_prepared(caller, callee)
    callee.click(callee.anchor, "accept")
    assert_media_flows((caller, caller.anchor), (callee, callee.anchor), timeout=10.0)
    callee.click(callee.anchor, "hangup")
    caller.wait_idle(caller.anchor, "hangup", WAIT_S)
    callee.wait_phase(callee.anchor, "idle", WAIT_S)
    # read once both are idle: an offer sent late (a renegotiation) is counted too
    to_callee, to_caller = callee.js(DESCRIPTIONS), caller.js(DESCRIPTIONS)
    assert (to_callee, to_caller) == ([["call:ring", "offer"]], [["call:signal", "answer"]])


def test_both_engines_show_the_same_safety_code(pages):
    """Issue 36, item 3: a safety code in every browser, the same on both tiles."""
    caller, callee = open_pair(pages, DIRECTIONS[0])
    ring_prepared(caller, callee)
    callee.click(callee.anchor, "accept")
    assert_media_flows((caller, caller.anchor), (callee, callee.anchor), timeout=10.0)
    codes = {}
    for page in (caller, callee):
        try:
            codes[page.driver.name] = tile_code(page, page.anchor)
        except AssertionError:
            codes[page.driver.name] = None
    end_call(callee)
    caller.wait_phase(caller.anchor, "idle", WAIT_S)
    assert None not in codes.values() and len(set(codes.values())) == 1, codes
