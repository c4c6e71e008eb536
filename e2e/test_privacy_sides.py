"""Issue 23.9: a side that hides its address (relay-only, decided by the server) never has
a connection that can use a host or reflexive address — as the callee and as the caller,
whose connection is built (and its offer made) before the invite's ack says relayOnly —
and its tile says what getStats says (the selected pair), not what was intended.
A real coturn on loopback (e2e/test_turn.py); the peer does not hide its address.
"""
import json

import pytest

from .pages import CallPage, assert_media_flows, selected_pair
from .test_turn import SECRET, hide_my_address

# Every RTCPeerConnection the page makes, with the ICE transport policy it was made with.
RECORD_PCS = """
(() => {
  const Native = window.RTCPeerConnection, made = [];
  window.__pcs = made;
  window.RTCPeerConnection = class extends Native {
    constructor(config, ...rest) {
      super(config, ...rest);
      made.push({pc: this, policy: (config && config.iceTransportPolicy) || 'all'});
    }
  };
})();
"""
# The candidate types of every local candidate each connection of the page gathered.
LOCAL_TYPES = """
const done = arguments[arguments.length - 1];
Promise.all(window.__pcs.map(({pc, policy}) => pc.getStats().then((stats) => {
  const types = [];
  stats.forEach((s) => { if (s.type === 'local-candidate') types.push(s.candidateType); });
  return {policy, types};
}))).then(done, (err) => done({error: String(err)}));
"""
NOTE = ("const n = document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .privacy-note`);"
        "return {hidden: n.hidden, text: n.textContent, privacy: n.parentElement.dataset.privacy || null}")


@pytest.mark.parametrize("hider", ["caller", "callee"])
def test_a_side_that_hides_its_address_never_uses_a_host_or_reflexive_one(
        hider, turn, server_factory, browsers):
    coturn = turn(SECRET)
    srv = server_factory(TLC_TURN_URLS=json.dumps([coturn.url]), TLC_TURN_SECRET=SECRET)
    drivers = [browsers(), browsers()]
    hiding = drivers[0] if hider == "caller" else drivers[1]
    hide_my_address(hiding, srv)
    for driver in drivers:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_PCS})
    a, b = (CallPage(driver, srv).open() for driver in drivers)
    a.wait_sees(b)
    b.wait_sees(a)
    a.click_call(b)
    b.wait_phase(b.anchor, "ringing-in")
    b.click(b.anchor, "accept")
    assert_media_flows((a, a.anchor), (b, b.anchor))
    hid, other = (a, b) if hider == "caller" else (b, a)
    # Every connection the hiding side made was relay-only from the start, and gathered
    # relay candidates only; the call's path is its relay on both ends.
    made = hid.driver.execute_async_script(LOCAL_TYPES)
    assert made and all(m["policy"] == "relay" for m in made), made
    assert all(t == "relay" for m in made for t in m["types"]) and made[-1]["types"], made
    pair, peer_pair = selected_pair(hid, hid.anchor), selected_pair(other, other.anchor)
    assert pair["local"] == "relay" and peer_pair["remote"] == "relay", (pair, peer_pair)
    # The tile says so because getStats says so; the peer's tile says nothing.
    hid.wait(NOTE.replace("return {", "const r = {") + "; return r.privacy === 'relay' && !r.hidden",
             5.0, "hidden note shown", hid.anchor)
    assert hid.js(NOTE, hid.anchor)["text"] == "relayed — your address is hidden"
    assert other.js(NOTE, other.anchor)["hidden"] is True


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
