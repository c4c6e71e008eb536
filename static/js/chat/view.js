// The chat panel: a list of conversations (and people online) beside the open
// conversation. Renders the ChatStore; the DOM of the panel is in _chat_panel.html.
// Messages are keyed and updated in place, so a receipt does not rebuild the list
// (nor lose a text selection), and loading an older page keeps the scroll position.
// One message's DOM, times and previews: chat/message.js.
import { fillBadges, watchBadges } from './badges.js';
import { day, messageRow, preview, shortTime } from './message.js';
import { h } from '../views/dom.js';
import { CHAT, CHAT_STATUS } from '../views/words.js';
import { t } from '../i18n.js';

export class ChatView {
  constructor(root, store) {
    this.root = root;
    this.store = store;
    this.$ = (sel) => root.querySelector(sel);
    this.list = this.$('[data-chat-list]');
    this.people = this.$('[data-chat-people]');
    this.thread = this.$('[data-chat-thread]');
    this.messages = this.$('[data-chat-messages]');
    this.title = this.$('[data-chat-title]');
    this.presence = this.$('[data-chat-presence]');
    this.form = this.$('[data-chat-form]');
    this.input = this.$('[data-chat-input]');
    this.counter = this.$('[data-chat-counter]');
    this.error = this.$('[data-chat-error]');
    this.statusLine = this.$('[data-chat-status]');
    this.newBelow = this.$('[data-chat-new-below]');
    this.rows = new Map();       // key → element
    this.signatures = new Map(); // key → what it showed
    this.shownPeer = null;
    this._bind();
    store.subscribe(() => this.render());
    watchBadges(() => store.unreadCounts());
    this.render();
  }

