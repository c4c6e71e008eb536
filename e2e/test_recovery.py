"""Calls that survive outages, in real browsers: the server process restarting mid-call,
one browser's network dropping for less (and for more) than the server's grace period,
and an ICE restart. Media is P2P, so it must keep flowing while signaling is down, and
the call must come back under control (hang-up works, the lobby is right) afterwards.

Network loss is Chrome's own offline emulation (DevTools protocol): it closes the page's
WebSocket without a goodbye, fails every new request and fires offline/online — what a
Wi-Fi drop looks like to the page. It does not touch WebRTC's UDP, so the call's media
keeps flowing, as it does when only the path to the server breaks.
"""
import time

from .services import wait_for

from .pages import (assert_media_flows, bytes_in, open_pages, record_tile_states,
                    selected_pair, shot, tile_states_seen)
from .calls import connect, wait_signaling

NETWORK = {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def set_offline(page, offline):
    page.driver.execute_cdp_cmd("Network.enable", {})
    page.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": offline, **NETWORK})


def signaling_status(page):
    return page.js("return window.tlc.signaling.status")




def assert_bytes_grow(*sides, timeout=5.0):
    """Inbound RTP bytes grow on every (page, anchor) — media flows, whatever signaling does."""
    first = [bytes_in(page, anchor) for page, anchor in sides]
    deadline = time.monotonic() + timeout
    while True:
        now = [bytes_in(page, anchor) for page, anchor in sides]
        if all(b and a is not None and b > a for a, b in zip(first, now)):
            return [b - a for a, b in zip(first, now)]
        if time.monotonic() > deadline:
            raise AssertionError(f"inbound bytes did not grow within {timeout}s: {first} → {now}")
        time.sleep(0.1)


def assert_flows_throughout(sides, seconds, every=0.5, min_bytes=2000):
    """For `seconds` (a duration: how long an outage lasts), inbound bytes grow on every
    side in every `every`-second step: media never stops. Returns the total growth."""
    start = last = [bytes_in(page, anchor) for page, anchor in sides]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(every)
        now = [bytes_in(page, anchor) for page, anchor in sides]
        assert all(b - a >= min_bytes for a, b in zip(last, now)), f"media stalled: {last} → {now}"
        last = now
    return [b - a for a, b in zip(start, last)]


def me_state(page):
    return page.driver.execute_async_script(
        "const done = arguments[0];"
        "window.tlc.signaling.request('me:state').then(done, (e) => done({error: e.code}))")


def wait_lobby_status(page, anchor_id, status, timeout=5.0):
    page.wait("return document.querySelector(`.lobby-anchor[data-anchor-id='${arguments[0]}']`)"
              "?.dataset.status === arguments[1]", timeout,
              f"{page.name} sees {anchor_id} {status} in the lobby", anchor_id, status)


def test_server_restart_mid_call_keeps_media_and_restores_the_call(server_factory, browsers, record_property):
    # Same port, same database, same SECRET_KEY: the resume tokens stay valid.
    srv = server_factory(TLC_SECRET_KEY="e2e-restart-secret-key", TLC_RECONNECT_GRACE="20")
    a, b = open_pages(srv, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    call_id = a.tile_attr(a_anchor, "data-call-id")
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        record_tile_states(page, anchor)

    srv.stop()
    down_at = time.monotonic()
    for page in (a, b):
        page.wait("return window.tlc.signaling.status !== 'connected'", 5.0, f"{page.name} notices the server is gone")
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        assert page.tile_attr(anchor, "data-net") == "reconnecting"
    # Signaling stays down for 2 s; the call's media does not stop for a moment.
    grown = assert_flows_throughout(((a, a_anchor), (b, b_anchor)), 2.0)
    print(f"\nwhile the server was down, inbound bytes grew by {grown} (A, B)")

    srv.start()
    up_at = time.monotonic()
    for page in (a, b):
        wait_signaling(page, "connected", 10.0)
        me = page.js("return window.tlc.store.getState().me")
        assert me["clientId"] == page.client_id and me["restored"] is True, me
    reconnected_s = time.monotonic() - up_at
    # The call is back on the server (both sides claimed it, both report media again).
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        page.wait_phase(anchor, "connected", 10.0)
        page.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).dataset.net === 'connected'",
                  5.0, f"{page.name} tile connected again", anchor)
    restored_s = time.monotonic() - up_at
    print(f"server down {up_at - down_at:.1f} s; both pages reconnected {reconnected_s:.1f} s and the call "
          f"was restored {restored_s:.1f} s after it came back")
    record_property("restart_reconnected_s", round(reconnected_s, 2))
    record_property("restart_call_restored_s", round(restored_s, 2))
    probes = assert_media_flows((a, a_anchor), (b, b_anchor))
    assert {p["callId"] for p in probes} == {call_id}
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        assert "reconnecting" in tile_states_seen(page), tile_states_seen(page)
        state = me_state(page)
        assert call_id in state["calls"] and state["anchors"][anchor]["status"] == "in-call", state
    # The lobby is right: both users there, both slots in a call.
    for page, other, other_anchor in ((a, b, b_anchor), (b, a, a_anchor)):
        wait_lobby_status(page, other_anchor, "in-call")
        assert set(page.js("return Object.keys(window.tlc.store.getState().lobby.users)")) == {a.user_id, b.user_id}

    # Still under control: hang-up ends it on both sides.
    a.click(a_anchor, "hangup")
    assert "hung up" in b.wait_idle(b_anchor, "hangup")
    a.wait_idle(a_anchor, "hangup")
    assert a.session_count() == b.session_count() == 0
    for page, other_anchor in ((a, b_anchor), (b, a_anchor)):
        wait_lobby_status(page, other_anchor, "online")


