// Calls: turns the server's call events into store actions and PeerSessions, and the
// user's Call / Accept / Decline / Cancel / Hang up into requests. One PeerSession per
// (live call, peer anchor) (sessions.js); the store says which calls are live, and a
// session whose call is no longer in the store is closed — whatever ended it (hang-up,
// peer left, slot removed, reconnect). The session of a call is prepared while it rings
// (prepared.js): the offer travels with the invite, the answer with the accept. A call of
// three or more parties has a session per other party (group-calls.js: joins, leaves, adds).
import * as A from './actions.js';
import * as P from './protocol.js';
import { PeerSession } from './peer.js';
import { Sessions } from './sessions.js';
import { Prepared } from './prepared.js';
import { GroupCalls } from './group-calls.js';
import { freeAnchor, ownAnchors, ringingFrom, slotOf } from './store.js';
import { NO_FREE_SLOT, answerFailed } from './views/words.js';
import { siteCertificate } from './safety.js';

const ICE_REFRESH_MS = 30 * 60 * 1000;
// A connection prepared while it rings gathers at once: with ICE servers (TURN
// credentials) fetched within this long, else fresh ones first.
const ICE_FRESH_MS = 10 * 60 * 1000;

export class Calls {
  constructor({ signaling, store, mediaOf, notify }) {
    Object.assign(this, { signaling, store, mediaOf, notify });
    this.sessions = new Sessions();
    this.prepared = new Prepared(this); // the sessions of rings (prepared.js)
    this.acceptClicks = {}; // anchorId → wall-clock ms of the Accept click (setup timing)
    this.callFrom = '';     // an own anchor id chosen in the lobby, or '' for "first free"
    this.iceServers = null; // the latest from ice:servers; session:welcome's until then
    this.iceFetchedAt = 0;  // Date.now() of the latest
    // This site's DTLS certificate (safety.js): the same safety code call after call.
    this.certificate = null;
    this.certificateReady = siteCertificate().then((cert) => { this.certificate = cert; });
    // How glare was settled (debug line, e2e output): by the server (our invite met
    // theirs and the ack carried the call) or here (Call on a slot that rings us = Accept).
    this.glare = { server: 0, answered: 0 };
    // Long calls outlive TURN credentials: refresh them for an ICE restart's sake.
    setInterval(() => { if (this.sessions.size) this.refreshIce(); }, ICE_REFRESH_MS);
    // The network came back (Wi-Fi/mobile switch, cable, offline): every call's
    // candidates may be stale, so each restarts ICE at once (recovery.js).
    addEventListener('online', () => { for (const session of this.sessions.values()) session.onNetworkOnline(); });
    signaling.on(P.CALL_RING, this.onRing.bind(this));
    signaling.on(P.CALL_INVITE_ENDED, this.onInviteEnded.bind(this));
    signaling.on(P.CALL_STARTED, this.onStarted.bind(this));
    signaling.on(P.CALL_SIGNAL, this.onSignal.bind(this));
    signaling.on(P.CALL_STATE, this.onState.bind(this));
    signaling.on(P.CALL_ENDED, this.onEnded.bind(this));
    signaling.on(P.CALL_PEER_STATE, this.onPeerState.bind(this));
    signaling.on(P.SESSION_WELCOME, this.onWelcome.bind(this));
    store.subscribe(this.closeStaleSessions.bind(this));
    this.group = new GroupCalls(this);
  }

  // -- server events ------------------------------------------------------------------

  onRing(p) {
    this.store.dispatch({ type: A.CALL_RING, payload: { ...p, anchorId: p.toAnchorId } });
    if (!this.prepared.onRing(p)) this.refreshIce(); // preparing fetches them if needed
  }

  onInviteEnded(p) {
    this.store.dispatch({ type: A.CALL_INVITE_ENDED, payload: p });
  }

  // The session exists before the store says the call started, so the render that
  // dispatch causes already shows it (its state, stats) on the tile.
  onStarted(p) {
    this.startSession(p);
    this.group.onStarted(p); // a newcomer to a group call: a session per other party
    this.store.dispatch({ type: A.CALL_STARTED, payload: p });
  }

  // A PeerSession for a call (callId) or for a ring (callId null: held, see peer.js).
  // `peer` (call:started's): the party it connects to, once the call names it.
  newSession({ callId, anchorId, peer = null, polite, initiator, relayOnly, iceServers = null }) {
    const { me } = this.store.getState();
    const media = this.mediaOf(anchorId);
    if (!me || !media) return null;
    return new PeerSession({
      signaling: this.signaling, callId, anchorId, peerAnchorId: peer?.anchorId ?? null, polite, initiator, media,
      iceServers: iceServers || this.iceServers || me.iceServers,
      // Address privacy (docs/protocol.md): this side sends relay candidates only.
      iceTransportPolicy: relayOnly ? 'relay' : me.iceTransportPolicy, relayOnly: Boolean(relayOnly),
      getIceServers: () => this.refreshIce(), certificates: this.certificate ? [this.certificate] : null,
    });
  }

