// Mounts the chat panel (templates/_chat_panel.html) on a page that already has a
// Signaling connection: the call page exposes it as window.tlc.signaling (and its lobby
// store as window.tlc.store). The standalone /chat page mounts through chat-page.js.
import { ChatStore } from './store.js';
import { ChatView } from './view.js';

export function mount(root, signaling, { lobbyStore } = {}) {
  if (root.dataset.mounted) return root._chat;
  root.dataset.mounted = 'true';
  const me = { id: root.dataset.userId, displayName: root.dataset.userName };
  const store = new ChatStore({ signaling, me, maxLength: Number(root.dataset.maxLength) || 4000 });
  if (lobbyStore) store.useLobby(() => lobbyStore.getState().lobby, (fn) => lobbyStore.subscribe(fn));
  else if (signaling.connected) signaling.request('lobby:get').catch(() => {});  // the snapshot went by
  const view = new ChatView(root, store);
  store.start();
  const wanted = new URLSearchParams(location.search).get('with');
  if (wanted) view.open(wanted);
  root._chat = { store, view };
  window.tlc = Object.assign(window.tlc || {}, { chat: store });
  return root._chat;
}

// On the call page: wait for the page's connection, then mount.
function whenReady(root) {
  const tlc = window.tlc;
  if (tlc?.signaling) return mount(root, tlc.signaling, { lobbyStore: tlc.store });
  setTimeout(() => whenReady(root), 50);
}

const root = document.querySelector('[data-chat-root]:not([data-standalone])');
if (root) whenReady(root);
