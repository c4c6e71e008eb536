// PeerSession: one RTCPeerConnection for one call, negotiated with the "perfect
// negotiation" pattern (MDN / webrtc-samples). The server assigns the roles:
//   polite     — on an offer collision this side rolls back and answers the other's offer;
//   initiator  — this side adds its transceivers first, so negotiationneeded fires and it
//                makes the first offer; the other side answers with what the offer has.
// Every call has exactly one audio and one video transceiver in each direction from the
// start, so switching the source later is a replaceTrack — no renegotiation, no drop.
//
// Recovery. The initiator drives ICE restarts: at once on `failed`, after a short grace
// on `disconnected` (often a blip that heals by itself), then with backoff while it does
// not come back. Each attempt first fetches fresh ICE servers (TURN credentials expire)
// and waits for signaling (the restart offer must reach the peer). The other side only
// answers, unless the initiator has not fixed it well after its own turn (its network
// may be the broken one). Whichever side sees the browser come back `online` restarts at
// once: its addresses changed. A collision of two restart offers is settled by the
// perfect-negotiation roles like any other.
//
// `net` is what the tile shows: connecting → connected (media arrives), reconnecting
// (the path broke or an ICE restart is in progress, until media arrives over the new
// one), failed (no path at all; `problem` says why — e.g. TURN refused the credentials).
// A session emits 'state' (connectionState), 'flowing', 'net', 'stats' (about every
// second, see stats.js), 'remote-track' and 'closed'.
import { CALL_MEDIA, CALL_SIGNAL } from './protocol.js';
import { quality, rates, snapshot } from './stats.js';

const POLL_MS = 500;                 // media check; stats are published about every second
const STATS_EVERY_MS = 1000;
const DISCONNECTED_GRACE_MS = 2000;  // `disconnected` that lasts longer gets an ICE restart
const RESTART_BACKOFF_MS = [0, 1000, 2000, 4000, 8000, 10000]; // before attempt n (last repeats)
const RESTART_TIMEOUT_MS = 6000;     // an attempt not connected with media by then failed
const NON_INITIATOR_EXTRA_MS = 5000; // the answering side's fallback comes this much later
const CONNECT_TIMEOUT_MS = 15000;    // never connected by then: say so (and keep trying)
const RECOVERY_SLOW_MS = 30000;      // reconnecting for this long: say so (and keep trying)
const ICE_FETCH_TIMEOUT_MS = 2000;
// TURN error codes (RFC 8656 / 5389) that mean "your credentials or request were refused";
// 701 is the browser's own "no answer from that server".
const TURN_REFUSED = new Set([400, 401, 403, 437, 438, 441, 442, 486, 508]);

export const ufragOf = (description) => description?.sdp?.match(/a=ice-ufrag:(\S+)/)?.[1] || null;

export class PeerSession extends EventTarget {
  constructor({ signaling, callId, anchorId, polite, initiator, media, iceServers = [], iceTransportPolicy = 'all',
                getIceServers = null }) {
    super();
    Object.assign(this, { signaling, callId, anchorId, polite, initiator, media, iceTransportPolicy, getIceServers });
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
    // recovery
    this.net = 'connecting';
    this.problem = null;           // {code, text} when there is something to tell the user
    this.everConnected = false;    // media has flowed once
    this.restarting = null;        // {at, reason, localUfrag, remoteUfrag} until it completes
    this.attempt = 0;              // restart attempts since the path last worked
    this.restarts = [];            // completed recoveries: {reason, ms, attempts}
    this.pendingRestart = null;    // a restart waiting for signaling to come back
    this.candidateErrors = [];     // icecandidateerror details (TURN refused, unreachable)
    this.gathered = 0;             // local candidates of the current gathering
    // stats
    this.lastSnap = null;
    this.statsBase = null;
    this.stats = null;
    this.mediaGrowing = false;

    this.pc.addEventListener('negotiationneeded', this.onNegotiationNeeded.bind(this));
    this.pc.addEventListener('icecandidate', this.onIceCandidate.bind(this));
    this.pc.addEventListener('icecandidateerror', this.onIceCandidateError.bind(this));
    this.pc.addEventListener('icegatheringstatechange', this.onGatheringChange.bind(this));
    this.pc.addEventListener('track', this.onTrack.bind(this));
    this.pc.addEventListener('connectionstatechange', this.onConnectionStateChange.bind(this));
    this.pc.addEventListener('signalingstatechange', () => this.updateNet());
    this.onMediaChange = this.onMediaChange.bind(this);
    media.addEventListener('change', this.onMediaChange);
    this.onSignalingStatus = this.onSignalingStatus.bind(this);
    signaling.on('status', this.onSignalingStatus);

    if (initiator) {
      for (const kind of ['audio', 'video']) {
        this.pc.addTransceiver(this.localTrack(kind) || kind, { direction: 'sendrecv', streams: [this.msidStream] });
      }
    }
    this.pollTimer = setInterval(() => this.poll(), POLL_MS);
    this.connectTimer = setTimeout(() => this.onConnectTimeout(), CONNECT_TIMEOUT_MS);
  }

