// PeerSession: one RTCPeerConnection for one call, negotiated with the "perfect
// negotiation" pattern (MDN / webrtc-samples). The server assigns the roles:
//   polite     — on an offer collision this side rolls back and answers the other's offer;
//   initiator  — this side adds its transceivers first, so negotiationneeded fires and it
//                makes the first offer; the other side answers with what the offer has.
// Every call has exactly one audio and one video transceiver in each direction from the
// start, so switching the source later is a replaceTrack — no renegotiation, no drop.
import { CALL_MEDIA, CALL_SIGNAL } from './protocol.js';

const STATS_EVERY_MS = 500;
const DISCONNECTED_GRACE_MS = 3000;

export class PeerSession extends EventTarget {
  constructor({ signaling, callId, anchorId, polite, initiator, media, iceServers = [], iceTransportPolicy = 'all' }) {
    super();
    Object.assign(this, { signaling, callId, anchorId, polite, initiator, media });
    this.pc = new RTCPeerConnection({ iceServers, iceTransportPolicy });
    this.remoteStream = new MediaStream();
    this.flowing = false;          // what we last told the server
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.pendingCandidates = [];   // ICE candidates that came before the remote description
    this.inbox = Promise.resolve(); // signals are handled one at a time, in arrival order
    this.closed = false;
    this.log = [];
    this.msidStream = new MediaStream(); // one stream id for both tracks: lip sync

    this.pc.addEventListener('negotiationneeded', this.onNegotiationNeeded.bind(this));
    this.pc.addEventListener('icecandidate', this.onIceCandidate.bind(this));
    this.pc.addEventListener('track', this.onTrack.bind(this));
    this.pc.addEventListener('connectionstatechange', this.onConnectionStateChange.bind(this));
    this.onMediaChange = this.onMediaChange.bind(this);
    media.addEventListener('change', this.onMediaChange);

    if (initiator) {
      for (const kind of ['audio', 'video']) {
        this.pc.addTransceiver(this.localTrack(kind) || kind, { direction: 'sendrecv', streams: [this.msidStream] });
      }
    }
    this.statsTimer = setInterval(this.checkMedia.bind(this), STATS_EVERY_MS);
  }

  localTrack(kind) {
    return kind === 'audio' ? this.media.audioTrack : this.media.videoTrack;
  }

  // -- outgoing negotiation -----------------------------------------------------------

  async onNegotiationNeeded() {
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
    this.send({ description: this.pc.localDescription.toJSON() }).catch((err) => this.trace('description not sent', err));
  }

  onIceCandidate({ candidate }) {
    // null marks the end of gathering; the peer does not need it to connect.
    if (candidate) this.send({ candidate: candidate.toJSON() }).catch((err) => this.trace('candidate not sent', err));
  }

  send(fields) {
    if (this.closed) return Promise.resolve();
    return this.signaling.request(CALL_SIGNAL, { callId: this.callId, ...fields });
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
      await this.pc.setRemoteDescription(description); // the polite side rolls back implicitly
      if (description.type === 'offer') {
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
    } catch (err) {
      // Candidates of an offer we ignored are expected to fail.
      if (!this.ignoreOffer) this.trace('addIceCandidate failed', err);
    }
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

  // -- remote media and the "media flowing" report -------------------------------------

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
    clearTimeout(this.restartTimer);
    if (state === 'failed') this.pc.restartIce();
    if (state === 'disconnected') {
      // Often a blip that heals by itself; if not, find a new path.
      this.restartTimer = setTimeout(() => {
        if (this.pc.connectionState === 'disconnected') this.pc.restartIce();
      }, DISCONNECTED_GRACE_MS);
    }
    this.checkMedia();
  }

  // Flowing = connected AND the peer's media reaches us (a remote track unmuted, or
  // inbound RTP bytes grow), or — when the peer sends nothing (receive only) — the peer
  // reports receiving ours (remote-inbound-rtp). The server counts a call as connected
  // only when both sides say so.
  async checkMedia() {
    if (this.closed) return;
    let flowing = false;
    if (this.pc.connectionState === 'connected') {
      flowing = this.remoteStream.getTracks().some((t) => !t.muted) || await this.statsShowMedia();
    }
    if (flowing !== this.flowing && !this.closed) {
      this.flowing = flowing;
      this.emit('flowing', { flowing });
      this.reportFlowing();
    }
  }

  reportFlowing() {
    if (this.closed) return;
    this.signaling.request(CALL_MEDIA, { callId: this.callId, flowing: this.flowing })
      .catch((err) => this.trace('call:media not sent', err));
  }

  setIceServers(iceServers) {
    if (this.closed) return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (err) {
      this.trace('setConfiguration failed', err);
    }
  }

  async statsShowMedia() {
    const stats = await this.pc.getStats();
    let bytes = 0;
    let peerReceives = false;
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp') bytes += s.bytesReceived || 0;
      if (s.type === 'remote-inbound-rtp' && s.roundTripTimeMeasurements > 0) peerReceives = true;
    });
    const growing = this.lastBytes !== undefined && bytes > this.lastBytes;
    this.lastBytes = bytes;
    return growing || peerReceives;
  }

  // -- plumbing ------------------------------------------------------------------------

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  trace(what, err) {
    const line = `${new Date().toISOString().slice(11, 23)} ${what}${err ? `: ${err.message || err}` : ''}`;
    this.log.push(line);
    if (this.log.length > 50) this.log.shift();
    if (err) console.warn(`[call ${this.callId}]`, what, err);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.statsTimer);
    clearTimeout(this.restartTimer);
    this.media.removeEventListener('change', this.onMediaChange);
    this.pc.close();
    this.remoteStream.getTracks().forEach((t) => t.stop());
    this.emit('closed', {});
  }
}
