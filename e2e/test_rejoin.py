"""Issue 15: rejoin after reload. Reloading a tab mid-call brings the same call back (same
call id, media flowing again both ways); closing the tab, or leaving the page, still
ends the call for the peer, within seconds (static/js/rejoin.js)."""
import time

import pytest

from .calls import SLOT, connect, wait_resumed, wait_sound
from .geometry import axe_violations
from .pages import assert_media_flows, open_pages


def test_a_reload_mid_call_brings_the_same_call_back(server, browsers, record_property):
    # The browsers' default autoplay policy (issue 36.5): a reload loses the page's user
    # activation, and the call must still come back with sound (assert_media_flows: not muted).
    a, b = open_pages(server, lambda: browsers(default_autoplay=True), 2)
    a_anchor, b_anchor = connect(a, b)
    call_id = a.js(SLOT, a_anchor)["callId"]
    a.js("window.__ended = 0; window.tlc.signaling.on('call:ended', () => { window.__ended += 1; })")

    started = time.monotonic()
    b.driver.refresh()
    # the same client, slot and call come back on the reloaded page
    wait_resumed(b)
    assert b.wait(SLOT, 5.0, "B's slot has the call again", b_anchor)["callId"] == call_id
    assert b.anchors() == [b_anchor]
    assert_media_flows((a, a_anchor), (b, b_anchor), timeout=12.0)
    back_ms = (time.monotonic() - started) * 1000
    assert a.js(SLOT, a_anchor)["callId"] == call_id
    assert b.js(SLOT, b_anchor)["callId"] == call_id
    assert a.js("return window.__ended") == 0  # never hung up
    # A learnt of the reload from the server (call:peer-reloaded), not from SDP ids.
    told = a.js("return window.tlc.signaling.received.filter((r) => r.event === 'call:peer-reloaded')"
                ".map((r) => r.data)")
    assert told == [{"callId": call_id, "fromAnchorId": b_anchor}], told
    assert axe_violations(b.driver) == [] and axe_violations(a.driver) == []
    # Then the other side reloads too: both pages have lost their activation now.
    a.driver.refresh()
    wait_resumed(a)
    assert_media_flows((a, a_anchor), (b, b_anchor), timeout=12.0)
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        assert wait_sound(page, anchor, timeout=1.0)["activated"] is False  # no click since its reload
    # the call is still under control: hanging up works from the reloaded page
    b.click(b_anchor, "hangup")
    a.wait_idle(a_anchor, "hangup")
    print(f"\nreload → media both ways again: {back_ms:.0f} ms")
    record_property("reload_to_media_ms", round(back_ms))


def leave_by_closing_the_window(driver):
    page = driver.current_window_handle
    driver.switch_to.new_window("tab")
    other = driver.current_window_handle
    driver.switch_to.window(page)
    driver.close()
    driver.switch_to.window(other)


@pytest.mark.parametrize("how", ["close", "navigate"])
def test_closing_the_tab_mid_call_ends_the_call_for_the_peer(server, browsers, record_property, how):
    a, b = open_pages(server, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    started = time.monotonic()
    if how == "close":
        leave_by_closing_the_window(b.driver)
    else:
        b.driver.get("about:blank")  # another page: nothing of ours comes back
    # A is told the peer left, waits a few seconds for a reload, then the call ends
    a.wait("return window.tlc.store.getState().calls[arguments[0]].peerLeaving === true", 4.0,
           "A sees B's page leave", a_anchor)
    assert "left the page" in a.tile_text(a_anchor)
    assert axe_violations(a.driver) == []
    text = a.wait_idle(a_anchor, "peer-closed", timeout=10.0)
    ended_s = time.monotonic() - started
    assert text == f"Call ended: {b.name} closed the page."
    assert a.session_count() == 0
    # B's tab is shown away (reconnecting) until the server's grace runs out, never free
    assert a.js("const li = document.querySelector(`.lobby-anchor[data-anchor-id='${arguments[0]}']`);"
                "return li ? li.dataset.away : 'gone'", b_anchor) in ("true", "gone")
    # and leaves A's lobby within seconds, not the server's 30 s reconnect grace: its page
    # said it was going (client:leaving; the server keeps it LEAVING_GRACE, 10 s)
    a.wait("return !document.querySelector(`#lobby-list .lobby-user[data-user-id='${arguments[0]}']`)",
           max(1.0, 20.0 - (time.monotonic() - started)), "B leaves A's lobby within ~LEAVING_GRACE",
           b.user_id)
    gone_s = time.monotonic() - started
    print(f"\n{how}: B left → call ended on A's side in {ended_s:.1f} s, out of A's lobby in {gone_s:.1f} s")
    record_property(f"{how}_to_ended_s", round(ended_s, 1))
    record_property(f"{how}_to_lobby_gone_s", round(gone_s, 1))


def test_a_description_with_another_sdp_session_id_is_not_a_reload(server, browsers):
    """Issue 36.2: aiortc puts a new o= session id in every description; the browser must
    not take that for "the peer reloaded" and replace a working connection."""
    a, b = open_pages(server, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    call_id = a.js(SLOT, a_anchor)["callId"]
    session = "return window.tlc.sessions.get(arguments[0])"
    a.js("window.__before = window.tlc.sessions.get(arguments[0])", call_id)
    sdp = a.js(session + ".pc.remoteDescription.sdp", call_id)
    renamed = sdp.replace("o=- ", "o=- 1", 1)
    assert renamed != sdp
    # What calls.js would get next: the rejoin listener sees it first.
    a.js("window.tlc.rejoin.onSignal({callId: arguments[0], fromAnchorId: arguments[1],"
         " description: {type: 'answer', sdp: arguments[2]}})", call_id, b_anchor, renamed)
    assert a.js("return window.tlc.sessions.get(arguments[0]) === window.__before", call_id) is True
    assert a.js(session + ".closed", call_id) is False
    assert_media_flows((a, a_anchor), (b, b_anchor))
