// Where a received file goes. With the File System Access API (a Save dialog on Accept)
// each checked block is written to disk as it arrives, so a large file never sits in
// memory; without it (Firefox, Safari, a headless browser, the dialog refused) the
// blocks are kept as Blobs — which the browser may page out to its own disk store —
// up to MEMORY_LIMIT, said on screen, and the file is offered for saving at the end.

export const canStream = () => typeof window !== 'undefined' && typeof window.showSaveFilePicker === 'function';

export class MemorySink {
  constructor(name, mime) {
    Object.assign(this, { name, mime, parts: [], streamed: false });
  }
  async write(bytes) { this.parts.push(new Blob([bytes])); }
  // Resume: drop the blocks from `n` on (they are sent again).
  truncate(n) { this.parts.length = Math.min(this.parts.length, n); }
  async close() {
    // Never the type the peer claims: a blob: URL has this page's origin, and one typed
    // text/html opened in a tab would run the peer's script here. Saved, it is just bytes.
    const blob = new Blob(this.parts, { type: 'application/octet-stream' });
    this.parts = [];
    return { blob, url: URL.createObjectURL(blob) };
  }
  async abort() { this.parts = []; }
}

export class FileSink {
  constructor(writable) {
    Object.assign(this, { writable, streamed: true, written: 0, blockSizes: [] });
  }
  async write(bytes) {
    await this.writable.write(bytes);
    this.blockSizes.push(bytes.byteLength);
    this.written += bytes.byteLength;
  }
  async truncate(n) {
    const keep = this.blockSizes.slice(0, n).reduce((a, b) => a + b, 0);
    this.blockSizes.length = Math.min(this.blockSizes.length, n);
    this.written = keep;
    await this.writable.truncate(keep);
    await this.writable.seek(keep);
  }
  async close() { await this.writable.close(); return { blob: null, url: null }; }
  async abort() { await this.writable.abort().catch(() => {}); }
}

// Called in the Accept click (a user gesture): a disk sink if the browser can, else memory.
export async function openSink(name, mime) {
  if (canStream()) {
    try {
      const handle = await window.showSaveFilePicker({ suggestedName: name });
      return new FileSink(await handle.createWritable());
    } catch (err) {
      if (err?.name === 'AbortError') return null; // the person closed the dialog: not accepted
      console.warn('save dialog unavailable; keeping the file in memory', err);
    }
  }
  return new MemorySink(name, mime);
}