  startSession(p) {
    const peerAnchorId = p.peer.anchorId;
    if (this.sessions.has(p.callId, peerAnchorId)) return;
    const session = this.prepared.sessionFor(p); // prepared while it rang, or made now
    if (!session) return;
    session.peerAnchorId = peerAnchorId; // a prepared one learns it now
    session.inGroup = () => this.group.isGroup(p.anchorId); // call:media names the pair then
    const media = session.media;
    session.startedAt = performance.timeOrigin + performance.now();
    session.acceptClickedAt = this.acceptClicks[p.anchorId] ?? null;
    session.addEventListener('state', (e) => this.store.dispatch({
      type: A.CALL_PC_STATE, payload: { anchorId: p.anchorId, callId: p.callId, state: e.detail.state } }));
    // The peer's tile says "muted" / "camera off": this side's toggles, now and on change.
    session.reportPeerState = () => this.reportPeerState(session, media);
    media.addEventListener('change', session.reportPeerState);
    session.stopPeerState = () => media.removeEventListener('change', session.reportPeerState);
    this.sessions.set(p.callId, peerAnchorId, session);
    session.reportPeerState();
  }

  onSignal(p) {
    const session = this.sessions.of(p.callId, p.fromAnchorId);
    if (session) session.receive(p);
    else console.warn('signal for an unknown call or peer', p.callId, p.fromAnchorId);
  }

  onState(p) {
    const anchor = ownAnchors(this.store.getState()).find((a) => slotOf(this.store.getState(), a.id).callId === p.callId);
    if (anchor) this.store.dispatch({ type: A.CALL_STATE, payload: { ...p, anchorId: anchor.id } });
    // A call restored after a server restart starts over at "connecting" while the
    // media never stopped: say again that it flows.
    if (p.state === 'connecting') for (const s of this.sessions.ofCall(p.callId)) s.reportFlowing();
  }

  onPeerState(p) {
    const state = this.store.getState();
    const anchor = ownAnchors(state).find((a) => slotOf(state, a.id).callId === p.callId);
    if (anchor) this.store.dispatch({ type: A.CALL_PEER_STATE, payload: { ...p, anchorId: anchor.id } });
  }

  // Rebuilt after a server restart: a restored call starts over at "connecting" and each
  // side must say again that its media flows. Say it now, not only on call:state — the
  // side whose claim completes the call is restored before its welcome, and the server
  // (realtime/lifecycle.py: _restore runs before attach_client) drops the call:state it makes then.
  // For the side that claimed first the call is not back yet (not-found); its call:state
  // follows when the peer claims.
  onWelcome(welcome) {
    this.iceServers = welcome.iceServers || this.iceServers;
    this.iceFetchedAt = Date.now();
    if (!welcome.restored) return;
    for (const session of this.sessions.values()) session.reportFlowing();
  }

  // ICE servers (TURN credentials expire): fetched when a ring starts, so they are fresh
  // and at hand the moment the call does — creating the connection never waits — and
  // before every ICE restart. Resolves with them, or null (the previous ones stay).
  async refreshIce() {
    try {
      const { iceServers } = await this.signaling.request(P.ICE_SERVERS);
      this.iceServers = iceServers;
      this.iceFetchedAt = Date.now();
      for (const session of this.sessions.values()) session.setIceServers(iceServers);
      return iceServers;
    } catch (err) {
      console.warn('ice:servers failed; keeping the previous ones', err);
      return null;
    }
  }

  // ICE servers for a connection made now: the latest if fresh enough, else fetched.
  async iceServersNow() {
    if (Date.now() - this.iceFetchedAt < ICE_FRESH_MS && this.iceServers) {
      this.refreshIce(); // fresh for the next one too; this one does not wait
      return this.iceServers;
    }
    return (await this.refreshIce()) || this.iceServers || this.store.getState().me?.iceServers || [];
  }

  reportPeerState(session, media) {
    const state = { audio: Boolean(media.micOn && media.audioTrack), video: Boolean(media.camOn && media.videoTrack),
      screen: media.sourceId === 'screen' && Boolean(media.videoTrack) }; // presenting (issue 31.4)
    const sent = session.sentPeerState;
    if (sent?.audio === state.audio && sent?.video === state.video && sent?.screen === state.screen) return;
    session.sentPeerState = state;
    this.signaling.request(P.CALL_PEER_STATE, { callId: session.callId, ...state })
      .catch((err) => { session.sentPeerState = null; session.trace?.('call:peer-state not sent', err); });
  }

  onEnded(p) {
    this.store.dispatch({ type: A.CALL_ENDED, payload: p });
  }

  // A party left the call (call:party-left): its pair's connection goes; the call stays.
  closeSession(callId, peerAnchorId) {
    const session = this.sessions.of(callId, peerAnchorId);
    if (!session) return;
    session.stopPeerState?.();
    session.close();
    this.sessions.delete(callId, peerAnchorId);
  }

