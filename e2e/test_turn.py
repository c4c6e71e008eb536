"""TURN with short-lived credentials against a real coturn on loopback, the call-quality
figures, and the pre-call connection check.

The server computes TURN REST credentials from TLC_TURN_SECRET; coturn checks them
with its own static-auth-secret. With ICE_TRANSPORT_POLICY=relay nothing but TURN can
connect a call, so a working relay call proves the credentials, and a wrong secret must
fail visibly (a clear message, a usable slot) instead of hanging on "Connecting…".
"""
import json
import time

from .calls import SECRET, hide_my_address
from .pages import CallPage, assert_media_flows, open_pages, selected_pair, shot
from .calls import connect

def relay_server(server_factory, coturn, secret):
    return server_factory(TLC_TURN_URLS=json.dumps([coturn.url]), TLC_TURN_SECRET=secret,
                          TLC_ICE_TRANSPORT_POLICY="relay")


def run_connection_check(page, timeout=12.0):
    page.driver.find_element("id", "connectivity-run").click()
    page.wait("return document.querySelector('#connectivity-panel').dataset.state === 'done'",
              timeout, "connection check finished")
    return page.js("""
        const p = document.querySelector('#connectivity-panel');
        return {turn: p.dataset.turn, stun: p.dataset.stun, host: p.dataset.host, overall: p.dataset.overall,
                status: document.querySelector('#connectivity-status').textContent,
                lines: [...p.querySelectorAll('li')].map((li) => li.textContent)};
    """)


def test_relay_only_call_through_coturn_shows_relayed(turn, server_factory, browsers, record_property):
    coturn = turn(SECRET)
    srv = relay_server(server_factory, coturn, SECRET)
    a, b = open_pages(srv, browsers, 2)
    welcome = a.js("return window.tlc.store.getState().me")
    assert welcome["iceTransportPolicy"] == "relay"
    [ice] = welcome["iceServers"]
    assert ice["urls"] == [coturn.url] and ice["username"].endswith(":" + a.user_id)
    assert SECRET not in json.dumps(welcome)

    a_anchor, b_anchor = connect(a, b, record_property, "relay_setup")
    # The path is the TURN relay on both sides, and the tiles say so.
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        pair = selected_pair(page, anchor)
        assert pair["local"] == "relay" and pair["state"] == "succeeded", pair
        page.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).dataset.path === 'relayed'",
                  5.0, "tile says relayed", anchor)
    assert_media_flows((a, a_anchor), (b, b_anchor))
    # Live figures in the tile, behind "Connection details": RTT, bitrates, loss,
    # resolution and frame rate, the path.
    b.wait("const d = document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .details-btn`);"
           "if (d && d.offsetParent && d.getAttribute('aria-expanded') === 'false') d.click();"
           "return d && d.getAttribute('aria-expanded') === 'true'", 6.0, "connection details open", b_anchor)
    stats = b.wait("""
        const bar = document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .call-stats`);
        const s = window.tlc.sessions.get(bar.closest('.tile').dataset.callId).stats;
        return !bar.hidden && s && s.kbpsIn > 0 && s.kbpsOut > 0 && s.width > 0 && s.rttMs !== null
          && {text: bar.innerText, quality: bar.dataset.quality, stats: s};
    """, 6.0, "stats bar with figures", b_anchor)
    print(f"\nrelayed call stats (B): {stats['text']!r}")
    assert "relayed" in stats["text"] and "RTT" in stats["text"] and "640×480" in stats["text"]
    assert stats["quality"] in ("good", "fair", "poor")
    record_property("relay_stats", stats["stats"])
    shot(b, "relayed-call-tile.png", f".tile[data-anchor-id='{b_anchor}']")

    check = run_connection_check(a)
    print(f"connection check: {check}")
    assert check["turn"] == "ok", check
    shot(a, "connection-check-ok.png", "#connectivity-panel")

    a.click(a_anchor, "hangup")
    b.wait_idle(b_anchor, "hangup")
    assert "You hung up" in a.wait_idle(a_anchor, "hangup")


