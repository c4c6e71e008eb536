"""Issue 36.1: a prepared call is negotiated by exactly one offer (the one call:invite
carried, relayed with call:ring) and one answer (the one call:accept carried, relayed as
call:signal), in both directions. Counted at the receiving page from what the server
delivered (`tlc.signaling.received`): what a side received from its peer is what the
peer sent. Chromium fires `negotiationneeded` while prepareOffer() is still making its
offer; answering that with a second offer made the callee answer twice.
"""
from .pages import CallPage, assert_media_flows

RECEIVED = "return window.tlc.signaling.received.map((r) => ({event: r.event, data: r.data}))"


def descriptions(page):
    """The descriptions the page got from its peer, in order: ('offer'|'answer', via)."""
    got = []
    for r in page.js(RECEIVED):
        if r["event"] == "call:ring" and r["data"].get("offer"):
            got.append((r["data"]["offer"]["type"], "ring"))
        elif r["event"] == "call:signal" and r["data"].get("description"):
            got.append((r["data"]["description"]["type"], "signal"))
    return got


def test_a_prepared_call_sends_one_offer_and_one_answer_in_both_directions(server, browsers):
    a, b = (CallPage(browsers(), server).open() for _ in range(2))
    a.wait_sees(b)
    b.wait_sees(a)
    for caller, callee in ((a, b), (b, a)):
        seen = {page: len(descriptions(page)) for page in (caller, callee)}
        caller.click_call(callee)
        callee.wait_phase(callee.anchor, "ringing-in")
        callee.click(callee.anchor, "accept")
        assert_media_flows((caller, caller.anchor), (callee, callee.anchor))
        for page in (caller, callee):
            assert page.js("return window.tlc.calls.prepared.setups.fallback") == 0
        # A barrier: call:ended reaches each side after everything its peer sent before.
        callee.click(callee.anchor, "hangup")
        caller.wait_idle(caller.anchor, "hangup")
        callee.wait_idle(callee.anchor, "hangup")
        assert descriptions(callee)[seen[callee]:] == [("offer", "ring")], descriptions(callee)
        assert descriptions(caller)[seen[caller]:] == [("answer", "signal")], descriptions(caller)
        logs = caller.driver.get_log("browser") + callee.driver.get_log("browser")
        assert not [e for e in logs if "wrong state" in e["message"]], logs


# Make a page behave as a callee of protocol 1 (docs/protocol.md, "Versions"): it states no
# version (1) when it connects again, and prepares nothing while it rings.
AS_VERSION_1 = """
const s = window.tlc.signaling.socket, token = window.tlc.signaling.resumeToken;
s.auth = (cb) => cb({resume: window.tlc.signaling.resumeToken || token});
window.__resumedAsV1 = false;
s.on('session:welcome', (w) => { window.__resumedAsV1 = w.resumed === true; });
window.tlc.calls.prepared.onRing = () => false;
s.io.engine.close();  // reconnect (resumed) with that auth
"""


def test_a_prepared_caller_sends_its_one_offer_again_to_a_version_1_callee(server, browsers):
    """Issue 36.4: a callee that does not prepare accepts without an answer; the caller's
    call:started says resendOffer and it sends the offer it prepared, the callee answers:
    media both ways, with the same offer twice on the wire and one answer."""
    a, b = (CallPage(browsers(), server).open() for _ in range(2))
    a.wait_sees(b)
    b.wait_sees(a)
    b.js(AS_VERSION_1)
    b.wait("return window.__resumedAsV1 && window.tlc.signaling.connected", 10.0, "B resumed as version 1")
    a.wait_sees(b)
    a.click_call(b)
    b.wait_phase(b.anchor, "ringing-in")
    b.click(b.anchor, "accept")
    assert_media_flows((a, a.anchor), (b, b.anchor), timeout=10.0)
    started = [r["data"] for r in a.js(RECEIVED) if r["event"] == "call:started"]
    assert started[-1].get("resendOffer") is True, started
    got = descriptions(b)
    assert [t for t, _ in got] == ["offer", "offer"] and got[1][1] == "signal", got
    ring_sdp, signal_sdp = [r["data"].get("offer") or r["data"].get("description")
                            for r in b.js(RECEIVED) if r["event"] in ("call:ring", "call:signal")
                            and (r["data"].get("offer") or r["data"].get("description"))]
    assert signal_sdp["sdp"].split("a=candidate")[0].split("\r\nm=")[0] == ring_sdp["sdp"].split("\r\nm=")[0]
    assert descriptions(a) == [("answer", "signal")], descriptions(a)
