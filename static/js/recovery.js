// The ICE restart policy of one call. The initiator drives ICE restarts: at once on
// `failed`, after a short grace on `disconnected` (often a blip that heals by itself),
// then with backoff while it does not come back. Each attempt first fetches fresh ICE
// servers (TURN credentials expire) and waits for signaling (the restart offer must reach
// the peer). The other side only answers, unless the initiator has not fixed it well
// after its own turn (its network may be the broken one). Whichever side sees the browser
// come back `online` restarts at once: its addresses changed. A collision of two restart
// offers is settled by the perfect-negotiation roles (peer.js) like any other.
//
// A connection that never got a candidate from its peer (lost on the way) stays
// `connecting` (or `new`) for good: the browser reports `failed` only once its checks ran
// out, and without a remote candidate none run. Once its call has started, a connection
// whose offer and answer are through but that has no path and no candidate from the peer
// after NO_PATH_MS gets an ICE restart like a failed one. One that has the peer's candidates is left to the browser:
// its checks are running (slowly, on a busy machine) and end in `connected` or `failed`.
//
// A restart is done when both ufrags changed, negotiation settled, and media arrives
// (health.js sees the media); `restarts` keeps each completed one {reason, ms, attempts}.

// The ICE username fragment of a description: a new one means ICE restarted.
export const ufragOf = (description) => description?.sdp?.match(/a=ice-ufrag:(\S+)/)?.[1] || null;

const DISCONNECTED_GRACE_MS = 2000;  // `disconnected` that lasts longer gets an ICE restart
const RESTART_BACKOFF_MS = [0, 1000, 2000, 4000, 8000, 10000]; // before attempt n (last repeats)
const RESTART_TIMEOUT_MS = 6000;     // an attempt not connected with media by then failed
const NON_INITIATOR_EXTRA_MS = 5000; // the answering side's fallback comes this much later
const ICE_FETCH_TIMEOUT_MS = 2000;
const NO_PATH_MS = 20000;            // still `new`/`connecting` this long after offer and answer

export class Recovery {
  constructor(session, { getIceServers = null } = {}) {
    this.session = session;
    this.pc = session.pc;
    this.health = session.health;
    this.getIceServers = getIceServers;
    this.restarting = null;        // {at, reason, localUfrag, remoteUfrag} until it completes
    this.attempt = 0;              // restart attempts since the path last worked
    this.restarts = [];            // completed recoveries: {reason, ms, attempts}
    this.pendingRestart = null;    // a restart waiting for signaling to come back
    this.pc.addEventListener('connectionstatechange', this.onConnectionStateChange.bind(this));
    session.addEventListener('peer-restart', () => this.markRestarting('peer restarted ICE'));
    this.onSignalingStatus = this.onSignalingStatus.bind(this);
    session.signaling.on('status', this.onSignalingStatus);
    this.pc.addEventListener('signalingstatechange', () => this.watchForPath());
    this.watchForPath();
  }

  // Counted from when offer and answer are through (Recovery is made when the call
  // starts, peer.js watch(): a prepared connection may be through already, else at its
  // next stable state). Before that the missing piece is a description, not a path, and
  // a restart offer from the answering side would race the first offer (seen with six
  // pages on two cores: m-lines out of order). Armed once per connection.
  watchForPath() {
    if (this.pathWatched || !this.pc.remoteDescription || this.pc.signalingState !== 'stable') return;
    this.pathWatched = true;
    this.pathTimer = setTimeout(() => {
      if (this.withoutPath()) this.restartIce('no path');
    }, NO_PATH_MS + this.extraMs);
  }

  // No path, and nothing from the peer to check: a connection whose checks run is left
  // to the browser (it ends in `connected` or `failed`).
  withoutPath() {
    const state = this.pc.connectionState;
    if (this.closed || this.restarting || (state !== 'new' && state !== 'connecting')) return false;
    return !this.session.remoteCandidates && !/^a=candidate:/m.test(this.pc.remoteDescription?.sdp || '');
  }

  get closed() {
    return this.session.closed;
  }

  // The answering side waits this much longer before it steps in.
  get extraMs() {
    return this.session.initiator ? 0 : NON_INITIATOR_EXTRA_MS;
  }

