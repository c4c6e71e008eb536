// Pins the chat's conversation peers into this client's lobby view with `lobby:watch`
// (docs/protocol.md, "Lobby views"): the view otherwise holds only a window of who is
// online, and presence needs the peers in it. Once the conversation list is loaded on a
// connection (ready()), and whenever the set of peers changes (sync(), on every chat
// change), the most recent peers are sent — at most WATCH_MAX.
import { LOBBY_WATCH, isPermanent } from '../protocol.js';

export const WATCH_MAX = 200;       // LOBBY_PINS_MAX
// The server takes a lobby:watch of up to 16 KiB (200 ids of up to 64 characters);
// should ids ever be longer, the most recent that fit are sent.
const WATCH_MAX_BYTES = 16000;
const WATCH_RETRY_MS = 5000;

export class LobbyPins {
  // peers(): the conversation peers' ids, most recent first.
  constructor({ signaling, myId, peers }) {
    Object.assign(this, { sig: signaling, myId, peers });
    this.conn = null;   // the connection the last lobby:watch went to
    this.key = null;    // what it pinned
    this.readyOn = null;
    this.timer = null;
  }

  // Which connection this is: the Socket.IO id changes on every reconnect (not on a
  // transport upgrade).
  connection() {
    return this.sig.socket?.id ?? null;
  }

  // The conversation list of this connection is in: pins may go out now.
  ready() {
    this.readyOn = this.connection();
  }

  // The peers to keep in the lobby view.
  watchList() {
    const out = [];
    let bytes = '{"userIds":[]}'.length;
    for (const id of this.peers()) {
      if (!id || id === this.myId) continue;
      bytes += JSON.stringify(id).length + (out.length ? 1 : 0);
      if (out.length === WATCH_MAX || bytes > WATCH_MAX_BYTES) break;
      out.push(id);
    }
    return out;
  }

  // Send `lobby:watch` when the peers differ from what this connection last sent (a new
  // connection starts with no pins, so an empty list is not worth a round trip there).
  sync() {
    const conn = this.connection();
    if (!this.sig.connected || conn === null || this.readyOn !== conn) return;
    const userIds = this.watchList();
    const key = [...userIds].sort().join(' ');
    if (this.conn === conn ? key === this.key : !userIds.length) return;
    Object.assign(this, { conn, key });
    clearTimeout(this.timer);
    this.sig.request(LOBBY_WATCH, { userIds }).catch((err) => {
      console.warn('chat: lobby:watch failed', err);
      if (isPermanent(err.code) || this.conn !== conn || this.key !== key) return;
      this.key = null; // not pinned: try again in a while (or on the next change)
      this.timer = setTimeout(() => this.sync(), WATCH_RETRY_MS);
    });
  }
}
