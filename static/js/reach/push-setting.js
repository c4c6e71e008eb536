// /me: "Ring me on this device when the page is closed" (issue 27.3). The click asks the
// browser for permission (it must come from the click), subscribes this device's service
// worker with the server's VAPID key and sends the subscription (web/push.py).
import { t } from '../i18n.js';

const root = document.querySelector('#push-setting');
const toggle = root?.querySelector('#push-toggle');
const note = root?.querySelector('#push-note');
const csrf = () => document.querySelector('input[name="csrf_token"]')?.value || '';

async function post(url, body) {
  const response = await fetch(url, { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf() }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error?.message || String(response.status));
  return answer;
}

// The ring notification's words in this page's language, where the worker reads them
// (static/sw.js: the push message holds only the caller's name and an id).
async function keepRingWords(registration) {
  const words = { calling: t('phase.ringingIn'), accept: t('tile.accept'), decline: t('tile.decline') };
  const cache = await caches.open('ring-words');
  await cache.put(new URL('ring-words', registration.scope).href,
                  new Response(JSON.stringify(words), { headers: { 'Content-Type': 'application/json' } }));
}

const keyBytes = (b64) => Uint8Array.from(atob(b64.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

async function turnOn(registration) {
  if (await Notification.requestPermission() !== 'granted') throw new Error(t('reach.pushDenied'));
  const { publicKey } = await (await fetch(root.dataset.key)).json();
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  await keepRingWords(registration);
  await post(root.dataset.on, subscription.toJSON());
}

async function turnOff(registration) {
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  await post(root.dataset.off, { endpoint: subscription.endpoint });
  await subscription.unsubscribe();
}

async function start() {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) {
    note.textContent = t('reach.pushUnsupported');
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  toggle.checked = Boolean(await registration.pushManager.getSubscription());
  if (toggle.checked) keepRingWords(registration).catch(() => {}); // the language may have changed
  toggle.disabled = false;
  root.dataset.state = toggle.checked ? 'on' : 'off';
  toggle.addEventListener('change', async () => {
    toggle.disabled = true;
    try {
      await (toggle.checked ? turnOn(registration) : turnOff(registration));
      note.textContent = toggle.checked ? t('reach.pushOn') : t('reach.pushOff');
    } catch (err) {
      toggle.checked = !toggle.checked;
      note.textContent = err.message;
    } finally {
      toggle.disabled = false;
      root.dataset.state = toggle.checked ? 'on' : 'off';
    }
  });
}

if (root) start();
