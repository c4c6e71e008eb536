// The chat client: keeps the chat state (chat/state.js, a pure reducer) in sync with the
// server over the page's Signaling connection, and does what that takes — requests,
// receipts, the outbox, pinning peers into the lobby view. Views subscribe and render.
// Who is online comes from the page's one lobby state (static/js/store.js), passed in.
//
// Never loses a message: a sent message goes to the outbox (localStorage) first, is
// sent when connected, and leaves the outbox only on the server's ack, which comes
// after the commit. On every (re)connect the outbox is resent (the server stores by
// clientMsgId once), the conversation list is reloaded and the open conversation
// catches up from its newest known message with `after`.
// Presence needs the conversation peers in this client's lobby view: chat/pins.js.
import * as A from '../actions.js';
import * as P from '../protocol.js';
import { Outbox } from './outbox.js';
import * as C from './state.js';
import { LobbyPins } from './pins.js';
import { sending } from './sending.js';

const PAGE = 50;

export class ChatStore {
  constructor({ signaling, lobbyStore, me, maxLength = 4000, storage,
                visible = () => document.visibilityState === 'visible' }) {
    this.sig = signaling;
    this.lobbyStore = lobbyStore;       // static/js/store.js: the lobby and `me`
    this.myId = me.id;
    this.myName = me.displayName;       // until the lobby state knows better
    this.maxLength = maxLength;
    this.visible = visible;
    this.outbox = new Outbox(me.id, storage);
    this.state = C.initialChat(me.id, signaling.status || 'connecting');
    this.pins = new LobbyPins({ signaling, myId: me.id,
      peers: () => [...new Set(this.list().flatMap((c) => C.peopleOf(this.state, c.peer.id)))] });
    this._listeners = new Set();
    this._flushing = false;
    this._retry = 0;
    this._retryTimer = null;
    this.serverCannotStore = false;  // the last send was refused `unavailable`
    this._syncing = null;
  }

  // -- state and subscription ------------------------------------------------------------

  dispatch(action) {
    this.state = C.chatReducer(this.state, action);
    this._changed();
  }

  subscribe(fn) {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  }

  _changed() {
    if (this._queued) return;
    this._queued = true;
    queueMicrotask(() => {
      this._queued = false;
      this.pins.sync();
      for (const fn of [...this._listeners]) {
        try { fn(this); } catch (err) { console.error('chat view failed', err); }
      }
    });
  }

  // -- what the view reads (selectors over the chat state, the lobby and the outbox) -----

  get lobby() { return this.lobbyStore.getState().lobby; }
  get status() { return this.state.status; }
  get active() { return this.state.active; }
  get listLoaded() { return this.state.listLoaded; }
  get me() {
    const user = this.lobbyStore.getState().me?.user;
    return { id: this.myId, displayName: user?.id === this.myId ? user.displayName : this.myName };
  }

  // A pair's peer is online; a group's: any other member is.
  online(key) { return C.peopleOf(this.state, key).some((id) => C.isOnline(this.state, this.lobby, id)); }
  unreadCounts() { return C.unreadCounts(this.state); }
  conv(peerId) { return C.conversation(this.state, this.lobby, this.outbox.all(), peerId); }
  list() { return C.conversationList(this.state, this.lobby, this.outbox.all()); }
  onlinePeople() { return C.onlinePeople(this.state, this.lobby, this.outbox.all()); }
  timeline(peerId) { return C.timeline(this.state, this.outbox.all(), peerId, this.me.displayName); }

  // -- wiring ------------------------------------------------------------------------
  start() {
    const on = (event, fn) => this.sig.on(event, fn.bind(this));
    on(P.CHAT_MESSAGE, this._onMessage);
    on(P.CHAT_RECEIPT, (p) => this.dispatch({ type: A.CHAT_RECEIPT, payload: p }));
    on(P.CHAT_UNREAD, this._onUnread);
    this.lobbyStore.subscribe((state, prev) => { if (state.lobby !== prev.lobby || state.me !== prev.me) this._changed(); });
    this.sig.on('status', ({ status }) => {
      this.dispatch({ type: A.CHAT_STATUS, payload: { status } });
      if (status === 'connected') this._onConnected();
    });
    document.addEventListener('visibilitychange', () => { if (this.active) this.markRead(this.active); });
    this._changed(); // pending from before a reload: their conversations show at once
    if (this.sig.connected) this._onConnected();
    return this;
  }

  async _onConnected() {
    // Only one catch-up at a time; a reconnect during one starts another after it.
    const run = async () => {
      await this.flush();
      await this.refreshList();
      this.pins.ready();  // the list is in: pin its peers (on _changed)
      this._changed();
      if (this.active) await this._catchUp(this.active);
    };
    this._syncing = (this._syncing || Promise.resolve()).then(run, run);
    return this._syncing;
  }

