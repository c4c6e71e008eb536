"""Issue 36.5: where the browser will not play a call's sound without a gesture (its
default autoplay policy, no user activation, no camera or microphone capture: here a page
that captures nothing), the tile's video plays muted, the prompt shows as an alert, and a
click anywhere on the page — not only on the prompt — brings the sound back. A tap
does too (its pointerup is the user activation, not its pointerdown), and a try the
browser refuses keeps the picture playing and the prompt shown (review finding 7)."""
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.wait import WebDriverWait

SETUP = """
const done = arguments[arguments.length - 1];
import(new URL('static/js/views/sound.js', location.href).href).then(async (S) => {
  const video = document.createElement('video');
  const prompt = document.createElement('button');
  document.body.append(video, prompt);
  const ctx = new AudioContext();
  const session = new EventTarget();
  session.remoteStream = ctx.createMediaStreamDestination().stream;  // an audible track
  const sound = new S.RemoteSound(video, prompt);
  window.__sound = {sound, video, prompt};
  sound.attach(session);
  const deadline = performance.now() + 5000;
  while (!sound.blocked && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  done({blocked: sound.blocked, muted: video.muted, promptHidden: prompt.hidden, role: prompt.getAttribute('role'),
        active: navigator.userActivation.hasBeenActive});
}, (err) => done({error: String(err)}));
"""
STATE = ("const s = window.__sound; return {blocked: s.sound.blocked, muted: s.video.muted,"
         " promptHidden: s.prompt.hidden, paused: s.video.paused}")


def test_without_permission_to_play_sound_the_prompt_shows_and_a_click_anywhere_unmutes(server, browsers):
    driver = browsers(default_autoplay=True)
    driver.get(server.url + "/me")  # a page of the site that captures nothing
    got = driver.execute_async_script(SETUP)
    assert "error" not in got, got
    assert got == {"blocked": True, "muted": True, "promptHidden": False, "role": "alert", "active": False}, got
    # Not on the prompt: anywhere on the page (its heading).
    heading = driver.find_element("css selector", "h1")
    assert heading != driver.execute_script("return window.__sound.prompt")
    ActionChains(driver).click(heading).perform()
    assert settles(driver, HEARD) == HEARD


HEARD = {"blocked": False, "muted": False, "promptHidden": True, "paused": False}
REFUSED = {"blocked": True, "muted": True, "promptHidden": False, "paused": False}


def settles(driver, want, timeout=5.0):
    """The sound's state once it equals want (play() is awaited), or as it is at the end."""
    try:
        WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: d.execute_script(STATE) == want)
    except Exception:
        pass
    return driver.execute_script(STATE)


def blocked_page(server, browsers):
    driver = browsers(default_autoplay=True)
    driver.get(server.url + "/me")
    got = driver.execute_async_script(SETUP)
    assert got.get("blocked") is True and got.get("active") is False, got
    return driver


def test_a_refused_try_keeps_the_picture_playing_and_the_prompt_shown(server, browsers):
    driver = blocked_page(server, browsers)
    # A try without a user activation (what a touch's pointerdown was): the browser
    # refuses the sound; the video plays on muted and the prompt stays.
    driver.execute_async_script("Promise.resolve(window.__sound.sound.unmute())"
                                ".then(() => arguments[arguments.length - 1]())")
    assert settles(driver, REFUSED) == REFUSED
    assert not driver.execute_script("return navigator.userActivation.hasBeenActive")


def test_a_tap_anywhere_unmutes(server, browsers):
    """Touch events as a phone sends them: the touch's pointerdown is no user activation,
    its pointerup is."""
    driver = blocked_page(server, browsers)
    box = driver.execute_script("const r = document.querySelector('h1').getBoundingClientRect();"
                                " return [r.x + r.width / 2, r.y + r.height / 2]")
    point = [{"x": box[0], "y": box[1]}]
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": point})
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    assert settles(driver, HEARD) == HEARD
