"""The safety code (issue 17): both tiles show the same code, made from the DTLS
fingerprints the connection really uses; an ICE restart keeps it, the site's persistent
certificate keeps it over calls and reloads, and a page that sees a different remote
certificate than its remote description names (a getStats wrapper the test injects into
that page only) shows no code and says so."""
import hashlib

from .pages import assert_media_flows, open_pages
from .calls import connect, tile_code

# Independent of safety.js: the fingerprints as this page's connection has them.
FINGERPRINTS = """
const done = arguments[arguments.length - 1];
const session = window.tlc.sessions.values().next().value;
const m = /^a=fingerprint:(\\S+) (\\S+)/m.exec(session.pc.localDescription.sdp);
RTCPeerConnection.prototype.getStats.call(session.pc).then((report) => {
  let remote = null;
  report.forEach((s) => { if (s.type === 'transport' && s.remoteCertificateId) {
    const c = report.get(s.remoteCertificateId); remote = `${c.fingerprintAlgorithm.toLowerCase()} ${c.fingerprint.toUpperCase()}`; } });
  done({local: `${m[1].toLowerCase()} ${m[2].toUpperCase()}`, remote});
}, (err) => done({error: String(err)}));
"""

# Injected into one page only: its connections see the peer's certificate with another
# fingerprint (what a swapped certificate would look like from that side).
FAKE_REMOTE_CERT = """
const original = RTCPeerConnection.prototype.getStats;
RTCPeerConnection.prototype.getStats = async function (...args) {
  const report = await original.apply(this, args);
  const ids = new Set();
  report.forEach((s) => { if (s.type === 'transport' && s.remoteCertificateId) ids.add(s.remoteCertificateId); });
  const out = new Map();
  report.forEach((s, id) => out.set(id, ids.has(id)
    ? {...s, fingerprint: (s.fingerprint[0] === '0' ? '1' : '0') + s.fingerprint.slice(1)} : s));
  return out;
};
"""


def expected_code(fp_a, fp_b):
    digest = hashlib.sha256("\n".join(sorted([fp_a, fp_b])).encode()).digest()
    return " ".join(f"{((digest[2 * i] << 8) | digest[2 * i + 1]) % 10000:04d}" for i in range(4))




def safety_text(page, anchor_id):
    return page.js("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .safety`).innerText",
                   anchor_id)


