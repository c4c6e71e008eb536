"""Calls across real NATs (issue 30, item 2), in the namespace lab of e2e/netlab.py: each
path is proved with media and asserted on the selected candidate pair (getStats).

One lab for the module: the app and coturn in the public namespace, six homes (two behind
endpoint-independent NAT, two behind symmetric NAT, one whose UDP is blocked but for port
53, one with two uplinks), each with its own Chromium started in parallel.

Over 300 lines on purpose: every lab test is here so that they share one lab (six
Chromiums take a while to start); splitting the module would start a second lab.
"""
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from . import certs, netlab
from .capture import Capture, addresses
from .calls import SECRET, recover
from .conftest import Server, keep_screenshots
from .geometry import DESKTOP, PHONE, in_viewport, rect, set_viewport
from .pages import CallPage, assert_media_flows
from .services import close_browser, wait_for, wait_until

with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "static", "i18n", "en.json"), encoding="utf-8") as f:
    EN = json.load(f)
HOMES = {"cone1": "cone", "cone2": "cone", "sym1": "symmetric", "sym2": "symmetric",
         "blocked": "udp-blocked", "mobile": "cone"}
TURN_TRANSPORTS = ("udp", "tcp")
SETUP_S = 40.0  # a bound for a call to connect on a busy two-core machine, not a wait

# The selected pair of a tile's call, and every remote candidate this side knows of.
PAIR = """
const anchorId = arguments[0], done = arguments[arguments.length - 1];
const tile = document.querySelector(`.tile[data-anchor-id="${anchorId}"]`);
const session = tile && window.tlc.sessions.get(tile.dataset.callId);
if (!session) return done(null);
session.pc.getStats().then((stats) => {
  let pair = null;
  const remotes = [];
  stats.forEach((s) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
    if (s.type === 'remote-candidate') remotes.push({type: s.candidateType, address: s.address || s.ip});
  });
  const l = pair && stats.get(pair.localCandidateId), r = pair && stats.get(pair.remoteCandidateId);
  const end = (c) => c && {type: c.candidateType, address: c.address || c.ip, protocol: c.protocol,
                           relayProtocol: c.relayProtocol || null};
  done({state: pair && pair.state, local: end(l), remote: end(r), remotes});
}, (err) => done({error: String(err)}));
"""


def start_lab(homes):
    """The lab with these homes ({name: nat}; "mobile" gets two uplinks), coturn and the app
    in the public namespace; close() it (bench/netchange.py uses it too)."""
    made = netlab.Lab()
    try:
        for name, nat in homes.items():
            made.home(name, nat, uplinks=2 if name == "mobile" else 1)
        tls = []  # TURN over TLS, with a test CA the homes' Chromiums trust (when certutil is here)
        if not certs.why_no_nss():
            ca, cert, key = certs.make(made.dir, netlab.PUBLIC)
            made.nss_home = certs.nss_trusting(f"{made.dir}/home", ca)
            tls = [f"--cert={cert}", f"--pkey={key}", f"--tls-listening-port={netlab.TLS_PORT}"]
        turn = made.start([
            "turnserver", "-n", "--no-cli", *(tls or ["--no-tls"]), "--no-dtls",
            f"--listening-ip={netlab.PUBLIC}", f"--relay-ip={netlab.RELAY}",
            f"--listening-port={netlab.TURN_PORT}", "--min-port=49152", "--max-port=49652",
            "--use-auth-secret", f"--static-auth-secret={SECRET}", "--realm=tlightchat.test",
            "--fingerprint", "--simple-log", f"--log-file={made.dir}/turn.log"], "turnserver.out")
        netlab.wait_in_ns(made.pub, netlab.PUBLIC, netlab.TURN_PORT, proc=turn)
        made.server = lab_server(made)
        return made
    except BaseException:
        made.close()
        raise


@pytest.fixture(scope="module")
def lab():
    reason = netlab.why_not()
    if reason:
        pytest.skip(reason)
    made = start_lab(HOMES)
    try:
        yield made
    finally:
        made.close()


