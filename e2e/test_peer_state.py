"""Issue 15: the far side sees that the peer muted or turned the camera off, within 1 s,
on its tile (call:peer-state through the signaling channel, docs/protocol.md)."""
import time

from .geometry import DESKTOP, PHONE, axe_violations, in_viewport, set_viewport
from .pages import open_pages
from .calls import connect

TILE = "document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`)"


def peer_note(page, anchor_id):
    return page.js(f"const t = {TILE}.querySelector('.peer-media'); return t.hidden ? '' : t.textContent",
                   anchor_id)


def initial_over(page, anchor_id, cover, video):
    """The initial shown over a video (issue 31.3): its text, and its circle's centre and the
    video box's centre, in the viewport."""
    return page.js(f"""const t = {TILE}, c = t.querySelector(arguments[1]), v = t.querySelector(arguments[2]);
      const mid = (r) => [r.left + r.width / 2, r.top + r.height / 2];
      const l = c && !c.hidden && c.querySelector('.initial-letter');
      if (!l) return null;
      const r = l.getBoundingClientRect();
      return {{text: l.textContent, size: r.width, circle: mid(r), video: mid(v.getBoundingClientRect()),
               shown: getComputedStyle(c).display !== 'none' && r.width > 0,
               hidden: c.getAttribute('aria-hidden')}};""", anchor_id, cover, video)


def assert_centred(seen, letter, min_size):
    assert seen and seen["shown"] and seen["text"] == letter, seen
    assert seen["hidden"] == "true"  # the words over the video say it already
    assert seen["size"] >= min_size, seen
    assert all(abs(c - v) <= 2 for c, v in zip(seen["circle"], seen["video"])), seen


def test_mute_and_camera_off_show_on_the_peers_tile_within_a_second(server, browsers, record_property):
    a, b = open_pages(server, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    b.wait(f"return {TILE}.dataset.peerAudio === 'true' && {TILE}.dataset.peerVideo === 'true'",
           3.0, "B knows A's mic and camera are on", b_anchor)
    assert peer_note(b, b_anchor) == ""

    clicked = time.monotonic()
    a.click(a_anchor, "mic")
    b.wait(f"return {TILE}.dataset.peerAudio === 'false'", 1.0, "B sees A muted within 1 s", b_anchor)
    muted_ms = (time.monotonic() - clicked) * 1000
    assert peer_note(b, b_anchor) == f"{a.name} is muted"  # by name, not "Peer"

    clicked = time.monotonic()
    a.click(a_anchor, "cam")
    b.wait(f"return {TILE}.dataset.peerVideo === 'false'", 1.0, "B sees A's camera off within 1 s",
           b_anchor)
    camera_ms = (time.monotonic() - clicked) * 1000
    assert peer_note(b, b_anchor) == f"{a.name} is muted, camera off"
    # the camera off: A's initial in a circle centred over the video, not a black box
    assert_centred(initial_over(b, b_anchor, ".remote-initial", ".remote"), a.name[0].upper(), 60)
    # and over A's own self-view
    assert_centred(initial_over(a, a_anchor, ".self-initial", ".local"), a.name[0].upper(), 20)
    for size in (DESKTOP, PHONE, (844, 390)):  # s7: the default window only before
        for page in (a, b):
            set_viewport(page.driver, size)
        b.js(f"{TILE}.querySelector('.stage').scrollIntoView({{block: 'center'}})", b_anchor)
        assert_centred(initial_over(b, b_anchor, ".remote-initial", ".remote"), a.name[0].upper(), 60)
        assert in_viewport(b.driver, f".tile[data-anchor-id='{b_anchor}'] .remote-initial .initial-letter")[0], size
        assert_centred(initial_over(a, a_anchor, ".self-initial", ".local"), a.name[0].upper(), 20)
    assert axe_violations(b.driver) == []  # the indicator over the video is readable
    assert a.js(f"return {TILE}.dataset.peerAudio", a_anchor) == "true"  # A's own tile: B's state

    a.click(a_anchor, "mic")
    a.click(a_anchor, "cam")
    b.wait(f"return {TILE}.dataset.peerAudio === 'true' && {TILE}.dataset.peerVideo === 'true'",
           1.0, "B sees A back on", b_anchor)
    assert peer_note(b, b_anchor) == ""
    assert initial_over(b, b_anchor, ".remote-initial", ".remote") is None  # the video again
    assert initial_over(a, a_anchor, ".self-initial", ".local") is None
    print(f"\nstate change → peer's indicator: muted {muted_ms:.0f} ms, camera off {camera_ms:.0f} ms")
    record_property("peer_indicator_ms", [round(muted_ms), round(camera_ms)])
