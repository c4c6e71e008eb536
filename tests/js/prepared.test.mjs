// The ring's offer as the callee applies it (static/js/sdp.js through static/js/prepared.js):
// nothing in it may make the callee's browser send a check before Accept (issue 23 item 1,
// issue 34 item 7). node --test, run by tests/web/test_js_units.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { attributeName, stripCandidates } from '../../static/js/sdp.js';
import { Prepared } from '../../static/js/prepared.js';

const CAND = '1 1 udp 2122260223 192.0.2.7 40000 typ host';
const HEAD = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0',
  'a=group:BUNDLE 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:Ab3d', 'a=ice-pwd:0123456789abcdefghij0123',
  'a=fingerprint:sha-256 AA:BB', 'a=setup:actpass', 'a=mid:0', 'a=rtcp-mux', 'a=rtcp-fb:111 transport-cc',
  'a=rtpmap:111 opus/48000/2'];
const sdpOf = (lines, eol = '\r\n') => lines.map((l) => l + eol).join('');
const CLEAN = sdpOf(HEAD);

// Every spelling a browser may read as a candidate, or as an address to check.
const ATTACKS = {
  'a=candidate:': `a=candidate:${CAND}`,
  'a=CANDIDATE:': `a=CANDIDATE:${CAND}`,
  'a=Candidate:': `a=Candidate:${CAND}`,
  'a=candidate <v>': `a=candidate ${CAND}`,
  'a=candidate<TAB><v>': `a=candidate\t${CAND}`,
  'a=candidatex:': `a=candidatex:${CAND}`,
  'a=remote-candidates': 'a=remote-candidates:1 192.0.2.7 40000',
  'a=end-of-candidates': 'a=end-of-candidates',
  'leading space': ` a=candidate:${CAND}`,
  'A=candidate:': `A=candidate:${CAND}`,
  'lone CR inside': `a=mid:0\ra=candidate:${CAND}`,
};

test('attribute names are read as browsers read them', () => {
  assert.equal(attributeName(`CANDIDATE:${CAND}`), 'candidate');
  assert.equal(attributeName(`candidate ${CAND}`), 'candidate');
  assert.equal(attributeName(`Candidate\t${CAND}`), 'candidate');
  assert.equal(attributeName('rtcp-mux'), 'rtcp-mux');
  assert.equal(attributeName('end-of-candidates'), 'end-of-candidates');
});

test('a clean offer is kept as it is, CRLF or LF', () => {
  assert.equal(stripCandidates(CLEAN), CLEAN);
  assert.equal(stripCandidates(sdpOf(HEAD, '\n')), CLEAN);
});

for (const [name, line] of Object.entries(ATTACKS)) {
  test(`an offer with ${name} loses that line and keeps the rest`, () => {
    const attacked = sdpOf([...HEAD.slice(0, 12), line, ...HEAD.slice(12)]);
    const out = stripCandidates(attacked);
    assert.equal(out, CLEAN);
    assert.ok(!/192\.0\.2\.7|candidate/i.test(out), out);
  });
}

test('c= and a=rtcp keep only the null address of their type', () => {
  const lines = HEAD.map((l) => (l.startsWith('c=') ? 'c=IN IP4 192.0.2.7'
    : l.startsWith('a=rtcp:') ? 'a=RTCP:9 IN IP4 192.0.2.7' : l));
  assert.equal(stripCandidates(sdpOf(lines)), CLEAN);
  const v6 = stripCandidates(sdpOf(['v=0', 'c=IN IP6 2001:db8::7', 'a=rtcp:9 IN IP6 2001:db8::7']));
  assert.equal(v6, sdpOf(['v=0', 'c=IN IP6 ::', 'a=rtcp:9 IN IP6 ::']));
});

// Through the Prepared class: what the callee's session is given to apply while it rings.
function ringingCallee() {
  const received = [];
  const state = { me: null, calls: { 'c2.b1': { phase: 'ringing-in', invitationId: 'i1' } } };
  const calls = {
    store: { getState: () => state },
    iceServersNow: async () => [],
    newSession: () => ({ closed: false, receive: (signal) => received.push(signal), trace() {}, close() {} }),
  };
  return { prepared: new Prepared(calls), received };
}

test("the callee applies the ring's offer without its candidates", async () => {
  const { prepared, received } = ringingCallee();
  const sdp = sdpOf([...HEAD, ...Object.values(ATTACKS).slice(0, 6), 'c=IN IP4 192.0.2.7']);
  assert.equal(prepared.onRing({ toAnchorId: 'c2.b1', invitationId: 'i1', relayOnly: false,
    offer: { type: 'offer', sdp } }), true);
  await new Promise((resolve) => setImmediate(resolve));  // prepareAnswer awaits iceServersNow
  assert.equal(received.length, 1);
  assert.equal(received[0].description.type, 'offer');
  assert.ok(!/192\.0\.2\.7|candidate/i.test(received[0].description.sdp), received[0].description.sdp);
});
