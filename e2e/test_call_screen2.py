"""Issue 31, what was left after e2e/test_call_screen.py: the words people know (31.3),
presenting a screen (31.4), empty states with a next step (31.8) and the smaller ones
(31.9). Measured in the page at 1366×800, 390×844 and 844×390; axe finds nothing serious
or moderate in the states shown. One module: two pages shared by every step (the suite's
time is tight), so the steps run in order and each leaves the pages as it found them.
getDisplayMedia in headless Chromium: the default flags' fake UI picks a fake screen."""
import json
import os

import pytest

from .calls import connect, end_call
from .conftest import keep_screenshots
from .geometry import DESKTOP, PHONE, axe_violations, in_viewport, rect, set_viewport
from .pages import CallPage
from .services import close_browser, new_browser

LANDSCAPE = (844, 390)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "static", "i18n", "en.json"), encoding="utf-8") as f:
    EN = json.load(f)
SERIOUS = ("critical", "serious", "moderate")


@pytest.fixture(scope="module")
def pages(server):
    drivers = [new_browser(), new_browser()]
    try:
        a = CallPage(drivers[0], server).open()
        a.rename("Ada")
        b = CallPage(drivers[1], server).open()
        b.rename("Bo")
        yield a, b
    finally:
        for d in drivers:
            close_browser(d)


@pytest.fixture
def ab(pages, request):
    yield pages
    keep_screenshots(request, [p.driver for p in pages], "screen2-")
    for p in pages:
        set_viewport(p.driver, DESKTOP)


def text(page, css):
    return page.js("const el = document.querySelector(arguments[0]); return el && el.textContent.trim()", css)


def test_the_call_page_speaks_of_lines_people_can_call(ab):
    # 31.3: "Your call slots", "Slot 1", "+ Add slot", "Go offline", "Free"
    a, _ = ab
    tile = f".tile[data-anchor-id='{a.anchor}']"
    assert text(a, "#anchors-title") == "Your lines"
    assert text(a, "#add-anchor") == "Add a line"
    assert a.js("return document.querySelector(arguments[0]).value", f"{tile} .anchor-name") == "Line 1"
    assert text(a, f"{tile} .pill") == EN["pill.idle"] == "Available"
    assert text(a, f"{tile} button[data-action='online']") == EN["tile.goOffline"] == "Stop taking calls"


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
    assert axe_violations(b.driver, SERIOUS) == [], "presenting"
    # Stop presenting: back to the camera, the other side back to normal
    b.driver.find_element("css selector", f"{bt} .stop-present").click()
    b.wait("return !document.querySelector(arguments[0]).dataset.presenting", 5.0, "stopped", bt)
    assert b.js("return window.tlc.media.get(arguments[0]).sourceId", b_line) == "camera"
    assert b.js("return document.querySelector(arguments[0]).hidden", f"{bt} .present-banner")
    a.wait("return !document.querySelector(arguments[0]).dataset.peerScreen", 5.0, "peer stopped", at)
    end_call(b)
    a.wait_phase(a_line, "idle")
