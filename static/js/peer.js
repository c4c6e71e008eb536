// PeerSession: one RTCPeerConnection for one pair of a call (this page's anchor and one
// peer anchor: sessions.js keeps them by call and peer), negotiated with the "perfect
// negotiation" pattern (MDN / webrtc-samples). The server assigns the pair's roles:
//   polite     — on an offer collision this side rolls back and answers the other's offer;
//   initiator  — this side adds its transceivers first, so negotiationneeded fires and it
//                makes the first offer; the other side answers with what the offer has.
// Every call has exactly one audio and one video transceiver in each direction from the
// start, so switching the source later is a replaceTrack — no renegotiation, no drop.
// Signals are handled one at a time, in arrival order; ICE candidates that come before
// the remote description wait for it.
//
// Prepared while it rings (docs/protocol.md): a session made with no call id is *held*.
// It negotiates locally (the caller's offer, made by prepareOffer() and sent with the
// invite; the callee's answer to the ring's offer) and gathers, but sends nothing: what
// it would send waits in `outbox` — the callee's answer and candidates reveal its
// addresses, and may leave only once the callee accepts. bind(session, callId) names the
// call and sends what waited, less what call:accept carried (takeAnswer). Those steps are
// in held.js; prepared.js drives them.
//
// Only negotiation lives here. Helpers watch the same connection: health.js (media flowing,
// the tile's net state, problems, the stats figures), recovery.js (the ICE restart policy)
// and safety.js (the safety code from the two DTLS fingerprints in use).
// A session emits 'state' (connectionState), 'flowing', 'net', 'stats' (about every
// second, see stats.js), 'remote-track', 'peer-restart' (the peer's offer restarts ICE)
// and 'closed'. The getters at the end are the session's read-only face for the tile,
// calls.js and the e2e tests (window.tlc.sessions).
import { CALL_SIGNAL } from './protocol.js';
import { Health } from './health.js';
import { Recovery, ufragOf } from './recovery.js';
import { Safety } from './safety.js';
import { openFileChannel } from './files/channel.js';

export { ufragOf };

export class PeerSession extends EventTarget {
  // peerAnchorId: the party at the other end (null while a prepared session is held and
  // its call has not named it yet; calls.js sets it then).
  constructor({ signaling, callId, anchorId, peerAnchorId = null, polite, initiator, media, iceServers = [],
                iceTransportPolicy = 'all', relayOnly = false, certificates = null, getIceServers = null }) {
    super();
    Object.assign(this, { signaling, callId, anchorId, peerAnchorId, polite, initiator, media, iceTransportPolicy, relayOnly });
    // certificates: the page's persistent DTLS certificate (safety.js), so the safety code stays.
    this.pc = new RTCPeerConnection({ iceServers, iceTransportPolicy, ...(certificates ? { certificates } : {}) });
    this.remoteStream = new MediaStream();
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.pendingCandidates = [];   // ICE candidates that came before the remote description
    this.remoteCandidates = 0;     // the peer's candidates the browser took (recovery.js)
    this.inbox = Promise.resolve(); // signals are handled one at a time, in arrival order
    this.closed = false;
    this.outbox = [];               // held: what waits for bind() (see above)
    this.ownOffer = null;           // held caller: the offer sent with the invite
    this.sentWithAccept = null;     // held callee: the answer call:accept carried
    this.answerReady = new Promise((resolve) => { this.onAnswerReady = resolve; });
    this.log = [];
    this.sent = { offer: 0, answer: 0 }; // descriptions sent (rejoin.js, the e2e tests)
    this.msidStream = new MediaStream(); // one stream id for both tracks: lip sync

    this.pc.addEventListener('negotiationneeded', this.onNegotiationNeeded.bind(this));
    this.pc.addEventListener('icecandidate', this.onIceCandidate.bind(this));
    this.pc.addEventListener('track', this.onTrack.bind(this));
    this.pc.addEventListener('connectionstatechange', this.onConnectionStateChange.bind(this));
    this.onMediaChange = this.onMediaChange.bind(this);
    media.addEventListener('change', this.onMediaChange);
    this.getIceServers = getIceServers;
    // After this session's own listeners: they see each event first (the trace, 'state').
    // A held session has no call to report on yet: they start with bind().
    if (callId != null) this.watch();

    if (initiator) {
      for (const kind of ['audio', 'video']) {
        this.pc.addTransceiver(this.localTrack(kind) || kind, { direction: 'sendrecv', streams: [this.msidStream] });
      }
    }
    // Files (issue 29): the offering side's channel is in its first offer; the answering side
    // opens it when an offer with a data section comes (handleSignal; files/channel.js: why).
    this.fileChannel = initiator ? openFileChannel(this.pc) : null;
  }

