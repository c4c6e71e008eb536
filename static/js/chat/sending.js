// The chat store's sending half (mixed into ChatStore, chat/store.js): a message goes to
// the outbox (chat/outbox.js, localStorage) first, is sent when connected, in order, one
// at a time, and leaves the outbox only on the server's ack. A transient failure stops
// the run and retries later (RETRY_MS, or the server's retryAfterMs); a permanent one
// marks the message failed until the user retries or discards it. A group call's
// conversation is sent to by its conversationId (the outbox entry's `to`).
import * as A from '../actions.js';
import * as P from '../protocol.js';
import { newClientMsgId } from './outbox.js';
import { target } from './state.js';
import { messageTooLong, MESSAGE_EMPTY } from '../views/words.js';

const RETRY_MS = [1000, 2000, 5000, 10000, 30000];

export const sending = {
  send(peerId, text) {
    text = text.replace(/\r\n?/g, '\n').trim();
    if (!text) return { ok: false, message: MESSAGE_EMPTY };
    if ([...text].length > this.maxLength) return { ok: false, message: messageTooLong([...text].length, this.maxLength) };
    this.outbox.add({ clientMsgId: newClientMsgId(), to: peerId, toName: this.conv(peerId).peer.displayName,
      text, createdAt: Date.now() });
    this._changed();
    this.flush();
    return { ok: true };
  },

  retry(clientMsgId) {
    this.outbox.update(clientMsgId, { failed: undefined });
    this._changed();
    this.flush();
  },

  discard(clientMsgId) {
    this.outbox.remove(clientMsgId);
    this._changed();
  },

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
            const ack = await this.sig.request(P.CHAT_SEND, { ...target(entry.to, 'to'), clientMsgId: entry.clientMsgId, text: entry.text });
            this.dispatch({ type: A.CHAT_MESSAGE, payload: { message: ack.message } });
            this._stored([ack.message]);
            this._retry = 0;
            this.serverCannotStore = false;
          } catch (err) {
            if (P.isPermanent(err.code)) {
              this.outbox.update(entry.clientMsgId, { failed: { code: err.code, message: err.message } });
            } else {
              // `unavailable`: the server cannot store right now (or is restarting); the
              // message stays in the outbox and goes again when the server says
              this.serverCannotStore = err.code === 'unavailable';
              this._scheduleRetry(err.retryAfterMs);
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
  },

  _scheduleRetry(afterMs = null) {
    clearTimeout(this._retryTimer);
    const delay = afterMs ?? RETRY_MS[Math.min(this._retry++, RETRY_MS.length - 1)];
    this._retryTimer = setTimeout(() => { if (this.sig.connected) this.flush(); }, delay);
  },
};
