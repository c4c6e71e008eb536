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

from .aiortc_peer import AiortcPeer
from .pages import CallPage, assert_media_flows
from .services import close_browser, new_browser
from .test_engines import end_call
from .test_safety import tile_code

# Descriptions the browser page received, in order: (event, type).
PAGE_RECEIVED = """
return window.tlc.signaling.received.flatMap((r) => {
  const d = r.event === 'call:ring' ? r.data.offer : r.event === 'call:signal' ? r.data.description : null;
  return d ? [[r.event, d.type]] : [];
});
"""


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
        page_got = page.js(PAGE_RECEIVED)
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
