// node --test: file transfers (static/js/files/, issue 29) without a browser — the
// chunk size from the peer's SDP, the chunk header, and a Sender talking to a Receiver
// over an in-memory channel: the bytes arrive whole and checked, a changed byte is
// caught, and a transfer cut mid-way resumes from the last acknowledged block; a party
// who leaves a group call ends its transfers (Transfers, with a page's fakes).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CHUNKS_PER_BLOCK, HEADER_BYTES, blockCount, chunkPayload, formatBytes, formatDuration, maxMessageSize,
         packChunk, unpackChunk } from '../../static/js/files/chunking.js';
import { Sender } from '../../static/js/files/sender.js';
import { Receiver } from '../../static/js/files/receiver.js';
import { MemorySink } from '../../static/js/files/sink.js';
import { Transfers } from '../../static/js/files/transfers.js';
import { transferText } from '../../static/js/views/file-words.js';

test('the chunk fits the peer\'s a=max-message-size, at most 64 KiB', () => {
  assert.equal(maxMessageSize(null), 65536);
  assert.equal(maxMessageSize('v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n'), 65536); // RFC 8841 default
  assert.equal(maxMessageSize('a=max-message-size:262144\r\na=max-message-size:16384\r\n'), 16384);
  assert.equal(maxMessageSize('a=max-message-size:0\r\n'), Infinity);
  assert.equal(chunkPayload('a=max-message-size:262144\r\n'), 65536 - HEADER_BYTES);
  assert.equal(chunkPayload('a=max-message-size:16384\r\n'), 16384 - HEADER_BYTES);
  assert.equal(formatBytes(2_100_000), '2.1 MB');
  assert.deepEqual([45, 95, 7655].map(formatDuration), ['45 s', '1:35', '2:07:35']);
  assert.equal(blockCount(0, 1024), 1);
});

test('a chunk header round-trips', () => {
  const { transfer, index, bytes } = unpackChunk(packChunk(7, 70000, new Uint8Array([1, 2, 3])));
  assert.deepEqual([transfer, index, [...bytes]], [7, 70000, [1, 2, 3]]);
});

// Two ends of a channel; `cut` drops everything sent after it is set (a dead channel).
function pair() {
  const ends = [0, 1].map(() => ({ readyState: 'open', bufferedAmount: 0, onmessage: null, listeners: {},
    addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); },
    removeEventListener(type, fn) { this.listeners[type] = (this.listeners[type] || []).filter((f) => f !== fn); } }));
  ends.forEach((end, i) => {
    end.send = (data) => {
      if (end.readyState !== 'open') throw new Error('closed');
      const copy = typeof data === 'string' ? data : data.slice(0);
      setImmediate(() => { if (ends[1 - i].readyState === 'open') ends[1 - i].onmessage?.(copy); });
    };
  });
  const close = () => ends.forEach((e) => { e.readyState = 'closed'; });
  return [ends[0], ends[1], close];
}

function wire(sender, receiver, [out, inn], { tamper = null } = {}) {
  let done;
  const finished = new Promise((resolve, reject) => { done = { resolve, reject }; });
  inn.onmessage = (data) => {
    if (typeof data !== 'string') {
      const { index, bytes } = unpackChunk(data);
      if (tamper?.(index)) bytes[0] ^= 1;
      return receiver.onChunk(index, bytes);
    }
    const msg = JSON.parse(data);
    return receiver.onMessage(msg).then((r) => { if (msg.t === 'done') done.resolve(r); }, done.reject);
  };
  out.onmessage = (data) => {
    const msg = JSON.parse(data);
    if (msg.t === 'ack') sender.onAck(msg.n);
    if (msg.t === 'resume') { sender.channel = out; sender.resumedFrom = msg.from; sender.run(msg.from); }
  };
  receiver.send = (msg) => { if (inn.readyState === 'open') inn.send(JSON.stringify(msg)); }; // as Transfers.post
  return finished;
}

function file(size) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 2654435761) >>> 24;
  return { bytes, blob: new Blob([bytes]) };
}

const CHUNK = 1000; // small chunks: many blocks from a small file
const BLOCK = CHUNK * CHUNKS_PER_BLOCK;

function ends(size) {
  const f = file(size);
  const offer = { id: 'f1', size, name: 'x.bin' };
  const receiver = new Receiver({ offer, sink: new MemorySink('x.bin', ''), send: () => {} });
  return { f, offer, receiver };
}

test('a file arrives whole, checked block by block, every block acknowledged', async () => {
  const size = BLOCK * 5 + 123;
  const { f, receiver } = ends(size);
  const [out, inn] = pair();
  const sender = new Sender({ file: f.blob, id: 'f1', num: 1, channel: out, chunk: CHUNK });
  const finished = wire(sender, receiver, [out, inn]);
  assert.equal(await sender.run(0), true);
  const { blob } = await finished;
  assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), f.bytes);
  assert.equal(receiver.next, 6);
});

test('a changed byte fails the block check, and nothing after it is stored', async () => {
  const { f, receiver } = ends(BLOCK * 3);
  const [out, inn] = pair();
  const sender = new Sender({ file: f.blob, id: 'f1', num: 1, channel: out, chunk: CHUNK });
  const finished = wire(sender, receiver, [out, inn], { tamper: (index) => index === CHUNKS_PER_BLOCK + 2 });
  sender.run(0);
  await assert.rejects(finished, /block-mismatch/);
  assert.equal(receiver.next, 1);
});

