// The page's PeerSessions, one per (call, peer anchor): a call is a set of parties and
// this page holds one connection to each of its peers there (docs/protocol.md: the
// server keeps a call as its parties, with facts per pair). A call has two parties
// today, so a call has one session here; a slot's call could hold several later.
//
// get(callId) is the session of a two-party call: what the tile shows (calls.js
// sessionOf) and what the e2e tests read through window.tlc.sessions.
export class Sessions {
  constructor() {
    this.byPair = new Map(); // "callId peerAnchorId" → PeerSession
  }

  static key(callId, peerAnchorId) {
    return `${callId} ${peerAnchorId}`;
  }

  of(callId, peerAnchorId) {
    return this.byPair.get(Sessions.key(callId, peerAnchorId)) || null;
  }

  has(callId, peerAnchorId) {
    return this.byPair.has(Sessions.key(callId, peerAnchorId));
  }

  set(callId, peerAnchorId, session) {
    this.byPair.set(Sessions.key(callId, peerAnchorId), session);
    return this;
  }

  delete(callId, peerAnchorId) {
    return this.byPair.delete(Sessions.key(callId, peerAnchorId));
  }

  // Every session of a call, in the order they were made.
  ofCall(callId) {
    return [...this.byPair.values()].filter((s) => s.callId === callId);
  }

  get(callId) {
    return this.ofCall(callId)[0];
  }

  get size() {
    return this.byPair.size;
  }

  values() {
    return this.byPair.values();
  }

  [Symbol.iterator]() {
    return this.byPair.values();
  }
}