def lab_server(lab):
    """`python app.py` in the public namespace, handing out STUN and TURN (UDP and TCP)."""
    turn = f"turn:{netlab.PUBLIC}:{netlab.TURN_PORT}"
    srv = Server(env={
        "TLC_HOST": netlab.PUBLIC,
        "TLC_ICE_SERVERS": json.dumps([{"urls": f"stun:{netlab.PUBLIC}:{netlab.TURN_PORT}"}]),
        "TLC_TURN_URLS": json.dumps([f"{turn}?transport={t}" for t in TURN_TRANSPORTS] + (
            [f"turns:{netlab.PUBLIC}:{netlab.TLS_PORT}?transport=tcp"] if lab.nss_home else [])),
        # relay candidates name coturn's relay address, not the TURN URL's host
        "TLC_TURN_RELAY_ADDRESSES": json.dumps([netlab.RELAY]),
        "TLC_TURN_SECRET": SECRET}, port=netlab.APP_PORT, wrapper=["ip", "netns", "exec", lab.pub])
    forward = netlab.Forward(lab.pub, (netlab.PUBLIC, netlab.APP_PORT))
    lab.forwards.append(forward)
    srv.forward_url = forward.url
    start_app(lab, srv)
    return srv


def start_app(lab, srv):
    srv.url = srv.forward_url  # the runner waits for it through the forward...
    try:
        srv.start()
    finally:
        srv.url = f"http://{netlab.PUBLIC}:{netlab.APP_PORT}"  # ...the homes browse the public one
    lab.procs.append(srv.proc)


def open_lab_pages(lab, drivers):
    """A call page in every home of the lab, started in parallel (each driver is appended
    to `drivers` at once, for the caller to close); they all see each other."""
    def start(home):
        driver = home.browser()
        drivers.append(driver)
        page = CallPage(driver, lab.server)
        page.home = home
        for attempt in range(3):  # six Chromiums starting at once on two busy cores
            try:
                return home.name, page.open()
            except AssertionError:
                if attempt == 2:
                    raise

    with ThreadPoolExecutor(len(lab.homes)) as pool:
        opened = dict(pool.map(start, lab.homes.values()))
    for page in opened.values():
        page.wait_sees(*[p for p in opened.values() if p is not page], timeout=10.0)
    return opened


@pytest.fixture(scope="module")
def pages(lab):
    drivers = []
    try:
        yield open_lab_pages(lab, drivers)
    finally:
        for driver in drivers:
            close_browser(driver)


@pytest.fixture
def idle_after(request, pages):
    """After each test: screenshots when it failed, every page back to idle."""
    yield
    keep_screenshots(request, [p.driver for p in pages.values()], "nat")
    for page in pages.values():
        recover(page)


def call(caller, callee):
    """caller calls callee, callee accepts; the two anchors once media flows both ways."""
    caller.click_call(callee)
    callee.wait_phase(callee.anchor, "ringing-in", 5.0)
    caller_anchor = caller.wait(
        "return document.querySelector('.tile[data-phase=\"ringing-out\"]')?.dataset.anchorId",
        5.0, "caller slot ringing-out")
    callee.click(callee.anchor, "accept")
    assert_media_flows((caller, caller_anchor), (callee, callee.anchor), timeout=SETUP_S)
    return caller_anchor, callee.anchor


def _wait_pair(page, anchor, condition, what, timeout=SETUP_S):
    last = {}

    def probe():
        last["p"] = p = page.driver.execute_async_script(PAIR, anchor)
        ok = p and p["local"] and p["remote"]
        return p if ok and condition(p) else None
    try:
        return wait_for(probe, timeout, f"{page.name}: {what}", poll=0.2)
    except AssertionError:
        raise AssertionError(f"{page.name}: never {what}; last pair {last.get('p')}") from None


def test_two_endpoint_independent_nats_connect_directly(lab, pages, idle_after):
    a, b = pages["cone1"], pages["cone2"]
    a_anchor, b_anchor = call(a, b)
    for page, anchor, peer in ((a, a_anchor, "cone2"), (b, b_anchor, "cone1")):
        p = _wait_pair(page, anchor, lambda p: "relay" not in (p["local"]["type"], p["remote"]["type"]),
                       "a direct pair")
        # The path crosses both NATs: this side's own host address, the peer's public mapping.
        assert p["local"]["type"] in ("host", "srflx"), p
        assert p["remote"]["type"] in ("srflx", "prflx"), p
        assert p["remote"]["address"] in lab.homes[peer].wan, p
    assert_media_flows((a, a_anchor), (b, b_anchor))


