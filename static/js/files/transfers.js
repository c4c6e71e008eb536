// Files sent in a call (issue 29): every transfer of this page, in and out, over the
// file channel of each of its call connections (channel.js; one per peer). Outgoing
// files queue per peer and go one at a time; each is first asked of the server
// (file:offer: the size limit, a refusal that says why), then offered to the peer, and
// sent (sender.js) only after Accept. Incoming offers wait for Accept; the file is
// checked block by block and as a whole (receiver.js) before it is offered for saving.
// The sender records the finished transfer in the chat (file:sent; metadata only).
// When a connection is replaced (the page reloaded, rejoin.js) the transfer resumes from
// the last acknowledged block; it fails when the call or its party goes. Emits 'change'.
import { FILE_OFFER, FILE_SENT } from '../protocol.js';
import { MAX_FILE_BYTES, MEMORY_LIMIT, RateMeter, chunkPayload, newFileId, unpackChunk } from './chunking.js';
import { whenOpen } from './channel.js';
import { endOf, slotsByCall } from './ends.js';
import { Sender } from './sender.js';
import { Receiver } from './receiver.js';
import { canStream, openSink } from './sink.js';

const ACTIVE = new Set(['queued', 'asking', 'offered', 'sending', 'receiving', 'verifying']);
const FILE_ID = /^[A-Za-z0-9_-]{1,24}$/; // docs/protocol.md, "Files"
const OFFERS_MAX = 50; // waiting offers kept per peer: a peer cannot fill this page

const keyOf = (session) => `${session.callId} ${session.peerAnchorId}`;

export class Transfers extends EventTarget {
  constructor({ signaling, calls, store }) {
    super();
    Object.assign(this, { signaling, calls, store });
    this.list = [];             // every transfer, oldest first (the view renders them)
    this.attached = new WeakSet();
    this.nums = 0;              // the transfer number of our chunks' headers
    this.maxBytes = MAX_FILE_BYTES;
    this.timer = null;
    store.subscribe(() => { try { this.sync(); } catch (err) { console.warn('files', err); } }); // never stops the page's render
    this.sync();
  }

  // -- connections -------------------------------------------------------------------

  sync() {
    for (const session of this.calls.sessions) {
      if (session.fileChannel && !session.closed && !this.attached.has(session)) this.attach(session);
    }
    // Newest first: a pair's queued files end before the running one, whose end starts them.
    const slots = slotsByCall(this.store.getState());
    for (const t of [...this.list].reverse()) {
      const why = ACTIVE.has(t.state) || t.state === 'opening' ? endOf(slots, t) : null;
      if (why) this.end(Object.assign(t, { peerName: why.peerName }), 'failed', why.reason);
    }
    this.changed();
  }

  attach(session) {
    this.attached.add(session);
    const channel = session.fileChannel;
    channel.addEventListener('message', (e) => this.onMessage(session, channel, e.data));
    whenOpen(channel).then(() => this.onOpen(session, channel)).catch(() => {});
  }

  // A (new) channel to this peer is open: transfers that ran on an older one resume.
  onOpen(session, channel) {
    const key = keyOf(session);
    for (const t of this.list) {
      if (t.key !== key || !ACTIVE.has(t.state) || t.channel === channel) continue;
      const old = t.channel;
      t.channel = channel;
      if (!old) continue;
      if (t.dir === 'in' && t.state === 'receiving') t.receiver.resume().catch((err) => this.fail(t, err));
      if (t.dir === 'out' && t.state === 'offered') this.sendOffer(t);
      if (t.dir === 'out' && t.sender) { // the receiver's resume says where; a reloaded receiver says cancel
        t.sender.channel = channel;
        this.post(t, { t: 'where', id: t.id });
      }
    }
    this.pump(key);
  }

  currentChannel(t) {
    const session = this.calls.sessions.of(t.callId, t.peerAnchorId);
    return session?.fileChannel || null;
  }

  post(t, msg) {
    const channel = t.channel || this.currentChannel(t);
    if (channel?.readyState === 'open') channel.send(JSON.stringify(msg));
  }

  // -- sending -----------------------------------------------------------------------

  // Queue `files` for each session in `sessions` (one peer, or everyone in the call).
  send(files, sessions) {
    for (const session of sessions) {
      for (const file of files) {
        this.list.push({ id: newFileId(), dir: 'out', key: keyOf(session), callId: session.callId,
                         peerAnchorId: session.peerAnchorId, name: file.name, size: file.size,
                         mime: file.type, file, state: 'queued', done: 0, meter: new RateMeter() });
      }
      this.pump(keyOf(session));
    }
    this.changed();
  }

