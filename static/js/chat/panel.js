// Mounts the chat panel (templates/_chat_panel.html) with what it needs passed in: the
// page's Signaling connection and its one lobby state (static/js/store.js). The call page
// (call-page.js) and the standalone /chat page (chat/chat-page.js) both mount it.
import { ChatStore } from './store.js';
import { ChatView } from './view.js';
import { mountChatSafety } from './block-report.js';

export function mount(root, { signaling, lobbyStore }) {
  if (root.dataset.mounted) return root._chat;
  root.dataset.mounted = 'true';
  const me = { id: root.dataset.userId, displayName: root.dataset.userName };
  const store = new ChatStore({ signaling, lobbyStore, me, maxLength: Number(root.dataset.maxLength) || 4000 });
  const view = new ChatView(root, store);
  mountChatSafety(root, { signaling, store, lobbyStore }); // Block and Report (issue 35)
  store.start();
  const wanted = new URLSearchParams(location.search).get('with');
  if (wanted) view.open(wanted);
  root._chat = { store, view };
  return root._chat;
}
