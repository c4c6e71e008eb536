// The lobby: everyone online, with their call slots (anchors) and a Call button on each
// slot of another tab. Rows are keyed and updated in place: the chat panel owns the
// `.unread` badge inside each user row, so a row is never rebuilt.
import { h, keyed, setAttr, setText } from './dom.js';
import { ANCHOR_STATUS } from './words.js';
import { freeAnchor, ringingFrom } from '../store.js';

export class LobbyView {
  constructor(root, { onCall }) {
    this.root = root;
    this.list = root.querySelector('#lobby-list');
    this.empty = root.querySelector('#lobby-empty');
    this.count = root.querySelector('#lobby-count');
    this.onCall = onCall;
    this.list.addEventListener('click', this.onClick.bind(this));
  }

  onClick(event) {
    const button = event.target.closest('button[data-action="call"]');
    if (button && !button.disabled) this.onCall(button.dataset.anchorId);
  }

  render(state) {
    const { me, lobby } = state;
    if (!me) return;
    const users = Object.values(lobby.users).sort((a, b) =>
      (b.id === me.user.id) - (a.id === me.user.id) || a.displayName.localeCompare(b.displayName));
    const anchorsByUser = {};
    for (const anchor of Object.values(lobby.anchors)) {
      const client = lobby.clients[anchor.clientId];
      if (client) (anchorsByUser[client.userId] ||= []).push(anchor);
    }
    const canCall = Boolean(freeAnchor(state));
    keyed(this.list, users, (u) => u.id, (u) => this.makeUser(u), (row, user) => {
      setText(row.querySelector('.name'), user.displayName);
      setText(row.querySelector('.avatar'), user.displayName.slice(0, 1).toUpperCase());
      row.classList.toggle('is-me', user.id === me.user.id);
      const anchors = (anchorsByUser[user.id] || []).sort((a, b) => a.clientId.localeCompare(b.clientId) || a.name.localeCompare(b.name));
      keyed(row.querySelector('.lobby-anchors'), anchors, (a) => a.id, (a) => this.makeAnchor(a),
        (li, anchor) => this.updateAnchor(li, anchor, state, canCall));
      setAttr(row.querySelector('.no-slots'), 'hidden', anchors.length > 0);
    });
    const others = users.filter((u) => u.id !== me.user.id).length;
    setText(this.count, String(users.length));
    setAttr(this.empty, 'hidden', others > 0);
  }

  makeUser(user) {
    return h('li', { class: 'lobby-user', dataset: { userId: user.id } },
      h('div', { class: 'lobby-user-head' },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }),
        h('span', { class: 'name' }),
        h('span', { class: 'you-badge' }, 'you'),
        // Filled by the chat panel (unread messages from this user).
        h('span', { class: 'unread', dataset: { unreadFor: user.id }, hidden: true })),
      h('ul', { class: 'lobby-anchors' }),
      h('p', { class: 'no-slots muted' }, 'No call slots yet'));
  }

  makeAnchor(anchor) {
    return h('li', { class: 'lobby-anchor', dataset: { anchorId: anchor.id } },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('span', { class: 'anchor-label' }),
      h('span', { class: 'anchor-status' }),
      h('button', { type: 'button', class: 'button small primary call-btn', dataset: { action: 'call', anchorId: anchor.id } }, 'Call'));
  }

  updateAnchor(li, anchor, state, canCall) {
    const mine = anchor.clientId === state.me.clientId;
    const sameUser = !mine && state.lobby.clients[anchor.clientId]?.userId === state.me.user.id;
    const away = Boolean(state.lobby.clients[anchor.clientId]?.away);
    li.dataset.status = anchor.status;
    li.dataset.away = String(away);
    li.dataset.connected = String(anchor.connected);
    setText(li.querySelector('.anchor-label'), anchor.name + (sameUser ? ' (your other tab)' : ''));
    const status = anchor.status === 'in-call' && anchor.connected ? 'in a call · connected' : ANCHOR_STATUS[anchor.status];
    setText(li.querySelector('.anchor-status'), away ? `${status} · away, reconnecting` : status);
    const button = li.querySelector('.call-btn');
    // Busy slots keep their button: the server answers "busy", and the caller learns it.
    const answering = Boolean(ringingFrom(state, anchor.id));
    setAttr(button, 'hidden', mine || anchor.status === 'offline');
    button.disabled = !(canCall || answering);
    setText(button, answering ? 'Answer' : 'Call');
    button.title = answering ? 'They are calling you: this answers'
      : canCall ? `Call ${anchor.name}` : 'Put one of your slots online (and free) to call';
  }
}
