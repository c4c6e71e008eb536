// The service worker's ring notification (static/sw.js; issue 27): Decline posts the
// ring's id to the server (which ends it for the caller and every device), Accept opens
// the call page with the ring's id in its fragment. The worker runs in a vm sandbox with
// the few worker APIs it touches faked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const source = readFileSync(new URL('../../static/sw.js', import.meta.url), 'utf8');

function worker() {
  const handlers = {};
  const fetched = [];
  const opened = [];
  const self = {
    TLC_SW: { version: 'v1', shell: '/static/offline.html', assets: [] },
    location: new URL('https://chat.example/sw.js'),
    registration: { scope: 'https://chat.example/' },
    addEventListener: (type, fn) => { handlers[type] = fn; },
    clients: { matchAll: async () => [], openWindow: async (url) => { opened.push(url); } },
  };
  const fetch = async (url, init) => { fetched.push({ url, init }); return { ok: true }; };
  vm.runInNewContext(source, { self, fetch, caches: {}, URL, Response, String, Promise, encodeURIComponent });
  const click = async (action, id) => {
    const waits = [];
    handlers.notificationclick({ action, notification: { data: { id }, close() {} },
      waitUntil: (p) => waits.push(p) });
    await Promise.all(waits);
  };
  return { click, fetched, opened };
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