def test_symmetric_nats_connect_through_turn(lab, pages, idle_after):
    a, b = pages["sym1"], pages["sym2"]
    a_anchor, b_anchor = call(a, b)
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        p = _wait_pair(page, anchor, lambda p: True, "a pair")
        assert "relay" in (p["local"]["type"], p["remote"]["type"]), p
        relayed = p["local"] if p["local"]["type"] == "relay" else p["remote"]
        assert relayed["address"] == netlab.RELAY, p


def test_udp_blocked_home_connects_through_turn_over_tcp(lab, pages, idle_after):
    # The peer is behind an endpoint-independent NAT: the pair is the blocked home's relay
    # (allocated over TCP) and the peer's own host/srflx candidate, media both ways.
    a, b = pages["blocked"], pages["cone2"]
    a_anchor, b_anchor = call(a, b)
    p = _wait_pair(a, a_anchor, lambda p: True, "a pair")
    assert p["local"]["type"] == "relay" and p["local"]["relayProtocol"] == "tcp", p
    peer = _wait_pair(b, b_anchor, lambda p: True, "a pair")
    assert peer["remote"]["type"] == "relay" and peer["remote"]["address"] == netlab.RELAY, peer
    assert_media_flows((a, a_anchor), (b, b_anchor))


def test_a_home_that_reaches_only_tls_connects_through_turn_over_tls(lab, pages, idle_after):
    """The blocked home's router now drops TCP to coturn's plain port too (only TLS leaves,
    as on networks that pass nothing but HTTPS-like traffic): the pair is its relay,
    allocated over TLS with a certificate its Chromium verified."""
    if not lab.nss_home:
        pytest.skip(certs.why_no_nss())
    a, b = pages["blocked"], pages["cone2"]
    plain_tcp = ["FORWARD", "-i", "lan0", "-p", "tcp", "--dport", str(netlab.TURN_PORT), "-j", "DROP"]
    router = lab.homes["blocked"].routers[0]
    netlab.sh("iptables", "-I", *plain_tcp, ns=router)
    try:
        a_anchor, b_anchor = call(a, b)
        p = _wait_pair(a, a_anchor, lambda p: True, "a pair")
        assert p["local"]["type"] == "relay" and p["local"]["relayProtocol"] == "tls", p
        peer = _wait_pair(b, b_anchor, lambda p: True, "a pair")
        assert peer["remote"]["type"] == "relay" and peer["remote"]["address"] == netlab.RELAY, peer
        assert_media_flows((a, a_anchor), (b, b_anchor))
    finally:
        netlab.sh("iptables", "-D", *plain_tcp, ns=router)


def set_hidden(page, hidden):
    """Tick or untick "Hide my network address…" on /me as a person would, then reopen /call."""
    driver = page.driver
    driver.get(page.server.url + "/me")
    box = driver.find_element("id", "hideAddress")
    if box.is_selected() != hidden:
        box.click()
    driver.find_element("css selector", "#privacy-form button[type=submit]").click()
    wait_until(driver, "return document.body.innerText.includes('Privacy setting saved')", 5.0)
    page.open()


GATHERED = """
const s = window.tlc.sessions.values().next().value;
if (!s || s.pc.iceGatheringState !== 'complete') return null;
return (s.pc.localDescription.sdp.match(/^a=candidate:/gm) || []).length;
"""


