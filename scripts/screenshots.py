"""`make screenshots`: start the app, drive two headless browsers into a call and save
PNGs of what people see to docs/screenshots/ (the README shows them): the call stage on a
desktop, a phone and a phone on its side (844×390), the ringing state, chat beside the
call, a camera that is blocked (issue 31.1) and presenting a screen (issue 31.4: the
presenter's banner at each size, the other side's large view on a desktop), and a group
call of GROUP_PARTIES people (issue 26) seen by one of them at each size.

Usage: python scripts/screenshots.py [OUT_DIR] [--group-only]
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from e2e.conftest import Server  # noqa: E402
from e2e.geometry import DESKTOP, PHONE, set_viewport, window_flag  # noqa: E402
from e2e.group import assert_parties_flow, axe_group, low_res, ring_selected  # noqa: E402
from e2e.pages import CallPage, assert_media_flows, open_pages  # noqa: E402
from e2e.services import close_browser, new_browser  # noqa: E402

LANDSCAPE = (844, 390)
SIZES = ((DESKTOP, "desktop"), (PHONE, "phone"), (LANDSCAPE, "landscape"))
GROUP_PARTIES = int(os.environ.get("GROUP_PARTIES", "6"))
NAMES = ["Ada", "Grace", "Linus", "Katherine", "Alan", "Barbara"]


def camera_blocked(server, out):
    """The page of someone whose browser blocks the camera: the banner said first."""
    other = new_browser([window_flag(DESKTOP)])
    driver = new_browser([window_flag(DESKTOP), "--use-fake-ui-for-media-stream=deny"])
    try:
        CallPage(other, server).open().rename("Ada")
        page = CallPage(driver, server).open()
        page.wait("return !document.querySelector('#camera-blocked').hidden", 5.0)
        for size, tag in SIZES:
            set_viewport(driver, size)
            page.js("window.scrollTo(0, 0)")
            driver.save_screenshot(os.path.join(out, f"camera-blocked-{tag}.png"))
    finally:
        close_browser(driver)
        close_browser(other)


def present(caller, callee, out, size, tag):
    """The callee presents its screen (a real click: getDisplayMedia wants one; pressed at
    desktop size, as a phone's bar has no such button), then stops."""
    tile = f".tile[data-anchor-id='{callee.anchor}']"
    set_viewport(callee.driver, DESKTOP)
    callee.driver.find_element("css selector", f"{tile} .present-btn").click()
    callee.wait("return document.querySelector(arguments[0]).dataset.presenting === 'true'", 5.0, None, tile)
    set_viewport(callee.driver, size)
    caller.wait("return document.querySelector('.tile[data-peer-screen]')", 5.0)
    callee.js("document.activeElement.blur(); document.querySelector(arguments[0]).scrollIntoView({block: 'nearest'})", tile)
    callee.driver.save_screenshot(os.path.join(out, f"presenting-{tag}.png"))
    if tag == "desktop":
        caller.js("document.querySelector('.tile[data-peer-screen]').scrollIntoView({block: 'start'})")
        caller.driver.save_screenshot(os.path.join(out, "presented-desktop.png"))
    callee.driver.find_element("css selector", f"{tile} .stop-present").click()
    callee.wait("return !document.querySelector(arguments[0]).dataset.presenting", 5.0, None, tile)
    callee.js("window.scrollTo(0, 0); document.querySelector(arguments[0]).scrollIntoView({block: 'nearest'})", tile)


def group(out, count=GROUP_PARTIES):
    """`count` people in one call, rung together by the first; what the first sees. Low
    resolution and frame rate, as in e2e/test_group_call.py, so six browsers fit."""
    server = Server(env={"TLC_RING_TIMEOUT": "120", "TLC_PING_TIMEOUT": "30"}).start()
    opened = []

    def browser():
        opened.append(new_browser([window_flag(DESKTOP)]))
        return opened[-1]
    try:
        pages = open_pages(server, browser, count)
        for page, name in zip(pages, NAMES):
            page.rename(name)
            low_res(page)
        first, others = pages[0], pages[1:]
        ring_selected(first, *others)
        for page in others:
            page.wait_phase(page.anchor, "ringing-in", 30.0)
            page.click(page.anchor, "accept")
        assert_parties_flow(*[(p, p.anchor, [o.anchor for o in pages if o is not p]) for p in pages],
                            timeout=120.0)
        for size, tag in SIZES:
            set_viewport(first.driver, size)
            first.js("document.activeElement.blur(); window.scrollTo(0, 0);"
                     "document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).scrollIntoView({block: 'start'})",
                     first.anchor)
            first.driver.save_screenshot(os.path.join(out, f"group-{count}-{tag}.png"))
            # what the shot shows, for axe-core too (critical and serious; the group e2e
            # checks 3 and 4 parties, this the call's size, six by default)
            first.driver.set_script_timeout(300)  # six calls' media on two cores: axe takes minutes
            found = axe_group(first.driver)
            print(f"group of {count} at {tag}: axe {len(found)} critical/serious: {found}", flush=True)
            assert not found, (count, tag, found)
        # the second person presents a screen: shown large and whole on the first's page
        second = pages[1]
        tile = f".tile[data-anchor-id='{second.anchor}']"
        set_viewport(second.driver, DESKTOP)
        set_viewport(first.driver, DESKTOP)
        second.driver.find_element("css selector", f"{tile} .present-btn").click()
        first.wait("return document.querySelector(`.party-tile[data-peer-anchor-id='${arguments[0]}'][data-screen][data-featured]`)",
                   30.0, "the presenter's tile is featured", second.anchor)
        first.js("document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).scrollIntoView({block: 'start'})",
                 first.anchor)
        first.driver.save_screenshot(os.path.join(out, f"group-{count}-presented-desktop.png"))
    finally:
        for d in opened:
            close_browser(d)
        server.stop()
        server.cleanup()


def main(out, group_only=False):
    os.makedirs(out, exist_ok=True)
    group(out)
    if group_only:
        return
    server = Server().start()
    opened = []
    try:
        camera_blocked(server, out)
        for size, tag in SIZES:
            caller_driver, callee_driver = new_browser([window_flag(DESKTOP)]), new_browser([window_flag(size)])
            opened += [caller_driver, callee_driver]
            set_viewport(caller_driver, DESKTOP)
            set_viewport(callee_driver, size)
            caller = CallPage(caller_driver, server).open()
            callee = CallPage(callee_driver, server).open()
            caller.rename("Ada")
            callee.rename({"desktop": "Grace", "phone": "Linus"}.get(tag, "Katherine"))
            caller.wait_sees(callee)
            callee.wait_sees(caller)
            caller.click_call(callee)
            callee.wait_phase(callee.anchor, "ringing-in")
            callee.wait("return document.activeElement && document.activeElement.dataset.action === 'accept'", 3.0)
            callee_driver.save_screenshot(os.path.join(out, f"ringing-{tag}.png"))
            callee.click(callee.anchor, "accept")
            assert_media_flows((caller, caller.anchor), (callee, callee.anchor))
            # where the page itself put the call when it started (stage.js showCall)
            callee.js("document.activeElement.blur()")
            callee_driver.save_screenshot(os.path.join(out, f"call-{tag}.png"))
            present(caller, callee, out, size, tag)
            callee.click(callee.anchor, "chat")
            callee.wait("return document.body.classList.contains('chat-open')", 2.0)
            callee_driver.save_screenshot(os.path.join(out, f"chat-{tag}.png"))
            for d in (caller_driver, callee_driver):
                close_browser(d)
                opened.remove(d)
    finally:
        for d in opened:
            close_browser(d)
        server.stop()
        server.cleanup()
    print("\n".join(sorted(os.path.join(out, f) for f in os.listdir(out))))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--group-only"]
    main(args[0] if args else os.path.join(ROOT, "docs", "screenshots"), "--group-only" in sys.argv)
