// The health of one call's connection, for the tile and the server: is media flowing,
// what the net state is, and — when there is no path — why (the problem code, with what
// the TURN servers said).
//
// `net` is what the tile shows: connecting → connected (media arrives), reconnecting
// (the path broke or an ICE restart is in progress, until media arrives over the new
// one), failed (no path at all; `problem` says why — e.g. TURN refused the credentials).
// problem = {code, turn, connectedBefore, hop, relayOnly}; views/words.js says it in words.
//   code: no-candidates (gathering found nothing to offer) | no-path (never connected
//         within CONNECT_TIMEOUT_MS) | lost (reconnecting for RECOVERY_SLOW_MS)
//   turn: refused | unreachable | none (no TURN configured) | unknown
//
// One getStats() per tick (stats.js turns it into figures) feeds four things: the
// "media flowing" report to the server (call:media), the completion of an ICE restart
// (recovery.js), the quality figures (about once a second) and the signs on the tile
// ("not sending video", "poor connection": signs.js, every tick).
import { CALL_MEDIA } from './protocol.js';
import { quality, rates, snapshot } from './stats.js';
import { SIGNS, SignsTracker } from './signs.js';

// media check, and the signs on the peer's tile (within 1 s of a change: signs.js);
// stats are published about every second
const POLL_MS = SIGNS.pollMs;
const STATS_EVERY_MS = 1000;
const CONNECT_TIMEOUT_MS = 15000;    // never connected by then: say so (and keep trying)
const RECOVERY_SLOW_MS = 30000;      // reconnecting for this long: say so (and keep trying)
// TURN error codes (RFC 8656 / 5389) that mean "your credentials or request were refused";
// 701 is the browser's own "no answer from that server".
export const TURN_REFUSED = new Set([400, 401, 403, 437, 438, 441, 442, 486, 508]);
export const TURN_NO_ANSWER = 701;
export const isTurnUrl = (url) => /^turns?:/i.test(url || '');

