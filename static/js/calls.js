// Calls: turns the server's call events into store actions and PeerSessions, and the
// user's Call / Accept / Decline / Cancel / Hang up into requests. One PeerSession per
// live call (Map callId → session); the store says which calls are live, and a session
// whose call is no longer in the store is closed — whatever ended it (hang-up, peer
// left, slot removed, reconnect).
//
// Prepared while it rings (docs/protocol.md): the caller builds its connection and offer
// when it invites (the offer travels with the ring); the callee applies that offer while
// it rings, answers and gathers — held, nothing sent — and on Accept sends the answer
// with call:accept and the rest once call:started names the call. `prepared` holds
// those sessions (anchorId → {session, role, invitationId}); one whose ring ends any
// other way is closed. Where a prepared session does not fit the call (glare made this
// side the answering one), it is closed and the call negotiates after call:started.
import * as P from './protocol.js';
import { PeerSession } from './peer.js';
import { freeAnchor, ownAnchors, ringingFrom, slotOf } from './store.js';
import { NO_FREE_SLOT, answerFailed } from './views/words.js';
import { siteCertificate } from './safety.js';

const ICE_REFRESH_MS = 30 * 60 * 1000;
// A connection prepared while it rings gathers at once: with ICE servers (TURN
// credentials) fetched within this long, else fresh ones first.
const ICE_FRESH_MS = 10 * 60 * 1000;
// Accept waits at most this long for the answer being prepared (it takes ~10-30 ms after
// the ring); later than that the answer follows as call:signal once the call started.
const ANSWER_WAIT_MS = 1000;
// The ring's offer carries no candidates (the server refuses them); should one come
// anyway, applying it would make this side send checks to the caller before Accept.
const stripCandidates = (sdp) => sdp.replace(/^a=(candidate:|end-of-candidates).*\r?\n/gm, '');

export class Calls {
  constructor({ signaling, store, mediaOf, notify }) {
    Object.assign(this, { signaling, store, mediaOf, notify });
    this.sessions = new Map();
    this.prepared = new Map();  // anchorId → {session, role: 'caller'|'callee', invitationId}
    this.ringOffers = new Map(); // anchorId → the offer the last ring carried
    // How each call's connection came about (e2e output, bench): prepared or fallback.
    this.setups = { prepared: 0, fallback: 0 };
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
  }

  // -- server events ------------------------------------------------------------------

  onRing(p) {
    this.store.dispatch({ type: 'call/ring', payload: { ...p, anchorId: p.toAnchorId } });
    if (p.offer) this.ringOffers.set(p.toAnchorId, { invitationId: p.invitationId, offer: p.offer });
    // Our own invite to them is on its way (glare): keep what we prepared; the server
    // makes one call of the two and says which side offers.
    if (p.offer && !this.prepared.has(p.toAnchorId)) this.prepareAnswer(p);
    else this.refreshIce();
  }

  // The callee's side, while it rings: the ring's offer applied, the answer made and the
  // candidates gathered, all held (peer.js) until Accept.
  async prepareAnswer(p) {
    const iceServers = await this.iceServersNow();
    const slot = slotOf(this.store.getState(), p.toAnchorId);
    if (slot.phase !== 'ringing-in' || slot.invitationId !== p.invitationId || this.prepared.has(p.toAnchorId)) return;
    const session = this.newSession({ callId: null, anchorId: p.toAnchorId, polite: true, initiator: false,
                                      relayOnly: p.relayOnly, iceServers });
    if (!session) return;
    this.prepared.set(p.toAnchorId, { session, role: 'callee', invitationId: p.invitationId });
    session.receive({ description: { type: 'offer', sdp: stripCandidates(p.offer.sdp) } });
  }

  newSession({ callId, anchorId, polite, initiator, relayOnly, iceServers = null }) {
    const { me } = this.store.getState();
    const media = this.mediaOf(anchorId);
    if (!me || !media) return null;
    return new PeerSession({
      signaling: this.signaling, callId, anchorId, polite, initiator, media,
      iceServers: iceServers || this.iceServers || me.iceServers,
      // Address privacy (docs/protocol.md): this side sends relay candidates only.
      iceTransportPolicy: relayOnly ? 'relay' : me.iceTransportPolicy, relayOnly: Boolean(relayOnly),
      getIceServers: () => this.refreshIce(), certificates: this.certificate ? [this.certificate] : null,
    });
  }