def test_wrong_turn_secret_fails_visibly_and_the_slot_stays_usable(turn, server_factory, browsers, record_property):
    coturn = turn(SECRET)
    srv = relay_server(server_factory, coturn, "not-the-secret-coturn-has")
    a, b = open_pages(srv, browsers, 2)
    a.click_call(b)
    b.wait_phase(b.anchor, "ringing-in")
    b.click(b.anchor, "accept")
    started = time.monotonic()
    # Both sides: no path at all (TURN refuses every allocation): a clear message, soon.
    for page in (a, b):
        text = page.wait("""
            const t = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
            return t.dataset.net === 'failed' && t.querySelector('.call-status').textContent;
        """, 15.0, f"{page.name} shows the call failed", page.anchor)
        assert "Could not connect" in text and "TURN" in text, text
    failed_s = time.monotonic() - started
    print(f"\nwrong TURN secret: failure shown {failed_s:.1f} s after accept: {text!r}")
    record_property("turn_refused_shown_s", round(failed_s, 1))
    assert a.js("return document.querySelector('.tile .pill').textContent") == "No connection"
    assert "refused" in text
    shot(a, "turn-refused-tile.png", ".tile")

    # The check on the call page says the same.
    check = run_connection_check(a)
    print(f"connection check: {check}")
    assert check["turn"] == "refused" and check["overall"] == "error", check
    assert any("refused the credentials" in line for line in check["lines"]), check
    shot(a, "connection-check-refused.png", "#connectivity-panel")

    # Hang up works, and the slot takes calls again.
    a.click(a.anchor, "hangup")
    assert "hung up" in b.wait_idle(b.anchor, "hangup")
    a.wait_idle(a.anchor, "hangup")
    assert a.session_count() == b.session_count() == 0
    a.wait_sees(b)


def test_turn_server_crash_mid_call_recovers_by_ice_restart(turn, server_factory, browsers, record_property):
    """The relay dies mid-call (allocations gone): ICE disconnects, the caller restarts
    ICE with backoff while TURN is down, and the call comes back by itself once it is up."""
    coturn = turn(SECRET)
    srv = relay_server(server_factory, coturn, SECRET)
    a, b = open_pages(srv, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    call_id = a.tile_attr(a_anchor, "data-call-id")
    coturn.kill()
    killed = time.monotonic()
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        page.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).dataset.net === 'reconnecting'",
                  10.0, f"{page.name} tile reconnecting", anchor)
    noticed_s = time.monotonic() - killed
    # The caller restarts ICE by itself; while there is no relay the attempt fails and the
    # next one follows after the backoff.
    a.wait("return window.tlc.sessions.values().next().value.attempt >= 2", 16.0, "A's second ICE restart")
    coturn.start()
    up = time.monotonic()
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        page.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).dataset.net === 'connected'",
                  20.0, f"{page.name} tile connected again", anchor)
    back_s = time.monotonic() - up
    probes = assert_media_flows((a, a_anchor), (b, b_anchor))
    assert {p["callId"] for p in probes} == {call_id}
    assert selected_pair(a, a_anchor)["local"] == "relay"
    log = a.js("return window.tlc.sessions.values().next().value.log")
    print(f"\nrelay crash: noticed after {noticed_s:.1f} s; back {back_s:.1f} s after TURN returned\n  "
          + "\n  ".join(line for line in log if "restart" in line or "recovered" in line or "net " in line))
    record_property("turn_crash_recovered_s", round(back_s, 1))


def test_connection_check_without_turn_says_so(server, browsers):
    [a] = open_pages(server, browsers, 1)
    check = run_connection_check(a)
    assert check["turn"] == "none" and check["host"] == "ok", check
    assert any("no TURN configured" in line for line in check["lines"]), check


# Fixed getStats snapshots → the figures the tile shows (stats.js is pure; run it in a
# page, the only JavaScript engine the project tests with).
STATS_CASES = """
const done = arguments[arguments.length - 1];
import(new URL('static/js/stats.js', location.href).href).then((S) => {
  const report = (t, bytesIn, bytesOut, packets, lost, frames, rtt) => [
    {id: 'T', type: 'transport', timestamp: t, selectedCandidatePairId: 'P'},
    {id: 'P', type: 'candidate-pair', timestamp: t, localCandidateId: 'L', remoteCandidateId: 'R',
     currentRoundTripTime: rtt, state: 'succeeded', nominated: true},
    {id: 'L', type: 'local-candidate', timestamp: t, candidateType: 'relay', protocol: 'udp', relayProtocol: 'udp'},
    {id: 'R', type: 'remote-candidate', timestamp: t, candidateType: 'srflx', protocol: 'udp'},
    {id: 'V', type: 'inbound-rtp', kind: 'video', timestamp: t, bytesReceived: bytesIn, packetsReceived: packets,
     packetsLost: lost, framesDecoded: frames, frameWidth: 640, frameHeight: 480, framesPerSecond: 30},
    {id: 'O', type: 'outbound-rtp', kind: 'video', timestamp: t, bytesSent: bytesOut},
    {id: 'RI', type: 'remote-inbound-rtp', kind: 'video', timestamp: t, roundTripTime: 0.5, roundTripTimeMeasurements: 3},
  ];
  const a = S.snapshot(report(1000, 0, 0, 0, 0, 0, 0.040));
  const b = S.snapshot(new Map(report(3000, 250000, 500000, 990, 10, 60, 0.040).map((s) => [s.id, s])));
  const r = S.rates(a, b);
  const lossy = S.rates(a, S.snapshot(report(2000, 1000, 1000, 90, 10, 30, 0.040)));
  const first = S.rates(null, a);
  done({r, q: S.quality(r), lossyQ: S.quality(lossy), lossy, slowQ: S.quality({...r, rttMs: 450}),
        silentQ: S.quality({...r, kbpsIn: 0}),
        first, firstQ: S.quality(first), d: S.describe(r)});
}, (err) => done({error: String(err)}));
"""