  localTrack(kind) {
    return kind === 'audio' ? this.media.audioTrack : this.media.videoTrack;
  }

  get localUfrag() {
    return ufragOf(this.pc.localDescription);
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
    if (!candidate) return;
    this.gathered += 1;
    this.send({ candidate: candidate.toJSON() }).catch((err) => this.trace('candidate not sent', err));
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
      // A new ufrag in the peer's offer: it restarted ICE. Reconnecting until it works.
      if (description.type === 'offer' && this.pc.remoteDescription
          && ufragOf(description) !== ufragOf(this.pc.remoteDescription)) this.markRestarting('peer restarted ICE');
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
      // Candidates of an offer we ignored, or of an ICE generation that is gone, fail.
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

  // -- remote media ---------------------------------------------------------------------

  onTrack({ track }) {
    if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
    // unmute = the first RTP packets of this track arrived: the fast path to "flowing".
    track.addEventListener('unmute', () => this.checkMedia(), { once: true });
    this.emit('remote-track', { track });
  }

  // -- the connection and its recovery ------------------------------------------------

  onConnectionStateChange() {
    const state = this.pc.connectionState;
    this.trace(`connection ${state}`);
    this.emit('state', { state });
    if (state === 'connected') {
      clearTimeout(this.connectTimer);
      if (!this.restarting) {
        clearTimeout(this.restartTimer);
        this.attempt = 0;
      }
    } else if (state === 'disconnected') {
      clearTimeout(this.restartTimer);
      const wait = DISCONNECTED_GRACE_MS + (this.initiator ? 0 : NON_INITIATOR_EXTRA_MS);
      this.restartTimer = setTimeout(() => {
        if (this.pc.connectionState === 'disconnected') this.restartIce('disconnected');
      }, wait);
      this.startSlowTimer();
    } else if (state === 'failed') {
      this.scheduleRestart('failed');
      this.startSlowTimer();
    }
    this.checkMedia();
  }

  // Restart ICE now (also the test hook): new ufrag/pwd, new candidates, fresh TURN
  // credentials. Without signaling the offer could not reach the peer: it waits for it.
  async restartIce(reason = 'requested') {
    if (this.closed) return;
    clearTimeout(this.restartTimer);
    this.markRestarting(reason);
    if (!this.signaling.connected) {
      this.pendingRestart = reason;
      this.trace(`ICE restart (${reason}) waits for signaling`);
      return;
    }
    this.pendingRestart = null;
    await this.freshIceServers();
    if (this.closed) return;
    if (this.pc.signalingState === 'have-local-offer') {
      // An earlier offer got no answer (lost while signaling was down): withdraw it.
      await this.pc.setLocalDescription({ type: 'rollback' }).catch((err) => this.trace('rollback failed', err));
    }
    this.attempt += 1;
    this.trace(`ICE restart #${this.attempt} (${reason})`);
    this.pc.restartIce();
    this.restartTimer = setTimeout(() => this.onRestartTimeout(), RESTART_TIMEOUT_MS);
  }

  // Next attempt after the backoff; the answering side waits longer and only steps in
  // when the initiator has not managed.
  scheduleRestart(reason) {
    if (this.closed) return;
    clearTimeout(this.restartTimer);
    const delay = RESTART_BACKOFF_MS[Math.min(this.attempt, RESTART_BACKOFF_MS.length - 1)]
      + (this.initiator ? 0 : NON_INITIATOR_EXTRA_MS);
    this.restartTimer = setTimeout(() => this.restartIce(reason), delay);
  }

  onRestartTimeout() {
    if (this.closed || !this.restarting) return;
    if (this.pc.connectionState === 'connected' && this.mediaGrowing) {
      // The old path carries media and the restart never completed (its offer or answer
      // was lost): nothing to repair.
      this.trace('ICE restart did not complete; the connection works, keeping it');
      if (this.pc.signalingState === 'have-local-offer') {
        this.pc.setLocalDescription({ type: 'rollback' }).catch((err) => this.trace('rollback failed', err));
      }
      this.restarting = null;
      this.attempt = 0;
      this.updateNet();
      return;
    }
    this.scheduleRestart('no connection after a restart');
  }

  markRestarting(reason) {
    if (this.restarting) return;
    this.restarting = {
      at: performance.now(), reason,
      localUfrag: ufragOf(this.pc.localDescription), remoteUfrag: ufragOf(this.pc.remoteDescription),
    };
    this.startSlowTimer();
    this.updateNet();
  }

  // A restart is done when both ufrags changed, negotiation settled, and media arrives.
  checkRestartDone() {
    const r = this.restarting;
    if (!r || this.pc.signalingState !== 'stable' || this.pc.connectionState !== 'connected' || !this.mediaGrowing) return;
    if (ufragOf(this.pc.localDescription) === r.localUfrag || ufragOf(this.pc.remoteDescription) === r.remoteUfrag) return;
    const ms = Math.round(performance.now() - r.at);
    this.restarts.push({ reason: r.reason, ms, attempts: this.attempt });
    this.trace(`recovered in ${ms} ms (${r.reason})`);
    this.restarting = null;
    this.attempt = 0;
    clearTimeout(this.restartTimer);
  }

  onSignalingStatus({ status }) {
    if (status === 'connected' && this.pendingRestart && !this.closed) this.restartIce(this.pendingRestart);
    this.updateNet();
  }

  // The browser's network came back (or changed): our candidates are stale.
  onNetworkOnline() {
    if (this.closed) return;
    this.restarting = null; // start over, and at once
    this.attempt = 0;
    this.restartIce('network changed');
  }

  async freshIceServers() {
    if (!this.getIceServers) return;
    const timeout = new Promise((resolve) => { setTimeout(resolve, ICE_FETCH_TIMEOUT_MS); });
    try {
      const servers = await Promise.race([this.getIceServers(), timeout]);
      if (servers) this.setIceServers(servers);
    } catch (err) {
      this.trace('fresh ICE servers failed', err);
    }
  }

  setIceServers(iceServers) {
    if (this.closed) return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (err) {
      this.trace('setConfiguration failed', err);
    }
  }

  // -- telling the user what is wrong -------------------------------------------------

  onIceCandidateError(e) {
    const error = { url: e.url || '', code: e.errorCode, text: e.errorText || '', at: Date.now() };
    this.candidateErrors.push(error);
    if (this.candidateErrors.length > 20) this.candidateErrors.shift();
    this.trace(`candidate error ${error.code} ${error.text} ${error.url}`);
  }

  onGatheringChange() {
    const state = this.pc.iceGatheringState;
    if (state === 'gathering') this.gathered = 0;
    // Nothing to offer the peer: no path can be found with these servers (e.g. relay
    // only and TURN refuses or is down). Say so; a restart attempt has failed already,
    // so the next one follows after its backoff rather than after the attempt timeout.
    if (state === 'complete' && this.gathered === 0 && this.pc.connectionState !== 'connected') {
      this.setProblem('no-candidates');
      if (this.restarting && this.attempt > 0) {
        clearTimeout(this.restartTimer);
        this.scheduleRestart('no candidates');
      }
    }
  }

  onConnectTimeout() {
    if (!this.closed && !this.everConnected) this.setProblem('no-path');
  }

  startSlowTimer() {
    if (this.slowTimer) return;
    this.slowTimer = setTimeout(() => {
      this.slowTimer = null;
      if (!this.closed && this.everConnected && this.net === 'reconnecting') this.setProblem('lost');
    }, RECOVERY_SLOW_MS);
  }

  // What the TURN servers said, as words: refused, unreachable, or not configured.
  turnVerdict() {
    const turn = this.candidateErrors.filter((e) => /^turns?:/.test(e.url));
    if (turn.some((e) => TURN_REFUSED.has(e.code))) return 'refused';
    if (turn.some((e) => e.code === 701)) return 'unreachable';
    const servers = this.pc.getConfiguration().iceServers || [];
    const hasTurn = servers.some((s) => [].concat(s.urls).some((u) => /^turns?:/.test(u)));
    return hasTurn ? 'unknown' : 'none';
  }

  setProblem(code) {
    const verdict = this.turnVerdict();
    const why = {
      refused: ' — the TURN server refused the credentials',
      unreachable: ' — the TURN server did not answer',
      none: this.iceTransportPolicy === 'relay' ? ' — relay required but no TURN server configured' : ' (no TURN server configured)',
      unknown: ' (TURN refused?)',
    }[verdict];
    let text;
    if (code === 'lost') text = 'Connection lost for a while — still trying. Hang up to give up.';
    else if (this.everConnected) text = `Connection lost: no network path right now${why}. Still trying…`;
    else text = `Could not connect: no network path${why}. Hang up and try again, or run the connection check.`;
    this.problem = { code, turn: verdict, text };
    this.trace(`problem: ${code} (TURN ${verdict})`);
    this.updateNet();
  }

  // -- media flowing, stats, the net state ---------------------------------------------

  checkMedia() {
    return this.poll();
  }

  // One getStats() per tick feeds three things: the "media flowing" report to the server,
  // the completion of an ICE restart, and the quality figures (about once a second).
  poll() {
    if (this.closed) return Promise.resolve();
    if (!this.polling) {
      this.polling = this.pc.getStats().then((report) => this.onSnapshot(snapshot(report)))
        .catch((err) => this.trace('getStats failed', err))
        .finally(() => { this.polling = null; });
    }
    return this.polling;
  }

  onSnapshot(snap) {
    if (this.closed) return;
    const prev = this.lastSnap;
    this.mediaGrowing = Boolean(prev) && (snap.bytesIn > prev.bytesIn || snap.reportsIn > prev.reportsIn);
    this.lastSnap = snap;
    const connected = this.pc.connectionState === 'connected';
    // Flowing = connected AND the peer's media reaches us (a remote track unmuted, or
    // inbound RTP bytes grow), or — when the peer sends nothing (receive only) — the peer
    // reports receiving ours (RTCP receiver reports). The server counts a call as
    // connected only when both sides say so.
    const flowing = connected && (this.mediaGrowing || snap.reportsIn > 0
      || this.remoteStream.getTracks().some((t) => !t.muted));
    if (flowing && !this.everConnected) {
      this.everConnected = true; // media has flowed: from now on a loss is "reconnecting"
      clearTimeout(this.connectTimer);
    }
    if (flowing !== this.flowing) {
      this.flowing = flowing;
      this.emit('flowing', { flowing });
      this.reportFlowing();
    }
    if (connected && this.problem && this.mediaGrowing) this.problem = null;
    this.checkRestartDone();
    // About once a second; and at once when media first flows, so the tile shows figures
    // from the start of the call (rates over half a second are fine).
    const due = !this.statsBase || snap.at - this.statsBase.at >= STATS_EVERY_MS - 100;
    if (due || (this.everConnected && !this.stats?.live)) {
      const r = rates(this.statsBase, snap);
      this.statsBase = snap;
      this.stats = { ...r, quality: connected ? quality(r) : 'unknown', live: this.everConnected };
      this.emit('stats', this.stats);
    }
    this.updateNet();
  }

  updateNet() {
    if (this.closed) return;
    const connected = this.pc.connectionState === 'connected';
    let net;
    if (this.problem && !(connected && this.flowing)) net = this.everConnected ? 'reconnecting' : 'failed';
    else if (connected && this.flowing && !this.restarting) net = 'connected';
    else net = this.everConnected ? 'reconnecting' : 'connecting';
    if (net === 'connected' && this.slowTimer) {
      clearTimeout(this.slowTimer);
      this.slowTimer = null;
    }
    if (net !== this.net) {
      this.trace(`net ${this.net} → ${net}`);
      this.net = net;
      this.emit('net', { net, problem: this.problem });
    }
  }

  reportFlowing() {
    if (this.closed) return;
    this.signaling.request(CALL_MEDIA, { callId: this.callId, flowing: this.flowing })
      .catch((err) => this.trace('call:media not sent', err));
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
    clearInterval(this.pollTimer);
    for (const t of [this.restartTimer, this.connectTimer, this.slowTimer]) clearTimeout(t);
    this.media.removeEventListener('change', this.onMediaChange);
    this.signaling.off('status', this.onSignalingStatus);
    this.pc.close();
    this.remoteStream.getTracks().forEach((t) => t.stop());
    this.emit('closed', {});
  }
}