def test_both_tiles_show_the_code_of_the_fingerprints_in_use_and_an_ice_restart_keeps_it(server, browsers):
    a, b = open_pages(server, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    code_a, code_b = tile_code(a, a_anchor), tile_code(b, b_anchor)
    assert code_a == code_b, (code_a, code_b)
    assert "Read it to each other; if it matches, nobody is listening in." in safety_text(a, a_anchor)
    # The code is the fingerprints each side's getStats says are in use, hashed.
    fa, fb = a.driver.execute_async_script(FINGERPRINTS), b.driver.execute_async_script(FINGERPRINTS)
    assert fa["remote"] == fb["local"] and fb["remote"] == fa["local"], (fa, fb)
    assert fa["local"] != fb["local"]
    assert code_a == expected_code(fa["local"], fb["local"]), (code_a, fa, fb)

    # An ICE restart: new ufrag, same DTLS certificates, same code.
    ufrag = a.js("return window.tlc.sessions.values().next().value.localUfrag")
    a.js("window.tlc.sessions.values().next().value.restartIce('test')")
    a.wait("const s = window.tlc.sessions.values().next().value;"
           "return s.localUfrag !== arguments[0] && s.pc.connectionState === 'connected' && !s.restarting",
           10.0, "A restarted ICE", ufrag)
    assert_media_flows((a, a_anchor), (b, b_anchor))
    assert tile_code(a, a_anchor) == code_a and tile_code(b, b_anchor) == code_a

    # B's page is made to see another remote certificate than its remote description
    # names: it shows no code but says why (issue 36.3: the code is made from the remote
    # description's fingerprint; getStats' certificate is a check), A's stays.
    b.js(FAKE_REMOTE_CERT)
    b.wait("const el = document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .safety`);"
           "return !el.dataset.code && el.innerText.includes('not the one its description names')",
           10.0, "B's tile says the certificate does not match", b_anchor)
    assert tile_code(a, a_anchor) == code_a
    print(f"\nsafety code {code_a}; B with a swapped remote certificate: {safety_text(b, b_anchor)!r}")


def again(a, b):
    """The next call from A's lobby (scrolled back to the top: the hang-up click scrolled
    the tile to the middle, which leaves the lobby's Call button under the sticky bar)."""
    a.wait_sees(b)
    a.js("window.scrollTo(0, 0)")
    return connect(a, b)


def test_the_code_stays_the_same_for_a_new_call_and_after_a_reload(server, browsers):
    a, b = open_pages(server, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    first = tile_code(a, a_anchor)
    a.click(a_anchor, "hangup")
    b.wait_idle(b_anchor, "hangup")
    # A new peer connection on each side, with the site's kept certificate: same code.
    a_anchor, b_anchor = again(a, b)
    assert tile_code(a, a_anchor) == first and tile_code(b, b_anchor) == first
    a.click(a_anchor, "hangup")
    b.wait_idle(b_anchor, "hangup")
    # B reloads: the certificate comes back from IndexedDB.
    b.open()
    a_anchor, b_anchor = again(a, b)
    assert tile_code(b, b_anchor) == first and tile_code(a, a_anchor) == first


def test_a_verified_peer_shows_the_mark_and_a_different_code_later_warns(server, browsers):
    a, b = open_pages(server, browsers, 2)
    a_anchor, b_anchor = connect(a, b)
    code = tile_code(b, b_anchor)
    # "Mark verified": B read the code to A and it matched
    button = b.driver.find_element("css selector", f".tile[data-anchor-id='{b_anchor}'] .verify-btn")
    b.js("arguments[0].scrollIntoView({block: 'center'})", button)
    assert button.text == "Mark verified"
    button.click()
    b.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .safety`).dataset.trust === 'verified'",
           3.0, "B's tile shows the mark", b_anchor)
    assert f"Verified with {a.name}" in safety_text(b, b_anchor)
    badge = f".lobby-user[data-user-id='{a.user_id}'] .trust-badge"
    b.wait(f"const el = document.querySelector(\"{badge}\"); return el && !el.hidden && el.textContent.includes('verified')",
           3.0, "B's lobby marks A verified")
    assert a.js("return document.querySelector('.tile .safety').dataset.trust || null") is None  # A did not mark
    a.click(a_anchor, "hangup")
    b.wait_idle(b_anchor, "hangup")
    # The mark is the server's: after a reload it is still there.
    b.open()
    b.wait(f"const el = document.querySelector(\"{badge}\"); return el && !el.hidden", 5.0, "mark after reload")
    # A's page loses its kept certificate (its site data cleared) and makes a new one: the
    # next call's code differs on both sides, so B gets a warning instead of the mark.
    a.driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": server.url, "storageTypes": "indexeddb"})
    a.open()
    a.wait_sees(b)
    b.wait_sees(a)
    a.js("window.scrollTo(0, 0)")
    a_anchor, b_anchor = connect(a, b)
    changed = tile_code(a, a_anchor, not_=code)
    assert changed != code and tile_code(b, b_anchor) == changed
    b.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .safety`).dataset.trust === 'mismatch'",
           3.0, "B's tile warns", b_anchor)
    text = safety_text(b, b_anchor)
    print(f"\nwarning on B: {text!r}")
    assert f"Warning: this is not the code you verified with {a.name}" in text and "Verified with" not in text
    # ...and the lobby's badge next to A's name says so too, instead of the plain mark
    b.wait(f"const el = document.querySelector(\"{badge}\"); return el && !el.hidden"
           " && el.dataset.trust === 'changed' && el.textContent.includes('code changed')",
           3.0, "B's lobby flags A's changed code")