def test_network_drop_shorter_than_grace_survives_longer_tells_the_peer(server_factory, browsers, record_property):
    grace = 5
    srv = server_factory(TLC_RECONNECT_GRACE=str(grace))
    a, b = open_pages(srv, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    call_id = a.tile_attr(a_anchor, "data-call-id")
    record_tile_states(a, a_anchor)

    # Short: B's network is gone for 1.5 s. A sees B "reconnecting"; the call survives.
    set_offline(b, True)
    a.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).dataset.net === 'reconnecting'",
           3.0, "A's tile says reconnecting", a_anchor)
    assert "connection to the server dropped" in a.tile_text(a_anchor)
    assert b.tile_attr(b_anchor, "data-net") == "reconnecting"
    shot(a, "peer-reconnecting-tile.png", f".tile[data-anchor-id='{a_anchor}']")
    assert_bytes_grow((a, a_anchor), (b, b_anchor))
    time.sleep(1.5)  # a duration, not a wait: how long the network stays down
    set_offline(b, False)
    back = time.monotonic()
    wait_signaling(b, "connected", grace)
    assert b.js("return window.tlc.store.getState().me.resumed") is True
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        page.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).dataset.net === 'connected'",
                  8.0, f"{page.name} tile connected again", anchor)
    print(f"\nshort drop: back to connected {time.monotonic() - back:.1f} s after the network returned")
    probes = assert_media_flows((a, a_anchor), (b, b_anchor))
    assert {p["callId"] for p in probes} == {call_id}
    assert "reconnecting" in tile_states_seen(a) and tile_states_seen(a)[-1] == "connected", tile_states_seen(a)
    assert a.tile_attr(a_anchor, "data-outcome") is None
    # B's browser fired `online`: B restarted ICE at once (its addresses may have changed).
    assert "network changed" in [r["reason"] for r in b.js("return window.tlc.sessions.values().next().value.restarts")]

    # Longer than the grace period: A is told B left, within the grace (plus a tick).
    set_offline(b, True)
    gone = time.monotonic()
    assert "peer left" in a.wait_idle(a_anchor, "peer-left", timeout=grace + 4)
    left_s = time.monotonic() - gone
    print(f"long drop: A told 'peer left' {left_s:.1f} s after B's network went (grace {grace} s)")
    record_property("peer_left_after_s", round(left_s, 1))
    assert left_s >= grace - 0.5
    assert a.session_count() == 0
    # B comes back to a call that is over: it ends there too, and B is in the lobby again.
    set_offline(b, False)
    b.wait_idle(b_anchor, "peer-left", timeout=grace + 6)
    assert b.session_count() == 0
    a.wait_sees(b)


def test_forced_ice_restart_recovers_with_media_and_a_new_ufrag(server, browsers, record_property):
    a, b = open_pages(server, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    before = {p.name: selected_pair(p, anchor)["ufrag"] for p, anchor in ((a, a_anchor), (b, b_anchor))}
    record_tile_states(a, a_anchor)
    record_tile_states(b, b_anchor)
    restart = """
        const t = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
        window.tlc.sessions.get(t.dataset.callId).restartIce('test hook');
    """
    done = """
        const t = document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`);
        const s = window.tlc.sessions.get(t.dataset.callId);
        return s.restarts.length >= arguments[1] && t.dataset.net === 'connected' && s.restarts;
    """
    # The caller (initiator) restarts, then the callee: both recover, with new ufrags.
    ms = []
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        count = page.js("return window.tlc.sessions.values().next().value.restarts.length")
        page.js(restart, anchor)
        restarts = page.wait(done, 10.0, f"{page.name}'s ICE restart completed", anchor, count + 1)
        ms.append(restarts[-1]["ms"])
        assert_media_flows((a, a_anchor), (b, b_anchor))
    def pairs_settled():  # getStats may still call the new pair 'in-progress' a moment
        got = {p.name: selected_pair(p, anchor) for p, anchor in ((a, a_anchor), (b, b_anchor))}
        return got if all(v and v["state"] == "succeeded" for v in got.values()) else None

    after = wait_for(pairs_settled, 5.0, "both selected candidate pairs succeeded")
    print(f"\nICE restart → media over the new path: caller {ms[0]} ms, callee {ms[1]} ms; ufrags {before} → "
          f"{ {k: v['ufrag'] for k, v in after.items()} }")
    record_property("ice_restart_ms_caller_callee", ms)
    for page in (a, b):
        assert after[page.name]["ufrag"] not in (None, before[page.name]), (before, after)
        assert after[page.name]["state"] == "succeeded"
        seen = tile_states_seen(page)
        assert "reconnecting" in seen and seen[-1] == "connected", seen