  pump(key) {
    const mine = this.list.filter((t) => t.key === key && t.dir === 'out');
    if (mine.some((t) => ['asking', 'offered', 'sending', 'verifying'].includes(t.state))) return;
    const next = mine.find((t) => t.state === 'queued');
    if (next) this.start(next);
  }

  async start(t) {
    t.state = 'asking';
    this.changed();
    try {
      const ack = await this.signaling.request(FILE_OFFER, { callId: t.callId, to: t.peerAnchorId, name: t.name, size: t.size });
      this.maxBytes = ack.maxBytes ?? this.maxBytes;
      t.channel = await whenOpen(this.currentChannel(t));
    } catch (err) {
      return this.end(t, 'failed', 'refused', err.message);
    }
    if (t.state !== 'asking') return null;
    t.num = (this.nums = (this.nums + 1) >>> 0);
    t.state = 'offered';
    this.sendOffer(t);
    return this.changed();
  }

  sendOffer(t) {
    this.post(t, { t: 'offer', id: t.id, n: t.num, name: t.name, size: t.size, mime: t.mime });
  }

  onAccept(t, from) {
    if (!t.sender) {
      const session = this.calls.sessions.of(t.callId, t.peerAnchorId);
      t.sender = new Sender({ file: t.file, id: t.id, num: t.num, channel: t.channel,
                              chunk: chunkPayload(session?.remoteSdp || session?.pc.remoteDescription?.sdp),
                              onProgress: () => this.progress(t, t.sender.progress) });
      t.startedAt = performance.now();
    }
    t.state = 'sending';
    t.sender.channel = t.channel;
    t.sender.run(from).then((finished) => {
      if (finished && t.state === 'sending') { t.state = 'verifying'; this.changed(); }
    }).catch((err) => this.fail(t, err));
    this.changed();
  }

  async onResult(t, ok) {
    if (!ok) return this.end(t, 'failed', 'mismatch');
    this.end(t, 'done');
    try {
      t.recorded = (await this.signaling.request(FILE_SENT, { callId: t.callId, to: t.peerAnchorId, fileId: t.id, name: t.name, size: t.size })).recorded;
    } catch (err) {
      console.warn('file:sent not recorded', err);
    }
    return null;
  }

  // -- receiving ---------------------------------------------------------------------

  onOffer(session, channel, msg) {
    const key = keyOf(session);
    const name = typeof msg.name === 'string' ? msg.name.slice(0, 255) : '';
    const size = msg.size;
    // The peer is trusted no more than the server trusts a page: the same bounds as file:offer.
    if (!name || !Number.isSafeInteger(size) || size < 0 || !Number.isInteger(msg.n) || !FILE_ID.test(msg.id)) return;
    if (this.list.some((t) => t.key === key && t.id === msg.id)) return; // sent again after a reconnect
    if (this.list.filter((t) => t.key === key && t.state === 'offered').length >= OFFERS_MAX) return;
    const t = { id: msg.id, num: msg.n, dir: 'in', key, callId: session.callId, peerAnchorId: session.peerAnchorId,
                name, size, mime: typeof msg.mime === 'string' ? msg.mime.slice(0, 100) : '', channel,
                state: 'offered', done: 0, meter: new RateMeter(), streams: canStream(), maxBytes: this.maxBytes };
    this.list.push(t);
    // Refused here, with the reason on the card: over the limit, or too large to hold.
    if (size > this.maxBytes) this.end(t, 'declined', 'tooLarge');
    else if (!t.streams && size > MEMORY_LIMIT) this.end(t, 'declined', 'tooLargeForMemory');
    if (t.state === 'declined') this.post(t, { t: 'decline', id: t.id });
    this.changed();
  }

  // In the Accept click: the Save dialog (where the browser has one) needs the gesture.
  async accept(t) {
    if (t.state !== 'offered' || t.dir !== 'in') return;
    t.state = 'opening';
    const sink = await openSink(t.name, t.mime);
    if (!sink) { t.state = 'offered'; return this.changed(); }
    if (t.state !== 'opening') return sink.abort();
    t.receiver = new Receiver({ offer: t, sink, send: (msg) => this.post(t, msg),
                                onProgress: () => this.progress(t, t.receiver.received) });
    t.streamed = sink.streamed;
    t.state = 'receiving';
    t.startedAt = performance.now();
    this.post(t, { t: 'accept', id: t.id, from: 0 });
    return this.changed();
  }

  decline(t) {
    if (t.state !== 'offered') return;
    this.post(t, { t: 'decline', id: t.id });
    this.end(t, 'declined', 'byYou');
  }

  cancel(t) {
    if (!ACTIVE.has(t.state) && t.state !== 'opening') return;
    this.post(t, { t: 'cancel', id: t.id });
    this.end(t, 'cancelled', 'byYou');
  }

