"""Issue 36: a peer that is not a browser (e2e/aiortc_peer.py: aiortc + python-socketio,
written from docs/protocol.md alone) calls Chromium and is called by it, prepared while
it rings and not. Each call: media both ways (Chromium's remote <video> plays, its
inbound bytes grow; aiortc receives audio and video frames), exactly one offer and one
answer in the whole call (counted on the aiortc side, which sees every description the
browser sends, and in the browser's own receive log), the same safety code on Chromium's
tile as the one aiortc computes from the document's formula, and a hang-up that ends
it on both sides. One Chromium page serves the module's calls (each ends idle).
"""
import pytest

from tlightchat.sdp import SdpError, check_sdp

from .aiortc_peer import AiortcPeer, candidates_of, gathered_offer, ring_offer, safety_code
from .calls import DESCRIPTIONS, end_call
from .pages import CallPage, assert_media_flows
from .services import close_browser, new_browser
from .calls import tile_code


def test_the_ring_offer_of_a_gathered_aiortc_offer_names_no_address():
    """aiortc gathers before it offers: its offer names its host address in a=candidate
    and c=. ring_offer drops the one and nulls the other, so the server takes it."""
    offer = gathered_offer()
    assert candidates_of(offer)
    with pytest.raises(SdpError):
        check_sdp(offer)
    check_sdp(ring_offer(offer))
    assert "m=video" in ring_offer(offer) and "c=IN IP4 0.0.0.0" in ring_offer(offer)


FP_SHA1 = "a=fingerprint:SHA-1 0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8:f9:0a:1b:2c:3d"
FP_SHA256 = "a=fingerprint:sha-256 " + ":".join(["ab"] * 32)


FP_SHA512 = "a=fingerprint:sha-512 " + ":".join(["ee"] * 64)


def test_the_safety_code_follows_the_document_every_fingerprint_line():
    """docs/protocol.md ("Safety codes and trust marks"): EVERY a=fingerprint line, hash
    function lower case, fingerprint upper case, distinct, sorted, joined by "," per
    side; SHA-256 over the two sides, sorted, joined by "\\n"; 4 groups of
    (d[2i] * 256 + d[2i+1]) mod 10000."""
    import hashlib

    mine = f"v=0\r\n{FP_SHA256}\r\n{FP_SHA1} \r\n{FP_SHA256.upper().replace('A=FINGERPRINT:', 'a=fingerprint:')}\r\n"
    theirs = f"v=0\r\n{FP_SHA256}\r\n"
    text = "\n".join(sorted(["sha-1 " + FP_SHA1.split(" ")[1].upper() + ",sha-256 " + ":".join(["AB"] * 32),
                             "sha-256 " + ":".join(["AB"] * 32)]))
    d = hashlib.sha256(text.encode()).digest()
    want = " ".join(f"{(d[2 * i] * 256 + d[2 * i + 1]) % 10000:04d}" for i in range(4))
    assert safety_code(mine, theirs) == safety_code(theirs, mine) == want
    assert safety_code("v=0\r\n", theirs) is None
    # a line added by a server in the middle counts
    assert safety_code(mine, theirs + FP_SHA512 + "\r\n") != want


@pytest.fixture(scope="module")
def chromium_page(server):
    driver = new_browser()
    try:
        yield CallPage(driver, server).open()
    finally:
        close_browser(driver)


@pytest.fixture
def peer(server):
    started = []

    def start(prepare):
        started.append(AiortcPeer(server.url, prepare=prepare).start())
        return started[-1]

    yield start
    for p in started:
        p.stop()


def wait_page_sees_peer(page, peer):
    page.wait("return document.querySelector(`.lobby-anchor[data-anchor-id='${arguments[0]}']"
              " .call-btn:not([hidden])`)", 5.0, "the page sees the aiortc peer online", peer.anchor)


def check_call(page, peer):
    """Media both ways, one offer and one answer, the same safety code; then hang up.
    Every check is made (a failure names all that failed), and the call always ends."""
    problems = []
    try:
        assert_media_flows((page, page.anchor), timeout=10.0)
        first = dict(peer.frames)
        peer.wait(lambda: peer.frames["video"] > first["video"] + 10
                  and peer.frames["audio"] > first["audio"] + 10 and peer.video_size[0] > 0,
                  5.0, "audio and video frames arriving from Chromium")
        descriptions = peer.sent + peer.received
        page_got = page.js(DESCRIPTIONS)
        kinds = [d[1] for d in descriptions]
        if (kinds.count("offer"), kinds.count("answer")) != (1, 1):
            problems.append(f"descriptions in the call: {descriptions} (want one offer, one answer)")
        if len(page_got) != 1:
            problems.append(f"the page received {page_got} (want one description)")
        try:
            code = tile_code(page, page.anchor, timeout=10.0)
        except AssertionError:
            code = None
        if code != peer.code():
            problems.append(f"safety code: tile {code}, aiortc computes {peer.code()}")
        if peer.errors:
            problems.append(f"aiortc peer errors: {peer.errors}")
        print(f"\naiortc sent {peer.sent}, received {peer.received}; page received {page_got}; "
              f"tile {code}, aiortc {peer.code()}")
    finally:
        end_call(page)
    peer.wait(lambda: any(e == "call:ended" for e, _ in peer.events), 5.0, "call:ended")
    assert not problems, "\n".join(problems)


def clear_log(page):
    end_call(page)  # a test that failed before its call could leave the slot ringing
    page.js("window.tlc.signaling.received.length = 0")


@pytest.mark.parametrize("prepare", [True, False], ids=["prepared", "unprepared"])
def test_aiortc_calls_chromium(chromium_page, peer, prepare):
    page = chromium_page
    p = peer(prepare)
    wait_page_sees_peer(page, p)
    clear_log(page)
    p.call(page.anchor)
    page.wait_phase(page.anchor, "ringing-in")
    page.click(page.anchor, "accept")
    check_call(page, p)


@pytest.mark.parametrize("prepare", [True, False], ids=["prepared", "unprepared"])
def test_chromium_calls_aiortc(chromium_page, peer, prepare):
    page = chromium_page
    p = peer(prepare)
    wait_page_sees_peer(page, p)
    clear_log(page)
    page.click_call(None, anchor_id=p.anchor)
    p.wait(lambda: p.ring, 5.0, "call:ring")
    assert p.ring.get("offer"), "Chromium prepares: its offer travels with the ring"
    if prepare:
        p.wait(lambda: getattr(p, "prepared_answer", None), 5.0, "answer prepared while it rings")
    p.accept()
    check_call(page, p)
