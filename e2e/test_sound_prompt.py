"""Issue 36.5: where the browser will not play a call's sound without a gesture (its
default autoplay policy, no user activation, no camera or microphone capture: here a page
that captures nothing), the tile's video plays muted, the prompt shows as an alert, and a
click anywhere on the page — not only on the prompt — brings the sound back."""
from selenium.webdriver.common.action_chains import ActionChains

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
    state = driver.execute_script(STATE)
    assert state == {"blocked": False, "muted": False, "promptHidden": True, "paused": False}, state
