"""Issue 15: the self-view on the call stage moves — dragged with the pointer, or from the
keyboard (focusable; the arrow keys snap it between corners) — stays inside the stage
and above the control bar, keeps its place, and is labelled for assistive tech.
Real pointer and key actions (Selenium ActionChains), geometry by getBoundingClientRect."""
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from .geometry import DESKTOP, PHONE, axe_violations, set_viewport
from .pages import open_pages
from .calls import connect

BOXES = """
const tile = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
const box = (el) => { const r = el.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
return {view: box(tile.querySelector('video.local')), stage: box(tile.querySelector('.stage')),
        bar: box(tile.querySelector('.tile-controls'))};
"""


def boxes(page, anchor):
    return page.js(BOXES, anchor)


def assert_inside(b):
    v, s = b["view"], b["stage"]
    assert s["left"] - 0.5 <= v["left"] and v["right"] <= s["right"] + 0.5, b
    assert s["top"] - 0.5 <= v["top"] and v["bottom"] <= s["bottom"] + 0.5, b
    assert v["bottom"] <= b["bar"]["top"] + 0.5, b  # never under the control bar


def rel(b):
    v, s = b["view"], b["stage"]
    return [round(v["left"] - s["left"]), round(v["top"] - s["top"])]


def corner(b):
    v, s = b["view"], b["stage"]
    mid_x, mid_y = (v["left"] + v["right"]) / 2, (v["top"] + v["bottom"]) / 2
    return ("top" if mid_y < (s["top"] + s["bottom"]) / 2 else "bottom",
            "left" if mid_x < (s["left"] + s["right"]) / 2 else "right")


def test_the_self_view_is_dragged_and_moved_by_keys_inside_the_stage(server, browsers):
    a, b = open_pages(server, browsers, 2)
    a_anchor, _ = connect(a, b)
    set_viewport(a.driver, DESKTOP)
    view = a.driver.find_element("css selector", f".tile[data-anchor-id='{a_anchor}'] video.local")
    start = boxes(a, a_anchor)
    assert corner(start) == ("top", "right")
    assert_inside(start)
    label = view.get_attribute("aria-label")
    assert "self-view" in label and "arrow keys" in label, label

    # drag it 200 px left and 120 px down with the mouse
    ActionChains(a.driver).move_to_element(view).click_and_hold().move_by_offset(-100, 60) \
        .move_by_offset(-100, 60).release().perform()
    moved = boxes(a, a_anchor)
    assert abs(moved["view"]["left"] - (start["view"]["left"] - 200)) <= 2, (start, moved)
    assert abs(moved["view"]["top"] - (start["view"]["top"] + 120)) <= 2, (start, moved)
    assert_inside(moved)

    # dragged far past the stage's edge: it stops at the edge
    # (the pointer goes past the stage's bottom left corner, still inside the window)
    v, st = moved["view"], moved["stage"]
    vh = a.js("return innerHeight")
    dx = max(2, st["left"] - 40) - (v["left"] + v["right"]) / 2
    dy = min(vh - 2, st["bottom"] + 60) - (v["top"] + v["bottom"]) / 2
    ActionChains(a.driver).move_to_element(view).click_and_hold().move_by_offset(int(dx), int(dy)) \
        .release().perform()
    far = boxes(a, a_anchor)
    assert_inside(far)
    assert corner(far) == ("bottom", "left")
    assert far["view"]["left"] - far["stage"]["left"] < 12, far

    # a re-render (mute) keeps it where it was put
    a.click(a_anchor, "mic")
    a.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] [data-action=mic]`)"
           ".getAttribute('aria-pressed') === 'true'", 2.0, "muted", a_anchor)
    after = boxes(a, a_anchor)  # (the click may scroll the page: compare within the stage)
    assert rel(after) == rel(far), (far, after)

    # the keyboard: focus it, the arrow keys snap it between corners
    a.js("arguments[0].focus()", view)
    assert a.js("return document.activeElement === arguments[0]", view)
    keys = ActionChains(a.driver)
    keys.send_keys(Keys.ARROW_UP).perform()
    assert corner(boxes(a, a_anchor)) == ("top", "left")
    keys = ActionChains(a.driver)
    keys.send_keys(Keys.ARROW_RIGHT).perform()
    top_right = boxes(a, a_anchor)
    assert corner(top_right) == ("top", "right")
    assert_inside(top_right)
    ActionChains(a.driver).send_keys(Keys.ARROW_DOWN).perform()
    bottom_right = boxes(a, a_anchor)
    assert corner(bottom_right) == ("bottom", "right")
    assert_inside(bottom_right)
    assert "bottom right" in view.get_attribute("aria-label")
    assert axe_violations(a.driver) == []

    # a phone-sized window: still inside the stage, in the same corner
    set_viewport(a.driver, PHONE)
    a.wait("const t = document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .stage`);"
           "return t.getBoundingClientRect().width < 400", 2.0, "phone layout", a_anchor)
    phone = a.wait(f"const b = (() => {{ {BOXES} }})(); return b.view.right <= b.stage.right + 0.5 && b;",
                   2.0, "self-view inside the narrower stage", a_anchor)
    assert_inside(phone)
    assert corner(phone) == ("bottom", "right")
