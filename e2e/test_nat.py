"""Calls across real NATs (issue 30, item 2), in the namespace lab of e2e/netlab.py: each
path is proved with media and asserted on the selected candidate pair (getStats).

One lab for the module: the app and coturn in the public namespace, six homes (two behind
endpoint-independent NAT, two behind symmetric NAT, one whose UDP is blocked but for port
53, one with two uplinks), each with its own Chromium started in parallel.
"""
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from . import netlab
from .calls import SECRET, recover
from .conftest import Server, keep_screenshots
from .pages import CallPage, assert_media_flows
from .services import close_browser, wait_for, wait_until

HOMES = {"cone1": "cone", "cone2": "cone", "sym1": "symmetric", "sym2": "symmetric",
         "blocked": "udp-blocked", "mobile": "cone"}
SETUP_S = 20.0  # a bound for a call to connect on a busy two-core machine, not a wait

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


@pytest.fixture(scope="module")
def lab():
    reason = netlab.why_not()
    if reason:
        pytest.skip(reason)
    made = netlab.Lab()
    try:
        for name, nat in HOMES.items():
            made.home(name, nat, uplinks=2 if name == "mobile" else 1)
        turn = made.start([
            "turnserver", "-n", "--no-cli", "--no-tls", "--no-dtls",
            f"--listening-ip={netlab.PUBLIC}", f"--relay-ip={netlab.PUBLIC}",
            f"--listening-port={netlab.TURN_PORT}", "--min-port=49152", "--max-port=49652",
            "--use-auth-secret", f"--static-auth-secret={SECRET}", "--realm=tlightchat.test",
            "--fingerprint", "--simple-log", f"--log-file={made.dir}/turn.log"], "turnserver.out")
        netlab.wait_in_ns(made.pub, netlab.PUBLIC, netlab.TURN_PORT, proc=turn)
        made.server = lab_server(made)
        yield made
    finally:
        made.close()


def lab_server(lab):
    """`python app.py` in the public namespace, handing out STUN and TURN (UDP and TCP)."""
    turn = f"turn:{netlab.PUBLIC}:{netlab.TURN_PORT}"
    srv = Server(env={
        "TLC_HOST": netlab.PUBLIC,
        "TLC_ICE_SERVERS": json.dumps([{"urls": f"stun:{netlab.PUBLIC}:{netlab.TURN_PORT}"}]),
        "TLC_TURN_URLS": json.dumps([f"{turn}?transport=udp", f"{turn}?transport=tcp"]),
        "TLC_TURN_SECRET": SECRET}, port=netlab.APP_PORT, wrapper=["ip", "netns", "exec", lab.pub])
    forward = netlab.Forward(lab.pub, (netlab.PUBLIC, netlab.APP_PORT))
    lab.forwards.append(forward)
    srv.url = forward.url  # the runner waits for it through the forward...
    srv.start()
    lab.procs.append(srv.proc)
    srv.url = f"http://{netlab.PUBLIC}:{netlab.APP_PORT}"  # ...the homes browse the public one
    return srv


@pytest.fixture(scope="module")
def pages(lab):
    """A call page in every home, started in parallel; they all see each other."""
    drivers = []

    def start(home):
        driver = home.browser()
        drivers.append(driver)
        page = CallPage(driver, lab.server)
        for attempt in range(3):  # six Chromiums starting at once on two busy cores
            try:
                return home.name, page.open()
            except AssertionError:
                if attempt == 2:
                    raise

    try:
        with ThreadPoolExecutor(len(lab.homes)) as pool:
            opened = dict(pool.map(start, lab.homes.values()))
        for page in opened.values():
            page.wait_sees(*[p for p in opened.values() if p is not page], timeout=10.0)
        yield opened
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
        assert relayed["address"] == netlab.PUBLIC, p


def test_udp_blocked_home_connects_through_turn_over_tcp(lab, pages, idle_after):
    a, b = pages["blocked"], pages["cone1"]
    a_anchor, b_anchor = call(a, b)
    p = _wait_pair(a, a_anchor, lambda p: True, "a pair")
    assert p["local"]["type"] == "relay" and p["local"]["relayProtocol"] == "tcp", p
    peer = _wait_pair(b, b_anchor, lambda p: True, "a pair")
    assert peer["remote"]["type"] == "relay" and peer["remote"]["address"] == netlab.PUBLIC, peer


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


def test_address_privacy_holds_across_the_nat(lab, pages, idle_after):
    """cone2 hides its address: cone1 (the peer) never learns cone2's private or public
    address, not even in its candidate list, and the call still has media (relayed)."""
    a, b = pages["cone1"], pages["cone2"]
    set_hidden(b, True)
    try:
        a.wait_sees(b, timeout=10.0)
        a_anchor, b_anchor = call(a, b)
        p = _wait_pair(a, a_anchor, lambda p: True, "a pair")
        assert p["remote"]["type"] == "relay" and p["remote"]["address"] == netlab.PUBLIC, p
        seen = {c["address"] for c in p["remotes"]}
        assert seen and not seen & lab.homes["cone2"].addresses, (seen, lab.homes["cone2"].addresses)
    finally:
        recover(a)
        set_hidden(b, False)
        a.wait_sees(b, timeout=10.0)
