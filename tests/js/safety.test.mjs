// node --test: static/js/safety.js against the worked example of docs/protocol.md
// ("Safety codes"), and the Safety watcher's fallbacks (run by tests/test_safety_formula.py,
// which passes the example it parsed from the document in TLC_SAFETY_EXAMPLE).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const S = await import(new URL('../../static/js/safety.js', import.meta.url));
const example = JSON.parse(process.env.TLC_SAFETY_EXAMPLE || 'null');

test('the document\'s worked example gives its code', { skip: !example }, async () => {
  const local = S.sdpFingerprint(example.caller);
  const remote = S.remoteFingerprint(example.callee, null);
  assert.equal(await S.safetyCode(local, remote.fingerprint), example.code);
  // The same from the other side: the order of the two is irrelevant.
  assert.equal(await S.safetyCode(S.sdpFingerprint(example.callee), S.sdpFingerprint(example.caller)), example.code);
});

const sdp = (fp) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n${fp ? `a=fingerprint:${fp}\r\n` : ''}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n`;
const A = 'sha-256 AA:BB';
const B = 'sha-256 CC:DD';

// A PeerSession's face as Safety sees it: a connected pc, its descriptions and getStats.
function fakeSession({ local = A, remote = B, stats = new Map() } = {}) {
  const session = new EventTarget();
  session.closed = false;
  session.emitted = [];
  session.emit = (type, detail) => session.emitted.push({ type, detail });
  session.pc = { connectionState: 'connected', localDescription: { sdp: sdp(local) },
                 remoteDescription: { sdp: sdp(remote) }, currentRemoteDescription: null,
                 getStats: async () => stats };
  return session;
}

test('no certificate in getStats (Firefox): the remote description\'s fingerprint gives the code', async () => {
  const session = fakeSession();
  const safety = new S.Safety(session);
  await safety.update();
  assert.equal(safety.code, await S.safetyCode(A, B));
  assert.equal(safety.error, null);
  assert.deepEqual(session.emitted.map((e) => e.detail.code), [safety.code]);
});

test('getStats\' certificate is used as a check only', async () => {
  const cert = (fp) => new Map([
    ['T', { type: 'transport', remoteCertificateId: 'C', selectedCandidatePairId: 'P' }],
    ['C', { type: 'certificate', fingerprintAlgorithm: 'sha-256', fingerprint: fp }]]);
  const same = new S.Safety(fakeSession({ stats: cert('cc:dd') }));
  await same.update();
  assert.equal(same.code, await S.safetyCode(A, B));
  const other = new S.Safety(fakeSession({ stats: cert('EE:FF') }));
  await other.update();
  assert.equal(other.code, null);
  assert.equal(other.error, S.MISMATCH);
});

test('connected with no fingerprint to be had: it says so instead of waiting', async () => {
  const session = fakeSession({ remote: null });
  const safety = new S.Safety(session);
  await safety.update();
  assert.equal(safety.code, null);
  assert.equal(safety.error, S.NO_FINGERPRINT);
  assert.deepEqual(session.emitted.map((e) => e.detail.code), [null]);
});
