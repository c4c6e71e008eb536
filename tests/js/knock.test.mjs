// Knocking on a running call (static/js/reach/knock.js; issue 27): the knocker's page
// accepts only the ring into the call it knocked on, takes the token out of the address,
// and words every end of a knock from the catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { ENDED_WORDS, answerKnock, knockOnCall, ringInto, takeKnockToken } from '../../static/js/reach/knock.js';

const mine = (calls, online = { a1: 'online' }) => ({
  me: { clientId: 'c1' },
  lobby: { anchors: Object.fromEntries(Object.entries(online).map(([id, status]) => [id, { id, clientId: 'c1', status }])) },
  calls,
});
const rung = (callId) => ({ phase: 'ringing-in', invitationId: 'i1', peer: { userId: 'u2' }, ringCall: callId ? { callId, parties: [] } : null });

function fakeStore(state) {
  const listeners = new Set();
  return {
    getState: () => state,
    subscribe: (fn) => { listeners.add(fn); return () => listeners.delete(fn); },
    set(next) { state = next; for (const fn of [...listeners]) fn(); },
  };
}

test('only a ring into the knocked call is the admission', () => {
  assert.equal(ringInto(mine({ a1: rung('call-1') }), 'call-1'), 'a1');
  assert.equal(ringInto(mine({ a1: rung('call-2') }), 'call-1'), null);
  assert.equal(ringInto(mine({ a1: rung(null) }), 'call-1'), null); // an ordinary ring
});

test('the token leaves the address at once', () => {
  const replaced = [];
  const history = { state: null, replaceState: (s, t, url) => replaced.push(url) };
  assert.equal(takeKnockToken({ hash: '#knock=abc_DEF-1', pathname: '/call', search: '' }, history), 'abc_DEF-1');
  assert.deepEqual(replaced, ['/call']);
  assert.equal(takeKnockToken({ hash: '#link=abc', pathname: '/call', search: '' }, history), null);
});

test('every end of a knock has words in every catalog', () => {
  for (const lang of ['en', 'de', 'fr', 'es', 'ar']) {
    const catalog = JSON.parse(readFileSync(new URL(`../../static/i18n/${lang}.json`, import.meta.url)));
    for (const key of Object.values(ENDED_WORDS)) assert.ok(catalog[key], `${lang}: ${key}`);
  }
});

test('the knocker asks from its free slot and accepts the admitting ring, not another', async () => {
  globalThis.document = { body: { dataset: {} } };
  const store = fakeStore(mine({}));
  const asked = [];
  const handlers = {};
  const accepted = [];
  const signaling = {
    request: async (event, payload) => { asked.push([event, payload]); return { knockId: 'k1', callId: 'call-1' }; },
    on: (event, fn) => { handlers[event] = fn; },
  };
  knockOnCall({ token: 't', signaling, store, calls: { accept: (id) => accepted.push(id) }, notify: () => {} });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(asked, [['knock:ask', { token: 't', fromAnchorId: 'a1' }]]);
  assert.equal(document.body.dataset.knock, 'asking');
  store.set(mine({ a1: rung('call-9') })); // someone else's ring into another call
  assert.deepEqual(accepted, []);
  store.set(mine({ a1: rung('call-1') }));
  assert.deepEqual(accepted, ['a1']);
  handlers['knock:ended']({ knockId: 'k1', reason: 'admitted' });
  assert.deepEqual(accepted, ['a1']); // once
});

test('a refused answer is told and its card can answer again', async () => {
  const told = [], reopened = [], asked = [];
  const signaling = {
    request: async (event, payload) => {
      asked.push([event, payload]);
      throw Object.assign(new Error('too many rings; wait a moment'), { code: 'rate-limited' });
    },
  };
  await answerKnock(signaling, (text) => told.push(text), (id) => reopened.push(id))('k1', true);
  assert.deepEqual(asked, [['knock:answer', { knockId: 'k1', admit: true }]]);
  assert.deepEqual(told, ['too many rings; wait a moment']);
  assert.deepEqual(reopened, ['k1']);
});
