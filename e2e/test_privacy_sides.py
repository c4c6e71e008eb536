"""Issue 23.9: a side that hides its address (relay-only, decided by the server) never has
a connection that can use a host or reflexive address — as the callee and as the caller,
whose connection is built (and its offer made) before the invite's ack says relayOnly —
and its tile says what getStats says (the selected pair), not what was intended.
A real coturn on loopback (e2e/test_turn.py); the peer does not hide its address. Both
engines: Chromium with Chromium, and a hiding Firefox ESR page with a Chromium peer.
"""
import json

import pytest

from .calls import LOCAL_TYPES, NOTE, SECRET, hide_my_address, record_pcs
from .pages import CallPage, assert_media_flows, selected_pair

WAIT_S = 12.0  # Firefox beside Chromium on two loaded cores


def call_and_check(srv, caller_driver, callee_driver, hider, timeout=6.0):
    """The caller calls the callee, who accepts; `hider` ('caller' or 'callee') ticked
    "hide my address". Every connection the hiding side made was relay-only from the
    start and gathered relay candidates only; the call's path is its relay on both ends;
    its tile says so because getStats says so, the peer's tile says nothing."""
    for driver in (caller_driver, callee_driver):
        record_pcs(driver)
    a, b = CallPage(caller_driver, srv).open(), CallPage(callee_driver, srv).open()
    a.wait_sees(b, timeout=timeout)
    b.wait_sees(a, timeout=timeout)
    a.click_call(b)
    b.wait_phase(b.anchor, "ringing-in", timeout)
    b.click(b.anchor, "accept")
    assert_media_flows((a, a.anchor), (b, b.anchor), timeout=timeout)
    hid, other = (a, b) if hider == "caller" else (b, a)
    made = hid.driver.execute_async_script(LOCAL_TYPES)
    assert made and all(m["policy"] == "relay" for m in made), made
    assert all(t == "relay" for m in made for t in m["types"]) and made[-1]["types"], made
    pair, peer_pair = selected_pair(hid, hid.anchor), selected_pair(other, other.anchor)
    assert pair["local"] == "relay" and peer_pair["remote"] == "relay", (pair, peer_pair)
    hid.wait(NOTE.replace("return {", "const r = {") + "; return r.privacy === 'relay' && !r.hidden",
             5.0, "hidden note shown", hid.anchor)
    assert hid.js(NOTE, hid.anchor)["text"] == "relayed — your address is hidden"
    assert other.js(NOTE, other.anchor)["hidden"] is True
    return made


def turn_server(turn, server_factory):
    coturn = turn(SECRET)
    return server_factory(TLC_TURN_URLS=json.dumps([coturn.url]), TLC_TURN_SECRET=SECRET)


@pytest.mark.parametrize("hider", ["caller", "callee"])
def test_a_side_that_hides_its_address_never_uses_a_host_or_reflexive_one(
        hider, turn, server_factory, browsers):
    srv = turn_server(turn, server_factory)
    drivers = [browsers(), browsers()]
    hide_my_address(drivers[0] if hider == "caller" else drivers[1], srv)
    call_and_check(srv, *drivers, hider)


@pytest.mark.parametrize("hider", ["caller", "callee"])
def test_a_firefox_side_that_hides_its_address_never_uses_a_host_or_reflexive_one(
        hider, turn, server_factory, browsers, firefoxes):
    """The same with the hiding side a Firefox ESR page and the peer Chromium: Firefox
    parses and writes SDP and candidates its own way (a relay candidate's raddr is its
    relay address), and the server must take them and hand Firefox a relay-only call."""
    srv = turn_server(turn, server_factory)
    firefox, chromium = firefoxes(bidi=True), browsers()
    hide_my_address(firefox, srv)
    drivers = (firefox, chromium) if hider == "caller" else (chromium, firefox)
    made = call_and_check(srv, *drivers, hider, timeout=WAIT_S)
    print(f"\nFirefox hiding as the {hider}: connections {made}")


def test_the_privacy_note_follows_the_selected_pair_not_the_intent(server, browsers):
    """views/safety.js given a session that was meant to be relay-only but whose stats
    say the selected pair is direct: the tile says the address is not hidden."""
    driver = browsers()
    driver.get(server.url + "/call")
    out = driver.execute_async_script("""
      const done = arguments[arguments.length - 1];
      import(new URL('static/js/views/safety.js', location.href).href).then((V) => {
        const line = new V.SafetyLine({});
        const slot = {phase: 'connected', peer: null};
        const say = (path) => { line.render({relayOnly: true, stats: {path}, safety: null}, slot);
          return {hidden: line.privacy.hidden, text: line.privacy.textContent, privacy: line.el.dataset.privacy || null}; };
        done({direct: say({local: 'host', remote: 'srflx', relayed: true}),
              relay: say({local: 'relay', remote: 'host', relayed: true}),
              unknown: say(null)});
      }, (err) => done({error: String(err)}));
    """)
    assert "error" not in out, out
    assert out["relay"] == {"hidden": False, "text": "relayed — your address is hidden", "privacy": "relay"}, out
    assert out["direct"]["privacy"] == "exposed" and not out["direct"]["hidden"], out
    assert "not hidden" in out["direct"]["text"], out
    assert out["unknown"]["privacy"] is None and "hidden" not in out["unknown"]["text"].split("—")[0], out
