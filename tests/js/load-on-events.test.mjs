// node --test: a module loaded at the first of some server events (static/js/reach/
// on-demand.js loadOnEvents; the call page's operator warning, issue 33.2). What comes
// before it is loaded, and while it loads, is handed to it in order, none lost; from then
// on it listens itself; a failed load is tried again at the next event, with all kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { loadOnEvents } from '../../static/js/reach/on-demand.js';

globalThis.navigator ??= {};
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function fakeSignaling() {
  const listeners = new Map();
  const s = {
    on(name, fn) { listeners.set(name, [...(listeners.get(name) || []), fn]); return s; },
    off(name, fn) { listeners.set(name, (listeners.get(name) || []).filter((f) => f !== fn)); return s; },
    emit(name, payload) { for (const fn of listeners.get(name) || []) fn(payload); },
    count: (name) => (listeners.get(name) || []).length,
  };
  return s;
}

// a load the test resolves (or fails) when it likes
function gate() {
  const loads = [];
  const load = () => new Promise((resolve, reject) => loads.push({ resolve, reject }));
  return { loads, load };
}

test('nothing loads until an event; those before and during the load are handed over in order', async () => {
  const sig = fakeSignaling();
  const { loads, load } = gate();
  const mounted = [];
  loadOnEvents(sig, ['a', 'b'], load, 'test');
  assert.equal(loads.length, 0);
  sig.emit('a', 1);
  sig.emit('b', 2); // while it loads: kept, one load
  assert.equal(loads.length, 1);
  loads[0].resolve((heard) => { mounted.push(...heard); sig.on('a', (p) => mounted.push(['own', p])); });
  await flush();
  assert.deepEqual(mounted, [['a', 1], ['b', 2]]);
  assert.equal(sig.count('b'), 0, 'its waiting listeners are off');
  sig.emit('a', 3);
  assert.deepEqual(mounted.at(-1), ['own', 3], 'later events go to the module alone');
});

test('start() loads it at once, with nothing heard', async () => {
  const sig = fakeSignaling();
  const { loads, load } = gate();
  let got = null;
  const start = loadOnEvents(sig, ['a'], load, 'test');
  start();
  start();
  assert.equal(loads.length, 1);
  loads[0].resolve((heard) => { got = heard; });
  await flush();
  assert.deepEqual(got, []);
});

test('a failed load is tried again at the next event, and nothing heard is lost', async () => {
  const sig = fakeSignaling();
  const { loads, load } = gate();
  let got = null;
  const warn = console.warn;
  console.warn = () => {};
  try {
    loadOnEvents(sig, ['a'], load, 'test');
    sig.emit('a', 1);
    loads[0].reject(new Error('offline'));
    await flush();
    sig.emit('a', 2);
    assert.equal(loads.length, 2);
    loads[1].resolve((heard) => { got = heard; });
    await flush();
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(got, [['a', 1], ['a', 2]]);
});
