// Receives one accepted file: collects each block's chunks, checks the block's SHA-256
// before it is stored (a mismatch fails the transfer), acknowledges it, and at `done`
// checks the root (the SHA-256 of the blocks' digests) before the file is offered for
// saving. Block and done messages are handled one at a time, in order, while chunks of
// the next block keep arriving. `next` is the first block not yet stored: where a
// resume starts.
import { CHUNKS_PER_BLOCK, WINDOW_BLOCKS } from './chunking.js';
import { digest, hex, rootOf } from './sha256.js';

export class Receiver {
  constructor({ offer, sink, send, onProgress }) {
    Object.assign(this, { offer, sink, send, onProgress });
    this.pending = new Map(); // block → [chunk bytes]
    this.digests = [];
    this.next = 0;
    this.received = 0;        // bytes stored
    this.buffered = 0;        // bytes of blocks not yet checked
    this.chain = Promise.resolve();
    this.stopped = false;
  }

  onChunk(index, bytes) {
    if (this.stopped) return;
    const block = Math.floor(index / CHUNKS_PER_BLOCK);
    if (block < this.next) return; // a block already stored (sent again before a resume)
    // A sender that ignores the window (WINDOW_BLOCKS unacknowledged) or sends past the
    // size would fill this page's memory: the transfer fails instead.
    if (block - this.next >= 2 * WINDOW_BLOCKS || this.received + this.buffered + bytes.byteLength > this.offer.size) {
      this.overflow = true;
      return;
    }
    if (!this.pending.has(block)) this.pending.set(block, []);
    this.pending.get(block).push(bytes);
    this.buffered += bytes.byteLength;
  }

  // The control messages of this transfer, in order; resolves with the outcome of `done`.
  onMessage(msg) {
    this.chain = this.chain.then(() => (this.stopped ? null : msg.t === 'block' ? this.onBlock(msg) : this.onDone(msg)));
    return this.chain;
  }

  async onBlock({ n, sha }) {
    if (n !== this.next) return null;
    const parts = this.pending.get(n) || [];
    this.pending.delete(n);
    const bytes = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
    let at = 0;
    for (const p of parts) { bytes.set(p, at); at += p.byteLength; }
    this.buffered = Math.max(0, this.buffered - bytes.byteLength);
    const d = await digest(bytes);
    if (hex(d) !== sha) throw new Error('block-mismatch');
    if (this.stopped) return null;
    await this.sink.write(bytes);
    this.digests[n] = d;
    this.next = n + 1;
    this.received += bytes.byteLength;
    this.send({ t: 'ack', id: this.offer.id, n });
    this.onProgress?.();
    return null;
  }

  async onDone({ root }) {
    if (this.received !== this.offer.size || (await rootOf(this.digests)) !== root) throw new Error('file-mismatch');
    return this.sink.close();
  }

  // The channel came back: drop partial blocks, ask for the rest from `next`.
  // After the block being checked now, if any: `next` is then final.
  resume() {
    this.chain = this.chain.then(async () => {
      this.pending.clear();
      this.buffered = 0;
      await this.sink.truncate?.(this.next);
      this.send({ t: 'resume', id: this.offer.id, from: this.next });
    });
    return this.chain;
  }

  stop() {
    this.stopped = true;
    this.pending.clear();
    return this.sink?.abort();
  }
}
