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

// The page's window listeners (pagehide) and the knocker's "Asking to join…" card.
const hideListeners = new Set();
globalThis.addEventListener = (type, fn) => { if (type === 'pagehide') hideListeners.add(fn); };
globalThis.removeEventListener = (type, fn) => { if (type === 'pagehide') hideListeners.delete(fn); };
const fakeWaiting = () => ({ shown: false, onCancel: null, show() { this.shown = true; }, hide() { this.shown = false; } });

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
  knockOnCall({ token: 't', signaling, store, calls: { accept: (id) => accepted.push(id) }, notify: () => {}, waiting: fakeWaiting() });
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

// A knocker whose knock is open: the page knocked as k1 on call-1 (signaling's answers: `reply`).
async function asking(reply = async () => ({})) {
  globalThis.document = { body: { dataset: {} } };
  hideListeners.clear();
  const store = fakeStore(mine({}));
  const sent = [], told = [], accepted = [], handlers = {};
  const signaling = {
    request: async (event, payload) => {
      sent.push([event, payload]);
      return event === 'knock:ask' ? { knockId: 'k1', callId: 'call-1' } : reply(event, payload);
    },
    on: (event, fn) => { handlers[event] = fn; },
  };
  const waiting = fakeWaiting();
  knockOnCall({ token: 't', signaling, store, calls: { accept: (id) => accepted.push(id) }, notify: (x) => told.push(x), waiting });
  await new Promise((resolve) => setImmediate(resolve));
  if (waiting.shown) assert.match(told.splice(0).join(), /Asking to join/); // announced, as every step
  return { store, sent, told, accepted, handlers, waiting };
}

test('Cancel withdraws the open knock and the card goes', async () => {
  const k = await asking();
  assert.equal(k.waiting.shown, true);
  assert.equal(typeof k.waiting.onCancel, 'function');
  await k.waiting.onCancel();
  assert.deepEqual(k.sent.at(-1), ['knock:cancel', { knockId: 'k1' }]);
  assert.equal(document.body.dataset.knock, 'withdrawn');
  assert.equal(k.waiting.shown, false);
  assert.equal(k.told.length, 1);
  assert.equal(hideListeners.size, 0); // the page going has nothing more to take back
  k.handlers['knock:ended']({ knockId: 'k1', reason: 'withdrawn' }); // the server's word too: once
  assert.equal(k.told.length, 1);
  k.store.set(mine({ a1: rung('call-1') }));
  assert.deepEqual(k.accepted, []);
});

test('a Cancel that lost the race to an admission does not take the ring by itself', async () => {
  const gone = Object.assign(new Error('this knock was answered already, or it ended'), { code: 'not-found' });
  const k = await asking(async () => { throw gone; });
  const cancelled = k.waiting.onCancel();
  k.handlers['knock:ended']({ knockId: 'k1', reason: 'admitted', invitationId: 'i1' });
  await cancelled;
  k.store.set(mine({ a1: rung('call-1') }));
  assert.deepEqual(k.accepted, []); // shown as any ring: the knocker takes it or declines
  assert.equal(k.waiting.shown, false);
});

test('a Cancel that failed otherwise is told and can be pressed again', async () => {
  const down = Object.assign(new Error('not connected to the server'), { code: 'disconnected' });
  const k = await asking(async () => { throw down; });
  k.waiting.shown = false;
  await k.waiting.onCancel();
  assert.deepEqual(k.told, ['not connected to the server']);
  assert.equal(k.waiting.shown, true);
  k.store.set(mine({ a1: rung('call-1') }));
  assert.deepEqual(k.accepted, ['a1']); // still knocking: the admission is taken
});

test('the page going withdraws the open knock (best effort)', async () => {
  const k = await asking();
  assert.equal(hideListeners.size, 1);
  for (const fn of hideListeners) fn();
  assert.deepEqual(k.sent.at(-1), ['knock:cancel', { knockId: 'k1' }]);
});