def test_address_privacy_holds_across_the_nat(lab, pages, idle_after):
    """cone2 hides its address: sym1 (the peer) never learns cone2's private or public
    address: once cone2 has gathered and sent every candidate, all the peer's getStats
    knows of cone2 is the relay; the call carries media that way (the relay ↔ the peer's
    own candidate, or relay ↔ relay); and on the wire no packet at the peer's home came
    from or went to one of cone2's addresses."""
    a, b = pages["sym1"], pages["cone2"]
    set_hidden(b, True)
    wire = None
    try:
        a.wait_sees(b, timeout=10.0)
        a.click_call(b)
        b.wait_phase(b.anchor, "ringing-in", 5.0)
        a_anchor = a.wait("return document.querySelector('.tile[data-phase=\"ringing-out\"]')?.dataset.anchorId",
                          5.0, "caller slot ringing-out")
        wire = Capture(lab.homes["sym1"].ns)  # everything in and out of the peer's home
        b.click(b.anchor, "accept")
        sent = b.wait(GATHERED, SETUP_S, "cone2 gathered every candidate")
        assert b.js("return window.tlc.sessions.values().next().value.pc.getConfiguration()"
                    ".iceTransportPolicy") == "relay"
        p = wait_for(lambda: (lambda p: p if p and len(p["remotes"]) >= sent else None)(
            a.driver.execute_async_script(PAIR, a_anchor)), SETUP_S, "the peer got them all", poll=0.2)
        seen = {c["address"] for c in p["remotes"]}
        assert seen == {netlab.RELAY}, (seen, lab.homes["cone2"].addresses)
        assert not seen & lab.homes["cone2"].addresses
        assert_media_flows((a, a_anchor), (b, b.anchor), timeout=SETUP_S)
        pair = _wait_pair(a, a_anchor, lambda p: True, "a pair")
        assert pair["remote"]["type"] == "relay" and pair["remote"]["address"] == netlab.RELAY, pair
        # On the wire: the media reached the peer's home from the relay, and no packet of the
        # whole call came from or went to any address of cone2's (its LAN, its public one).
        seen = wire.close()
        assert sum(n for (src, _), n in seen.items() if src == netlab.RELAY) > BACK_BYTES, seen
        assert not addresses(seen) & lab.homes["cone2"].addresses, seen
    finally:
        if wire is not None:
            wire.close()
        recover(a)
        set_hidden(b, False)
        a.wait_sees(b, timeout=10.0)


# -- item 3: a network change mid-call ------------------------------------------------------
INBOUND = """
const done = arguments[arguments.length - 1];
const tile = document.querySelector(`.tile[data-anchor-id="${arguments[0]}"]`);
const session = tile && window.tlc.sessions.get(tile.dataset.callId);
if (!session) return done(null);
session.pc.getStats().then((stats) => {
  let bytes = 0;
  stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') bytes += s.bytesReceived || 0; });
  done({bytes, state: session.pc.connectionState});
}, () => done(null));
"""
BACK_BYTES = 20000  # inbound video past the moment of the switch: ~0.3 s of the fake camera


def switch_and_wait(mobile, peer, timeout=SETUP_S):
    """Move the mobile home to its other uplink (the old address disappears) and wait until
    video arrives again on both sides; seconds from the switch until then."""
    sides = [(mobile, mobile.anchor), (peer, peer.anchor)]
    home = mobile.home
    before = [p.driver.execute_async_script(INBOUND, a)["bytes"] for p, a in sides]
    started = time.monotonic()
    home.use_uplink(1 - home.uplink)

    def back():
        now = [p.driver.execute_async_script(INBOUND, a) for p, a in sides]
        return all(n and n["state"] == "connected" and n["bytes"] > b + BACK_BYTES
                   for n, b in zip(now, before))
    wait_for(back, timeout, "media back both ways after the uplink switch", poll=0.05)
    return time.monotonic() - started


