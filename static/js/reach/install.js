// The installable app on every page (issue 27.2): registers the service worker
// (static/sw.js, served from the site's root: its URL is on this script's tag) and shows
// "Install app" while the browser offers to install (beforeinstallprompt, Chromium).
const tag = document.querySelector('script[data-worker]');
if (tag && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register(tag.dataset.worker).catch((err) => console.warn('service worker not registered', err));
}

const button = document.querySelector('#install-app');
let offer = null;
addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault(); // shown by our button, when the person asks
  offer = event;
  if (button) button.hidden = false;
});
button?.addEventListener('click', async () => {
  if (!offer) return;
  button.hidden = true;
  offer.prompt();
  await offer.userChoice;
  offer = null;
});
addEventListener('appinstalled', () => { if (button) button.hidden = true; });
