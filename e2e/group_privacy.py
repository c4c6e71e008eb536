"""Address privacy in a group call, end to end (issue 26: "a stranger pair uses only relay
candidates while a verified pair does not"; e2e/test_group_call.py). A party who hides
their address (e2e/calls.py hide_my_address) and verified one other party before the call:
the server decides relay-only per pair, so each of its pair connections is checked with
getStats — the ICE policy it was made with, every local candidate it gathered, the
selected pair's two ends — and with what its party tile says (the privacy note, the
verified mark)."""
from .services import wait_for

# The DTLS certificate this page's calls use (safety.js siteCertificate: one per site,
# kept in IndexedDB), as a fingerprint of the safety code's formula ("sha-256 AB:…").
FINGERPRINT = """
const done = arguments[arguments.length - 1], calls = window.tlc.calls;
calls.certificateReady.then(() => {
  const f = calls.certificate && calls.certificate.getFingerprints()[0];
  done(f ? `${f.algorithm.toLowerCase()} ${f.value.toUpperCase()}` : null);
}, (err) => done({error: String(err)}));
"""

# What "Mark verified" on a call's tile does (views/safety.js onMark → trust.js set:
# trust:set), for the code a call of these two pages will show: safety.js's own formula
# over the two certificates' fingerprints.
MARK = """
const [peerUserId, theirs, mine] = arguments, done = arguments[arguments.length - 1];
import(new URL('/static/js/safety.js', location.href).href).then(async (S) => {
  const code = await S.safetyCode([mine], [theirs]);
  await window.tlc.trust.set(peerUserId, code, true);
  return code;
}).then(done, (err) => done({error: String(err)}));
"""

# Each party tile of a slot: its pair connection's ICE policy, every local candidate's
# type, the selected pair's local and remote candidate types (the transport's selected
# pair; Firefox: the candidate pair marked selected), and the tile's safety line.
PAIR_PATHS = """
const anchorId = arguments[0], done = arguments[arguments.length - 1];
const tile = document.querySelector(`.tile[data-anchor-id="${anchorId}"]`);
const parties = tile ? [...tile.querySelectorAll('.party-grid:not([hidden]) .party-tile')] : [];
Promise.all(parties.map(async (el) => {
  const peer = el.dataset.peerAnchorId, session = window.tlc.calls.sessionOf(anchorId, peer);
  if (!session) return {peer, error: 'no session'};
  const stats = await session.pc.getStats();
  const types = [];
  let pair = null;
  stats.forEach((s) => {
    if (s.type === 'local-candidate') types.push(s.candidateType);
    if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
  });
  if (!pair) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.selected) pair = s; });
  const local = pair && stats.get(pair.localCandidateId), remote = pair && stats.get(pair.remoteCandidateId);
  const at = (c) => c ? `${c.address || c.ip}:${c.port}` : null;
  const safety = el.querySelector('.safety');
  return {peer, policy: session.pc.getConfiguration().iceTransportPolicy, relayOnly: Boolean(session.relayOnly),
          types, local: local ? local.candidateType : null, remote: remote ? remote.candidateType : null,
          localAt: at(local), remoteAt: at(remote),
          privacy: safety.dataset.privacy || null, trust: safety.dataset.trust || null,
          code: safety.dataset.code || null};
})).then(done, (err) => done([{error: String(err)}]));
"""

DIRECT = ("host", "prflx")  # a loopback host address (prflx: the same, seen in a check before its candidate came)


def verify_before_call(page, peer_page):
    """`page`'s user marks `peer_page`'s verified before any call of theirs, with the code
    their calls will show (the pages keep their certificates); returns that code."""
    theirs, mine = (p.driver.execute_async_script(FINGERPRINT) for p in (peer_page, page))
    assert isinstance(theirs, str) and isinstance(mine, str), (theirs, mine)
    code = page.driver.execute_async_script(MARK, peer_page.user_id, theirs, mine)
    assert isinstance(code, str) and len(code) == 19, code
    return code


def pair_paths(page, anchor_id, peers, timeout=15.0):
    """{peer anchor: PAIR_PATHS probe} once every pair of the slot has a selected pair."""
    def probe():
        got = {p.get("peer"): p for p in page.driver.execute_async_script(PAIR_PATHS, anchor_id)}
        return got if all(p in got and got[p].get("local") and got[p].get("remote") for p in peers) else None
    return wait_for(probe, timeout, f"{page.name}'s pairs {sorted(peers)} each have a selected candidate pair", 0.2)


def assert_privacy_per_pair(hider, verified, strangers, code, timeout=15.0):
    """`hider` (page, anchor) hides its address and verified `verified` (page, anchor)
    with `code`; `strangers` [(page, anchor)] it did not verify. Towards each stranger
    its connection was made relay-only, gathered relay candidates only and uses its relay
    (the stranger's end sees it at its relay address), and its tile says the address is hidden;
    towards the verified party its connection is a direct host pair, on both ends, and its
    tile shows the mark for the code the pair shows."""
    (page, anchor), (v_page, v_anchor) = hider, verified
    mine = pair_paths(page, anchor, [v_anchor, *(a for _, a in strangers)], timeout)
    for s_page, s_anchor in strangers:
        # both ends read their selected pair; until nomination settles (Firefox, a loaded
        # machine) the two ends may still report different pairs: read both again
        seen = []

        def same_pair():
            ours = pair_paths(page, anchor, [s_anchor], timeout)[s_anchor]
            theirs = pair_paths(s_page, s_anchor, [anchor], timeout)[anchor]
            seen[:] = [ours, theirs]
            return theirs["remoteAt"] == ours["localAt"]
        try:
            # (a loaded box: once, with six more browsers on two cores, not within 15 s)
            wait_for(same_pair, 2 * timeout, f"{s_page.name} and the hider report the same candidate pair", 0.3)
        except AssertionError as err:
            raise AssertionError(f"{err}: {seen}") from None
        pair, theirs = seen
        assert pair["policy"] == "relay" and pair["relayOnly"], (s_page.name, pair)
        assert pair["types"] and set(pair["types"]) == {"relay"}, (s_page.name, pair)
        assert pair["local"] == "relay" and pair["privacy"] == "relay", (s_page.name, pair)
        # the stranger reaches the hider at its relay's address only; Firefox keeps calling
        # a candidate it first met in a connectivity check "prflx" after the relay
        # candidate itself arrived (Chromium then says "relay")
        assert theirs["policy"] == "all" and theirs["remote"] in ("relay", "prflx"), (s_page.name, theirs)
    pair = mine[v_anchor]
    assert pair["policy"] == "all" and not pair["relayOnly"] and "host" in pair["types"], pair
    assert pair["local"] == "host" and pair["remote"] in DIRECT and pair["privacy"] is None, pair
    assert pair["code"] == code and pair["trust"] == "verified", (code, pair)
    theirs = pair_paths(v_page, v_anchor, [anchor], timeout)[anchor]
    assert theirs["local"] == "host" and theirs["remote"] in DIRECT, theirs
    return mine
