"""Issue 31, what was left after e2e/test_call_screen.py: the words people know (31.3),
presenting a screen (31.4), empty states with a next step (31.8) and the smaller ones
(31.9). Measured in the page at 1366×800, 390×844 and 844×390; axe finds nothing serious
or moderate in the states shown. One module: its own server (the empty lobby must be
empty: a page closed mid-call elsewhere stays "away" on the shared one for 30 s) and two
pages shared by every step (the suite's time is tight), so the steps run in order and
each leaves the pages as it found them.
getDisplayMedia in headless Chromium: the default flags' fake UI picks a fake screen."""
import json
import os

import pytest

from .calls import connect, end_call
from .conftest import Server, keep_screenshots
from .geometry import DESKTOP, PHONE, axe_violations, in_viewport, rect, set_viewport
from .pages import CallPage
from .services import close_browser, new_browser

LANDSCAPE = (844, 390)
SIZES = (DESKTOP, PHONE, LANDSCAPE)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "static", "i18n", "en.json"), encoding="utf-8") as f:
    EN = json.load(f)
SERIOUS = ("critical", "serious", "moderate")


@pytest.fixture(scope="module")
def own_server():
    srv = Server().start()
    yield srv
    srv.stop()
    srv.cleanup()


@pytest.fixture(scope="module")
def alone(own_server):
    """Ada's page, the only one on the server."""
    driver = new_browser()
    try:
        a = CallPage(driver, own_server).open()
        a.rename("Ada")
        yield a
    finally:
        close_browser(driver)


@pytest.fixture(scope="module")
def pages(alone, own_server):
    driver = new_browser()
    try:
        b = CallPage(driver, own_server).open()
        b.rename("Bo")
        alone.wait_sees(b, timeout=15.0)  # a bound: a loaded machine takes longer
        yield alone, b
    finally:
        close_browser(driver)


@pytest.fixture
def ab(pages, request):
    yield pages
    keep_screenshots(request, [p.driver for p in pages], "screen2-")
    for p in pages:
        set_viewport(p.driver, DESKTOP)


def overlap(r, q):
    return r["left"] < q["right"] and q["left"] < r["right"] and r["top"] < q["bottom"] and q["top"] < r["bottom"]


def text(page, css):
    return page.js("const el = document.querySelector(arguments[0]); return el && el.textContent.trim()", css)


def test_alone_the_call_and_chat_pages_offer_a_call_link(alone, request):
    # 31.8: "Nobody else is online yet." with no next step, on /call and on /chat
    a = alone
    invite = "#lobby-invite a"
    a.wait("return !document.querySelector('#lobby-invite').hidden", 3.0, "invite offered")
    assert text(a, invite) == EN["chat.inviteByLink"]
    assert axe_violations(a.driver, SERIOUS) == [], "alone"
    for size in SIZES:  # s7: the default window only before
        set_viewport(a.driver, size)
        a.js("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", invite)
        assert in_viewport(a.driver, invite)[0], (size, rect(a.driver, invite))
        a.driver.find_element("css selector", invite).click()
        assert a.js("return document.activeElement.id") == "link-make", size
        assert in_viewport(a.driver, "#link-make")[0], (size, rect(a.driver, "#link-make"))
    a.driver.get(a.server.url + "/chat")
    a.wait("return document.querySelector('.chat-invite')", 5.0, "chat's empty state")
    for size in SIZES:
        set_viewport(a.driver, size)
        assert in_viewport(a.driver, ".chat-invite")[0], (size, rect(a.driver, ".chat-invite"))
    set_viewport(a.driver, DESKTOP)
    # relative, so behind a path prefix it stays on this site
    assert a.js("return document.querySelector('.chat-invite').getAttribute('href')") == "call#links-panel"
    assert a.js("return document.querySelector('.chat-invite').href") == a.server.url + "/call#links-panel"
    assert a.js("return document.querySelector('.chat-invite').parentElement.textContent")\
        .startswith(EN["chat.nobodyOnline"])
    a.open()
    keep_screenshots(request, [a.driver], "screen2-")


