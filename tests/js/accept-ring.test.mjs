// Accept on a push ring's notification (static/js/reach/accept-ring.js; issue 27): the
// page accepts the ring of the visitor the server names, once it rings one of its slots,
// and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { acceptRing, ringFrom, takeAcceptRing } from '../../static/js/reach/accept-ring.js';

const mine = (calls) => ({
  me: { clientId: 'c1' },
  lobby: { anchors: { a1: { id: 'a1', clientId: 'c1' }, a2: { id: 'a2', clientId: 'c1' }, x: { id: 'x', clientId: 'c9' } } },
  calls,
});
const ringing = (userId) => ({ phase: 'ringing-in', invitationId: 'i1', peer: { userId } });

function fakeStore(state) {
  let listener = null;
  return {
    getState: () => state,
    subscribe: (fn) => { listener = fn; return () => { listener = null; }; },
    set(next) { state = next; listener?.(); },
    listening: () => listener !== null,
  };
}
const answering = (caller, ok = true) => async (url) => ({
  ok, url, json: async () => ({ ok, caller }),
});

test('only a slot the named caller rings is found', () => {
  assert.equal(ringFrom(mine({ a2: ringing('vera') }), 'vera'), 'a2');
  assert.equal(ringFrom(mine({ a2: ringing('mallory') }), 'vera'), null);
  assert.equal(ringFrom(mine({ x: ringing('vera') }), 'vera'), null); // not this tab's slot
  assert.equal(ringFrom(mine({ a1: { ...ringing('vera'), phase: 'ringing-out' } }), 'vera'), null);
});

test("the visitor's ring is accepted when it arrives, once, and the page stops watching", async () => {
  const store = fakeStore(mine({}));
  const accepted = [];
  const asked = [];
  const fetch = async (url) => { asked.push(url); return answering('vera')(url); };
  const done = acceptRing('r1', { store, calls: { accept: (a) => accepted.push(a) }, fetch,
                                  base: 'https://chat.example/call', setTimer: () => {} });
  await new Promise((r) => setTimeout(r, 0));
  store.set(mine({ a1: ringing('mallory') })); // somebody else first: left ringing
  assert.deepEqual(accepted, []);
  store.set(mine({ a1: ringing('mallory'), a2: ringing('vera') }));
  assert.equal(await done, true);
  assert.deepEqual(accepted, ['a2']);
  assert.deepEqual(asked, ['https://chat.example/me/rings/r1']);
  assert.equal(store.listening(), false);
});

test('a ring the server does not know (over, or not ours) is left alone', async () => {
  const store = fakeStore(mine({ a1: ringing('vera') }));
  const accepted = [];
  const result = await acceptRing('r1', { store, calls: { accept: (a) => accepted.push(a) },
                                          fetch: answering('vera', false), base: 'https://chat.example/call' });
  assert.equal(result, false);
  assert.deepEqual(accepted, []);
});

test('a call that never comes: the page gives up after the ring time', async () => {
  const store = fakeStore(mine({}));
  let giveUp = null;
  const done = acceptRing('r1', { store, calls: { accept: () => assert.fail('accepted') }, fetch: answering('vera'),
                                  base: 'https://chat.example/call', setTimer: (fn) => { giveUp = fn; } });
  await new Promise((r) => setTimeout(r, 0));
  giveUp();
  assert.equal(await done, false);
  store.set(mine({ a1: ringing('vera') }));
});

test('the ring id is taken out of the address', () => {
  const replaced = [];
  const history = { state: null, replaceState: (_s, _t, url) => replaced.push(url) };
  assert.equal(takeAcceptRing({ hash: '#accept=abc_-1', pathname: '/call', search: '' }, history), 'abc_-1');
  assert.deepEqual(replaced, ['/call']);
  assert.equal(takeAcceptRing({ hash: '#accept=../x', pathname: '/call', search: '' }, history), null);
});
