"""Issue 36.5 across engines: a Chromium↔Firefox call where one page reloads mid-call
comes back (same call, media both ways) under each browser's default autoplay policy
(Firefox: media.autoplay.default 1, audible autoplay blocked without a gesture; Chromium
without its --autoplay-policy flag). A reload loses the page's user activation.

What each engine does (static/js/views/sound.js): Chromium lets a page that captures the
camera or microphone play sound, so the reloaded Chromium page plays the call with sound
and no click. Firefox ESR here (headless, fake devices, no permission prompt) does not:
its navigator.getAutoplayPolicy() says 'allowed-muted' on the reloaded page although the
capture runs, so the page must play the picture muted and show the prompt as an alert,
and one click anywhere on the page (not on the prompt) brings the sound back. Where
Firefox says 'allowed', the sound must come without the click. Firefox reloads first, then
Chromium: by then neither page has had a gesture since its own reload."""
import time

from selenium.webdriver.common.action_chains import ActionChains

from .calls import SLOT, wait_muted_with_prompt, wait_resumed, wait_sound
from .pages import CallPage, assert_media_flows

WAIT_S = 12.0  # two engines share two loaded cores

# The reloaded Firefox tile's autoplay policy, once its video plays (picture at least).
FIREFOX_POLICY = """(() => {
  const video = document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] video.remote`);
  return video && !video.paused && video.readyState >= 2 ? navigator.getAutoplayPolicy(video) : null;
})()"""


def reload_mid_call(page, anchor, other, other_anchor, call_id):
    """Reload `page` mid-call; the same call comes back (connected); returns the seconds
    from the reload to connected."""
    started = time.monotonic()
    page.driver.refresh()
    wait_resumed(page, WAIT_S)
    assert page.wait(SLOT, WAIT_S, f"{page.name}'s slot has the call again", anchor)["callId"] == call_id
    page.wait_phase(anchor, "connected", WAIT_S)
    back_s = time.monotonic() - started
    assert other.js(SLOT, other_anchor)["callId"] == call_id
    return back_s


def hear_without_a_click(page, anchor):
    heard = wait_sound(page, anchor, WAIT_S)
    assert heard["activated"] is not True, heard  # nothing clicked since the reload
    return heard


def test_a_reload_on_either_engine_brings_the_call_back_with_sound(server, browsers, firefoxes, record_property):
    chromium = CallPage(browsers(default_autoplay=True), server).open()
    firefox = CallPage(firefoxes(default_autoplay=True), server).open()
    chromium.wait_sees(firefox, timeout=WAIT_S)
    firefox.wait_sees(chromium, timeout=WAIT_S)
    c_anchor, f_anchor = chromium.anchor, firefox.anchor
    chromium.click_call(firefox)
    firefox.wait_phase(f_anchor, "ringing-in", WAIT_S)
    firefox.click(f_anchor, "accept")
    assert_media_flows((chromium, c_anchor), (firefox, f_anchor), timeout=WAIT_S)
    call_id = chromium.js(SLOT, c_anchor)["callId"]

    # Firefox reloads: with sound where Firefox allows it, else muted, the prompt, one click.
    firefox_s = reload_mid_call(firefox, f_anchor, chromium, c_anchor, call_id)
    probe = firefox.wait(f"return ({FIREFOX_POLICY})", WAIT_S, "Firefox reports its autoplay policy", f_anchor)
    if probe == "allowed":
        firefox_heard = hear_without_a_click(firefox, f_anchor)
    else:
        assert probe == "allowed-muted", probe
        muted = wait_muted_with_prompt(firefox, f_anchor, WAIT_S)
        assert muted["activated"] is False and "click anywhere" in muted["promptText"], muted
        heading = firefox.driver.find_element("css selector", "h1.page-title")  # not the prompt
        ActionChains(firefox.driver).click(heading).perform()
        firefox_heard = wait_sound(firefox, f_anchor, WAIT_S)
    assert_media_flows((firefox, f_anchor), (chromium, c_anchor), timeout=WAIT_S)

    # Chromium reloads: its capture lets the call play with sound, no click.
    chromium_s = reload_mid_call(chromium, c_anchor, firefox, f_anchor, call_id)
    chromium_heard = hear_without_a_click(chromium, c_anchor)
    assert_media_flows((chromium, c_anchor), (firefox, f_anchor), timeout=WAIT_S)
    wait_sound(firefox, f_anchor, WAIT_S)  # the other side kept its sound

    firefox.click(f_anchor, "hangup")
    chromium.wait_idle(c_anchor, "hangup", timeout=WAIT_S)
    print(f"\nreload → connected: Firefox {firefox_s:.1f} s (policy {probe}), Chromium {chromium_s:.1f} s;"
          f" sound: Firefox {firefox_heard}, Chromium {chromium_heard}")
    record_property("firefox_autoplay_policy_after_reload", probe)
    record_property("reload_to_connected_s_firefox_chromium", [round(firefox_s, 1), round(chromium_s, 1)])