def test_the_call_page_speaks_of_lines_people_can_call(ab):
    # 31.3: "Your call slots", "Slot 1", "+ Add slot", "Go offline", "Free"
    a, b = ab
    assert a.js("return document.querySelector('#lobby-invite').hidden"), "someone is here: no invite"
    tile = f".tile[data-anchor-id='{a.anchor}']"
    assert text(a, "#anchors-title") == "Your lines"
    assert text(a, "#add-anchor") == "Add a line"
    assert a.js("return document.querySelector(arguments[0]).value", f"{tile} .anchor-name") == "Line 1"
    assert text(a, f"{tile} .pill") == EN["pill.idle"] == "Available"
    assert text(a, f"{tile} button[data-action='online']") == EN["tile.goOffline"] == "Stop taking calls"
    assert text(a, ".size-label") == "Video size"  # "Tile size" was a word for engineers
    for size in SIZES:  # s7: 1366 only before
        set_viewport(a.driver, size)
        a.js("scrollTo(0, 0)")
        for css in ("#anchors-title", "#add-anchor", f"{tile} .pill", f"{tile} button[data-action='online']"):
            a.js("document.querySelector(arguments[0]).scrollIntoView({block: 'nearest'})", css)
            assert in_viewport(a.driver, css)[0], (size, css, rect(a.driver, css))


def test_presenting_has_its_button_a_banner_and_shows_large_on_the_other_side(ab):
    # 31.4: screen sharing was an option in the "Send" menu, with no presenting state.
    a, b = ab
    a_line, b_line = connect(a, b)
    at, bt = f".tile[data-anchor-id='{a_line}']", f".tile[data-anchor-id='{b_line}']"
    present = f"{bt} .present-btn"
    assert b.js("return document.querySelector(arguments[0]).getAttribute('aria-label')", present) == EN["present.start"]
    b.js("arguments[0].scrollIntoView({block: 'center'})", b.driver.find_element("css selector", present))
    b.driver.find_element("css selector", present).click()  # a real click: getDisplayMedia needs one
    b.wait("return document.querySelector(arguments[0]).dataset.presenting === 'true'", 5.0, "presenting", bt)
    assert b.js("return document.querySelector(arguments[0]).getAttribute('aria-pressed')", present) == "true"
    assert text(b, f"{bt} .present-banner .present-text") == EN["present.banner"]
    # the other side: told, the screen large and whole
    a.wait("return document.querySelector(arguments[0]).dataset.peerScreen === 'true'", 5.0, "peer presenting", at)
    assert text(a, f"{at} .peer-presenting") == EN["present.peer"].format(name="Bo")
    a.js("document.querySelector(arguments[0]).scrollIntoView({block: 'start'})", f"{at} .stage")
    stage, grid = rect(a.driver, f"{at} .stage"), rect(a.driver, "#anchor-grid")
    assert stage["width"] >= grid["width"] - 2 and stage["height"] >= 0.6 * stage["vh"], (stage, grid)
    assert a.js("return getComputedStyle(document.querySelector(arguments[0])).objectFit", f"{at} video.remote") == "contain"
    assert axe_violations(a.driver, SERIOUS) == [], "watching a presentation"
    # the banner and its Stop in view at every size
    for size in (DESKTOP, PHONE, LANDSCAPE):
        set_viewport(b.driver, size)
        b.js("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", f"{bt} .stage")
        for css in (f"{bt} .present-banner", f"{bt} .stop-present"):
            assert in_viewport(b.driver, css)[0], (size, css, rect(b.driver, css))
        # s7: on a phone the banner lay over the self-view; neither covers the other
        banner, me = rect(b.driver, f"{bt} .present-banner"), rect(b.driver, f"{bt} video.local")
        assert me["visible"] and not overlap(banner, me), (size, banner, me)
        # its words whole: on a phone they were cut to "You are presen… your screen"
        assert b.js("const e = document.querySelector(arguments[0]); return e.scrollWidth <= e.clientWidth + 1",
                    f"{bt} .present-banner .present-text"), size
    assert axe_violations(b.driver, SERIOUS) == [], "presenting"
    # Stop presenting: back to the camera, the other side back to normal
    b.driver.find_element("css selector", f"{bt} .stop-present").click()
    b.wait("return !document.querySelector(arguments[0]).dataset.presenting", 5.0, "stopped", bt)
    assert b.js("return window.tlc.media.get(arguments[0]).sourceId", b_line) == "camera"
    assert b.js("return document.querySelector(arguments[0]).hidden", f"{bt} .present-banner")
    a.wait("return !document.querySelector(arguments[0]).dataset.peerScreen", 5.0, "peer stopped", at)
    # 31.9: how the call ended, and "Call again" under it
    end_call(b)
    again = f"{at} button[data-action='callAgain']"
    a.wait("return !document.querySelector(arguments[0]).hidden", 5.0, "call again offered", again)
    assert text(a, again) == EN["outcome.callAgain"]
    for size in SIZES:  # in reach at every size
        set_viewport(a.driver, size)
        a.js("document.querySelector(arguments[0]).scrollIntoView({block: 'nearest'})", again)
        assert in_viewport(a.driver, again)[0], (size, rect(a.driver, again))
    set_viewport(a.driver, DESKTOP)
    assert axe_violations(a.driver, SERIOUS) == [], "call ended, Call again"
    a.driver.find_element("css selector", again).click()
    b.wait_phase(b_line, "ringing-in")
    b.click(b_line, "decline")
    a.wait_phase(a_line, "idle")


