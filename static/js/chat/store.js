// The chat client: conversations, messages, unread counts and the outbox, kept in sync
// with the server over the page's Signaling connection. Views subscribe and render.
//
// Never loses a message: a sent message goes to the outbox (localStorage) first, is
// sent when connected, and leaves the outbox only on the server's ack, which comes
// after the commit. On every (re)connect the outbox is resent (the server stores by
// clientMsgId once), the conversation list is reloaded and the open conversation
// catches up from its newest known message with `after`.
//
// Own message status: pending (outbox) → sent (has an id) → delivered (the peer's
// browser confirmed) → read (the peer had it on screen); or failed (refused for good).
//
// Presence needs the peers in this client's lobby view (docs/protocol.md, "Lobby views"),
// which otherwise holds only a window of who is online: once the conversation list is
// loaded on a connection, and whenever the set of conversation peers changes, they are
// pinned with `lobby:watch` (most recent first, at most WATCH_MAX).
import * as N from './names.js';
import { LOBBY_COUNT, LOBBY_WATCH } from '../protocol.js';
import { Outbox, newClientMsgId } from './outbox.js';

const PAGE = 50;
export const WATCH_MAX = 200;       // LOBBY_PINS_MAX
// The server takes a lobby:watch of up to 16 KiB (200 ids of up to 64 characters);
// should ids ever be longer, the most recent that fit are sent.
const WATCH_MAX_BYTES = 16000;
const WATCH_RETRY_MS = 5000;
const RETRY_MS = [1000, 2000, 5000, 10000, 30000];
const UNREAD_KINDS = new Set(['text', 'call-missed']);

function emptyConv(peer) {
  return {
    peer, messages: new Map(), loaded: false, loading: false, hasOlder: false,
    unread: 0, deliveredUpTo: 0, readUpTo: 0, myDeliveredUpTo: 0, myReadUpTo: 0,
    lastMessage: null, error: '',
  };
}

export class ChatStore {
  constructor({ signaling, me, maxLength = 4000, storage, visible = () => document.visibilityState === 'visible' }) {
    this.sig = signaling;
    this.me = me;                      // {id, displayName}
    this.maxLength = maxLength;
    this.visible = visible;
    this.outbox = new Outbox(me.id, storage);
    this.convs = new Map();            // peerId → conversation
    this.lobby = { users: {}, clients: {}, online: 0, complete: true };
    this.sharedLobby = false;          // useLobby(): the call page's store keeps it
    this._watch = { conn: null, ready: null, key: null, timer: null };
    this.active = null;                // peerId of the open conversation
    this.status = signaling.status || 'connecting';
    this.listLoaded = false;
    this._listeners = new Set();
    this._flushing = false;
    this._retry = 0;
    this._retryTimer = null;
    this._syncing = null;
  }

  // -- subscription ------------------------------------------------------------------
  subscribe(fn) {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  }

  _changed() {
    if (this._queued) return;
    this._queued = true;
    queueMicrotask(() => {
      this._queued = false;
      this._syncWatch();
      for (const fn of [...this._listeners]) {
        try { fn(this); } catch (err) { console.error('chat view failed', err); }
      }
    });
  }

  // -- wiring ------------------------------------------------------------------------
  start() {
    const on = (event, fn) => this.sig.on(event, fn.bind(this));
    on(N.CHAT_MESSAGE, this._onMessage);
    on(N.CHAT_RECEIPT, this._onReceipt);
    on(N.CHAT_UNREAD, this._onUnread);
    // Our own copy of the lobby view, unless another view keeps it (useLobby).
    const lobby = (fn) => (payload) => { if (!this.sharedLobby) fn.call(this, payload); };
    on('lobby:snapshot', lobby((s) => {
      this.lobby = { users: s.users || {}, clients: s.clients || {},
        online: Number.isInteger(s.online) ? s.online : Object.keys(s.users || {}).length,
        complete: s.complete !== false };
      this._namesFromLobby();
      this._changed();
    }));
    on('lobby:client-joined', lobby(({ client, user }) => {
      this.lobby = { ...this.lobby, users: { ...this.lobby.users, [user.id]: user }, clients: { ...this.lobby.clients, [client.id]: client } };
      this._namesFromLobby();
      this._changed();
    }));
    on('lobby:client-left', lobby(({ clientId }) => {
      const clients = { ...this.lobby.clients };
      delete clients[clientId];
      this.lobby = { ...this.lobby, clients };
      this._changed();
    }));
    on('lobby:user', ({ user }) => {
      if (user.id === this.me.id) this.me = { ...this.me, displayName: user.displayName };
      if (this.sharedLobby) return;
      this.lobby = { ...this.lobby, users: { ...this.lobby.users, [user.id]: user } };
      this._namesFromLobby();
      this._changed();
    });
    on(LOBBY_COUNT, lobby(({ online, complete }) => {
      this.lobby = { ...this.lobby, online: Number.isInteger(online) ? online : this.lobby.online,
        complete: typeof complete === 'boolean' ? complete : this.lobby.complete };
    }));
    on('session:welcome', ({ user }) => { if (user?.id === this.me.id) this.me = { ...this.me, displayName: user.displayName }; });
    this.sig.on('status', ({ status }) => {
      this.status = status;
      this._changed();
      if (status === 'connected') this._onConnected();
    });
    document.addEventListener('visibilitychange', () => { if (this.active) this.markRead(this.active); });
    // Pending from before a reload: their conversations show at once.
    for (const e of this.outbox.all()) {
      const c = this.conv(e.to);
      if (c.peer.displayName === 'someone' && e.toName) c.peer = { ...c.peer, displayName: e.toName };
    }
    this._changed();
    if (this.sig.connected) this._onConnected();
    return this;
  }