def test_stats_figures_from_fixed_snapshots(server, browsers):
    driver = browsers()
    driver.get(server.url + "/call")
    out = driver.execute_async_script(STATS_CASES)
    assert "error" not in out, out
    r = out["r"]
    # 2 s apart: 250 kB in → 1000 kb/s, 500 kB out → 2000 kb/s; 10 lost of 1000 → 1 %.
    assert (r["kbpsIn"], r["kbpsOut"], r["lossPct"], r["fps"]) == (1000, 2000, 1.0, 30), r
    assert (r["width"], r["height"], r["rttMs"]) == (640, 480, 40), r  # the pair's RTT wins
    assert r["path"] == {"local": "relay", "remote": "srflx", "protocol": "udp", "relayProtocol": "udp", "relayed": True}
    assert out["q"] == "good" and out["slowQ"] == "fair"
    assert out["silentQ"] == "poor"  # nothing arrives: never "Good" at 0 kb/s
    assert out["lossy"]["lossPct"] == 10.0 and out["lossyQ"] == "poor"
    assert out["first"]["kbpsIn"] is None and out["first"]["lossPct"] is None and out["firstQ"] == "good"
    d = out["d"]
    assert (d["in"], d["out"], d["rtt"], d["loss"], d["path"]) == ("1.0 Mb/s", "2.0 Mb/s", "40 ms", "1.0 %", "relayed")
    assert d["video"] == "640×480 @ 30 fps" and "TURN relay" in d["pathDetail"]


# -- issue 17: address privacy (a side that hides its address sends relay candidates only) --

RECORD_SIGNALS = """
window.__signals = [];
window.tlc.signaling.socket.on('call:signal', (p) => window.__signals.push(p));
"""

CANDIDATE_TYPES = """
const types = [];
for (const p of window.__signals) {
  if (p.candidate && p.candidate.candidate) types.push(['trickled', (p.candidate.candidate.match(/ typ (\\S+)/) || [])[1] || null]);
  if (p.description) for (const line of p.description.sdp.split(/\\r?\\n/))
    if (line.startsWith('a=candidate:')) types.push(['sdp', (line.match(/ typ (\\S+)/) || [])[1] || null]);
}
return {types, count: window.__signals.length};
"""


def test_privacy_mode_sends_the_caller_only_relay_candidates_from_the_callee(turn, server_factory, browsers):
    coturn = turn(SECRET)
    srv = server_factory(TLC_TURN_URLS=json.dumps([coturn.url]), TLC_TURN_SECRET=SECRET)
    callee_driver = browsers()
    hide_my_address(callee_driver, srv)
    a = CallPage(browsers(), srv).open()
    b = CallPage(callee_driver, srv).open()
    a.wait_sees(b)
    b.wait_sees(a)
    a.js(RECORD_SIGNALS)
    a_anchor, b_anchor = connect(a, b)
    # The callee hides its address; the caller does not.
    assert b.js("return window.tlc.sessions.values().next().value.pc.getConfiguration().iceTransportPolicy") == "relay"
    assert a.js("return window.tlc.sessions.values().next().value.pc.getConfiguration().iceTransportPolicy") == "all"
    b.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .privacy-note`)"
           "?.textContent === 'relayed — your address is hidden'", 3.0, "B's tile says hidden", b_anchor)
    assert a.js("return document.querySelector('.tile .privacy-note').hidden") is True
    # The path is B's relay; media flows.
    b_pair, a_pair = selected_pair(b, b_anchor), selected_pair(a, a_anchor)
    assert b_pair["local"] == "relay" and a_pair["remote"] == "relay", (a_pair, b_pair)
    assert_media_flows((a, a_anchor), (b, b_anchor))
    # Everything of B's that reached A's page: relay candidates only (and some arrived).
    got = a.js(CANDIDATE_TYPES)
    print(f"\ncandidates that reached the caller from the privacy-mode callee: {got}")
    assert got["count"] > 0 and got["types"], got
    assert all(kind == "relay" for _, kind in got["types"]), got
