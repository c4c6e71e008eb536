// Call links and knocking load on demand (static/js/reach/on-demand.js, issue 33.2). A
// load that fails (a page no service worker controls, during an outage) was only logged:
// the person pressed "Make a call link" and nothing happened. Now they are told, in the
// page's notice, and the next use tries again. A load nobody asked for (knock.js when a
// call starts) is not announced, and is tried again at the next call, not at every change.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as P from '../../static/js/protocol.js';
import { NOT_LOADED, mountReach } from '../../static/js/reach/on-demand.js';

globalThis.navigator ??= {};
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function page() {
  const make = new EventTarget();
  make.click = () => make.dispatchEvent(new Event('click'));
  globalThis.document = { querySelector: (css) => (css === '#links-panel #link-make' ? make : null) };
  return make;
}

function fakeSignaling() {
  const listeners = new Map();
  const s = {
    on(name, fn) { listeners.set(name, [...(listeners.get(name) || []), fn]); return s; },
    off(name, fn) { listeners.set(name, (listeners.get(name) || []).filter((f) => f !== fn)); return s; },
    emit(name, payload) { for (const fn of listeners.get(name) || []) fn(payload); },
  };
  return s;
}

function fakeStore(state) {
  const listeners = new Set();
  return {
    getState: () => state,
    subscribe: (fn) => { listeners.add(fn); return () => listeners.delete(fn); },
    set(next) { state = next; for (const fn of [...listeners]) fn(); },
  };
}

const idle = { me: null, lobby: { anchors: {} }, calls: {} };
const inCall = (phase, n = 0) => ({
  me: { clientId: 'c1' }, n,
  lobby: { anchors: { a1: { id: 'a1', clientId: 'c1', status: 'online' } } },
  calls: { a1: { phase } },
});

// A module that fails to load `fails` times, then loads: `module` is what it exports.
function flaky(fails, module) {
  const loader = () => {
    loader.tries += 1;
    return loader.tries <= fails ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) : Promise.resolve(module);
  };
  loader.tries = 0;
  return loader;
}

const quietly = async (fn) => {
  const warn = console.warn;
  console.warn = () => {};
  try { return await fn(); } finally { console.warn = warn; }
};

test('the words say what failed and what to do', () => {
  assert.match(NOT_LOADED, /^Could not load this part of the page\. Check your connection and try again/);
});

test('a press of "Make a call link" whose module fails to load says so, and the next press loads it', () => quietly(async () => {
  const make = page();
  const told = [];
  let mounted = 0, pressesSeen = 0;
  const links = flaky(1, { mountLinks: () => { mounted += 1; make.addEventListener('click', () => { pressesSeen += 1; }); } });
  mountReach({ signaling: fakeSignaling(), store: fakeStore(idle), notify: (text) => told.push(text) },
    { links, knock: flaky(0, { mountKnock: () => {} }) });

  make.click();
  await flush();
  assert.deepEqual(told, [NOT_LOADED]);
  assert.equal(links.tries, 1);
  assert.equal(mounted, 0);

  make.click(); // the next use tries again
  await flush();
  assert.equal(links.tries, 2);
  assert.equal(mounted, 1);
  assert.equal(pressesSeen, 1); // the press went to the loaded module
  assert.deepEqual(told, [NOT_LOADED]); // nothing more to say
  make.click();
  await flush();
  assert.equal(links.tries, 2); // loaded once and for all
}));

test('a knock heard while knocking cannot load says so; the next knock loads it and gets both', () => quietly(async () => {
  page();
  const told = [];
  let handed = null;
  const knock = flaky(1, { mountKnock: (_parts, heard) => { handed = heard; } });
  const signaling = fakeSignaling();
  mountReach({ signaling, store: fakeStore(idle), notify: (text) => told.push(text) },
    { links: flaky(0, { mountLinks: () => {} }), knock });

  signaling.emit(P.KNOCK_ASKED, { knockId: 'k1' });
  await flush();
  assert.deepEqual(told, [NOT_LOADED]);
  assert.equal(handed, null);

  signaling.emit(P.KNOCK_ASKED, { knockId: 'k2' });
  await flush();
  assert.equal(knock.tries, 2);
  assert.deepEqual(handed, [[P.KNOCK_ASKED, { knockId: 'k1' }], [P.KNOCK_ASKED, { knockId: 'k2' }]]);
  assert.deepEqual(told, [NOT_LOADED]);
}));

test('knocking loaded ahead when a call starts: a failure is not announced, and is tried again at the next call', () => quietly(async () => {
  page();
  const told = [];
  const knock = flaky(2, { mountKnock: () => {} });
  const store = fakeStore(idle);
  mountReach({ signaling: fakeSignaling(), store, notify: (text) => told.push(text) },
    { links: flaky(0, { mountLinks: () => {} }), knock });

  store.set(inCall('ringing-in'));
  await flush();
  assert.equal(knock.tries, 1);
  store.set(inCall('connecting'));
  store.set(inCall('connected'));
  store.set(inCall('connected', 1)); // every change during that call: no new try
  await flush();
  assert.equal(knock.tries, 1);
  store.set(idle);
  store.set(inCall('ringing-out')); // the next call
  await flush();
  assert.equal(knock.tries, 2);
  store.set(idle);
  store.set(inCall('ringing-in'));
  await flush();
  assert.equal(knock.tries, 3); // loaded now
  store.set(idle);
  store.set(inCall('ringing-in'));
  assert.equal(knock.tries, 3);
  assert.deepEqual(told, []);
}));
