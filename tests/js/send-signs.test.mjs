// node --test: the sender of a poor video is told (issue 31.9, "Your connection is
// unstable"): from what the peer reports of our stream (remote-inbound-rtp fractionLost,
// roundTripTime) and the encoder's own limit (outbound-rtp qualityLimitationReason).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { SIGNS, SignsTracker, holdUnstable, sendingTrouble } from '../../static/js/signs.js';
import { snapshot } from '../../static/js/stats.js';
import { peerNoteText } from '../../static/js/views/words.js';

// `reports`: the peer's receiver reports so far (a new one about every second; each poll
// here is a new one unless a test says otherwise)
const report = ({ fractionLost = 0, rtt = 0.05, limit = 'none', at = 1000, reports = at } = {}) => [
  { id: 'o', type: 'outbound-rtp', kind: 'video', timestamp: at, bytesSent: 1000, qualityLimitationReason: limit },
  { id: 'r', type: 'remote-inbound-rtp', kind: 'video', timestamp: at, fractionLost, roundTripTime: rtt, roundTripTimeMeasurements: reports },
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

test('the tracker: a bandwidth limit counts once it lasts, and ends a hold after it', () => {
  const tr = new SignsTracker();
  let signs;
  const limitedUntil = (end) => {
    for (let at = 1000; at <= end; at += SIGNS.pollMs) signs = tr.update(snapshot(report({ limit: 'bandwidth', at, rtt: 0.4 })), true);
  };
  limitedUntil(1000 + SIGNS.limitedMs + SIGNS.unstableShowMs - SIGNS.pollMs);
  assert.equal(signs.unstable, null, 'the limit has lasted, the sign waits its own moment');
  limitedUntil(1000 + SIGNS.limitedMs + SIGNS.unstableShowMs);
  assert.equal(signs.unstable, 'bandwidth');
  const last = 1000 + SIGNS.limitedMs + SIGNS.unstableShowMs;
  signs = tr.update(snapshot(report({ at: last + SIGNS.holdMs })), true);
  assert.equal(signs.unstable, 'bandwidth', 'held after the limit ends');
  signs = tr.update(snapshot(report({ at: last + SIGNS.holdMs + SIGNS.pollMs })), true);
  assert.equal(signs.unstable, null);
  assert.equal(tr.update(snapshot(report({ fractionLost: 0.2, at: last + 5000 })), false).unstable, null);
});

test('the own tile says it, unless "Poor connection" already does', () => {
  assert.equal(peerNoteText(null, { notSending: false, poor: null, unstable: 'loss' }), 'Your connection is unstable');
  assert.equal(peerNoteText(null, { notSending: false, poor: 'rtt', unstable: 'rtt' }), 'Poor connection');
  assert.equal(peerNoteText(null, { notSending: false, poor: null }), '');
});

// "Poor connection" is held so it does not flicker; "unstable" likewise (issue 31.9): shown
// once the trouble has lasted SHOW_MS, cleared once it has been gone HOLD_MS.
test('the sign is held: a single bad sample shows nothing, a single good one clears nothing', () => {
  const tr = new SignsTracker();
  const step = (at, bad) => tr.update(snapshot(report({ at, fractionLost: bad ? 0.2 : 0 })), true).unstable;
  let at = 1000;
  assert.equal(step(at, true), null, 'one lossy report is not yet "unstable"');
  at += SIGNS.pollMs;
  assert.equal(step(at, false), null);
  // lasting loss: shown once it has lasted unstableShowMs, not before
  const from = at += SIGNS.pollMs;
  for (; at - from < SIGNS.unstableShowMs; at += SIGNS.pollMs) assert.equal(step(at, true), null, at - from);
  assert.equal(step(at, true), 'loss');
  // a good sample between bad ones: still shown (no flicker)
  const last = at;
  at += SIGNS.pollMs;
  assert.equal(step(at, false), 'loss');
  at += SIGNS.pollMs;
  assert.equal(step(at, true), 'loss');
  // gone for good: held holdMs after its last sighting, then cleared
  const gone = at;
  for (at += SIGNS.pollMs; at - gone <= SIGNS.holdMs; at += SIGNS.pollMs) assert.equal(step(at, false), 'loss', at - gone);
  assert.equal(step(at, false), null);
  assert.ok(last < gone);
  // and the call's end clears it at once
  for (const end = at + SIGNS.unstableShowMs; at <= end; at += SIGNS.pollMs) step(at, true);
  assert.equal(tr.update(snapshot(report({ at, fractionLost: 0.2 })), false).unstable, null);
});

test('the hold, as a pure function of the last state, the raw decision and the time', () => {
  const t = SIGNS;
  let s = holdUnstable(undefined, 'rtt', 0, 1, t);
  assert.equal(s.shown, null);
  assert.equal(holdUnstable(s, 'rtt', t.unstableShowMs, 1, t).shown, null, 'still the first report');
  s = holdUnstable(s, 'rtt', t.unstableShowMs, 2, t);
  assert.equal(s.shown, 'rtt');
  const same = holdUnstable(s, null, t.unstableShowMs + t.holdMs, 2, t);
  assert.equal(same.shown, 'rtt');
  assert.equal(holdUnstable(same, null, t.unstableShowMs + t.holdMs + 1, 2, t).shown, null);
  assert.equal(s.shown, 'rtt', 'the state passed in is not changed');
  // a browser that counts no receiver reports: the time alone decides
  const uncounted = holdUnstable(holdUnstable(undefined, 'loss', 0, 0, t), 'loss', t.unstableShowMs, 0, t);
  assert.equal(uncounted.shown, 'loss');
});

test('one lossy receiver report that keeps its figures for seconds is not "unstable"; a second one is', () => {
  const tr = new SignsTracker();
  let at = 1000;
  for (const end = at + 3 * SIGNS.unstableShowMs; at <= end; at += SIGNS.pollMs) {
    assert.equal(tr.update(snapshot(report({ at, fractionLost: 0.2, reports: 7 })), true).unstable, null, at);
  }
  assert.equal(tr.update(snapshot(report({ at, fractionLost: 0.2, reports: 8 })), true).unstable, 'loss');
});