def test_network_change_mid_call_recovers_without_reload(lab, pages, idle_after):
    """The mobile home moves from one uplink to the other mid-call: its address changes and
    the old one disappears. Media comes back both ways by itself (the app's ICE restart),
    on the same call, without a reload; the new path uses the new uplink."""
    a, b = pages["mobile"], pages["cone1"]
    a_anchor, b_anchor = call(a, b)
    call_id = a.tile_attr(a_anchor, "data-call-id")
    client = a.client_id
    old = _wait_pair(a, a_anchor, lambda p: True, "a pair")
    try:
        took = switch_and_wait(a, b)
        print(f"\nuplink switch: media back both ways after {took:.2f} s (pair before: {old['local']})")
        mobile = lab.homes["mobile"]
        now_at = {mobile.lan[1][0], mobile.wan[1], netlab.RELAY}
        new = _wait_pair(a, a_anchor, lambda p: p["local"]["address"] in now_at, "a pair from the new uplink")
        assert new["local"]["address"] not in (mobile.lan[0][0], mobile.wan[0]), (old, new)
        probes = assert_media_flows((a, a_anchor), (b, b_anchor), timeout=SETUP_S)
        assert {p["callId"] for p in probes} == {call_id}  # the same call, not a new one
        assert a.js("return window.tlc.store.getState().me.clientId") == client  # no reload
    finally:  # hang up first: a switch back mid-call would be one more network change
        recover(a)
        if lab.homes["mobile"].uplink != 0:
            lab.homes["mobile"].use_uplink(0)


# -- item 3: an outage ----------------------------------------------------------------------
OUTAGE_S = 20.0  # how long the uplink stays lost: the scenario itself, not a wait


def outage(lab, a, b, restart_server):
    """a calls b; a's uplink is lost for OUTAGE_S (the server restarted meanwhile when
    `restart_server`), then comes back: the same call carries media both ways again, by
    itself, without a reload."""
    a_anchor, b_anchor = call(a, b)
    call_id, client = a.tile_attr(a_anchor, "data-call-id"), a.client_id
    a.home.set_online(False)
    try:
        lost = time.monotonic()
        b.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).dataset.net !== 'connected'",
               OUTAGE_S, f"{b.name} notices the outage", b_anchor)  # the outage is real
        if restart_server:
            lab.server.stop()
            start_app(lab, lab.server)
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - lost)))
    finally:
        a.home.set_online(True)
    probes = assert_media_flows((a, a_anchor), (b, b_anchor), timeout=SETUP_S)
    assert {p["callId"] for p in probes} == {call_id}  # the same call, not a new one
    assert a.js("return window.tlc.store.getState().me.clientId") == client  # no reload
    for page, anchor in ((a, a_anchor), (b, b_anchor)):
        page.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`).dataset.net === 'connected'",
                  SETUP_S, f"{page.name}'s tile connected again", anchor)


def test_lost_uplink_back_after_20_s_recovers_the_call(lab, pages, idle_after):
    outage(lab, pages["cone1"], pages["cone2"], restart_server=False)


def test_server_restart_during_the_outage_recovers_the_call(lab, pages, idle_after):
    outage(lab, pages["sym1"], pages["cone1"], restart_server=True)


def test_a_lossy_uplink_tells_its_sender_the_connection_is_unstable(lab, pages, idle_after):
    """Issue 31.9: the sender of a poor video was told nothing. A real lossy link: 30 % of
    the UDP that cone1's home sends is dropped (iptables' statistic match in its namespace:
    this kernel has no netem), so cone2's receiver reports count the loss, and cone1's own
    tile says "Your connection is unstable", in view at the three sizes. Once the loss
    stops, the sign goes."""
    a, b = pages["cone1"], pages["cone2"]
    a_anchor, _ = call(a, b)
    tile = f".tile[data-anchor-id='{a_anchor}']"
    note = f"{tile} .peer-media"
    drop = ["OUTPUT", "-p", "udp", "-m", "statistic", "--mode", "random", "--probability", "0.3",
            "-j", "DROP"]
    netlab.sh("iptables", "-I", *drop, ns=a.home.ns)
    try:
        a.wait("return document.querySelector(arguments[0]).dataset.sending === 'unstable'", SETUP_S,
               "cone1 is told its connection is unstable", tile)
        for size in (DESKTOP, PHONE, (844, 390)):
            set_viewport(a.driver, size)
            a.js("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", f"{tile} .stage")
            assert in_viewport(a.driver, note)[0], (size, rect(a.driver, note))
            assert EN["sign.unstable"] in a.js(
                "return document.querySelector(arguments[0]).textContent", note), size
    finally:
        netlab.sh("iptables", "-D", *drop, ns=a.home.ns)
        set_viewport(a.driver, DESKTOP)
    a.wait("return !document.querySelector(arguments[0]).dataset.sending", SETUP_S,
           "the sign goes once the link is clean", tile)
