// node --test: static/js/safety.js against the worked example of docs/protocol.md
// ("Safety codes"), and the Safety watcher's fallbacks (run by tests/protocol/test_safety_formula.py,
// which passes the example it parsed from the document in TLC_SAFETY_EXAMPLE).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const S = await import(new URL('../../static/js/safety.js', import.meta.url));
const example = JSON.parse(process.env.TLC_SAFETY_EXAMPLE || 'null');

test('the document\'s worked example gives its code', { skip: !example }, async () => {
  const local = S.sdpFingerprints(example.caller);
  const remote = S.remoteFingerprints(example.callee, null);
  assert.equal(remote.fingerprints.length, 2); // three lines, two distinct
  assert.equal(await S.safetyCode(local, remote.fingerprints), example.code);
  // The same from the other side: the order of the two is irrelevant.
  assert.equal(await S.safetyCode(S.sdpFingerprints(example.callee), S.sdpFingerprints(example.caller)), example.code);
});

const sdp = (...fps) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n${fps.filter(Boolean).map((fp) => `a=fingerprint:${fp}\r\n`).join('')}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n`;
const A = 'sha-256 AA:BB';
const B = 'sha-256 CC:DD';

// A PeerSession's face as Safety sees it: a connected pc, its descriptions and getStats.
function fakeSession({ local = A, remote = B, stats = new Map(), remoteSdp = null } = {}) {
  const session = new EventTarget();
  session.closed = false;
  session.remoteSdp = remoteSdp; // the peer's description as received (peer.js)
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
  assert.equal(safety.code, await S.safetyCode([A], [B]));
  assert.equal(safety.error, null);
  assert.deepEqual(session.emitted.map((e) => e.detail.code), [safety.code]);
});

test('getStats\' certificate is used as a check only', async () => {
  const cert = (fp) => new Map([
    ['T', { type: 'transport', remoteCertificateId: 'C', selectedCandidatePairId: 'P' }],
    ['C', { type: 'certificate', fingerprintAlgorithm: 'sha-256', fingerprint: fp }]]);
  const same = new S.Safety(fakeSession({ stats: cert('cc:dd') }));
  await same.update();
  assert.equal(same.code, await S.safetyCode([A], [B]));
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

// Review finding 6: a server in the middle keeps the peer's fingerprint as the first line
// and adds its own certificate's on a stronger-hash line (the one Chromium keeps, and
// checks the certificate against). The peer, which never saw that line, computes its
// code from its own description alone: the two codes must differ.
const MITM = `sha-512 ${Array(64).fill('EE').join(':')}`;

test('a second, stronger-hash line added to the remote description changes the code', async () => {
  const peerSide = new S.Safety(fakeSession({ local: B, remote: A }));
  await peerSide.update();
  const tampered = sdp(B, MITM);
  // Chromium's re-serialized remote description keeps only the sha-512 line; the page
  // reads the SDP as received.
  const victim = new S.Safety(fakeSession({ remote: MITM, remoteSdp: tampered }));
  await victim.update();
  assert.equal(victim.error, null);
  assert.notEqual(victim.code, null);
  assert.notEqual(victim.code, peerSide.code);
  assert.deepEqual(victim.remote, [B, MITM]);
  // untouched, both sides agree
  const honest = new S.Safety(fakeSession({ remoteSdp: sdp(B) }));
  await honest.update();
  assert.equal(honest.code, peerSide.code);
});

test('each side\'s lines: all, normalized, distinct, sorted', async () => {
  const lines = S.sdpFingerprints(`${sdp('SHA-512 ab:cd', B)}a=fingerprint:sha-256 cc:dd \r\na=fingerprint:sha-512\tAB:CD\r\n`);
  assert.deepEqual(lines, [B, 'sha-512 AB:CD']);
  assert.equal(await S.safetyCode([B, 'sha-512 AB:CD'], [A]), await S.safetyCode([A], lines));
  assert.notEqual(await S.safetyCode([B, 'sha-512 AB:CD'], [A]), await S.safetyCode([B], [A]));
});
