// Messages typed but not yet acknowledged by the server, kept in localStorage so that a
// reload, a crash or a lost connection does not lose them. An entry leaves the outbox
// only when the server's ack (or the echo from another tab) says the message is stored;
// the server stores by (sender, clientMsgId) idempotently, so resending is always safe.
//
// entry = {clientMsgId, to, text, createdAt, failed?: {code, message}}

const VERSION = 1;

// crypto.randomUUID needs a secure context; a LAN install over plain http is not one.
export function newClientMsgId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export class Outbox {
  constructor(userId, storage = globalThis.localStorage) {
    this.key = `tlc.chat.outbox.v${VERSION}.${userId}`;
    this.storage = storage;
    this.memory = [];  // used when storage is unavailable (private mode, quota)
  }

  all() {
    try {
      const raw = this.storage?.getItem(this.key);
      const list = raw ? JSON.parse(raw) : this.memory;
      return Array.isArray(list) ? list.filter((e) => e && e.clientMsgId && e.to && typeof e.text === 'string') : [];
    } catch {
      return this.memory;
    }
  }

  _save(list) {
    this.memory = list;
    try {
      if (list.length) this.storage?.setItem(this.key, JSON.stringify(list));
      else this.storage?.removeItem(this.key);
    } catch (err) {
      console.warn('chat outbox: cannot persist, keeping it in memory', err);
    }
  }

  add(entry) {
    this._save([...this.all().filter((e) => e.clientMsgId !== entry.clientMsgId), entry]);
  }

  update(clientMsgId, patch) {
    this._save(this.all().map((e) => (e.clientMsgId === clientMsgId ? { ...e, ...patch } : e)));
  }

  remove(clientMsgId) {
    const list = this.all();
    const kept = list.filter((e) => e.clientMsgId !== clientMsgId);
    if (kept.length !== list.length) this._save(kept);
  }

  has(clientMsgId) {
    return this.all().some((e) => e.clientMsgId === clientMsgId);
  }
}