  closeStaleSessions(state) {
    this.prepared.prune(state);
    const live = new Set(Object.values(state.calls).map((slot) => slot.callId).filter(Boolean));
    for (const session of [...this.sessions]) {
      if (!live.has(session.callId)) {
        session.stopPeerState?.();
        session.close();
        this.sessions.delete(session.callId, session.peerAnchorId);
      }
    }
  }

  // The session the slot's tile shows: its call's with the party it names first (`peer`),
  // or with `peerAnchorId` (a group call's party tiles).
  sessionOf(anchorId, peerAnchorId = null) {
    const slot = slotOf(this.store.getState(), anchorId);
    if (!slot.callId) return null;
    return this.sessions.of(slot.callId, peerAnchorId || slot.peer?.anchorId) || this.sessions.get(slot.callId) || null;
  }


  // -- user actions -------------------------------------------------------------------

  // Call the anchor `peerAnchorId` from the chosen (or first free) own anchor. If that
  // anchor is ringing us already, calling back means answering: one call, no glare.
  async call(peerAnchorId) {
    const state = this.store.getState();
    const ringing = ringingFrom(state, peerAnchorId);
    if (ringing) {
      this.glare.answered += 1;
      return this.accept(ringing.id);
    }
    const chosen = ownAnchors(state).find((a) => a.id === this.callFrom);
    const from = chosen && chosen.status === 'online' && slotOf(state, chosen.id).phase === 'idle' ? chosen : freeAnchor(state);
    if (!from) return this.notify(NO_FREE_SLOT);
    const target = state.lobby.anchors[peerAnchorId];
    const user = state.lobby.users[state.lobby.clients[target?.clientId]?.userId];
    const peer = { anchorId: peerAnchorId, clientId: target?.clientId, userId: user?.id,
                   displayName: user?.displayName || 'them', anchorName: target?.name || '' };
    this.store.dispatch({ type: A.CALL_INVITE_SENT, payload: { anchorId: from.id, peer } });
    const offer = await this.prepared.offerFor(from.id);
    try {
      const ack = await this.signaling.request(P.CALL_INVITE, { fromAnchorId: from.id, toAnchorId: peerAnchorId,
                                                                 ...(offer ? { offer } : {}) });
      // {callId}: glare — their invitation became the call; call:started does the rest.
      if (ack.invitationId) {
        this.store.dispatch({ type: A.CALL_INVITE_ACKED, payload: { anchorId: from.id, invitationId: ack.invitationId } });
        this.prepared.invited(from.id, ack);
      } else this.glare.server += 1;
    } catch (err) {
      this.store.dispatch({ type: A.CALL_INVITE_FAILED, payload: { anchorId: from.id, code: err.code, message: err.message } });
    }
  }

  markAcceptClick(anchorId) {
    this.acceptClicks[anchorId] = performance.timeOrigin + performance.now();
  }

  // With the answer prepared while it rang, if there is one.
  async accept(anchorId) {
    const { invitationId } = slotOf(this.store.getState(), anchorId);
    const answer = invitationId && await this.prepared.answerFor(anchorId, invitationId);
    if (!answer) return this.answer(anchorId, P.CALL_ACCEPT);
    try {
      await this.signaling.request(P.CALL_ACCEPT, { invitationId, answer });
    } catch (err) {
      // Refused: accept without it, and negotiate after call:started.
      if (this.prepared.acceptFailed(anchorId, err)) return this.answer(anchorId, P.CALL_ACCEPT);
      if (err.code !== 'not-found') this.notify(answerFailed('accept', err.message));
    }
  }

  decline(anchorId) {
    return this.answer(anchorId, P.CALL_DECLINE);
  }

  cancel(anchorId) {
    if (slotOf(this.store.getState(), anchorId).adding?.length) return this.group.cancelAll(anchorId);
    return this.answer(anchorId, P.CALL_CANCEL);
  }

  async answer(anchorId, event) {
    const { invitationId } = slotOf(this.store.getState(), anchorId);
    if (!invitationId) return;
    try {
      await this.signaling.request(event, { invitationId });
    } catch (err) {
      // not-found: it ended meanwhile (rang out, cancelled); call:invite-ended says how.
      if (err.code !== 'not-found') this.notify(answerFailed(event.split(':')[1], err.message));
    }
  }

  // Whatever the slot is in ends by its own word (a ring declined or cancelled, a call hung
  // up): its peer is told the truth before the slot goes (issue 31.2).
  end(anchorId) {
    const { phase } = slotOf(this.store.getState(), anchorId);
    if (phase === 'ringing-in') return this.decline(anchorId);
    return phase === 'ringing-out' ? this.cancel(anchorId) : this.hangup(anchorId);
  }

  async hangup(anchorId) {
    const { callId } = slotOf(this.store.getState(), anchorId);
    if (!callId) return;
    try {
      await this.signaling.request(P.CALL_HANGUP, { callId });
    } catch (err) {
      if (err.code !== 'not-found') this.notify(answerFailed('hang up', err.message));
    }
  }
}
