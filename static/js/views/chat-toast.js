// A message during a call is noticed (issue 31.6): while the chat is closed (a phone, focus
// mode, or just the call in view), a short toast at the top of the window says who wrote
// what, with "Open chat"; the slots' Chat buttons carry a badge with the count of such
// messages until the chat is opened. The chat panel itself keeps the conversation.
import * as P from '../protocol.js';
import { h, setText } from './dom.js';
import { TILE, TOAST } from './words.js';

const SHOW_MS = 8000;
const MAX_CHARS = 140;

export class ChatToast {
  constructor(root, { signaling, myId, isOpen, onOpen, say }) {
    Object.assign(this, { root, myId, isOpen, onOpen, say });
    this.unseen = 0;
    this.from = null;
    this.text = h('p', { class: 'chat-toast-text' });
    this.open = h('button', { type: 'button', class: 'button small primary' }, TOAST.open);
    this.close = h('button', { type: 'button', class: 'chat-toast-close', 'aria-label': TOAST.dismiss, title: TOAST.dismiss }, '×');
    root.setAttribute('aria-label', TOAST.label);
    root.replaceChildren(this.text, this.open, this.close);
    root.hidden = true;
    this.open.addEventListener('click', () => { const from = this.from; this.hide(); this.onOpen(from); });
    this.close.addEventListener('click', () => this.hide());
    signaling.on(P.CHAT_MESSAGE, ({ message } = {}) => this.onMessage(message));
    // the chat opened (button, shortcut, toast): everything in it is seen
    new MutationObserver(() => { if (this.isOpen()) this.seen(); })
      .observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  onMessage(m) {
    if (!m || m.kind !== 'text' || m.from === this.myId() || this.isOpen()) return;
    this.unseen += 1;
    this.from = m.conversationId || m.from;  // a group call's message opens its conversation
    const words = m.text.replace(/\s+/g, ' ').trim();
    const text = words.length > MAX_CHARS ? `${words.slice(0, MAX_CHARS - 1)}…` : words;
    setText(this.text, TOAST.message(m.fromName, text));
    this.root.hidden = false;
    this.say(TOAST.message(m.fromName, text));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { if (!this.root.contains(document.activeElement)) this.hide(); }, SHOW_MS);
    this.badges();
  }

  hide() {
    clearTimeout(this.timer);
    const hadFocus = this.root.contains(document.activeElement);
    this.root.hidden = true;
    if (hadFocus) document.querySelector('#anchor-grid .tile')?.focus(); // not lost to the page
  }

  seen() {
    this.hide();
    if (!this.unseen) return;
    this.unseen = 0;
    this.badges();
  }

  // The count on every slot's Chat button (CSS draws data-badge); its name says it too.
  badges() {
    for (const button of document.querySelectorAll('.tile button[data-action="chat"]')) {
      if (this.unseen) button.dataset.badge = this.unseen > 99 ? '99+' : String(this.unseen);
      else delete button.dataset.badge;
      button.setAttribute('aria-label', this.unseen ? TOAST.chatWithNew(this.unseen) : TILE.chat);
    }
  }
}
