// Pure arithmetic of a file transfer (docs/protocol.md, "Files"): the chunk size the
// peer allows, the 8-byte header of a binary chunk, blocks, and the words for sizes
// and rates. No DOM, no channel: tests/js/files.test.mjs runs it under Node.

export const CHANNEL_ID = 9;          // negotiated: both sides make it with this id
export const CHANNEL_LABEL = 'tlc-files';
export const HEADER_BYTES = 8;        // [u32 transfer number][u32 chunk index], big-endian
export const CHUNK_MAX = 64 * 1024;   // Chromium and Firefox both take 64 KiB whole; more gains little
export const CHUNKS_PER_BLOCK = 16;   // a block (hashed, acknowledged, resumed from) = 1 MiB of 64 KiB chunks
export const HIGH_WATER = 4 * 1024 * 1024; // pause sending above this bufferedAmount…
export const LOW_WATER = 1024 * 1024;      // …and go on at bufferedamountlow
export const WINDOW_BLOCKS = 16;      // unacknowledged blocks at most (receiver memory)
export const MAX_FILE_BYTES = 2 * 1024 ** 3; // config MAX_FILE_BYTES' default; the server's ack says its own
// Without a writable file (File System Access API), the received file is kept by the
// browser until saved: said on screen, and refused past this.
export const MEMORY_LIMIT = 1_000_000_000; // "1.0 GB" on screen

// RFC 8841: a=max-message-size:N (0 = no limit); absent → 64 KiB. Chromium writes it on
// the application m-section; the smallest one in the SDP wins.
export function maxMessageSize(sdp) {
  if (!sdp) return 65536;
  const sizes = [...sdp.matchAll(/^a=max-message-size:(\d+)\s*$/gm)].map((m) => Number(m[1]));
  if (!sizes.length) return 65536;
  const limited = sizes.filter((n) => n > 0);
  return limited.length ? Math.min(...limited) : Infinity;
}

// Payload bytes per chunk: within the peer's limit with the header, at most CHUNK_MAX.
export function chunkPayload(remoteSdp) {
  return Math.max(1024, Math.min(CHUNK_MAX, maxMessageSize(remoteSdp)) - HEADER_BYTES);
}

export function blockBytes(chunk) {
  return chunk * CHUNKS_PER_BLOCK;
}

export function blockCount(size, block) {
  return Math.max(1, Math.ceil(size / block));
}

export function packChunk(transfer, index, bytes) {
  const out = new Uint8Array(HEADER_BYTES + bytes.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, transfer);
  view.setUint32(4, index);
  out.set(bytes, HEADER_BYTES);
  return out.buffer;
}

export function unpackChunk(buffer) {
  const view = new DataView(buffer);
  return { transfer: view.getUint32(0), index: view.getUint32(4), bytes: new Uint8Array(buffer, HEADER_BYTES) };
}

const UNITS = ['B', 'KB', 'MB', 'GB'];
// Decimal units, one decimal from MB up: "2.1 MB", like the chat's record.
export function formatBytes(n) {
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) { v /= 1000; i += 1; }
  return `${i >= 2 ? v.toFixed(1) : Math.round(v)} ${UNITS[i]}`;
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const mmss = `${Math.floor((s % 3600) / 60)}:${String(s % 60).padStart(2, '0')}`;
  if (s >= 3600) return `${Math.floor(s / 3600)}:${mmss.padStart(5, '0')}`;
  return s >= 60 ? mmss : `${s} s`;
}

// Progress figures from (bytes done, size, rate in bytes/s).
export function progressOf(done, size, rate) {
  return { done, size, percent: size ? Math.floor((100 * done) / size) : 100, rate,
           left: rate > 0 ? (size - done) / rate : Infinity };
}

// A rate over a sliding window of [time ms, bytes] samples (smooths chunky progress).
export class RateMeter {
  constructor(windowMs = 2000) { this.windowMs = windowMs; this.samples = []; }
  add(now, bytes) {
    this.samples.push([now, bytes]);
    while (this.samples.length > 2 && now - this.samples[0][0] > this.windowMs) this.samples.shift();
  }
  get rate() {
    if (this.samples.length < 2) return 0;
    const [t0, b0] = this.samples[0];
    const [t1, b1] = this.samples[this.samples.length - 1];
    return t1 > t0 ? Math.max(0, ((b1 - b0) * 1000) / (t1 - t0)) : 0;
  }
}

export function newFileId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}
