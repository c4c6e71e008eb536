// The ICE restart policy (static/js/recovery.js) against a fake connection: a connection
// whose call started but that never finds a path (no candidate from the peer ever came)
// gets an ICE restart, as a failed one does; one that connects in time, or whose checks
// run (it has the peer's candidates), does not.
// node --test, run by tests/web/test_js_units.py.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { Recovery } from '../../static/js/recovery.js';

const flush = () => new Promise((resolve) => { setImmediate(resolve); });

function fakeSession({ state = 'connecting', initiator = true } = {}) {
  const pc = new EventTarget();
  Object.assign(pc, {
    connectionState: state, signalingState: 'stable',
    localDescription: { type: 'offer', sdp: 'v=0\r\na=ice-ufrag:Ab3d\r\n' },
    remoteDescription: { type: 'answer', sdp: 'v=0\r\na=ice-ufrag:Xy9z\r\n' },
    restarts: 0,
    restartIce() { this.restarts += 1; },
  });
  const session = new EventTarget();
  Object.assign(session, {
    pc, initiator, closed: false, remoteCandidates: 0,
    health: { startSlowTimer() {}, updateNet() {}, mediaGrowing: false },
    signaling: { connected: true, on() {}, off() {} },
    rollback: async () => {},
    trace() {},
    setIceServers() {},
  });
  return session;
}

function setState(session, state) {
  session.pc.connectionState = state;
  session.pc.dispatchEvent(new Event('connectionstatechange'));
}

test('a connection still connecting long after its call started restarts ICE', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const session = fakeSession();
  const recovery = new Recovery(session);
  t.mock.timers.tick(19000);
  await flush();
  assert.equal(session.pc.restarts, 0, 'not before the wait is over');
  t.mock.timers.tick(1000);
  await flush();
  assert.equal(session.pc.restarts, 1);
  assert.equal(recovery.restarting.reason, 'no path');
  recovery.stop();
});

test('a prepared connection still new when the call starts counts as without a path too', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const session = fakeSession({ state: 'new' });
  const recovery = new Recovery(session);
  t.mock.timers.tick(20000);
  await flush();
  assert.equal(session.pc.restarts, 1);
  recovery.stop();
});

test('the answering side waits longer, so the initiator restarts first', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const session = fakeSession({ initiator: false });
  const recovery = new Recovery(session);
  t.mock.timers.tick(20000);
  await flush();
  assert.equal(session.pc.restarts, 0);
  t.mock.timers.tick(5000);
  await flush();
  assert.equal(session.pc.restarts, 1);
  recovery.stop();
});

test('a connection that connects in time, or is closed, is left alone', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const connected = fakeSession();
  const r1 = new Recovery(connected);
  t.mock.timers.tick(3000);
  setState(connected, 'connected');
  const closed = fakeSession();
  const r2 = new Recovery(closed);
  closed.closed = true;
  t.mock.timers.tick(60000);
  await flush();
  assert.equal(connected.pc.restarts, 0);
  assert.equal(closed.pc.restarts, 0);
  r1.stop();
  r2.stop();
});

test('a connection that has the peer\'s candidates is left to the browser\'s own checks', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const trickled = fakeSession();
  trickled.remoteCandidates = 2;
  const inSdp = fakeSession();
  inSdp.pc.remoteDescription = { type: 'answer', sdp: 'v=0\r\na=candidate:1 1 udp 2122260223 192.0.2.7 40000 typ host\r\n' };
  const r1 = new Recovery(trickled);
  const r2 = new Recovery(inSdp);
  t.mock.timers.tick(60000);
  await flush();
  assert.equal(trickled.pc.restarts, 0);
  assert.equal(inSdp.pc.restarts, 0);
  r1.stop();
  r2.stop();
});

test('a connection whose offer or answer is still missing is not restarted (a description, not a path, is missing)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const noAnswer = fakeSession();
  noAnswer.pc.signalingState = 'have-local-offer';
  noAnswer.pc.remoteDescription = null;
  const noOffer = fakeSession({ initiator: false, state: 'new' });
  noOffer.pc.localDescription = null;
  noOffer.pc.remoteDescription = null;
  const r1 = new Recovery(noAnswer);
  const r2 = new Recovery(noOffer);
  t.mock.timers.tick(60000);
  await flush();
  assert.equal(noAnswer.pc.restarts, 0);
  assert.equal(noOffer.pc.restarts, 0);
  r1.stop();
  r2.stop();
});

test('the wait is counted from when offer and answer are through', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const session = fakeSession({ initiator: true });
  session.pc.signalingState = 'have-local-offer';
  session.pc.remoteDescription = null;
  const recovery = new Recovery(session);
  t.mock.timers.tick(30000); // the answer is slow to come
  session.pc.remoteDescription = { type: 'answer', sdp: 'v=0\r\na=ice-ufrag:Xy9z\r\n' };
  session.pc.signalingState = 'stable';
  session.pc.dispatchEvent(new Event('signalingstatechange'));
  t.mock.timers.tick(19000);
  await flush();
  assert.equal(session.pc.restarts, 0, 'twenty seconds from the answer, not from the call');
  t.mock.timers.tick(1000);
  await flush();
  assert.equal(session.pc.restarts, 1);
  recovery.stop();
});

test('the peer\'s candidates coming while fresh ICE servers are fetched call the restart off', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const session = fakeSession();
  const recovery = new Recovery(session, { getIceServers: async () => { session.remoteCandidates = 1; return null; } });
  t.mock.timers.tick(20000);
  await flush();
  assert.equal(session.pc.restarts, 0);
  assert.equal(recovery.restarting, null);
  recovery.stop();
});

test('stop() ends the wait', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const session = fakeSession();
  new Recovery(session).stop();
  t.mock.timers.tick(60000);
  await flush();
  assert.equal(session.pc.restarts, 0);
});
