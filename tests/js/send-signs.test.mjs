// node --test: the sender of a poor video is told (issue 31.9, "Your connection is
// unstable"): from what the peer reports of our stream (remote-inbound-rtp fractionLost,
// roundTripTime) and the encoder's own limit (outbound-rtp qualityLimitationReason).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { SIGNS, SignsTracker, sendingTrouble } from '../../static/js/signs.js';
import { snapshot } from '../../static/js/stats.js';
import { peerNoteText } from '../../static/js/views/words.js';

const report = ({ fractionLost = 0, rtt = 0.05, limit = 'none', at = 1000 } = {}) => [
  { id: 'o', type: 'outbound-rtp', kind: 'video', timestamp: at, bytesSent: 1000, qualityLimitationReason: limit },
  { id: 'r', type: 'remote-inbound-rtp', kind: 'video', timestamp: at, fractionLost, roundTripTime: rtt, roundTripTimeMeasurements: 3 },
];

test('the snapshot keeps the loss the peer reports of our stream and the encoder\'s limit', () => {
  const snap = snapshot(report({ fractionLost: 0.12, limit: 'bandwidth' }));
  assert.equal(snap.lossOutPct, 12);
  assert.equal(snap.limitedBy, 'bandwidth');
  const quiet = snapshot([]);
  assert.equal(quiet.lossOutPct, null);
  assert.equal(quiet.limitedBy, null);
});

test('the decision: loss the peer sees, a long round trip, a lasting bandwidth limit', () => {
  assert.equal(sendingTrouble(snapshot(report()), null), null);
  assert.equal(sendingTrouble(snapshot(report({ fractionLost: 0.12 })), null), 'loss');
  assert.equal(sendingTrouble(snapshot(report({ fractionLost: 0.03 })), null), null);
  assert.equal(sendingTrouble(snapshot(report({ rtt: 0.9 })), null), 'rtt');
  const limited = snapshot(report({ limit: 'bandwidth', at: 10000, fractionLost: 0.03 }));
  assert.equal(sendingTrouble(limited, 10000 - SIGNS.limitedMs + 1), null); // a start's ramp-up: not yet
  assert.equal(sendingTrouble(limited, 10000 - SIGNS.limitedMs), 'bandwidth');
  // held back on a clean link (a loaded machine, a ramp-up): not the connection
  assert.equal(sendingTrouble(snapshot(report({ limit: 'bandwidth', at: 10000 })), 0), null);
});

test('the tracker: a bandwidth limit counts once it lasts, and ends with it', () => {
  const tr = new SignsTracker();
  let signs;
  for (let at = 1000; at <= 1000 + SIGNS.limitedMs; at += SIGNS.pollMs) signs = tr.update(snapshot(report({ limit: 'bandwidth', at, rtt: 0.4 })), true);
  assert.equal(signs.unstable, 'bandwidth');
  signs = tr.update(snapshot(report({ at: 2000 + SIGNS.limitedMs })), true);
  assert.equal(signs.unstable, null);
  assert.equal(tr.update(snapshot(report({ fractionLost: 0.2, at: 3000 + SIGNS.limitedMs })), false).unstable, null);
});

test('the own tile says it, unless "Poor connection" already does', () => {
  assert.equal(peerNoteText(null, { notSending: false, poor: null, unstable: 'loss' }), 'Your connection is unstable');
  assert.equal(peerNoteText(null, { notSending: false, poor: 'rtt', unstable: 'rtt' }), 'Poor connection');
  assert.equal(peerNoteText(null, { notSending: false, poor: null }), '');
});
