// Sends one file over a file channel once the receiver accepted: block by block (1 MiB,
// hashed with SHA-256), each block in chunks within the peer's a=max-message-size, with
// backpressure (pause over HIGH_WATER of bufferedAmount, go on at bufferedamountlow),
// and never more than WINDOW_BLOCKS unacknowledged blocks. run(from) starts — or
// resumes, on a new channel — at block `from`; an older run stops at its next step.
import { CHUNKS_PER_BLOCK, HIGH_WATER, WINDOW_BLOCKS, blockBytes, blockCount, packChunk } from './chunking.js';
import { digest, hex, rootOf } from './sha256.js';

export class Sender {
  constructor({ file, id, num, channel, chunk, onProgress }) {
    Object.assign(this, { file, id, num, channel, chunk, onProgress });
    this.block = blockBytes(chunk);
    this.blocks = blockCount(file.size, this.block);
    this.digests = [];
    this.acked = 0;          // blocks the receiver confirmed
    this.sent = 0;           // bytes handed to the channel
    this.runs = 0;
    this.stopped = false;
    this.wake = null;        // resolves a wait for an ack
  }

  stop() {
    this.stopped = true;
    this.wake?.();
  }

  onAck(n) {
    this.acked = Math.max(this.acked, n + 1);
    this.wake?.();
  }

  // Bytes the peer has or is about to have: what left this page's buffer.
  get progress() {
    return Math.max(this.acked * this.block, Math.min(this.file.size, this.sent - (this.channel?.bufferedAmount || 0)));
  }

  async run(from = 0) {
    const run = ++this.runs;
    const live = () => !this.stopped && run === this.runs && this.channel.readyState === 'open';
    this.acked = Math.max(this.acked, from);
    this.sent = from * this.block;
    // The next block is read and hashed while this one's chunks drain (crypto.subtle and
    // the file read run off the main thread): the channel never waits for them.
    let next = this.read(from);
    for (let b = from; b < this.blocks; b += 1) {
      while (live() && b - this.acked >= WINDOW_BLOCKS) await new Promise((resolve) => { this.wake = resolve; });
      if (!live()) return false;
      const { bytes, hash } = await next;
      next = b + 1 < this.blocks ? this.read(b + 1) : null;
      next?.catch(() => {}); // a stopped run may leave one read unawaited
      this.digests[b] = hash;
      for (let off = 0, i = 0; off < bytes.length; off += this.chunk, i += 1) {
        while (live() && this.channel.bufferedAmount > HIGH_WATER) await this.drained();
        if (!live()) return false;
        this.channel.send(packChunk(this.num, b * CHUNKS_PER_BLOCK + i, bytes.subarray(off, off + this.chunk)));
        this.sent += Math.min(this.chunk, bytes.length - off);
      }
      this.channel.send(JSON.stringify({ t: 'block', id: this.id, n: b, sha: hex(this.digests[b]) }));
      this.onProgress?.();
    }
    if (!live()) return false;
    this.channel.send(JSON.stringify({ t: 'done', id: this.id, root: await rootOf(this.digests) }));
    return true;
  }

  async read(b) {
    const start = b * this.block;
    const bytes = new Uint8Array(await this.file.slice(start, Math.min(this.file.size, start + this.block)).arrayBuffer());
    return { bytes, hash: await digest(bytes) };
  }

  drained() {
    const channel = this.channel;
    return new Promise((resolve) => {
      const done = () => {
        channel.removeEventListener('bufferedamountlow', done);
        channel.removeEventListener('close', done);
        resolve();
      };
      channel.addEventListener('bufferedamountlow', done);
      channel.addEventListener('close', done);
      this.wake = done; // stop() ends the wait too
    });
  }
}
