"""Group calls end to end (issue 26): four browsers — three headless Chromium and one
Firefox ESR (Cy) — build one call by "ring several" and "Add to call", every page sees
every other party's media moving on its party tile, one leaves and the others go on, a
reload (Firefox's) rejoins, and the last two hang up. The server has a real coturn
(e2e/services.py Coturn): Di hides their address and verified Ann before the call, so in
the call Di's connections to Bo and Cy are relay-only and Di's to Ann is a direct host pair
(e2e/group_privacy.py). One shared setup (the four pages) and one test walking the call's
life, in low resolution and frame rate so four browsers fit on two cores. Screenshots with
3 and 4 parties at 1366x800 and 390x844 go to docs/screenshots/ (TLC_GROUP_SHOTS=1), axe
at each size, on Firefox (3) and Chromium (4)."""
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from selenium.common.exceptions import WebDriverException

from .calls import SECRET, hide_my_address, wait_resumed
from .conftest import ARTIFACTS
from .geometry import DESKTOP, PHONE, in_viewport, overflow_x
from .group import (add_button, assert_parties_flow, axe_group, click_add, low_res, rename, reset_viewport,
                    ring_selected, viewport, wait_parties)
from .group_privacy import assert_privacy_per_pair, verify_before_call
from .pages import CallPage, assert_media_flows
from .services import wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(ROOT, "docs", "screenshots")
with open(os.path.join(ROOT, "static", "i18n", "en.json"), encoding="utf-8") as f:
    EN = json.load(f)
FLOW_S = 45.0  # four browsers on two cores: a new pair connects in seconds, not at once
SEES_S = 15.0


@pytest.fixture
def four(request, turn, server_factory, browsers, firefoxes):
    # Four browsers in calls on two cores: a page's main thread can stall for seconds, so
    # rings, heartbeats and the reconnect grace get room to outlast that. A failed test
    # keeps the server's log in e2e/artifacts/ (beside the pages' screenshots).
    coturn = turn(SECRET)
    srv = server_factory(TLC_RING_TIMEOUT="120", TLC_PING_TIMEOUT="30", TLC_RECONNECT_GRACE="120",
                         TLC_TURN_URLS=json.dumps([coturn.url]), TLC_TURN_SECRET=SECRET)
    with ThreadPoolExecutor(4) as pool:  # a browser start is seconds: all at once
        drivers = list(pool.map(lambda start: start(), [browsers, browsers, lambda: firefoxes(bidi=True), browsers]))
    hide_my_address(drivers[3], srv)  # Di, on /me, before the call page
    # one page at a time: four loading at once on two loaded cores outlasted open()'s bound
    pages = [CallPage(driver, srv).open() for driver in drivers]
    for page in pages:  # a ring sent before the callee has joined would be lost
        page.wait_sees(*[p for p in pages if p is not page], timeout=SEES_S)
    for page, name in zip(pages, ["Ann", "Bo", "Cy", "Di"]):
        rename(page, name)
        low_res(page)
    yield pages
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        os.makedirs(ARTIFACTS, exist_ok=True)
        shutil.copy(srv.log_path, os.path.join(ARTIFACTS, f"{request.node.name}-server.log"))


# What of the party tiles' names and pin buttons the self-view lies over.
UNDER_SELF_VIEW = """
const tile = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
const me = tile.querySelector('.stage .local').getBoundingClientRect();
const over = (r) => r.width && me.left < r.right && r.left < me.right && me.top < r.bottom && r.top < me.bottom;
return [...tile.querySelectorAll('.party-head .pin-btn, .party-head .party-name')]
  .filter((el) => over(el.getBoundingClientRect())).map((el) => el.textContent || el.getAttribute('aria-label'));
"""


# Where the self-view lies: the grid's free cell (party-grid.js .self-cell, views/group-layout.js)
# and the party tiles, as rects; null when there is no free cell.
SELF_PLACE = """
const tile = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
const rect = (el) => { const r = el.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
const cell = tile.querySelector('.party-grid:not([hidden]) .self-cell');
const me = tile.querySelector('.stage .local');
return {me: rect(me), cell: cell && rect(cell), tabIndex: me.tabIndex, label: me.getAttribute('aria-label'),
        tiles: [...tile.querySelectorAll('.party-grid .party-tile')].map(rect)};
"""

