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
