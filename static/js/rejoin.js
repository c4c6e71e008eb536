// Rejoin after a reload: reloading a tab mid-call brings the same call back; closing the
// tab still ends it, within a few seconds.
//
// A page cannot tell a reload from a close when it goes (pagehide is the same event), so
// a tab in a call keeps its server client on pagehide instead of saying goodbye:
//   leaving page — saves {resumeToken, clientId, anchors, its calls} to sessionStorage
//                  (kept across a reload of this tab, gone with the tab), tells the server
//                  its media stops (call:media flowing:false, the peer's hint) and lets the
//                  socket drop without a goodbye, with the hint client:leaving: the server
//                  keeps the client for its leaving grace (10 s, not the reconnect grace's
//                  30 s), the peer sees the call `reconnecting`.
//   the reload   — connects with the saved resume token and `reloaded: true` (its first
//                  connect only: a network reconnect must not announce it again): the server
//                  resumes the client (same client id, anchors and calls; docs/protocol.md,
//                  "Reconnecting") and tells the peer of each call so (call:peer-reloaded),
//                  before anything this page sends. The RTCPeerConnection did not survive
//                  the page, so this side starts a new one for each saved call and offers
//                  (impolite: it never rolls back for an offer of the peer's old
//                  connection); descriptions that arrive before that offer went out were
//                  meant for the page before the reload, and are dropped. The peer, told by
//                  the server, replaces its connection with one that waits for that offer
//                  (polite). Same call id; media flows again. Nothing here reads SDP ids.
//   a close      — nothing comes back. The peer saw "media stopped" then "client away"
//                  (a network drop keeps the media flag: its media cannot be reported
//                  stopped), waits LEAVE_GRACE_MS from the hint for a reload to come back
//                  and hangs up: the call ends there ~5–6 s after the close
//                  (PeerLeaveWatch; e2e/test_rejoin.py measures it).
import * as A from './actions.js';
import { CALL_MEDIA, CALL_PARTY_JOINED, CLIENT_LEAVING, CALL_PARTY_LEFT, CALL_PEER_RELOADED, CALL_SIGNAL, CALL_STARTED } from './protocol.js';
import { Sessions } from './sessions.js';
import { ownAnchors, slotOf } from './store.js';

const KEY = 'tlc.rejoin';
// How long the peer waits for a page that left mid-call to come back before it hangs
// up. A reload of the call page reconnects in ~1 s here (e2e/test_rejoin.py); a slow
// phone may need more.
export const LEAVE_GRACE_MS = 5000;

const isId = (v) => typeof v === 'string' && v.length > 0 && v.length <= 128;

// What a reloaded page finds: the saved state if it is this tab's and fresh enough for
// the server still to hold the client, else null. Read once (removed).
export function takeRejoin(storage = globalThis.sessionStorage, now = Date.now()) {
  let saved = null;
  try {
    saved = JSON.parse(storage.getItem(KEY) || 'null');
    storage.removeItem(KEY);
  } catch {
    return null;
  }
  if (!saved || saved.v !== 1 || !isId(saved.resumeToken) || !isId(saved.clientId)
      || !Array.isArray(saved.anchors) || !Array.isArray(saved.calls)) return null;
  if (!(now - saved.savedAt >= 0 && now - saved.savedAt < saved.graceMs)) return null;
  saved.calls = saved.calls.filter((c) => c && isId(c.callId) && isId(c.anchorId) && isId(c.peer?.anchorId));
  return saved;
}

// What a network reconnect claims (a restarted server rebuilds the tab from it): one
// claim per pair of each call this tab is in, each with that pair's own roles (a party
// of a group call claims every peer; docs/protocol.md, issue 26).
export function callClaims(state, anchors = ownAnchors(state)) {
  return anchors.flatMap((a) => {
    const slot = slotOf(state, a.id);
    if (!slot.callId || !slot.peer) return [];
    const pairs = slot.parties?.length ? slot.parties : [slot];
    return pairs.filter((x) => x.peer?.anchorId).map((x) => ({
      callId: slot.callId, anchorId: a.id, peerAnchorId: x.peer.anchorId, initiator: Boolean(x.initiator) }));
  });
}

export class Rejoin {
  // Made before Calls, so its call:signal listener sees each description first.
  constructor({ signaling, store, storage = globalThis.sessionStorage, pending = null }) {
    Object.assign(this, { signaling, store, storage, pending });
    // Announce the reload once: on the first connect after this page load. A later
    // (network) reconnect saying it again would make the peer replace a connection that
    // may already be working (rejoin after the first resume).
    this.reloaded = Boolean(pending);
    this.calls = null;        // set by attach(): the page's Calls
    // (call, peer) → its call:started payload (what a new connection needs): sessions.js keys
    this.started = new Map();
    for (const c of pending?.calls || []) this.noteStarted(c);
    signaling.on(CALL_STARTED, (p) => this.noteStarted(p));
    // A group call (issue 26): one entry per pair, each party's own roles.
    signaling.on(CALL_PARTY_JOINED, (p) => this.noteJoined(p));
    signaling.on(CALL_PARTY_LEFT, (p) => this.started.delete(Sessions.key(p?.callId, p?.peerAnchorId)));
    signaling.on(CALL_SIGNAL, (p) => this.onSignal(p));
    signaling.on(CALL_PEER_RELOADED, (p) => this.replace(p?.callId, p?.fromAnchorId));
    signaling.keepOnHide = () => this.onPageHide();
    store.subscribe((state) => this.onState(state));
  }

