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
