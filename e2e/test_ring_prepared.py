"""Issue 14: the call is prepared while it rings (docs/protocol.md, "Prepared while it
rings"), in real browsers. The offer travels with the ring; nothing of the callee's —
answer, candidates — reaches the caller's page before the callee accepts (read from the
caller's receive log, `tlc.signaling.received`); after Accept media flows both ways; a
ring that ends without a call leaves no RTCPeerConnection open on either side, and the
slot's camera and microphone live on. Nothing here is timed.
"""
import json
import threading

from .calls import HELD, RECEIVED, SECRET, hide_my_address
from .pages import CallPage, assert_media_flows

# Every RTCPeerConnection the page makes, so a test can count the open ones.
COUNT_PCS = """
(() => {
  const Native = window.RTCPeerConnection, made = [];
  window.__pcs = made;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); made.push(this); }
  };
})();
"""
OPEN_PCS = "return window.__pcs.filter((pc) => pc.signalingState !== 'closed').length"
LIVE_TRACKS = """
const m = window.tlc.media.get(arguments[0]);
return [m.audioTrack, m.videoTrack].filter((t) => t && t.readyState === 'live').length;
"""


def open_counted(server, browsers):
    pages = []
    for _ in range(2):
        driver = browsers()
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COUNT_PCS})
        pages.append(CallPage(driver, server).open())
    a, b = pages
    a.wait_sees(b)
    b.wait_sees(a)
    return a, b


def ring(a, b):
    a.click_call(b)
    b.wait_phase(b.anchor, "ringing-in")
    a.wait_phase(a.anchor, "ringing-out")


def test_offer_travels_with_the_ring_and_nothing_of_the_callee_reaches_the_caller_before_accept(
        server, browsers):
    a, b = open_counted(server, browsers)
    ring(a, b)
    # The callee's page got the caller's offer with call:ring (audio and video, no address).
    [rung] = [r for r in b.js(RECEIVED) if r["event"] == "call:ring"]
    offer = rung["data"].get("offer")
    assert offer and offer["type"] == "offer", rung
    assert "m=audio" in offer["sdp"] and "m=video" in offer["sdp"]
    assert "a=candidate:" not in offer["sdp"]
    # While it rings the callee has applied it, answered and gathered — and holds it all.
    held = b.wait(HELD, 5.0, "callee's answer and candidates prepared and held", b.anchor)
    assert held["role"] == "callee" and held["held"] is True, held
    assert held["signaling"] == "stable" and held["answers"] == 1 and held["candidates"] > 0, held
    assert a.wait(HELD, 5.0, "caller gathered, held", a.anchor)["candidates"] > 0
    assert a.js(OPEN_PCS) == 1 and b.js(OPEN_PCS) == 1
    # Nothing of it reached the caller's page: no signal, no call yet.
    before = [r["event"] for r in a.js(RECEIVED)]
    assert "call:signal" not in before and "call:started" not in before, before

    b.click(b.anchor, "accept")
    assert_media_flows((a, a.anchor), (b, b.anchor))
    clicked = b.js("return window.tlc.calls.acceptClicks[arguments[0]]", b.anchor)
    got = a.js(RECEIVED)
    events = [r["event"] for r in got]
    signals = [r for r in got if r["event"] == "call:signal"]
    # The answer came right after call:started, and every signal after the Accept click.
    assert events.index("call:started") < events.index("call:signal"), events
    assert signals[0]["data"]["description"]["type"] == "answer", signals[0]
    assert all(r["at"] >= clicked for r in signals), (clicked, [r["at"] for r in signals])
    # Both sides used what they prepared (no fallback), each with one connection.
    for page in (a, b):
        assert page.js("return window.tlc.calls.prepared.setups") == {"prepared": 1, "fallback": 0}
        assert page.js(OPEN_PCS) == 1


def test_a_declined_or_cancelled_ring_releases_what_it_prepared_and_keeps_the_media(server, browsers):
    a, b = open_counted(server, browsers)
    for who, action, outcome in ((b, "decline", "declined"), (a, "cancel", "cancelled")):
        ring(a, b)
        b.wait(HELD, 5.0, "callee prepared", b.anchor)
        assert a.js(OPEN_PCS) == 1 and b.js(OPEN_PCS) == 1  # each side prepared one
        who.click(who.anchor, action)
        a.wait_idle(a.anchor, outcome)
        b.wait_idle(b.anchor, outcome)
        for page in (a, b):
            page.wait(OPEN_PCS + " === 0", 3.0, f"{page.name}: no RTCPeerConnection open")
            assert page.js("return window.tlc.calls.prepared.entries.size") == 0
            assert page.js(LIVE_TRACKS, page.anchor) == 2  # the slot's camera and mic stay
        a.wait_sees(b)
    # And the next call still works, from what it prepares.
    ring(a, b)
    b.click(b.anchor, "accept")
    assert_media_flows((a, a.anchor), (b, b.anchor))


def test_a_ring_that_rings_out_releases_what_it_prepared(server_factory, browsers):
    server = server_factory(TLC_RING_TIMEOUT="2")
    a, b = open_counted(server, browsers)
    ring(a, b)
    b.wait(HELD, 2.0, "callee prepared", b.anchor)
    a.wait_idle(a.anchor, "missed", timeout=6.0)
    b.wait_idle(b.anchor, "missed", timeout=3.0)
    for page in (a, b):
        page.wait(OPEN_PCS + " === 0", 3.0, f"{page.name}: no RTCPeerConnection open")
        assert page.js(LIVE_TRACKS, page.anchor) == 2