  onChunk(key, buffer) {
    if (buffer.byteLength < 8) return;
    const { transfer, index, bytes } = unpackChunk(buffer);
    const t = this.list.find((x) => x.key === key && x.dir === 'in' && x.num === transfer && x.state === 'receiving');
    if (!t) return; // a chunk still in flight when the transfer was cancelled
    t.receiver.onChunk(index, bytes);
    if (t.receiver.overflow) {
      this.post(t, { t: 'cancel', id: t.id, reason: 'mismatch' });
      return this.end(t, 'failed', 'mismatch');
    }
    this.progress(t, Math.min(t.size, t.receiver.received + t.receiver.buffered));
  }

  onBlockOrDone(t, msg) {
    t.receiver.onMessage(msg).then((result) => {
      if (msg.t !== 'done' || t.state !== 'receiving') return;
      t.result = result;
      this.post(t, { t: 'result', id: t.id, ok: true });
      this.end(t, 'done');
    }).catch((err) => {
      this.post(t, { t: 'cancel', id: t.id, reason: 'mismatch' });
      this.fail(t, err);
    });
  }

  // -- the channel's messages --------------------------------------------------------

  onMessage(session, channel, data) {
    const key = keyOf(session);
    if (data instanceof ArrayBuffer) return this.onChunk(key, data);
    let msg;
    try { msg = JSON.parse(data); } catch { return null; }
    if (!msg || typeof msg !== 'object' || typeof msg.t !== 'string') return null;
    if (msg.t === 'offer') return this.onOffer(session, channel, msg);
    const t = this.list.find((x) => x.key === key && x.id === msg.id);
    if (!t && ['where', 'resume', 'accept'].includes(msg.t) && FILE_ID.test(msg.id) && channel.readyState === 'open') {
      channel.send(JSON.stringify({ t: 'cancel', id: msg.id })); // this page was reloaded: it is gone
    }
    if (!t || !ACTIVE.has(t.state)) return null;
    const n = Number.isInteger(msg.n) && msg.n >= 0 ? msg.n : null;
    const from = Number.isInteger(msg.from) && msg.from >= 0 ? msg.from : 0;
    if (t.dir === 'out') {
      if (msg.t === 'accept' && t.state === 'offered') this.onAccept(t, from);
      else if (msg.t === 'resume' && t.sender) this.onAccept(t, from);
      else if (msg.t === 'ack' && n !== null) { t.sender?.onAck(n); this.progress(t, t.sender?.progress ?? 0); }
      else if (msg.t === 'decline') this.end(t, 'declined', 'byPeer');
      else if (msg.t === 'result') this.onResult(t, msg.ok === true);
      else if (msg.t === 'cancel') this.end(t, msg.reason === 'mismatch' ? 'failed' : 'cancelled', msg.reason === 'mismatch' ? 'mismatch' : 'byPeer');
    } else if (msg.t === 'cancel') {
      this.end(t, 'cancelled', 'byPeer');
    } else if ((msg.t === 'block' && n !== null && typeof msg.sha === 'string') || (msg.t === 'done' && typeof msg.root === 'string')) {
      if (t.state === 'receiving') this.onBlockOrDone(t, { t: msg.t, n, sha: msg.sha, root: msg.root });
    }
    return null;
  }

  // -- outcome and progress ----------------------------------------------------------

  dismiss(t) {
    if (ACTIVE.has(t.state) || t.state === 'opening') return;
    this.list = this.list.filter((x) => x !== t);
    if (t.result?.url) URL.revokeObjectURL(t.result.url);
    this.changed();
  }

  fail(t, err) {
    const why = err?.message === 'block-mismatch' || err?.message === 'file-mismatch' ? 'mismatch' : 'error';
    if (why === 'error') console.warn('file transfer failed', err);
    this.end(t, 'failed', why, err?.message);
  }

  end(t, state, reason = null, detail = null) {
    if (!ACTIVE.has(t.state) && t.state !== 'opening') return;
    Object.assign(t, { state, reason, detail, endedAt: performance.now() });
    if (state === 'done') t.done = t.size;
    t.sender?.stop();
    if (state !== 'done') t.receiver?.stop();
    t.file = null; // the page need not hold it any longer
    this.changed();
    if (t.dir === 'out') this.pump(t.key);
  }

  progress(t, done) {
    t.done = Math.max(t.done, done); // what the page shows never goes back (a resume re-sends unchecked bytes)
    t.meter.add(performance.now(), done);
    this.changed();
  }

  // Renders at most every 200 ms however fast chunks arrive.
  changed() {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = null; this.dispatchEvent(new Event('change')); }, 200);
  }
}