  // A ring that ended without a call (or a slot gone idle): what it prepared is closed.
  // The session's close() stops only the remote tracks; the slot's camera and
  // microphone are shared with its next call and stay.
  release(anchorId, why) {
    this.ringOffers.delete(anchorId);
    this.dropPrepared(anchorId, why);
  }

  dropPrepared(anchorId, why) {
    const entry = this.prepared.get(anchorId);
    this.prepared.delete(anchorId);
    if (entry) {
      entry.session.trace(`prepared connection released (${why})`);
      entry.session.close();
    }
  }

  onInviteEnded(p) {
    this.store.dispatch({ type: 'call/invite-ended', payload: p });
  }

  // The session exists before the store says the call started, so the render that
  // dispatch causes already shows it (its state, stats) on the tile.
  onStarted(p) {
    this.startSession(p);
    this.store.dispatch({ type: 'call/started', payload: p });
  }

  // The prepared session, if it fits the call (same role, same privacy rule), bound to
  // it; otherwise a fresh one that negotiates now: the answering side answers the ring's
  // offer (the call's pending offer), an initiator without one makes an offer.
  takePrepared(p) {
    const entry = this.prepared.get(p.anchorId);
    const ringOffer = this.ringOffers.get(p.anchorId);
    this.prepared.delete(p.anchorId);
    this.ringOffers.delete(p.anchorId);
    const fits = entry && !entry.session.closed && (entry.role === 'caller') === Boolean(p.initiator)
      && entry.session.relayOnly === Boolean(p.relayOnly) && (entry.role === 'callee' || entry.offered);
    if (fits) {
      entry.session.bind(p.callId);
      this.setups.prepared += 1;
      return entry.session;
    }
    // Said in the new session's log (e2e output, debugging) and counted in `setups`.
    const why = entry ? `the prepared ${entry.role} connection does not fit the call (initiator `
      + `${Boolean(p.initiator)}, relayOnly ${Boolean(p.relayOnly)})` : 'nothing was prepared';
    entry?.session.close();
    const session = this.newSession(p);
    if (!session) return null;
    this.setups.fallback += 1;
    const answering = !p.initiator && ringOffer;
    session.trace(`${why}: negotiating after call:started${answering ? ", answering the ring's offer" : ''}`);
    if (answering) session.receive({ description: { type: 'offer', sdp: stripCandidates(ringOffer.offer.sdp) } });
    return session;
  }

  startSession(p) {
    if (this.sessions.has(p.callId)) return;
    const session = this.takePrepared(p);
    if (!session) return;
    const media = session.media;
    session.startedAt = performance.timeOrigin + performance.now();
    session.acceptClickedAt = this.acceptClicks[p.anchorId] ?? null;
    session.addEventListener('state', (e) => this.store.dispatch({
      type: 'call/pc-state', payload: { anchorId: p.anchorId, callId: p.callId, state: e.detail.state } }));
    // The peer's tile says "muted" / "camera off": this side's toggles, now and on change.
    session.reportPeerState = () => this.reportPeerState(session, media);
    media.addEventListener('change', session.reportPeerState);
    session.stopPeerState = () => media.removeEventListener('change', session.reportPeerState);
    this.sessions.set(p.callId, session);
    session.reportPeerState();
  }

  onSignal(p) {
    const session = this.sessions.get(p.callId);
    if (session) session.receive(p);
    else console.warn('signal for an unknown call', p.callId);
  }

  onState(p) {
    const anchor = ownAnchors(this.store.getState()).find((a) => slotOf(this.store.getState(), a.id).callId === p.callId);
    if (anchor) this.store.dispatch({ type: 'call/state', payload: { ...p, anchorId: anchor.id } });
    // A call restored after a server restart starts over at "connecting" while the
    // media never stopped: say again that it flows.
    if (p.state === 'connecting') this.sessions.get(p.callId)?.reportFlowing();
  }

  onPeerState(p) {
    const state = this.store.getState();
    const anchor = ownAnchors(state).find((a) => slotOf(state, a.id).callId === p.callId);
    if (anchor) this.store.dispatch({ type: 'call/peer-state', payload: { ...p, anchorId: anchor.id } });
  }

