// node --test: what a reloaded call page sends on its connects (static/js/rejoin.js,
// review finding 8). `reloaded: true` makes the server tell the peer to replace its
// connection (call:peer-reloaded); only the first connect after the page load may say
// it, never a network reconnect after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Rejoin, takeRejoin } from '../../static/js/rejoin.js';
import { createStore } from '../../static/js/store.js';

const NOW = 1_000_000;
const CALL = { callId: 'call-1', anchorId: 'a1', peer: { anchorId: 'p1' }, initiator: true };

function storage(saved) {
  const data = new Map([['tlc.rejoin', JSON.stringify(saved)]]);
  return { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => data.set(k, v), removeItem: (k) => data.delete(k) };
}

function reloadedPage() {
  const store = storage({ v: 1, savedAt: NOW - 500, graceMs: 30000, clientId: 'c-me', resumeToken: 'tok',
                          anchors: [{ anchorId: 'a1', name: 'Desk', online: true }], calls: [CALL] });
  const pending = takeRejoin(store, NOW);
  assert.ok(pending, 'the saved state is taken');
  const signaling = { on() {}, resumeToken: 'tok' };
  return new Rejoin({ signaling, store: createStore(), storage: store, pending });
}

const CLAIM = { anchors: [{ anchorId: 'a1', name: 'Desk', online: true }],
                calls: [{ callId: 'call-1', anchorId: 'a1', peerAnchorId: 'p1', initiator: true }] };

test('the first connect after the reload says reloaded; a reconnect before the welcome does not', () => {
  const rejoin = reloadedPage();
  assert.deepEqual(rejoin.resumeState(), { reloaded: true, ...CLAIM });
  // the network drops before the welcome arrives: the next connect claims the same,
  // without announcing the reload again
  assert.deepEqual(rejoin.resumeState(), CLAIM);
  assert.deepEqual(rejoin.resumeState(), CLAIM);
});

test('once the welcome was seen, no later connect says reloaded', () => {
  const rejoin = reloadedPage();
  assert.equal(rejoin.isRejoin({ clientId: 'c-me', resumed: true }), true);
  const later = rejoin.resumeState();
  assert.equal(later?.reloaded, undefined);
});

test('a page that was not reloaded in a call sends nothing of it', () => {
  const rejoin = new Rejoin({ signaling: { on() {} }, store: createStore(), storage: storage(null), pending: null });
  assert.equal(rejoin.resumeState(), null);
});
