// node --test: what a network reconnect claims (static/js/rejoin.js callClaims): a
// restarted server restores every party of a group call only if each party claims
// every pair, with that pair's own roles (issue 26).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as A from '../../static/js/actions.js';
import { callClaims } from '../../static/js/rejoin.js';
import { createStore } from '../../static/js/store.js';

const pair = (anchorId, initiator) => ({ peer: { anchorId }, initiator, polite: !initiator });

function inCall(payload) {
  const store = createStore();
  store.dispatch({ type: A.CALL_STARTED, payload: { callId: 'k1', anchorId: 'a1', ...payload } });
  return store.getState();
}

test('a party of a group call claims each of its pairs with its own roles', () => {
  const state = inCall({ ...pair('b1', true), parties: [pair('b1', true), pair('c1', false), pair('d1', true)] });
  assert.deepEqual(callClaims(state, [{ id: 'a1' }]), [
    { callId: 'k1', anchorId: 'a1', peerAnchorId: 'b1', initiator: true },
    { callId: 'k1', anchorId: 'a1', peerAnchorId: 'c1', initiator: false },
    { callId: 'k1', anchorId: 'a1', peerAnchorId: 'd1', initiator: true },
  ]);
});

test('a two-party call claims its one pair; an idle anchor claims nothing', () => {
  const state = inCall(pair('b1', false));
  assert.deepEqual(callClaims(state, [{ id: 'a1' }, { id: 'a2' }]), [
    { callId: 'k1', anchorId: 'a1', peerAnchorId: 'b1', initiator: false },
  ]);
});
