// The call page's entry: the online call page, or offline mode when the page was
// exported for static hosting (#app data-offline="1") or asked for with ?offline.
// Offline mode never opens a socket.
const app = document.getElementById('app');
if (app.dataset.offline === '1' || new URLSearchParams(location.search).has('offline')) {
  import(/* on demand */ './offline.js').then((m) => m.startOffline());
} else {
  import('./call-page.js');
}