def test_glare_makes_one_call_from_the_first_offer_and_the_other_side_falls_back(server, browsers):
    a, b = open_counted(server, browsers)
    click = "document.querySelector(`.lobby-anchor[data-anchor-id='${arguments[0]}'] .call-btn`).click()"
    go = threading.Barrier(2)

    def fire(page, other):
        go.wait()
        page.js(click, other.anchor)

    threads = [threading.Thread(target=fire, args=pair) for pair in ((a, b), (b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    probes = assert_media_flows((a, a.anchor), (b, b.anchor), timeout=12.0)
    assert probes[0]["callId"] == probes[1]["callId"]
    setups = [page.js("return window.tlc.calls.prepared.setups") for page in (a, b)]
    glare = [page.js("return window.tlc.calls.glare") for page in (a, b)]
    print(f"\nglare: setups A {setups[0]}, B {setups[1]}; settled by A {glare[0]}, B {glare[1]}")
    assert [s["prepared"] + s["fallback"] for s in setups] == [1, 1], setups
    for page, s in zip((a, b), setups):
        assert page.js(OPEN_PCS) == 1  # whatever did not fit was closed
        if s["fallback"]:  # this side's prepared offer lost: it says so, and answered the ring's
            log = page.js("return [...window.tlc.sessions.values()][0].log.join('\\n')")
            assert "does not fit the call" in log and "answering the ring's offer" in log, log


def test_a_busy_callee_releases_the_callers_prepared_connection(server, browsers):
    a, b = open_counted(server, browsers)
    c = CallPage(browsers(), server)
    c.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COUNT_PCS})
    c.open()
    c.wait_sees(b)
    ring(a, b)
    c.click_call(b)  # b rings already: busy
    c.wait_idle(c.anchor, "busy")
    assert c.js("return window.__pcs.length") == 1  # it prepared one
    c.wait(OPEN_PCS + " === 0", 3.0, "C: no RTCPeerConnection open")
    assert c.js("return window.tlc.calls.prepared.entries.size") == 0
    assert c.js(LIVE_TRACKS, c.anchor) == 2


def test_a_prepared_call_renegotiates_later_from_either_side(server, browsers):
    """Perfect negotiation after a prepared start: an ICE restart offer from the caller,
    then from the callee, each answered; media flows over new ufrags."""
    a, b = open_counted(server, browsers)
    ring(a, b)
    b.click(b.anchor, "accept")
    assert_media_flows((a, a.anchor), (b, b.anchor))
    for page in (a, b):
        assert page.js("return window.tlc.calls.prepared.setups") == {"prepared": 1, "fallback": 0}
    session = "return [...window.tlc.sessions.values()][0]"
    ufrags = lambda: [p.js(session + ".localUfrag") for p in (a, b)]  # noqa: E731
    before = ufrags()
    for page in (a, b):
        count = page.js(session + ".restarts.length")
        page.js(session + ".restartIce('test hook')")
        page.wait(session + ".restarts.length > arguments[0] && ["
                  "...window.tlc.sessions.values()][0].pc.signalingState === 'stable'",
                  10.0, f"{page.name}'s renegotiation completed", count)
        assert_media_flows((a, a.anchor), (b, b.anchor))
    after = ufrags()
    assert all(x and x != y for x, y in zip(after, before)), (before, after)


# What the callee's prepared session holds while it rings: its policy and candidate types.
HELD_TYPES = """
const s = window.tlc.calls.prepared.entries.get(arguments[0]).session;
return {policy: s.pc.getConfiguration().iceTransportPolicy, relayOnly: s.relayOnly,
        types: s.outbox.filter((f) => f.candidate && f.candidate.candidate)
                 .map((f) => (f.candidate.candidate.match(/ typ (\\S+)/) || [])[1])};
"""


def test_address_privacy_holds_while_it_rings(turn, server_factory, browsers):
    """A callee who hides its address prepares with relay candidates only."""
    coturn = turn(SECRET)
    srv = server_factory(TLC_TURN_URLS=json.dumps([coturn.url]), TLC_TURN_SECRET=SECRET)
    callee_driver = browsers()
    hide_my_address(callee_driver, srv)
    a, b = CallPage(browsers(), srv).open(), CallPage(callee_driver, srv).open()
    a.wait_sees(b)
    b.wait_sees(a)
    ring(a, b)
    b.wait(HELD, 8.0, "callee prepared (gathering complete)", b.anchor)
    held = b.js(HELD_TYPES, b.anchor)
    assert held["policy"] == "relay" and held["relayOnly"] is True, held
    assert held["types"] and set(held["types"]) == {"relay"}, held
    assert a.js(HELD_TYPES, a.anchor)["policy"] == "all"  # the caller does not hide
    b.click(b.anchor, "accept")
    assert_media_flows((a, a.anchor), (b, b.anchor))
    assert b.js("return window.tlc.calls.prepared.setups") == {"prepared": 1, "fallback": 0}
