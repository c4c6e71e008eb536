"""Issue 15: what a person sees at 1366×800, 1920×1080 and 390×844 — measured in the page
(getBoundingClientRect, scroll widths) and checked by axe-core, never compared to golden
screenshots. Each test fails if its layout or accessibility rule breaks."""
import pytest

from .geometry import (DESKTOP, PHONE, WIDE, axe_violations, in_viewport, overflow_x, rect,
                       set_viewport)
from .pages import SITE_PAGES, CallPage, assert_media_flows

SIZES = [pytest.param(DESKTOP, id="1366x800"), pytest.param(WIDE, id="1920x1080"),
         pytest.param(PHONE, id="390x844")]


def sized(browsers, size):
    return set_viewport(browsers(), size)


def nav_reachable(driver):
    """Every nav link is on screen, or on screen once the menu button opens the nav.
    Returns the links that are not."""
    links = driver.execute_script("return [...document.querySelectorAll('#site-nav a')].map((a) => a.id || a.textContent.trim())")
    assert len(links) >= 5, links

    def hidden_links():
        return [name for i, name in enumerate(links)
                if not in_viewport(driver, driver.execute_script(
                    "return document.querySelectorAll('#site-nav a')[arguments[0]]", i))[0]]

    missing = hidden_links()
    if missing and in_viewport(driver, "#nav-toggle")[0]:
        driver.find_element("id", "nav-toggle").click()
        missing = hidden_links()
        # and each shows its whole text, not "Cha"
        clipped = driver.execute_script(
            "return [...document.querySelectorAll('#site-nav a')].filter((a) => a.scrollWidth > a.clientWidth + 1).length")
        assert not clipped, "nav link text clipped"
        driver.find_element("id", "nav-toggle").click()
    return missing


@pytest.mark.parametrize("size", SIZES)
def test_every_page_fits_the_width_has_its_nav_and_passes_axe(server, browsers, size):
    driver = sized(browsers, size)
    for path in SITE_PAGES:  # a guest's /logout lands on /me
        driver.get(server.url + path)
        if path == "/call":
            CallPage(driver, server).open()
        assert overflow_x(driver) <= 1, f"{path} scrolls sideways at {size}"
        assert nav_reachable(driver) == [], f"{path}: nav items not reachable at {size}"
        assert driver.execute_script("return document.querySelectorAll('h1').length") >= 1, f"{path}: no h1"
        skip = driver.execute_script("const a = document.querySelector('a.skip-link');"
                                     "return a && document.querySelector(a.getAttribute('href')) !== null")
        assert skip, f"{path}: no skip link to the content"
        violations = axe_violations(driver)
        assert violations == [], f"{path} at {size}: {violations}"


def controls_on_screen(page):
    """The remote video, the control bar and Hang up of the first slot, wholly inside the
    viewport as the page stands (the test does not scroll)."""
    tile = f".tile[data-anchor-id='{page.anchor}']"
    found = {}
    for what in ("video.remote", ".tile-controls", "button[data-action='hangup']",
                 "button[data-action='mic']", "button[data-action='cam']"):
        found[what] = in_viewport(page.driver, f"{tile} {what}")
    return {k: v[1] for k, v in found.items() if not v[0]}


@pytest.mark.parametrize("size", SIZES)
def test_in_a_call_the_stage_and_its_controls_fit_and_chat_sits_beside_it(server, browsers, size):
    caller = CallPage(sized(browsers, DESKTOP), server).open()
    callee = CallPage(sized(browsers, size), server).open()
    caller.wait_sees(callee)
    callee.wait_sees(caller)
    caller.click_call(callee)
    callee.wait_phase(callee.anchor, "ringing-in")
    # the ring takes keyboard focus and is announced
    callee.wait("return document.activeElement.dataset.action === 'accept'", 3.0, "focus on Accept")
    callee.wait("return document.querySelector('#announcer').textContent.includes('calling you')", 3.0)
    assert axe_violations(callee.driver) == [], "ringing state"
    callee.driver.switch_to.active_element.click()
    assert_media_flows((caller, caller.anchor), (callee, callee.anchor))
    callee.wait("return document.activeElement.dataset.action === 'hangup'", 3.0, "focus on Hang up")
    assert overflow_x(callee.driver) <= 1
    assert controls_on_screen(callee) == {}, f"off screen at {size}"
    assert axe_violations(callee.driver) == [], "in-call state"

    # focus mode hides the page, not the call's controls or the self-view
    callee.driver.find_element("id", "focus-toggle").click()
    callee.wait("return document.body.classList.contains('focus-mode')", 2.0)
    assert controls_on_screen(callee) == {}, "focus mode hid the controls"
    assert in_viewport(callee.driver, f".tile[data-anchor-id='{callee.anchor}'] video.local")[0], "no self-view"
    callee.js("document.querySelector('#focus-toggle').click()")

    # chat beside the call (desktop) or over it (phone): the video stays put
    video_before = rect(callee.driver, f".tile[data-anchor-id='{callee.anchor}'] video.remote")
    # (clicked where it is: the page object's click() would scroll it to the middle)
    callee.driver.find_element("css selector", f".tile[data-anchor-id='{callee.anchor}'] button[data-action='chat']").click()
    callee.wait("return document.body.classList.contains('chat-open')", 2.0)
    # (the list re-renders while the chat panel loads its conversations, so an element
    # found first may be gone when clicked: find and click it in one step, until open)
    field = "#chat-panel [data-chat-input]"
    callee.wait("const b = [...document.querySelectorAll('#chat-panel .chat-item')]"
                ".find((b) => b.textContent.includes(arguments[0])); if (b) b.click();"
                "const f = document.querySelector(arguments[1]); return f && f.offsetParent !== null",
                5.0, "conversation opened", caller.name, field)
    width = rect(callee.driver, field)["width"]
    assert width >= 240, f"chat input {width}px wide at {size}"
    assert in_viewport(callee.driver, field)[0], rect(callee.driver, field)
    assert in_viewport(callee.driver, "#chat-panel .chat-send")[0], "Send cut off"
    if size != PHONE:
        after = rect(callee.driver, f".tile[data-anchor-id='{callee.anchor}'] video.remote")
        assert abs(after["top"] - video_before["top"]) < 2 and abs(after["width"] - video_before["width"]) < 2, \
            "opening a conversation pushed the video away"
        assert controls_on_screen(callee) == {}
    assert overflow_x(callee.driver) <= 1
    assert axe_violations(callee.driver) == [], "chat-open state"

    # the standalone chat page, same conversation
    callee.driver.get(server.url + "/chat")
    # (the list re-renders as it loads: click it from the page, then wait for the thread)
    callee.wait("const b = [...document.querySelectorAll('.chat-item')].find((b) => b.textContent.includes(arguments[0]));"
                "if (b) b.click(); const f = document.querySelector('[data-chat-input]');"
                "return f && f.offsetParent !== null", 5.0, "conversation opened", caller.name)
    assert rect(callee.driver, "[data-chat-input]")["width"] >= 240
    assert in_viewport(callee.driver, ".chat-send")[0]
    assert overflow_x(callee.driver) <= 1