export class Health {
  constructor(session) {
    this.session = session;
    this.pc = session.pc;
    this.net = 'connecting';
    this.problem = null;           // see above, when there is something to tell the user
    this.flowing = false;          // what we last told the server
    this.everConnected = false;    // media has flowed once
    this.candidateErrors = [];     // icecandidateerror details (TURN refused, unreachable)
    this.gathered = 0;             // local candidates of the current gathering
    this.relayGathered = false;    // a TURN relay candidate was gathered (issue 30: which hop failed)
    this.lastSnap = null;
    this.statsBase = null;
    this.stats = null;
    this.mediaGrowing = false;
    this.signsTracker = new SignsTracker(); // "not sending video", "poor connection"
    this.signs = this.signsTracker.signs;

    this.pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate) this.gathered += 1;
      if (candidate && candidate.type === 'relay') this.relayGathered = true;
    });
    this.pc.addEventListener('icecandidateerror', this.onIceCandidateError.bind(this));
    this.pc.addEventListener('icegatheringstatechange', this.onGatheringChange.bind(this));
    this.pc.addEventListener('connectionstatechange', this.onConnectionStateChange.bind(this));
    this.pc.addEventListener('signalingstatechange', () => this.updateNet());
    this.pollTimer = setInterval(() => this.poll(), POLL_MS);
    this.connectTimer = setTimeout(() => this.onConnectTimeout(), CONNECT_TIMEOUT_MS);
  }

  get closed() {
    return this.session.closed;
  }

  onConnectionStateChange() {
    if (this.pc.connectionState === 'connected') clearTimeout(this.connectTimer);
    this.poll();
  }

  // -- problems --------------------------------------------------------------------------

  onIceCandidateError(e) {
    const error = { url: e.url || '', code: e.errorCode, text: e.errorText || '', at: Date.now() };
    this.candidateErrors.push(error);
    if (this.candidateErrors.length > 20) this.candidateErrors.shift();
    this.session.trace(`candidate error ${error.code} ${error.text} ${error.url}`);
  }

  onGatheringChange() {
    const state = this.pc.iceGatheringState;
    if (state === 'gathering') this.gathered = 0;
    // Nothing to offer the peer: no path can be found with these servers (e.g. relay
    // only and TURN refuses or is down). Say so; recovery.js moves its next attempt up.
    if (state === 'complete' && this.gathered === 0 && this.pc.connectionState !== 'connected') {
      this.setProblem('no-candidates');
      this.session.recovery.onNoCandidates();
    }
  }

  onConnectTimeout() {
    if (!this.closed && !this.everConnected) this.setProblem('no-path');
  }

  // Called when the path breaks or a restart begins: a recovery that takes too long is a problem.
  startSlowTimer() {
    if (this.slowTimer) return;
    this.slowTimer = setTimeout(() => {
      this.slowTimer = null;
      if (!this.closed && this.everConnected && this.net === 'reconnecting') this.setProblem('lost');
    }, RECOVERY_SLOW_MS);
  }

  // What the TURN servers said: refused, unreachable, not configured, or nothing useful.
  turnVerdict() {
    const turn = this.candidateErrors.filter((e) => isTurnUrl(e.url));
    if (turn.some((e) => TURN_REFUSED.has(e.code))) return 'refused';
    if (turn.some((e) => e.code === TURN_NO_ANSWER)) return 'unreachable';
    const servers = this.pc.getConfiguration().iceServers || [];
    const hasTurn = servers.some((s) => [].concat(s.urls).some((u) => isTurnUrl(u)));
    return hasTurn ? 'unknown' : 'none';
  }

  // Which hop failed (issue 30), when TURN is configured: no relay candidate gathered →
  // 'relay' (the relay cannot be reached from this network); one gathered but no pair →
  // 'peer' (the other side's network blocks the call). A prepared session's candidates
  // were gathered before health.js listened: they are in the local description.
  failedHop(turn) {
    if (turn === 'none') return null;
    const relay = this.relayGathered || / typ relay /.test(this.pc.localDescription?.sdp || '');
    return relay ? 'peer' : 'relay';
  }

  setProblem(code) {
    const turn = this.turnVerdict();
    this.problem = { code, turn, connectedBefore: this.everConnected, hop: this.failedHop(turn),
                     relayOnly: this.session.iceTransportPolicy === 'relay' };
    this.session.trace(`problem: ${code} (TURN ${turn})`);
    this.updateNet();
  }

  // -- media flowing, stats, the net state ---------------------------------------------

  poll() {
    if (this.closed) return Promise.resolve();
    if (!this.polling) {
      this.polling = this.pc.getStats().then((report) => this.onSnapshot(snapshot(report)))
        .catch((err) => this.session.trace('getStats failed', err))
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
      || this.session.remoteStream.getTracks().some((t) => !t.muted));
    if (flowing && !this.everConnected) {
      this.everConnected = true; // media has flowed: from now on a loss is "reconnecting"
      clearTimeout(this.connectTimer);
    }
    if (flowing !== this.flowing) {
      this.flowing = flowing;
      this.session.emit('flowing', { flowing });
      this.reportFlowing();
    }
    if (connected && this.problem && this.mediaGrowing) this.problem = null;
    this.session.recovery.checkRestartDone();
    const signs = this.signsTracker.update(snap, connected && this.everConnected);
    if (signs !== this.signs) {
      this.signs = signs;
      this.session.emit('signs', signs);
    }
    // About once a second; and at once when media first flows, so the tile shows figures
    // from the start of the call (rates over half a second are fine).
    const due = !this.statsBase || snap.at - this.statsBase.at >= STATS_EVERY_MS - 100;
    if (due || (this.everConnected && !this.stats?.live)) {
      const r = rates(this.statsBase, snap);
      this.statsBase = snap;
      this.stats = { ...r, quality: connected ? quality(r) : 'unknown', live: this.everConnected };
      this.session.emit('stats', this.stats);
    }
    this.updateNet();
  }

  updateNet() {
    if (this.closed) return;
    const connected = this.pc.connectionState === 'connected';
    let net;
    if (this.problem && !(connected && this.flowing)) net = this.everConnected ? 'reconnecting' : 'failed';
    else if (connected && this.flowing && !this.session.recovery.restarting) net = 'connected';
    else net = this.everConnected ? 'reconnecting' : 'connecting';
    if (net === 'connected' && this.slowTimer) {
      clearTimeout(this.slowTimer);
      this.slowTimer = null;
    }
    if (net !== this.net) {
      this.session.trace(`net ${this.net} → ${net}`);
      this.net = net;
      this.session.emit('net', { net, problem: this.problem });
    }
  }

  reportFlowing() {
    if (this.closed) return;
    // `to`: the pair it reports, in a call of three or more (docs/protocol.md, "Group calls")
    const to = this.session.inGroup?.() && this.session.peerAnchorId ? { to: this.session.peerAnchorId } : {};
    this.session.signaling.request(CALL_MEDIA, { callId: this.session.callId, ...to, flowing: this.flowing })
      .catch((err) => this.session.trace('call:media not sent', err));
  }

  stop() {
    clearInterval(this.pollTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.slowTimer);
  }
}