  watch() {
    this.health = new Health(this);
    this.recovery = new Recovery(this, { getIceServers: this.getIceServers });
    this.safety = new Safety(this); // the safety code of this connection (safety.js)
  }

  get held() {
    return this.callId == null;
  }

  localTrack(kind) {
    return kind === 'audio' ? this.media.audioTrack : this.media.videoTrack;
  }

  get localUfrag() {
    return ufragOf(this.pc.localDescription);
  }

  // -- outgoing negotiation -----------------------------------------------------------

  async onNegotiationNeeded() {
    // A held session never offers on its own: the held caller's one offer is the one sent
    // with the invite (prepareOffer), and Chromium fires negotiationneeded before that
    // offer exists (a second offer made here was answered twice: issue 36.1). Nor may it
    // gather before the invite's ack says its ICE transport policy (address privacy).
    if (this.held || (this.ownOffer && this.pc.signalingState === 'stable' && !this.pc.remoteDescription)) return;
    // Nor does the answering side make a pair's first offer: the initiator does, and the
    // answer settles both directions. Chromium fires negotiationneeded here for the file
    // channel alone; offering then met the initiator's offer, and after that rollback its
    // answer refused the data channel, so both ends renegotiated every few seconds for
    // the whole call (issue 26: the 3rd and 4th party of a group call; a reload's new
    // connection too). tests/js/pair-offer.test.mjs.
    if (!this.initiator && !this.pc.remoteDescription) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendDescription();
    } catch (err) {
      this.trace('offer failed', err);
    } finally {
      this.makingOffer = false;
    }
  }

  // Not awaited: the socket keeps order, and waiting for the ack would only delay what
  // follows (and widen the makingOffer window, causing needless collisions).
  sendDescription() {
    const { type } = this.pc.localDescription;
    if (type in this.sent) this.sent[type] += 1;
    this.send({ description: this.pc.localDescription.toJSON() }).catch((err) => this.trace('description not sent', err));
  }

  onIceCandidate({ candidate }) {
    // null marks the end of gathering; the peer does not need it to connect.
    if (!candidate) return;
    this.send({ candidate: candidate.toJSON() }).catch((err) => this.trace('candidate not sent', err));
  }

  send(fields) {
    if (this.closed) return Promise.resolve();
    if (this.held) { // nothing leaves before the call starts (the privacy rule)
      this.outbox.push(fields);
      if (fields.description?.type === 'answer') this.onAnswerReady();
      return Promise.resolve();
    }
    // `to`: the party of this pair (docs/protocol.md, call:signal: needed in a call of
    // three or more, allowed in one of two).
    const to = this.peerAnchorId ? { to: this.peerAnchorId } : {};
    return this.signaling.request(CALL_SIGNAL, { callId: this.callId, ...to, ...fields });
  }

  // -- incoming signals ---------------------------------------------------------------

  receive(message) {
    this.inbox = this.inbox.then(() => this.handleSignal(message)).catch((err) => this.trace('signal failed', err));
    return this.inbox;
  }

  async handleSignal({ description, candidate }) {
    if (this.closed) return;
    if (description) {
      const collision = description.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return this.trace('ignored colliding offer');
      // A new ufrag in the peer's offer: it restarted ICE (recovery.js: reconnecting until it works).
      if (description.type === 'offer' && this.pc.remoteDescription
          && ufragOf(description) !== ufragOf(this.pc.remoteDescription)) this.emit('peer-restart', {});
      await this.pc.setRemoteDescription(description); // the polite side rolls back implicitly
      // As the peer sent it: Chromium's remoteDescription keeps one a=fingerprint line of
      // several, and the safety code reads the first one the peer wrote (safety.js).
      this.remoteSdp = description.sdp;
      if (description.type === 'offer') {
        if (!this.fileChannel && /^m=application /m.test(description.sdp)) this.fileChannel = openFileChannel(this.pc);
        this.claimTransceivers();
        await this.pc.setLocalDescription();
        this.sendDescription();
      }
      await this.flushCandidates();
    } else if (candidate) {
      if (!this.pc.remoteDescription) {
        this.pendingCandidates.push(candidate);
        return;
      }
      await this.addCandidate(candidate);
    }
  }

  async flushCandidates() {
    const queued = this.pendingCandidates.splice(0);
    for (const candidate of queued) await this.addCandidate(candidate);
  }

  async addCandidate(candidate) {
    try {
      await this.pc.addIceCandidate(candidate);
      if (candidate.candidate) this.remoteCandidates += 1;
    } catch (err) {
      // Candidates of an offer we ignored, or of an ICE generation that is gone, fail.
      if (!this.ignoreOffer) this.trace('addIceCandidate failed', err);
    }
  }

  // Withdraw an offer that got no answer (lost while signaling was down, or overtaken).
  async rollback() {
    if (this.pc.signalingState !== 'have-local-offer') return;
    await this.pc.setLocalDescription({ type: 'rollback' }).catch((err) => this.trace('rollback failed', err));
  }

  // The answering side sends on the transceivers the offer created (they arrive as
  // recvonly) instead of adding new ones, so one answer settles both directions.
  claimTransceivers() {
    for (const tr of this.pc.getTransceivers()) {
      const kind = tr.receiver.track.kind;
      if (tr.direction === 'recvonly' && !tr.sender.track && !tr.stopped) {
        tr.direction = 'sendrecv';
        tr.sender.setStreams(this.msidStream);
        tr.sender.replaceTrack(this.localTrack(kind)).catch((err) => this.trace('replaceTrack failed', err));
      }
    }
  }

  // New ICE servers (fresh TURN credentials) for the next gathering.
  setIceServers(iceServers) {
    if (this.closed) return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (err) {
      this.trace('setConfiguration failed', err);
    }
  }

  // -- local media switched (new source, mic/camera toggled) --------------------------

  async onMediaChange() {
    if (this.closed) return;
    for (const tr of this.pc.getTransceivers()) {
      const kind = tr.receiver.track.kind;
      if (tr.direction !== 'sendrecv' && tr.direction !== 'sendonly') continue;
      const track = this.localTrack(kind);
      if (tr.sender.track !== track) {
        await tr.sender.replaceTrack(track).catch((err) => this.trace('replaceTrack failed', err));
      }
    }
  }

  // -- remote media and the connection ------------------------------------------------

  onTrack({ track }) {
    if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
    // unmute = the first RTP packets of this track arrived: the fast path to "flowing".
    track.addEventListener('unmute', () => this.checkMedia(), { once: true });
    this.emit('remote-track', { track });
  }

  onConnectionStateChange() {
    const state = this.pc.connectionState;
    this.trace(`connection ${state}`);
    this.emit('state', { state });
  }

  // -- plumbing ------------------------------------------------------------------------

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  trace(what, err) {
    const line = `${new Date().toISOString().slice(11, 23)} ${what}${err ? `: ${err.message || err}` : ''}`;
    this.log.push(line);
    if (this.log.length > 80) this.log.shift();
    if (err) console.warn(`[call ${this.callId}]`, what, err);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.health?.stop();
    this.recovery?.stop();
    this.safety?.stop();
    this.outbox = [];
    this.media.removeEventListener('change', this.onMediaChange);
    this.pc.close();
    this.remoteStream.getTracks().forEach((t) => t.stop());
    this.emit('closed', {});
  }

  // -- what the tile, calls.js and the e2e tests read ---------------------------------

  get net() { return this.health?.net ?? 'connecting'; }
  get problem() { return this.health?.problem ?? null; }
  get flowing() { return this.health?.flowing ?? false; }
  get everConnected() { return this.health?.everConnected ?? false; }
  get stats() { return this.health?.stats ?? null; }
  get restarting() { return this.recovery?.restarting ?? null; }
  get attempt() { return this.recovery?.attempt ?? 0; }
  get restarts() { return this.recovery?.restarts ?? []; }
  checkMedia() { return this.health ? this.health.poll() : Promise.resolve(); }
  reportFlowing() { this.health?.reportFlowing(); }
  restartIce(reason) { return this.recovery?.restartIce(reason); }
  onNetworkOnline() { this.recovery?.onNetworkOnline(); }
}