  attach(calls) {
    this.calls = calls;
  }

  noteStarted(p) {
    this.started.set(Sessions.key(p.callId, p.peer.anchorId), p);
    for (const party of Array.isArray(p.parties) ? p.parties : []) {
      if (!party?.peer?.anchorId || party.peer.anchorId === p.peer.anchorId) continue;
      const { callId, anchorId } = p;
      this.started.set(Sessions.key(callId, party.peer.anchorId), { ...party, callId, anchorId });
    }
  }

  // call:party-joined: the receiver's own anchor is the one whose slot holds the call.
  noteJoined(p) {
    const state = this.store.getState();
    const own = ownAnchors(state).find((a) => slotOf(state, a.id).callId === p?.callId);
    if (own && p.peer?.anchorId) {
      const { callId, peer, polite, initiator, relayOnly } = p;
      this.started.set(Sessions.key(callId, peer.anchorId), { callId, anchorId: own.id, peer, polite, initiator, relayOnly });
    }
  }

  // The call:started payloads of a call, one per peer.
  startedOf(callId) {
    return [...this.started.values()].filter((p) => p.callId === callId);
  }

  // The welcome of the first connection: is it the client the saved state belongs to?
  isRejoin(welcome) {
    this.reloaded = false;
    const mine = this.pending && welcome.clientId === this.pending.clientId && (welcome.resumed || welcome.restored);
    if (!mine) this.pending = null;
    return Boolean(mine);
  }

  // What a connect sends until this page has a client: the saved anchors and calls (a
  // server restarted meanwhile rebuilds the tab from them), and on the first connect
  // after the page load only, `reloaded` (the server tells each call's peer:
  // call:peer-reloaded). Socket.IO asks for it once the transport is open, just before
  // its CONNECT packet: that first one reaches the server unless the network drops.
  resumeState() {
    const p = this.pending;
    if (!p) return null;
    const reloaded = this.reloaded;
    this.reloaded = false;
    return {
      ...(reloaded ? { reloaded: true } : {}),
      anchors: p.anchors,
      calls: p.calls.map((c) => ({ callId: c.callId, anchorId: c.anchorId, peerAnchorId: c.peer.anchorId, initiator: Boolean(c.initiator) })),
    };
  }

  // Once the resumed client's anchors are back in the lobby: a new connection for each
  // saved call. It offers (it is the side with nothing) and is the impolite one,
  // whatever its roles in the call; the store keeps the call's roles.
  onState(state) {
    const p = this.pending;
    if (!p || !state.me || state.me.clientId !== p.clientId || !this.calls) return;
    const ready = p.calls.filter((c) => state.lobby.anchors[c.anchorId] && slotOf(state, c.anchorId).phase === 'idle');
    if (!ready.length) return;
    p.calls = p.calls.filter((c) => !ready.includes(c));
    if (!p.calls.length) this.pending = null;
    for (const c of ready) {
      this.calls.startSession({ ...c, initiator: true, polite: false });
      const session = this.calls.sessions.of(c.callId, c.peer.anchorId);
      if (session) session.rejoined = true;
    }
    // one CALL_STARTED per call, with every pair of it (a group call has several)
    for (const callId of new Set(ready.map((c) => c.callId))) {
      const pairs = ready.filter((c) => c.callId === callId);
      this.store.dispatch({ type: A.CALL_STARTED, payload: { ...pairs[0], ...(pairs.length > 1 ? { parties: pairs } : {}) } });
    }
  }

  // A description for a connection this page made after its reload, before that
  // connection sent its offer: the peer's old connection talking to the page that is
  // gone (it waited for this client while it was away). Dropped: the listeners after
  // this one (calls.js) see no description.
  onSignal(p) {
    const session = p?.description && this.calls?.sessions.of(p.callId, p.fromAnchorId);
    if (!session || session.closed || !session.rejoined || session.sent.offer + session.sent.answer > 0) return;
    delete p.description;
    session.trace?.('dropped a description meant for this page before its reload');
  }

  // call:peer-reloaded: the peer's page was reloaded and its connection is gone. A new
  // one takes this one's place and waits for the peer's offer (polite: the peer's new
  // connection offers and never rolls back).
  replace(callId, peerAnchorId) {
    const started = this.started.get(Sessions.key(callId, peerAnchorId));
    const old = this.calls?.sessions.of(callId, peerAnchorId);
    if (!started || !old) return;
    old.trace?.('the peer reloaded its page: starting a new connection');
    old.stopPeerState?.();
    old.close();
    this.calls.sessions.delete(callId, peerAnchorId);
    this.calls.startSession({ ...started, initiator: false, polite: true });
    this.store.dispatch({ type: A.CALL_PC_STATE, payload: { anchorId: started.anchorId, callId, state: 'new' } });
  }