# The overlays of each party tile (name and pin, signs, safety code, unmute): their heights,
# the tile's, the band of video between the head and the foot, and the words' sizes.
OVERLAYS = """
const tile = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
return [...tile.querySelectorAll('.party-grid .party-tile')].map((el) => {
  const t = el.getBoundingClientRect();
  const height = (sel) => { const e = el.querySelector(sel); return e && e.getClientRects().length ? e.getBoundingClientRect().height : 0; };
  const head = el.querySelector('.party-head').getBoundingClientRect();
  const foot = el.querySelector('.party-foot');
  const top = foot.getClientRects().length ? foot.getBoundingClientRect().top : t.bottom;
  return {peer: el.dataset.peerAnchorId, tile: t.height, clear: Math.min(top, t.bottom) - Math.max(head.bottom, t.top),
          parts: {head: head.height, foot: height('.party-foot'), note: height('.party-note'), unmute: height('.unmute-btn')},
          fonts: [...el.querySelectorAll('.party-name, .party-note, .code-btn')].filter((e) => e.getClientRects().length)
            .map((e) => parseFloat(getComputedStyle(e).fontSize))};
});
"""


def inside(a, b, slack=1.5):
    return (a["left"] >= b["left"] - slack and a["top"] >= b["top"] - slack
            and a["right"] <= b["right"] + slack and a["bottom"] <= b["bottom"] + slack)


def overlaps(a, b, slack=1.5):
    return (a["left"] < b["right"] - slack and b["left"] < a["right"] - slack
            and a["top"] < b["bottom"] - slack and b["top"] < a["bottom"] - slack)


def self_in_free_cell(page):
    """The self-view fills the grid's free cell and lies over no party tile."""
    place = {}

    def placed():
        place.update(page.js(SELF_PLACE, page.anchor))
        return place["cell"] is not None and inside(place["me"], place["cell"]) \
            and not any(overlaps(place["me"], t) for t in place["tiles"])
    try:
        wait_for(placed, 5.0, "the self-view in the grid's free cell, over no party tile")
    except AssertionError as err:
        raise AssertionError(f"{err}: {place}") from None
    # a tile of the grid cannot be moved: no key stop, and its name does not say "drag it"
    assert place["tabIndex"] == -1 and place["label"] == EN["tile.previewMuted"], place
    return place


def compact_overlays(page):
    """A phone on its side: each overlay of a party tile at most a third of the tile's
    height, a third of the tile's video clear between them, the words >= 12 px; the
    safety code behind its button."""
    found = page.js(OVERLAYS, page.anchor)
    for o in found:
        assert all(h <= o["tile"] / 3 + 0.5 for h in o["parts"].values()), o
        assert o["clear"] >= o["tile"] / 3, o
        assert o["fonts"] and min(o["fonts"]) >= 12, o
    css = f".tile[data-anchor-id='{page.anchor}'] .party-tile"
    button = page.driver.find_element("css selector", f"{css} .code-btn")
    button.click()
    page.wait("return document.querySelector(arguments[0]).getClientRects().length > 0", 5.0,
              "the safety code shown on its button", f"{css}[data-show-code] .party-foot .safety")
    button.click()
    assert button.get_attribute("aria-expanded") == "false"


LANDSCAPES = ((844, 390), (667, 375))


def look(page, parties):
    """axe 0 serious, no sideways scroll, and the self-view over no party's name or pin
    button, at both sizes; screenshots kept on request."""
    for size, tag in ((DESKTOP, "desktop"), (PHONE, "phone")):
        viewport(page.driver, size)
        page.js("document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).scrollIntoView({block: 'start'})",
                page.anchor)
        assert overflow_x(page.driver) <= 1, (tag, parties)
        page.wait("return (() => {" + UNDER_SELF_VIEW + "})().length === 0", 5.0,
                  f"the self-view leaves every party's name and pin button free ({tag}, {parties})", page.anchor)
        if tag == "desktop" and parties - 1 in (3, 5):  # a free cell (group-layout.js): the self-view in it
            self_in_free_cell(page)
        page.driver.set_script_timeout(120)  # axe on a page in a call, four browsers on two cores
        try:
            assert axe_group(page.driver) == [], (tag, parties)
        finally:
            page.driver.set_script_timeout(30)
        if os.environ.get("TLC_GROUP_SHOTS"):
            os.makedirs(SHOTS, exist_ok=True)
            try:  # a picture for people to look at, not a check: a loaded machine may time it out
                page.driver.save_screenshot(os.path.join(SHOTS, f"group-{parties}-{tag}.png"))
            except WebDriverException as err:
                print(f"screenshot group-{parties}-{tag} not taken: {err.msg}")
    # a phone on its side, wide and narrow: the party tiles and the bar under them in the
    # screen at once
    tile = f".tile[data-anchor-id='{page.anchor}']"
    for size in LANDSCAPES:
        viewport(page.driver, size)
        page.js("document.querySelector(arguments[0]).scrollIntoView({block: 'start'})", tile)
        for css in (f"{tile} button[data-action='hangup']", f"{tile} .stage"):
            shown, where = in_viewport(page.driver, css)
            assert shown, (size, parties, css, where)
        if size == LANDSCAPES[0]:
            compact_overlays(page)
            if parties - 1 in (3, 5):
                self_in_free_cell(page)
    reset_viewport(page.driver)


