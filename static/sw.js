// The service worker of the installable app (issue 27.2; tlightchat/web/install.py
// serves it from the site's root with `self.TLC_SW = {version, shell, assets}` first).
//
// It keeps the call page's static files (their versioned, immutable URLs) and the
// offline page, which names nobody, in a cache named after their versions. /call comes
// from the network as always; when the network fails, the offline page answers it and
// opens into offline mode, as the call page does when the server goes away. A static
// file comes from the cache by its exact (versioned) URL, else the network, else (the
// network down) the kept copy of the same file. Nothing else is touched: no socket, no
// other page, nobody's data.
const { version, shell, assets } = self.TLC_SW;
const CACHE = `tlc-${version}`;
const scope = new URL(self.registration.scope);
const shellUrl = new URL(shell, self.location).href;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE)
    .then((cache) => cache.addAll([shellUrl, ...assets.map((a) => new URL(a, self.location).href)]))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('tlc-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

const here = (url) => url.origin === scope.origin && url.pathname.startsWith(scope.pathname);

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!here(url)) return;
  const path = url.pathname.slice(scope.pathname.length);
  if (request.mode === 'navigate' && path === 'call') {
    event.respondWith(fetch(request).catch(() => caches.match(shellUrl)));
  } else if (path.startsWith('static/')) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).catch(
      () => caches.match(request, { ignoreSearch: true }).then((kept) => kept || Response.error()))));
  }
});

// -- Web Push rings (issue 27.3; tlightchat/reach/push.py) ----------------------------
// The message is {type: "ring", id, caller}: a notification with Accept and Decline;
// {type: "ring-end", id} closes it (another device answered, or the ring is over).
// Accept opens (or focuses) the call page; Decline ends the ring (below). Another ring
// with the same id replaces it (its tag).
self.addEventListener('push', (event) => {
  let ring = null;
  try { ring = event.data && event.data.json(); } catch { ring = null; }
  if (ring && ring.type === 'ring-end') { // answered (on any device) or over: stop ringing here
    event.waitUntil(self.registration.getNotifications({ tag: `ring-${String(ring.id).slice(0, 32)}` })
      .then((shown) => shown.forEach((n) => n.close())));
    return;
  }
  if (!ring || ring.type !== 'ring' || typeof ring.caller !== 'string') return;
  event.waitUntil(ringWords().then((words) => self.registration.showNotification(
    words.calling.replace('{name}', () => ring.caller.slice(0, 40)), {
      body: 'TLightChat', tag: `ring-${String(ring.id).slice(0, 32)}`, renotify: true, requireInteraction: true,
      icon: new URL('static/icons/icon-192.png', scope).href,
      actions: [{ action: 'accept', title: words.accept }, { action: 'decline', title: words.decline }],
      data: { id: ring.id },
    })));
});

// The notification's words in the person's language: the message holds only the caller's
// name and an id, so /me keeps them here when rings are turned on (reach/push-setting.js).
const WORDS = { cache: 'ring-words', key: new URL('ring-words', scope).href };
const ENGLISH = { calling: '{name} is calling you', accept: 'Accept', decline: 'Decline' };
function ringWords() {
  return caches.open(WORDS.cache).then((cache) => cache.match(WORDS.key)).then((kept) => kept && kept.json())
    .then((kept) => Object.fromEntries(Object.entries(ENGLISH).map(([k, english]) => {
      const word = kept && typeof kept[k] === 'string' && kept[k].slice(0, 80);
      return [k, word && (k !== 'calling' || word.includes('{name}')) ? word : english];
    })))
    .catch(() => ENGLISH);
}

// Decline tells the server (the ring's id is the credential: web/links.py), so the caller
// hears "declined" at once and every device stops ringing. Accept opens the call page.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const id = String(event.notification.data?.id || '').slice(0, 32);
  if (event.action === 'decline') {
    event.waitUntil(fetch(new URL(`me/rings/${encodeURIComponent(id)}/decline`, scope).href, {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}',
    }).catch(() => null));
    return;
  }
  // Accept: the call page, which accepts this ring's call once it arrives (reach/call-links.js)
  const callUrl = new URL('call', scope).href;
  const accept = `${callUrl}#accept=${encodeURIComponent(id)}`;
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((open) => {
    const page = open.find((c) => new URL(c.url).pathname === new URL(callUrl).pathname);
    if (!page) return self.clients.openWindow(accept);
    page.postMessage({ type: 'accept-ring', id });
    return page.focus();
  }));
});