  onConnectionStateChange() {
    const state = this.pc.connectionState;
    if (state === 'connected') {
      clearTimeout(this.pathTimer);
      if (!this.restarting) {
        clearTimeout(this.timer);
        this.attempt = 0;
      }
    } else if (state === 'disconnected') {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        if (this.pc.connectionState === 'disconnected') this.restartIce('disconnected');
      }, DISCONNECTED_GRACE_MS + this.extraMs);
      this.health.startSlowTimer();
    } else if (state === 'failed') {
      this.scheduleRestart('failed');
      this.health.startSlowTimer();
    }
  }

  // Restart ICE now (also the test hook): new ufrag/pwd, new candidates, fresh TURN
  // credentials. Without signaling the offer could not reach the peer: it waits for it.
  async restartIce(reason = 'requested') {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.markRestarting(reason);
    if (!this.session.signaling.connected) {
      this.pendingRestart = reason;
      this.session.trace(`ICE restart (${reason}) waits for signaling`);
      return;
    }
    this.pendingRestart = null;
    await this.freshIceServers();
    if (this.closed) return;
    if (reason === 'no path' && (this.session.remoteCandidates || this.pc.connectionState === 'connected')) {
      this.restarting = null; // the peer's candidates came, or it connected, while we waited
      this.health.updateNet();
      return;
    }
    await this.session.rollback(); // an earlier offer got no answer (lost while signaling was down)
    this.attempt += 1;
    this.session.trace(`ICE restart #${this.attempt} (${reason})`);
    this.pc.restartIce();
    this.timer = setTimeout(() => this.onRestartTimeout(), RESTART_TIMEOUT_MS);
  }

  // Next attempt after the backoff; the answering side waits longer and only steps in
  // when the initiator has not managed.
  scheduleRestart(reason) {
    if (this.closed) return;
    clearTimeout(this.timer);
    const delay = RESTART_BACKOFF_MS[Math.min(this.attempt, RESTART_BACKOFF_MS.length - 1)] + this.extraMs;
    this.timer = setTimeout(() => this.restartIce(reason), delay);
  }

  onRestartTimeout() {
    if (this.closed || !this.restarting) return;
    if (this.pc.connectionState === 'connected' && this.health.mediaGrowing) {
      // The old path carries media and the restart never completed (its offer or answer
      // was lost): nothing to repair.
      this.session.trace('ICE restart did not complete; the connection works, keeping it');
      this.session.rollback();
      this.restarting = null;
      this.attempt = 0;
      this.health.updateNet();
      return;
    }
    this.scheduleRestart('no connection after a restart');
  }

  // Gathering found nothing (health.js): the attempt in progress has failed already, so
  // the next one follows after its backoff rather than after the attempt timeout.
  onNoCandidates() {
    if (this.restarting && this.attempt > 0) {
      clearTimeout(this.timer);
      this.scheduleRestart('no candidates');
    }
  }

  markRestarting(reason) {
    if (this.restarting) return;
    this.restarting = {
      at: performance.now(), reason,
      localUfrag: ufragOf(this.pc.localDescription), remoteUfrag: ufragOf(this.pc.remoteDescription),
    };
    this.health.startSlowTimer();
    this.health.updateNet();
  }

  // Called on every media check (health.js).
  checkRestartDone() {
    const r = this.restarting;
    if (!r || this.pc.signalingState !== 'stable' || this.pc.connectionState !== 'connected' || !this.health.mediaGrowing) return;
    if (ufragOf(this.pc.localDescription) === r.localUfrag || ufragOf(this.pc.remoteDescription) === r.remoteUfrag) return;
    const ms = Math.round(performance.now() - r.at);
    this.restarts.push({ reason: r.reason, ms, attempts: this.attempt });
    this.session.trace(`recovered in ${ms} ms (${r.reason})`);
    this.restarting = null;
    this.attempt = 0;
    clearTimeout(this.timer);
  }

  onSignalingStatus({ status }) {
    if (status === 'connected' && this.pendingRestart && !this.closed) this.restartIce(this.pendingRestart);
    this.health.updateNet();
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
      if (servers) this.session.setIceServers(servers);
    } catch (err) {
      this.session.trace('fresh ICE servers failed', err);
    }
  }

  stop() {
    clearTimeout(this.timer);
    clearTimeout(this.pathTimer);
    this.session.signaling.off('status', this.onSignalingStatus);
  }
}