def test_single_key_shortcuts_can_be_turned_off(ab):
    # 31.9, WCAG 2.1.4: M, V, C, F, ? and Shift+H could not be turned off
    a, _ = ab
    mic = "return window.tlc.media.get(arguments[0]).micOn"
    keys = f".tile[data-anchor-id='{a.anchor}'] button[data-action='shortcuts']"
    for size in SIZES:  # the switch and the way out of its dialog in view where there are keys
        set_viewport(a.driver, size)
        if size == PHONE:  # no keyboard, no shortcuts (app.css): nothing to turn off
            assert not a.driver.find_element("css selector", keys).is_displayed()
            continue
        a.click(a.anchor, "shortcuts")
        for css in ("#shortcuts-on", "#shortcuts-close"):
            assert in_viewport(a.driver, css)[0], (size, css, rect(a.driver, css))
        a.driver.find_element("id", "shortcuts-close").click()
    set_viewport(a.driver, DESKTOP)
    a.click(a.anchor, "shortcuts")
    a.driver.find_element("id", "shortcuts-on").click()  # off
    a.driver.find_element("id", "shortcuts-close").click()
    a.js("document.activeElement.blur()")
    a.driver.find_element("css selector", "body").send_keys("m")
    assert a.js(mic, a.anchor) is True, "M muted with the shortcuts off"
    assert a.js("return localStorage.getItem('tlc.shortcutsOff')") == "1"
    a.click(a.anchor, "shortcuts")
    a.driver.find_element("id", "shortcuts-on").click()  # on again
    a.driver.find_element("id", "shortcuts-close").click()
    a.js("document.activeElement.blur()")
    a.driver.find_element("css selector", "body").send_keys("m")
    a.wait(f"{mic} === false", 2.0, "M mutes", a.anchor)
    a.driver.find_element("css selector", "body").send_keys("m")
    a.wait(f"{mic} === true", 2.0, "M unmutes", a.anchor)


def test_enter_sends_is_said_only_with_a_keyboard(ab):
    # 31.9: "(Enter sends, Shift+Enter: new line)" on a phone, whose Enter is a new line
    a, _ = ab
    shown = "return getComputedStyle(document.querySelector('#chat-keys')).display !== 'none'"
    assert a.js(shown) and text(a, "#chat-keys") == "Enter sends, Shift+Enter: new line"
    set_viewport(a.driver, PHONE)
    assert not a.js(shown)
    assert a.js("return document.querySelector('#chat-panel [data-chat-input]').placeholder") == "Write a message…"