  // Another view keeps the lobby (the call page): use it instead of our own copy.
  useLobby(getLobby, subscribe) {
    this.sharedLobby = true;
    const pull = () => {
      const l = getLobby();
      if (!l || l === this.lobby) return;
      this.lobby = l;
      this._namesFromLobby();
      this._changed();
    };
    subscribe(pull);
    pull();
  }

  _namesFromLobby() {
    for (const [id, conv] of this.convs) {
      const u = this.lobby.users[id];
      if (u && u.displayName !== conv.peer.displayName) conv.peer = { ...conv.peer, displayName: u.displayName };
    }
  }

  async _onConnected() {
    // Only one catch-up at a time; a reconnect during one starts another after it.
    const run = async () => {
      await this.flush();
      await this.refreshList();
      this._watch.ready = this._connection();  // the list is in: pin its peers (_changed)
      this._changed();
      if (this.active) await this._catchUp(this.active);
    };
    this._syncing = (this._syncing || Promise.resolve()).then(run, run);
    return this._syncing;
  }

  // -- pinning conversation peers into the lobby view ----------------------------------

  // Which connection this is: the Socket.IO id changes on every reconnect (not on a
  // transport upgrade).
  _connection() {
    return this.sig.socket?.id ?? null;
  }

  // The peers to keep in the lobby view: conversations, most recent first.
  watchList() {
    const out = [];
    let bytes = '{"userIds":[]}'.length;
    for (const c of this.list()) {
      const id = c.peer.id;
      if (!id || id === this.me.id) continue;
      bytes += JSON.stringify(id).length + (out.length ? 1 : 0);
      if (out.length === WATCH_MAX || bytes > WATCH_MAX_BYTES) break;
      out.push(id);
    }
    return out;
  }

  // Send `lobby:watch` when the peers differ from what this connection last sent (a new
  // connection starts with no pins, so an empty list is not worth a round trip there).
  _syncWatch() {
    const w = this._watch;
    const conn = this._connection();
    if (!this.sig.connected || conn === null || w.ready !== conn) return;
    const userIds = this.watchList();
    const key = [...userIds].sort().join(' ');
    if (w.conn === conn ? key === w.key : !userIds.length) return;
    Object.assign(w, { conn, key });
    clearTimeout(w.timer);
    this.sig.request(LOBBY_WATCH, { userIds }).catch((err) => {
      console.warn('chat: lobby:watch failed', err);
      if (N.PERMANENT_ERRORS.has(err.code) || w.conn !== conn || w.key !== key) return;
      w.key = null; // not pinned: try again in a while (or on the next change)
      w.timer = setTimeout(() => this._syncWatch(), WATCH_RETRY_MS);
    });
  }

  // -- derived state -----------------------------------------------------------------
  online(userId) {
    if (this.status !== 'connected') return false;  // our lobby copy is stale while offline
    return Object.values(this.lobby.clients).some((c) => c.userId === userId);
  }

  unreadCounts() {
    const counts = {};
    for (const [id, c] of this.convs) if (c.unread) counts[id] = c.unread;
    return counts;
  }

  conv(peerId) {
    let c = this.convs.get(peerId);
    if (!c) {
      const u = this.lobby.users[peerId];
      c = emptyConv({ id: peerId, displayName: u?.displayName || 'someone' });
      this.convs.set(peerId, c);
    }
    return c;
  }

  // Conversations, most recent first; online people without one follow.
  list() {
    const out = [...this.convs.values()].filter((c) => c.lastMessage || this._pendingFor(c.peer.id).length || c.peer.id === this.active);
    out.sort((a, b) => (b.lastMessage?.id || Infinity) - (a.lastMessage?.id || Infinity));
    return out;
  }