  // -- loading -------------------------------------------------------------------------
  async refreshList() {
    let ack;
    try {
      ack = await this.sig.request(P.CHAT_CONVERSATIONS);
    } catch (err) {
      return console.warn('chat: conversations not loaded', err);
    }
    for (const item of ack.conversations) {
      this.dispatch({ type: A.CHAT_CONVERSATION, payload: { item } });
      // Offline while they wrote: tell them it has arrived now.
      const last = item.lastMessage;
      if (last.from !== this.myId && last.id > item.myDeliveredUpTo) this._confirm(C.keyOfItem(item), last.id);
    }
    this.dispatch({ type: A.CHAT_LIST_LOADED, payload: {} });
  }

  async open(peerId) {
    if (!peerId || peerId === this.myId) return;
    this.dispatch({ type: A.CHAT_OPENED, payload: { peerId } });
    if (!C.convOf(this.state, peerId).loaded) await this._loadLatest(peerId);
    else await this._catchUp(peerId);
    this.markRead(peerId);
  }

  close() {
    this.dispatch({ type: A.CHAT_CLOSED, payload: {} });
  }

  // One chat:history request, its page applied; `how` says which page it is.
  async _page(peerId, query, how = {}) {
    const page = await this.sig.request(P.CHAT_HISTORY, { ...C.target(peerId), ...query });
    this.dispatch({ type: A.CHAT_PAGE, payload: { peerId, page, ...how } });
    this._stored(page.messages);
    const last = page.messages[page.messages.length - 1];
    if (last && last.from !== this.myId && last.id > page.myDeliveredUpTo) this._confirm(peerId, last.id);
    return page;
  }

  // A load that shows "Loading…" meanwhile and its error after.
  async _loading(peerId, fn) {
    this.dispatch({ type: A.CHAT_LOADING, payload: { peerId, loading: true } });
    try {
      return await fn();
    } catch (err) {
      this.dispatch({ type: A.CHAT_LOAD_FAILED, payload: { peerId, error: err.message } });
      return false;
    } finally {
      this.dispatch({ type: A.CHAT_LOADING, payload: { peerId, loading: false } });
    }
  }

  async _loadLatest(peerId) {
    if (C.convOf(this.state, peerId).loading || !this.sig.connected) return;
    await this._loading(peerId, () => this._page(peerId, { limit: PAGE }, { newest: true }));
  }

  // After a reconnect: everything newer than the newest message we have, page by page.
  async _catchUp(peerId) {
    if (!C.convOf(this.state, peerId).loaded) return this._loadLatest(peerId);
    const newest = () => Math.max(0, ...Object.keys(C.convOf(this.state, peerId).messages).map(Number));
    try {
      for (let more = true; more && newest() > 0;) {
        more = (await this._page(peerId, { after: newest(), limit: 100 })).hasMore;
      }
      if (newest() === 0) await this._loadLatest(peerId);
    } catch (err) {
      console.warn('chat: catch-up failed', err);
    }
    this._changed();
    this.markRead(peerId);
  }

  async loadOlder(peerId) {
    const c = C.convOf(this.state, peerId);
    if (c.loading || !c.hasOlder || !this.sig.connected) return false;
    const oldest = Math.min(...Object.keys(c.messages).map(Number));
    return this._loading(peerId, async () => {
      await this._page(peerId, { before: oldest, limit: PAGE }, { older: true });
      return true;
    });
  }

  // Our own messages the server has stored leave the outbox.
  _stored(messages) {
    for (const m of messages) if (m.from === this.myId) this.outbox.remove(m.clientMsgId);
  }

  // -- receipts ------------------------------------------------------------------------

  // The peer's messages up to `upTo` reached this browser.
  async _confirm(peerId, upTo) {
    try {
      this._onUnread(await this.sig.request(P.CHAT_DELIVERED, { ...C.target(peerId), upTo }));
    } catch (err) {
      console.warn('chat: delivery receipt not sent', err);
    }
  }

  // Mark read what the user can see: the open conversation, page visible.
  async markRead(peerId) {
    const c = this.state.convs[peerId];
    if (!c || this.active !== peerId || !this.visible() || !this.sig.connected) return;
    const upTo = C.newestFromPeer(this.state, peerId);
    if (upTo <= c.myReadUpTo && !c.unread) return;
    if (!upTo) return;
    try {
      this._onUnread(await this.sig.request(P.CHAT_READ, { ...C.target(peerId), upTo }));
    } catch (err) {
      console.warn('chat: read receipt not sent', err);
    }
  }

  // -- server events -----------------------------------------------------------------
  _onMessage({ message: m }) {
    const peerId = C.peerIdOf(this.myId, m);
    const known = C.isKnown(this.state.convs[peerId], m);
    this.dispatch({ type: A.CHAT_MESSAGE, payload: { message: m } });
    this._stored([m]);
    if (m.from !== this.myId && !known) this._confirm(peerId, m.id).then(() => this.markRead(peerId));
  }

  _onUnread(marks) {
    this.dispatch({ type: A.CHAT_UNREAD, payload: marks });
  }
}

// Sending (send, retry, discard, flush): chat/sending.js.
Object.assign(ChatStore.prototype, sending);
