// The service worker's ring notification (static/sw.js; issue 27): Decline posts the
// ring's id to the server (which ends it for the caller and every device), Accept opens
// the call page with the ring's id in its fragment. The worker runs in a vm sandbox with
// the few worker APIs it touches faked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const source = readFileSync(new URL('../../static/sw.js', import.meta.url), 'utf8');

function worker(kept = null) {
  const handlers = {};
  const shown = [];
  const fetched = [];
  const opened = [];
  const caches = {
    open: async (name) => ({
      match: async (key) => (name === 'ring-words' && key === 'https://chat.example/ring-words' && kept
        ? { json: async () => kept } : undefined),
    }),
  };
  const self = {
    TLC_SW: { version: 'v1', shell: '/static/offline.html', assets: [] },
    location: new URL('https://chat.example/sw.js'),
    registration: { scope: 'https://chat.example/', showNotification: async (title, o) => { shown.push({ title, ...o }); } },
    addEventListener: (type, fn) => { handlers[type] = fn; },
    clients: { matchAll: async () => [], openWindow: async (url) => { opened.push(url); } },
  };
  const fetch = async (url, init) => { fetched.push({ url, init }); return { ok: true }; };
  vm.runInNewContext(source, { self, fetch, caches, URL, Response, String, Promise, Object, encodeURIComponent });
  const click = async (action, id) => {
    const waits = [];
    handlers.notificationclick({ action, notification: { data: { id }, close() {} },
      waitUntil: (p) => waits.push(p) });
    await Promise.all(waits);
  };
  const push = async (message) => {
    const waits = [];
    handlers.push({ data: { json: () => message }, waitUntil: (p) => waits.push(p) });
    await Promise.all(waits);
  };
  return { click, push, fetched, opened, shown };
}

test('Decline posts the ring id to the server and opens nothing', async () => {
  const sw = worker();
  await sw.click('decline', 'abcDEF123_-x');
  assert.equal(sw.fetched.length, 1);
  assert.equal(sw.fetched[0].url, 'https://chat.example/me/rings/abcDEF123_-x/decline');
  assert.equal(sw.fetched[0].init.method, 'POST');
  assert.equal(sw.fetched[0].init.headers['Content-Type'], 'application/json');
  assert.deepEqual(sw.opened, []);
});

test('Accept opens the call page with the ring to accept', async () => {
  const sw = worker();
  await sw.click('accept', 'abcDEF123_-x');
  assert.deepEqual(sw.fetched, []);
  assert.deepEqual(sw.opened, ['https://chat.example/call#accept=abcDEF123_-x']);
});

const ring = { type: 'ring', id: 'r1', caller: 'Vera' };
const summary = (n) => ({ title: n.title, actions: Array.from(n.actions, (a) => a.title) }); // out of the vm realm

test("the ring speaks the person's language, kept by /me (the message holds no words)", async () => {
  const sw = worker({ calling: '{name} ruft dich an', accept: 'Annehmen', decline: 'Ablehnen' });
  await sw.push(ring);
  assert.deepEqual(sw.shown.map(summary), [{ title: 'Vera ruft dich an', actions: ['Annehmen', 'Ablehnen'] }]);
});

test('without kept words, or with broken ones, the ring is in English', async () => {
  const none = worker();
  await none.push(ring);
  const broken = worker({ calling: 'no name here', accept: 7 });
  await broken.push(ring);
  for (const sw of [none, broken]) {
    assert.deepEqual(sw.shown.map(summary), [{ title: 'Vera is calling you', actions: ['Accept', 'Decline'] }]);
  }
});

test("a caller's name is shown as it is, never read as a replacement pattern", async () => {
  const sw = worker({ calling: '{name} ruft dich an', accept: 'Annehmen', decline: 'Ablehnen' });
  await sw.push({ ...ring, caller: "Mom$' (bank) $&" });
  assert.deepEqual(sw.shown.map(summary), [{ title: "Mom$' (bank) $& ruft dich an", actions: ['Annehmen', 'Ablehnen'] }]);
});