  onlinePeople() {
    const withConv = new Set(this.list().map((c) => c.peer.id));
    const seen = new Set();
    const out = [];
    for (const c of Object.values(this.lobby.clients)) {
      if (c.userId === this.me.id || withConv.has(c.userId) || seen.has(c.userId)) continue;
      seen.add(c.userId);
      out.push(this.lobby.users[c.userId] || { id: c.userId, displayName: 'someone' });
    }
    return out.sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  _pendingFor(peerId) {
    return this.outbox.all().filter((e) => e.to === peerId);
  }

  // The open conversation as one timeline: stored messages by id, then the pending.
  timeline(peerId) {
    const c = this.conv(peerId);
    const stored = [...c.messages.values()].sort((a, b) => a.id - b.id).map((m) => ({ ...m, status: this.statusOf(c, m) }));
    const storedIds = new Set(stored.map((m) => m.clientMsgId));
    const pending = this._pendingFor(peerId).filter((e) => !storedIds.has(e.clientMsgId))
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((e) => ({ clientMsgId: e.clientMsgId, from: this.me.id, to: e.to, fromName: this.me.displayName,
        kind: 'text', text: e.text, html: null, ts: e.createdAt, status: e.failed ? 'failed' : 'pending', error: e.failed }));
    return [...stored, ...pending];
  }

  statusOf(c, m) {
    if (m.from !== this.me.id) return 'received';
    if (m.id <= c.readUpTo) return 'read';
    if (m.id <= c.deliveredUpTo) return 'delivered';
    return 'sent';
  }

  // -- actions -----------------------------------------------------------------------
  async refreshList() {
    let ack;
    try {
      ack = await this.sig.request(N.CHAT_CONVERSATIONS);
    } catch (err) {
      return console.warn('chat: conversations not loaded', err);
    }
    for (const item of ack.conversations) {
      const c = this.conv(item.with.id);
      c.peer = item.with;
      Object.assign(c, {
        unread: item.unread, deliveredUpTo: item.deliveredUpTo, readUpTo: item.readUpTo,
        myDeliveredUpTo: item.myDeliveredUpTo, myReadUpTo: item.myReadUpTo, lastMessage: item.lastMessage,
      });
      // Offline while they wrote: tell them it has arrived now.
      const last = item.lastMessage;
      if (last.from !== this.me.id && last.id > item.myDeliveredUpTo) this._confirm(c.peer.id, last.id);
    }
    this.listLoaded = true;
    this._changed();
  }

  async open(peerId) {
    if (!peerId || peerId === this.me.id) return;
    this.active = peerId;
    const c = this.conv(peerId);
    this._changed();
    if (!c.loaded) await this._loadLatest(peerId);
    else await this._catchUp(peerId);
    this.markRead(peerId);
  }

  close() {
    this.active = null;
    this._changed();
  }

  async _loadLatest(peerId) {
    const c = this.conv(peerId);
    if (c.loading || !this.sig.connected) return;
    c.loading = true;
    try {
      const page = await this.sig.request(N.CHAT_HISTORY, { with: peerId, limit: PAGE });
      this._applyPage(c, page);
      c.hasOlder = page.hasMore;
      c.loaded = true;
      c.error = '';
    } catch (err) {
      c.error = err.message;
    } finally {
      c.loading = false;
      this._changed();
    }
  }

  // After a reconnect: everything newer than the newest message we have, page by page.
  async _catchUp(peerId) {
    const c = this.conv(peerId);
    if (!c.loaded) return this._loadLatest(peerId);
    const newest = () => Math.max(0, ...c.messages.keys());
    try {
      for (let more = true; more && newest() > 0;) {
        const page = await this.sig.request(N.CHAT_HISTORY, { with: peerId, after: newest(), limit: 100 });
        this._applyPage(c, page);
        more = page.hasMore;
      }
      if (newest() === 0) await this._loadLatest(peerId);
    } catch (err) {
      console.warn('chat: catch-up failed', err);
    }
    this._changed();
    this.markRead(peerId);
  }

  async loadOlder(peerId) {
    const c = this.conv(peerId);
    if (c.loading || !c.hasOlder || !this.sig.connected) return false;
    const oldest = Math.min(...c.messages.keys());
    c.loading = true;
    this._changed();
    try {
      const page = await this.sig.request(N.CHAT_HISTORY, { with: peerId, before: oldest, limit: PAGE });
      this._applyPage(c, page);
      c.hasOlder = page.hasMore;
      return true;
    } catch (err) {
      c.error = err.message;
      return false;
    } finally {
      c.loading = false;
      this._changed();
    }
  }

  _applyPage(c, page) {
    c.peer = page.with;
    for (const m of page.messages) this._remember(c, m);
    Object.assign(c, { unread: page.unread, deliveredUpTo: page.deliveredUpTo, readUpTo: page.readUpTo,
      myDeliveredUpTo: page.myDeliveredUpTo, myReadUpTo: page.myReadUpTo });
    const last = page.messages[page.messages.length - 1];
    if (last && last.from !== this.me.id && last.id > c.myDeliveredUpTo) this._confirm(c.peer.id, last.id);
  }

  _remember(c, m) {
    c.messages.set(m.id, m);
    if (!c.lastMessage || m.id >= c.lastMessage.id) c.lastMessage = m;
    if (m.from === this.me.id) this.outbox.remove(m.clientMsgId);
  }

  send(peerId, text) {
    text = text.replace(/\r\n?/g, '\n').trim();
    if (!text) return { ok: false, message: 'The message is empty.' };
    if ([...text].length > this.maxLength) {
      return { ok: false, message: `The message is ${[...text].length.toLocaleString()} characters; the limit is ${this.maxLength.toLocaleString()}.` };
    }
    this.outbox.add({ clientMsgId: newClientMsgId(), to: peerId, toName: this.conv(peerId).peer.displayName,
      text, createdAt: Date.now() });
    this._changed();
    this.flush();
    return { ok: true };
  }

  retry(clientMsgId) {
    this.outbox.update(clientMsgId, { failed: undefined });
    this._changed();
    this.flush();
  }

  discard(clientMsgId) {
    this.outbox.remove(clientMsgId);
    this._changed();
  }

  // Send the outbox in order, one at a time. A transient failure stops the run and
  // schedules another; the next connect runs it too.
  async flush() {
    if (this._flushing) { this._again = true; return; }
    this._flushing = true;
    try {
      do {
        this._again = false;
        for (const entry of this.outbox.all()) {
          if (entry.failed || !this.sig.connected) continue;
          if (!this.outbox.has(entry.clientMsgId)) continue;  // another tab got the ack
          try {
            const ack = await this.sig.request(N.CHAT_SEND, { to: entry.to, clientMsgId: entry.clientMsgId, text: entry.text });
            this._remember(this.conv(entry.to), ack.message);
            this._retry = 0;
          } catch (err) {
            if (N.PERMANENT_ERRORS.has(err.code)) {
              this.outbox.update(entry.clientMsgId, { failed: { code: err.code, message: err.message } });
            } else {
              this._scheduleRetry();
              return;
            }
          } finally {
            this._changed();
          }
        }
      } while (this._again);
    } finally {
      this._flushing = false;
    }
  }

  _scheduleRetry() {
    clearTimeout(this._retryTimer);
    const delay = RETRY_MS[Math.min(this._retry++, RETRY_MS.length - 1)];
    this._retryTimer = setTimeout(() => { if (this.sig.connected) this.flush(); }, delay);
  }

  // The peer's messages up to `upTo` reached this browser.
  async _confirm(peerId, upTo) {
    try {
      const state = await this.sig.request(N.CHAT_DELIVERED, { with: peerId, upTo });
      this._onUnread(state);
    } catch (err) {
      console.warn('chat: delivery receipt not sent', err);
    }
  }

  // Mark read what the user can see: the open conversation, page visible.
  async markRead(peerId) {
    const c = this.convs.get(peerId);
    if (!c || this.active !== peerId || !this.visible() || !this.sig.connected) return;
    let upTo = 0;
    for (const m of c.messages.values()) if (m.from !== this.me.id && m.id > upTo) upTo = m.id;
    if (upTo <= c.myReadUpTo && !c.unread) return;
    if (!upTo) return;
    try {
      this._onUnread(await this.sig.request(N.CHAT_READ, { with: peerId, upTo }));
    } catch (err) {
      console.warn('chat: read receipt not sent', err);
    }
  }

  // -- server events -----------------------------------------------------------------
  _onMessage({ message: m }) {
    const peerId = m.from === this.me.id ? m.to : m.from;
    const c = this.conv(peerId);
    const known = c.messages.has(m.id) || (c.lastMessage && c.lastMessage.id >= m.id);
    this._remember(c, m);
    if (m.from !== this.me.id && !known) {
      if (m.id > c.myReadUpTo && UNREAD_KINDS.has(m.kind)) c.unread += 1;  // corrected by the receipt's ack
      this._confirm(peerId, m.id).then(() => this.markRead(peerId));
    }
    this._changed();
  }

  _onReceipt({ with: peerId, deliveredUpTo, readUpTo }) {
    const c = this.conv(peerId);
    c.deliveredUpTo = Math.max(c.deliveredUpTo, deliveredUpTo);
    c.readUpTo = Math.max(c.readUpTo, readUpTo);
    this._changed();
  }

  _onUnread({ with: peerId, unread, readUpTo, deliveredUpTo }) {
    const c = this.conv(peerId);
    c.unread = unread;
    c.myReadUpTo = Math.max(c.myReadUpTo, readUpTo);
    c.myDeliveredUpTo = Math.max(c.myDeliveredUpTo, deliveredUpTo);
    this._changed();
  }
}
