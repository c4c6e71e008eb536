// node --test: who makes a pair's first offer (static/js/peer.js, issue 26: a group call's
// 3rd and 4th party took 3-16x the two-party setup). The server names the pair's initiator
// (call:started, call:party-joined); the other side has its file channel from the start
// (files/channel.js), and Chromium fires negotiationneeded for it at once. If that side
// offered then, its offer (an m=application only) met the initiator's: it rolled back, and
// after that rollback Chromium's answer refused the data channel (m=application port 0).
// The initiator's channel then needed negotiating again, and again: both ends of every
// new pair renegotiated every few seconds for as long as the call lasted (seen in the
// pages of bench/group_call.py). So the answering side waits for the initiator's offer.
// A fake RTCPeerConnection stands in for the browser's: the offer/answer states, and
// negotiationneeded when a transceiver or a channel is added or ICE restarts while stable.
import { test } from 'node:test';
import assert from 'node:assert/strict';

class FakePC extends EventTarget {
  constructor() {
    super();
    Object.assign(this, { signalingState: 'stable', localDescription: null, remoteDescription: null,
                          connectionState: 'new', transceivers: [], config: {} });
  }

  needed() {
    if (this.queued) return;
    this.queued = true;
    setTimeout(() => { // a task, as the browser does, and only when stable
      this.queued = false;
      if (this.signalingState === 'stable' && !this.closed) this.dispatchEvent(new Event('negotiationneeded'));
    });
  }

  addTransceiver(trackOrKind, { direction }) {
    const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind;
    const tr = { direction, stopped: false, receiver: { track: { kind } },
                 sender: { track: null, setStreams() {}, replaceTrack: async () => {} } };
    this.transceivers.push(tr);
    this.needed();
    return tr;
  }

  createDataChannel() { this.needed(); return {}; }
  getTransceivers() { return this.transceivers; }
  restartIce() { this.needed(); }
  getConfiguration() { return this.config; }
  setConfiguration(config) { this.config = config; }
  async getStats() { return new Map(); }
  close() { this.closed = true; }

  describe(type) {
    return { type, sdp: `v=0 ${type}`, toJSON() { return { type, sdp: this.sdp }; } };
  }

  async setLocalDescription(d) {
    await null;
    if (d?.type === 'rollback') {
      this.signalingState = 'stable';
      return;
    }
    const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
    this.localDescription = this.describe(type);
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
  }

  async setRemoteDescription(d) {
    await null;
    if (d.type === 'offer') {
      // implicit rollback of our own offer (the polite side), then the peer's
      if (this.signalingState === 'have-local-offer') this.signalingState = 'stable';
      if (!this.transceivers.length) ['audio', 'video'].forEach((kind) => this.transceivers.push(
        { direction: 'recvonly', stopped: false, receiver: { track: { kind } },
          sender: { track: null, setStreams() {}, replaceTrack: async () => {} } }));
      this.signalingState = 'have-remote-offer';
    } else {
      this.signalingState = 'stable';
    }
    this.remoteDescription = d;
  }
}

class FakeStream {
  constructor() { this.tracks = []; }
  getTracks() { return this.tracks; }
  addTrack(t) { this.tracks.push(t); }
}

globalThis.RTCPeerConnection = FakePC;
globalThis.MediaStream = FakeStream;
const { PeerSession } = await import('../../static/js/peer.js');

const settle = () => new Promise((resolve) => { setTimeout(resolve, 20); });

// Two PeerSessions of one pair, each one's call:signal delivered to the other.
function pair() {
  const ends = {};
  const signaling = (from, to) => ({
    request: async (event, p) => {
      setTimeout(() => ends[to].receive({ ...p, fromAnchorId: from }));
      return {};
    },
  });
  const media = () => Object.assign(new EventTarget(), { audioTrack: null, videoTrack: null });
  // The newcomer C offers first (call:started's parties); A answers (call:party-joined).
  // Made with no call id and named at once: what bind() does, less the watchers (health.js,
  // recovery.js, safety.js poll getStats on timers; negotiation does not need them).
  const session = (from, to, roles) => {
    const s = new PeerSession({ signaling: signaling(from, to), callId: null, anchorId: from, peerAnchorId: to,
                                media: media(), ...roles });
    s.callId = 'k1';
    return s;
  };
  ends.c = session('c', 'a', { polite: false, initiator: true });
  ends.a = session('a', 'c', { polite: true, initiator: false });
  return ends;
}

test("the answering side of a new pair never offers first: it answers the initiator's offer", async (t) => {
  const { a, c } = pair();
  t.after(() => { a.close(); c.close(); });
  await settle();
  await Promise.all([a.inbox, c.inbox]);
  await settle();
  assert.deepEqual(a.sent, { offer: 0, answer: 1 }, a.log.join('\n'));
  assert.deepEqual(c.sent, { offer: 1, answer: 0 }, c.log.join('\n'));
  assert.ok(!a.log.some((l) => l.includes('colliding')) && !c.log.some((l) => l.includes('colliding')),
    [...a.log, ...c.log].join('\n'));
  assert.equal(a.pc.signalingState, 'stable');
  assert.equal(c.pc.signalingState, 'stable');
});

test('once negotiated, the answering side may offer (an ICE restart of its own)', async (t) => {
  const { a, c } = pair();
  t.after(() => { a.close(); c.close(); });
  await settle();
  await Promise.all([a.inbox, c.inbox]);
  const before = { a: a.sent.offer, c: c.sent.answer };
  a.pc.restartIce();
  await settle();
  await Promise.all([a.inbox, c.inbox]);
  await settle();
  assert.equal(a.sent.offer - before.a, 1, a.log.join('\n'));
  assert.equal(c.sent.answer - before.c, 1, c.log.join('\n'));
});