test('a transfer cut mid-way resumes on a new channel from the last acknowledged block', async () => {
  const size = BLOCK * 24 + 7; // more than WINDOW_BLOCKS: the sender cannot finish before the cut
  const { f, receiver } = ends(size);
  const [out1, in1, close1] = pair();
  const sender = new Sender({ file: f.blob, id: 'f1', num: 1, channel: out1, chunk: CHUNK });
  const first = wire(sender, receiver, [out1, in1]);
  first.catch(() => {});
  const ran = sender.run(0);
  while (receiver.next < 3) await new Promise((r) => setImmediate(r));
  close1(); // the connection was replaced (a reload): in-flight chunks are lost
  assert.equal(await ran, false);
  const [out2, in2] = pair();
  const second = wire(sender, receiver, [out2, in2]);
  await receiver.resume(); // → {t: 'resume', from: next}: the sender runs from there
  const stored = receiver.next; // (the resume message is still on its way)
  assert.ok(stored >= 3 && stored < 25, stored);
  const { blob } = await second;
  assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), f.bytes);
  assert.ok(sender.acked >= 25);
  assert.equal(sender.resumedFrom, stored); // not from the start: from the last acknowledged block
});

test('a sender that ignores the window or the size cannot fill the receiver\'s memory', () => {
  const small = new Receiver({ offer: { id: 'f1', size: 10 }, sink: new MemorySink('x', ''), send: () => {} });
  small.onChunk(0, new Uint8Array(10));
  assert.equal(small.overflow, undefined);
  small.onChunk(1, new Uint8Array(1));
  assert.equal(small.overflow, true);
  const big = new Receiver({ offer: { id: 'f2', size: 2 ** 40 }, sink: new MemorySink('x', ''), send: () => {} });
  big.onChunk(CHUNKS_PER_BLOCK * 31, new Uint8Array(1));
  assert.equal(big.overflow, undefined);
  big.onChunk(CHUNKS_PER_BLOCK * 32, new Uint8Array(1)); // 32 blocks ahead of the first unchecked one
  assert.equal(big.overflow, true);
});

// -- a party leaves a group call (issue 29 meets 26) ----------------------------------

// A call page's parts as Transfers sees them: the store's call slots, the sessions of
// each party (their file channels), a signaling whose file:offer is granted.
function callPage(parties) {
  const listeners = [];
  const store = { state: null, getState() { return this.state; }, subscribe: (fn) => listeners.push(fn),
                  set(state) { this.state = state; listeners.forEach((fn) => fn()); } };
  const slot = (names, roster = []) => ({ calls: { a1: { callId: 'k1', peer: { anchorId: names[0] },
    parties: names.map((anchorId) => ({ peer: { anchorId } })), roster } } });
  store.state = slot(parties);
  const sessions = parties.map((peerAnchorId) => ({ callId: 'k1', peerAnchorId, closed: false, fileChannel: {
    readyState: 'open', sent: [], listeners: [], send(data) { this.sent.push(data); },
    addEventListener(type, fn) { if (type === 'message') this.listeners.push(fn); },
    deliver(data) { this.listeners.forEach((fn) => fn({ data })); } } }));
  sessions.of = (callId, peer) => sessions.find((s) => s.callId === callId && s.peerAnchorId === peer);
  const offers = [];
  const signaling = { request: async (event, payload) => { offers.push(payload.to); return { maxBytes: 2 ** 31 }; } };
  return { store, slot, sessions, offers, signaling, calls: { sessions } };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a party who leaves a group call takes its transfers with it, and no others', async () => {
  const page = callPage(['bob', 'cat']);
  const transfers = new Transfers(page);
  const [bob, cat] = page.sessions;
  // bob offers a file; this page accepts it and holds part of a block
  bob.fileChannel.deliver(JSON.stringify({ t: 'offer', id: 'in1', n: 5, name: 'x.bin', size: BLOCK * 3 }));
  const incoming = transfers.list[0];
  await transfers.accept(incoming);
  bob.fileChannel.deliver(packChunk(5, 0, new Uint8Array(CHUNK)));
  assert.equal(incoming.state, 'receiving');
  assert.equal(incoming.receiver.pending.size, 1);
  // two files for bob (one offered, one queued behind it) and one for cat
  transfers.send([new Blob(['a']), new Blob(['b'])], [bob]);
  transfers.send([new Blob(['c'])], [cat]);
  await settle();
  const [toBob1, toBob2, toCat] = transfers.list.slice(1);
  assert.deepEqual([toBob1.state, toBob2.state, toCat.state], ['offered', 'queued', 'offered']);
  assert.deepEqual(page.offers, ['bob', 'cat']);

  page.store.set(page.slot(['cat'], [{ kind: 'left', name: 'Bob', anchorId: 'bob' }])); // call:party-left
  for (const t of [incoming, toBob1, toBob2]) {
    assert.deepEqual([t.state, t.reason, t.peerName], ['failed', 'partyLeft', 'Bob'], t.id);
  }
  assert.equal(transferText(incoming, 'someone'), 'x.bin stopped: Bob left the call.');
  assert.equal(incoming.receiver.stopped, true); // what was received is let go
  assert.equal(incoming.receiver.pending.size, 0);
  await settle();
  assert.deepEqual(page.offers, ['bob', 'cat']); // nothing more offered to who left
  assert.equal(toCat.state, 'offered'); // cat is still in the call
  page.store.set({ calls: { a1: { callId: null } } }); // then the call ends
  assert.deepEqual([toCat.state, toCat.reason], ['failed', 'callEnded']);
});
