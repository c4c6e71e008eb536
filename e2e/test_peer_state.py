"""Issue 15: the far side sees that the peer muted or turned the camera off, within 1 s,
on its tile (call:peer-state through the signaling channel, docs/protocol.md)."""
import time

from .geometry import axe_violations
from .pages import open_pages
from .calls import connect

TILE = "document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`)"


def peer_note(page, anchor_id):
    return page.js(f"const t = {TILE}.querySelector('.peer-media'); return t.hidden ? '' : t.textContent",
                   anchor_id)


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
    assert axe_violations(b.driver) == []  # the indicator over the video is readable
    assert a.js(f"return {TILE}.dataset.peerAudio", a_anchor) == "true"  # A's own tile: B's state

    a.click(a_anchor, "mic")
    a.click(a_anchor, "cam")
    b.wait(f"return {TILE}.dataset.peerAudio === 'true' && {TILE}.dataset.peerVideo === 'true'",
           1.0, "B sees A back on", b_anchor)
    assert peer_note(b, b_anchor) == ""
    print(f"\nstate change → peer's indicator: muted {muted_ms:.0f} ms, camera off {camera_ms:.0f} ms")
    record_property("peer_indicator_ms", [round(muted_ms), round(camera_ms)])