  // pagehide: true = keep the server client (this tab is in a call and may be reloading).
  onPageHide() {
    const state = this.store.getState();
    const live = ownAnchors(state).map((a) => slotOf(state, a.id))
      .filter((slot) => slot.callId && this.startedOf(slot.callId).length && (slot.phase === 'connecting' || slot.phase === 'connected'));
    if (!live.length || !this.signaling.resumeToken || !state.me) {
      this.storage.removeItem(KEY);
      return false;
    }
    const calls = live.flatMap((slot) => this.startedOf(slot.callId));
    const anchors = ownAnchors(state).map((a) => ({ anchorId: a.id, name: a.name, online: a.status !== 'offline' }));
    try {
      this.storage.setItem(KEY, JSON.stringify({
        v: 1, savedAt: Date.now(), graceMs: state.me.reconnectGraceMs || 30000, clientId: state.me.clientId,
        resumeToken: this.signaling.resumeToken, anchors, calls,
      }));
    } catch (err) {
      console.warn('could not keep the call for a reload', err);
    }
    // The peer's hint that this page is going (PeerLeaveWatch): our media stops now.
    // In a call of three or more, each pair's (call:media names the party).
    for (const callId of new Set(calls.map((c) => c.callId))) {
      const pairs = calls.filter((c) => c.callId === callId);
      for (const c of pairs.length > 1 ? pairs : [{}]) {
        const to = c.peer?.anchorId ? { to: c.peer.anchorId } : {};
        this.signaling.request(CALL_MEDIA, { callId, ...to, flowing: false }).catch(() => {});
      }
    }
    // The server's hint (docs/protocol.md, "Leaving"): keep this client only a few seconds
    // once its socket drops — a reload resumes in ~1 s, a closed tab leaves the lobby.
    // (Only while connected: buffered, it would mark the page after a restore from the back/forward cache.)
    if (this.signaling.connected) this.signaling.request(CLIENT_LEAVING).catch(() => {});
    return true;
  }
}

// The peer's page left mid-call (its media stopped, then its client went away): wait
// LEAVE_GRACE_MS from its leaving for a reload to come back, then hang up, so a closed tab ends the call
// in seconds rather than at the end of the server's 30 s grace. A network drop on the
// peer's side leaves its media flag on: that keeps the full grace.
export class PeerLeaveWatch {
  constructor({ signaling, store, calls, graceMs = LEAVE_GRACE_MS }) {
    Object.assign(this, { signaling, store, calls, graceMs });
    this.timers = new Map(); // callId → hang-up timer, from the peer's hint
    store.subscribe((state, prev) => this.onState(state, prev));
  }

  onState(state, prev) {
    for (const anchor of ownAnchors(state)) {
      const slot = slotOf(state, anchor.id);
      const before = slotOf(prev, anchor.id);
      const { callId } = slot;
      // A group call goes on without a party that left: the server says when (call:party-left).
      if (!callId || slot.parties?.length > 1) continue;
      // The hint: the peer said its media stopped while ours flows. The clock starts
      // now (its pagehide), not when its socket is seen closed (up to ~2 s later).
      if (before.callId === callId && before.callState === 'connected' && slot.callState === 'connecting'
          && this.calls.sessions.ofCall(callId).some((s) => s.flowing) && !this.timers.has(callId)) {
        this.timers.set(callId, setTimeout(() => this.expire(anchor.id, callId), this.graceMs));
      }
      if (slot.callState === 'connected' && this.timers.has(callId)) {
        clearTimeout(this.timers.get(callId));
        this.timers.delete(callId);
      }
      // say so once its client is away too (a page that left, not a media hiccup)
      if (this.timers.has(callId) && slot.callState === 'reconnecting' && !slot.peerLeaving) {
        this.store.dispatch({ type: A.CALL_PEER_LEAVING, payload: { anchorId: anchor.id, callId, leaving: true } });
      }
    }
    for (const callId of [...this.timers.keys()]) {
      if (!Object.values(state.calls).some((s) => s.callId === callId)) {
        clearTimeout(this.timers.get(callId));
        this.timers.delete(callId);
      }
    }
  }

  // Gone for good (its client still away): hang up. Back but its media not yet
  // (connecting), or our own link down (the server's grace decides then): look again.
  expire(anchorId, callId) {
    this.timers.delete(callId);
    const slot = slotOf(this.store.getState(), anchorId);
    if (slot.callId !== callId || slot.callState === 'connected') return;
    if (slot.callState !== 'reconnecting' || !this.signaling.connected) {
      this.timers.set(callId, setTimeout(() => this.expire(anchorId, callId), 1000));
      return;
    }
    this.calls.hangup(anchorId);
  }
}