def test_four_build_a_call_by_ring_several_and_add_leave_rejoin_and_hang_up(four):
    ann, bo, cy, di = four
    a, b, c, d = (p.anchor for p in four)
    verified_code = verify_before_call(di, ann)  # Di verified Ann (the code of their calls)

    # Ann rings Bo and Cy together: the call starts with Bo, Cy joins it on her accept.
    ring_selected(ann, bo, cy)
    bo.wait_phase(b, "ringing-in")
    cy.wait_phase(c, "ringing-in")
    bo.click(b, "accept")
    ann.wait(f"return document.querySelector(`.tile[data-anchor-id='{a}']`).dataset.callId", 10.0,
             "Ann's call is live with Bo")  # Cy's accept then joins it
    cy.click(c, "accept")
    assert_parties_flow((ann, a, [b, c]), (bo, b, [a, c]), (cy, c, [a, b]), timeout=FLOW_S)
    bo.wait(f"return document.querySelector(`.tile[data-anchor-id='{b}'] .party-roster`).textContent.includes('Cy')",
            5.0, "Bo's call screen says Cy joined")
    look(cy, 3)

    # Bo adds Di from the lobby.
    bo.wait("return !document.querySelector(arguments[0]).hidden", 5.0, "Bo sees 'Add to call' on Di's slot",
            add_button(d))
    click_add(bo, di)
    di.wait_phase(d, "ringing-in")
    ring = di.js(f"return document.querySelector(`.tile[data-anchor-id='{d}'] .ring-text`).textContent")
    assert all(name in ring for name in ("Ann", "Bo", "Cy")), ring  # who is in the call already
    di.click(d, "accept")
    flows = assert_parties_flow((ann, a, [b, c, d]), (bo, b, [a, c, d]), (cy, c, [a, b, d]), (di, d, [a, b, c]),
                                timeout=FLOW_S)
    # one safety code per pair, the same on both ends of it
    codes = {(page.anchor, peer): probe["code"] for page, probes in zip(four, flows) for peer, probe in probes.items()}
    for (mine, peer), code in codes.items():
        assert code and code == codes[(peer, mine)], codes
    # every party sends at low resolution (low_res), its encoder at most scaling it down
    sizes = {(page.name, peer): probe["width"] for page, probes in zip(four, flows) for peer, probe in probes.items()}
    assert all(0 < width <= 160 for width in sizes.values()), sizes
    # Di hides their address: relay-only towards Bo and Cy, a host pair with Ann (verified).
    assert_privacy_per_pair((di, d), (ann, a), [(bo, b), (cy, c)], verified_code)
    look(di, 4)

    # Di leaves: the three others go on, with media.
    di.click(d, "hangup")
    di.wait_idle(d, "hangup")
    assert_parties_flow((ann, a, [b, c]), (bo, b, [a, c]), (cy, c, [a, b]), timeout=FLOW_S)

    # Cy reloads mid-call: the same call comes back, to both others.
    call_id = cy.tile_attr(c, "data-call-id")
    cy.driver.refresh()
    wait_resumed(cy, timeout=15.0)
    cy.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).dataset.callId === arguments[1]",
            15.0, "Cy's slot has the call again", c, call_id)
    assert_parties_flow((ann, a, [b, c]), (bo, b, [a, c]), (cy, c, [a, b]), timeout=FLOW_S)

    # Ann hangs up: Bo and Cy are a two-party call; then they hang up too.
    ann.click(a, "hangup")
    ann.wait_idle(a, "hangup")
    assert_media_flows((bo, b), (cy, c), timeout=FLOW_S)
    bo.click(b, "hangup")
    bo.wait_idle(b, "hangup")
    cy.wait_idle(c, "hangup")
    wait_parties(bo, b, [])
    # nothing a page sent was dropped by the server unanswered (a polling POST over
    # python-engineio's packet cap was: polling.allow_burst)
    errors = [line for line in ann.server.log().splitlines() if " ERROR " in line]
    assert not errors, errors