  // Rebuilt after a server restart: a restored call starts over at "connecting" and each
  // side must say again that its media flows. Say it now, not only on call:state — the
  // side whose claim completes the call is restored before its welcome, and the server
  // (realtime/hub.py: _restore runs before attach_client) drops the call:state it makes then.
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
    const state = { audio: Boolean(media.micOn && media.audioTrack), video: Boolean(media.camOn && media.videoTrack) };
    if (session.sentPeerState?.audio === state.audio && session.sentPeerState?.video === state.video) return;
    session.sentPeerState = state;
    this.signaling.request(P.CALL_PEER_STATE, { callId: session.callId, ...state })
      .catch((err) => { session.sentPeerState = null; session.trace?.('call:peer-state not sent', err); });
  }

  onEnded(p) {
    this.store.dispatch({ type: 'call/ended', payload: p });
  }

  closeStaleSessions(state) {
    for (const anchorId of new Set([...this.prepared.keys(), ...this.ringOffers.keys()])) {
      if (slotOf(state, anchorId).phase === 'idle') this.release(anchorId, slotOf(state, anchorId).outcome?.reason || 'idle');
    }
    const live = new Set(Object.values(state.calls).map((slot) => slot.callId).filter(Boolean));
    for (const [callId, session] of this.sessions) {
      if (!live.has(callId)) {
        session.stopPeerState?.();
        session.close();
        this.sessions.delete(callId);
      }
    }
  }

  sessionOf(anchorId) {
    const callId = slotOf(this.store.getState(), anchorId).callId;
    return (callId && this.sessions.get(callId)) || null;
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
    this.store.dispatch({ type: 'call/invite-sent', payload: { anchorId: from.id, peer } });
    const offer = await this.prepareOffer(from.id, await this.iceServersNow());
    try {
      const ack = await this.signaling.request(P.CALL_INVITE, { fromAnchorId: from.id, toAnchorId: peerAnchorId,
                                                                 ...(offer ? { offer } : {}) });
      // {callId}: glare — their invitation became the call; call:started does the rest.
      if (ack.invitationId) {
        this.store.dispatch({ type: 'call/invite-acked', payload: { anchorId: from.id, invitationId: ack.invitationId } });
        const entry = this.prepared.get(from.id);
        if (entry?.role === 'caller' && !entry.session.closed) {
          entry.invitationId = ack.invitationId;
          entry.offered = true; // applied in order before any signal (peer.js inbox)
          entry.session.applyOffer(ack.relayOnly, this.store.getState().me?.iceTransportPolicy);
        }
      } else this.glare.server += 1;
    } catch (err) {
      this.store.dispatch({ type: 'call/invite-failed', payload: { anchorId: from.id, code: err.code, message: err.message } });
    }
  }

  // The caller's side: its connection and offer, made before the invite leaves so the
  // offer travels with the ring. null (and no offer) if it cannot: then the call
  // negotiates after call:started as before.
  async prepareOffer(anchorId, iceServers) {
    if (slotOf(this.store.getState(), anchorId).phase !== 'ringing-out') return null;
    const session = this.newSession({ callId: null, anchorId, polite: false, initiator: true, relayOnly: false, iceServers });
    if (!session) return null;
    this.prepared.set(anchorId, { session, role: 'caller', invitationId: null });
    try {
      return await session.prepareOffer();
    } catch (err) {
      session.trace('offer not prepared', err);
      this.release(anchorId, 'offer failed');
      return null;
    }
  }

  markAcceptClick(anchorId) {
    this.acceptClicks[anchorId] = performance.timeOrigin + performance.now();
  }

  // With the answer prepared while it rang: its addresses leave this browser now.
  async accept(anchorId) {
    const { invitationId } = slotOf(this.store.getState(), anchorId);
    const entry = this.prepared.get(anchorId);
    if (!invitationId || entry?.role !== 'callee' || entry.invitationId !== invitationId) {
      return this.answer(anchorId, P.CALL_ACCEPT);
    }
    const answer = await entry.session.takeAnswer(ANSWER_WAIT_MS);
    if (!answer) return this.answer(anchorId, P.CALL_ACCEPT);
    try {
      await this.signaling.request(P.CALL_ACCEPT, { invitationId, answer });
    } catch (err) {
      if (err.code === 'relay-required' || err.code === 'invalid-state') {
        // The prepared answer does not fit: accept without it and negotiate after call:started
        // (answering the ring's offer, which stays).
        this.dropPrepared(anchorId, `answer refused: ${err.code}`);
        return this.answer(anchorId, P.CALL_ACCEPT);
      }
      if (err.code !== 'not-found') this.notify(answerFailed('accept', err.message));
    }
  }

  decline(anchorId) {
    return this.answer(anchorId, P.CALL_DECLINE);
  }

  cancel(anchorId) {
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