  _bind() {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this._send();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this._send();
      }
    });
    this.input.addEventListener('input', () => this._count());
    this.messages.addEventListener('scroll', () => this._onScroll(), { passive: true });
    this.newBelow.addEventListener('click', () => this._toBottom());
    // Anything on the page marked data-chat-with="<userId>" (e.g. a lobby row's button or
    // its unread badge) opens that conversation.
    document.addEventListener('click', (e) => {
      const target = e.target.closest('[data-chat-with], .unread[data-unread-for]');
      if (!target || target.closest('[data-chat-list], [data-chat-people]')) return;
      const peer = target.dataset.chatWith || target.dataset.unreadFor;
      if (peer) this.open(peer);
    });
    this.root.addEventListener('click', (e) => {
      const act = e.target.closest('[data-action]');
      if (!act) return;
      if (act.dataset.action === 'open') this.open(act.dataset.peer);
      else if (act.dataset.action === 'retry') this.store.retry(act.dataset.id);
      else if (act.dataset.action === 'discard') this.store.discard(act.dataset.id);
      else if (act.dataset.action === 'back') { this.store.close(); }
    });
  }

  open(peerId) {
    this.store.open(peerId);
    const url = new URL(location.href);
    if (document.body.dataset.route === '/chat') {
      url.searchParams.set('with', peerId);
      history.replaceState(null, '', url);
    }
    requestAnimationFrame(() => this.input.focus());
  }

  _send() {
    const peer = this.store.active;
    if (!peer) return;
    const result = this.store.send(peer, this.input.value);
    if (!result.ok) {
      this.error.textContent = result.message;
      this.error.hidden = false;
      return;
    }
    this.input.value = '';
    this._count();
    this.error.hidden = true;
    this._stick = true;
  }

  _count() {
    const n = [...this.input.value].length;
    const max = this.store.maxLength;
    this.counter.hidden = n < max * 0.8;
    this.counter.textContent = `${n.toLocaleString()} / ${max.toLocaleString()}`;
    this.counter.classList.toggle('over', n > max);
  }

  _nearBottom() {
    const m = this.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 60;
  }

  _toBottom() {
    this.messages.scrollTop = this.messages.scrollHeight;
    this.newBelow.hidden = true;
  }

  async _onScroll() {
    if (this._nearBottom()) this.newBelow.hidden = true;
    const peer = this.store.active;
    if (!peer || this.messages.scrollTop > 80) return;
    const before = this.messages.scrollHeight - this.messages.scrollTop;
    this._keepFromBottom = before;
    await this.store.loadOlder(peer);
  }

  // -- rendering ---------------------------------------------------------------------
  render() {
    const s = this.store;
    this.root.dataset.status = s.status;
    this.root.dataset.active = s.active || '';
    this.statusLine.textContent = s.status === 'connected' && s.serverCannotStore
      ? CHAT_STATUS.cannotStore : CHAT_STATUS[s.status] || '';
    this.statusLine.hidden = !this.statusLine.textContent;
    this._renderList();
    this._renderThread();
    fillBadges(s.unreadCounts(), this.root);
  }

  _renderList() {
    const s = this.store;
    // Rebuild only when something shown changed, so a click is never lost to a re-render.
    const shown = JSON.stringify([s.active, s.listLoaded, s.list().map((c) => [c.peer.id, c.peer.displayName,
      s.online(c.peer.id), c.lastMessage?.id, c.lastMessage?.ts]), s.onlinePeople().map((u) => [u.id, u.displayName])]);
    if (shown === this._listShown) return;
    this._listShown = shown;
    // A keyboard user on a conversation keeps their place when the list is rebuilt (a
    // new message, a call event): the same person's button takes the focus back.
    const focused = this.root.contains(document.activeElement)
      ? document.activeElement.closest('.chat-item') : null;
    const refocus = focused && { peer: focused.dataset.peer, inPeople: this.people.contains(focused) };
    const items = s.list().map((c) => {
      const online = s.online(c.peer.id);
      return h('li', {},
        h('button', {
          type: 'button', class: 'chat-item', dataset: { action: 'open', peer: c.peer.id },
          'aria-current': s.active === c.peer.id ? 'true' : null,
        },
        h('span', { class: `presence-dot${online ? ' online' : ''}`, title: online ? CHAT.online : CHAT.offline }),
        h('span', { class: 'chat-item-main' },
          h('span', { class: 'chat-item-name' }, c.peer.displayName, c.peer.group ? null
            : h('span', { class: 'trust-badge', dataset: { trustFor: c.peer.id }, hidden: true })),
          h('span', { class: 'chat-item-preview' }, preview(c.lastMessage, s.me.id))),
        h('span', { class: 'chat-item-side' },
          h('time', {}, c.lastMessage ? shortTime(c.lastMessage.ts) : ''),
          h('span', { class: 'unread', dataset: { unreadFor: c.peer.id }, hidden: true }))));
    });
    const empty = s.listLoaded && !items.length
      ? [h('li', { class: 'chat-empty' }, CHAT.noConversations)] : [];
    this.list.replaceChildren(...items, ...empty);
    const people = s.onlinePeople().map((u) => h('li', {},
      h('button', { type: 'button', class: 'chat-item', dataset: { action: 'open', peer: u.id } },
        h('span', { class: 'presence-dot online' }),
        h('span', { class: 'chat-item-main' }, h('span', { class: 'chat-item-name' }, u.displayName),
          h('span', { class: 'chat-item-preview' }, CHAT.sayHello)))));
    // nobody online: the next step, a call link made on the call page (issue 31.8)
    this.people.replaceChildren(...(people.length ? people : [h('li', { class: 'chat-empty' }, CHAT.nobodyOnline, ' ',
      h('a', { href: 'call#links-panel', class: 'chat-invite' }, CHAT.inviteByLink))]));
    if (refocus) {
      const lists = refocus.inPeople ? [this.people, this.list] : [this.list, this.people];
      const again = lists.map((l) => [...l.querySelectorAll('.chat-item')]
        .find((b) => b.dataset.peer === refocus.peer)).find(Boolean);
      again?.focus();
    }
  }

  _renderThread() {
    const s = this.store;
    const peerId = s.active;
    this.thread.hidden = !peerId;
    this.$('[data-chat-placeholder]').hidden = !!peerId;
    if (!peerId) return;
    const c = s.conv(peerId);
    this.title.textContent = c.peer.displayName;
    const online = s.online(peerId);
    this.presence.textContent = s.status !== 'connected' ? ''
      : c.peer.group ? t('chat.groupOf', { count: c.peer.count }) : online ? CHAT.online : CHAT.offlineWaits;
    this.presence.classList.toggle('online', online);
    if (this.shownPeer !== peerId) {
      this.rows.clear();
      this.signatures.clear();
      this.messages.replaceChildren();
      this.shownPeer = peerId;
      this._stick = true;
    }
    const wasNearBottom = this._nearBottom();
    const fromBottom = this._keepFromBottom;
    this._keepFromBottom = null;
    const items = s.timeline(peerId);
    const wanted = [];
    const top = c.hasOlder ? h('div', { class: 'chat-more', 'data-chat-more': '' }, c.loading ? CHAT.loadingOlder : CHAT.scrollUp)
      : (c.loaded ? h('div', { class: 'chat-more start' }, CHAT.start) : h('div', { class: 'chat-more' }, c.error || CHAT.loading));
    wanted.push(['top', top.textContent, () => top]);
    let lastDay = '';
    let lastSender = null;
    for (const m of items) {
      const d = day(m.ts);
      if (d !== lastDay) {
        wanted.push([`day:${d}`, d, () => h('div', { class: 'chat-day' }, h('span', {}, d))]);
        lastDay = d;
        lastSender = null;
      }
      const key = m.id ? `m:${m.id}` : `p:${m.clientMsgId}`;
      const first = m.kind !== 'text' || m.from !== lastSender;
      lastSender = m.kind === 'text' ? m.from : null;
      const sig = `${m.status}|${first}|${m.fromName}|${m.error?.message || ''}`;
      wanted.push([key, sig, () => messageRow(m, first, s.me.id)]);
    }
    // Reconcile: reuse a row whose signature did not change; keep DOM order.
    let cursor = this.messages.firstChild;
    const keep = new Set();
    for (const [key, sig, make] of wanted) {
      keep.add(key);
      let el = this.rows.get(key);
      if (!el || this.signatures.get(key) !== sig) {
        const fresh = make();
        if (el === cursor) cursor = fresh;
        if (el) el.replaceWith(fresh);
        el = fresh;
        this.rows.set(key, el);
        this.signatures.set(key, sig);
      }
      if (el !== cursor) this.messages.insertBefore(el, cursor);
      else cursor = cursor.nextSibling;
    }
    for (const [key, el] of this.rows) {
      if (!keep.has(key)) { el.remove(); this.rows.delete(key); this.signatures.delete(key); }
    }
    if (fromBottom) {
      this.messages.scrollTop = this.messages.scrollHeight - fromBottom;
    } else if (this._stick || wasNearBottom) {
      this._toBottom();
      if (c.loaded) this._stick = false;
    } else if (items.length && items[items.length - 1].from !== s.me.id) {
      this.newBelow.hidden = false;
    }
    s.markRead(peerId);
  }
}
