// "Not sending video" and "Poor connection" on the peer's tile, from what this side
// receives (RTCPeerConnection.getStats, a snapshot every 200 ms: health.js). Pure, so
// e2e/test_peer_signs.py checks the thresholds with hand-made snapshots too.
//
// Detected here, by the receiver, rather than reported by the sender (call:peer-state):
// what matters to the viewer is what arrives — it covers a stalled encoder, an ended
// track, a source with no frames *and* video lost on the way, it needs no new relayed
// field the server would have to check, and it does not trust the peer's word. The
// sender's own choice (mic, camera) still comes by call:peer-state; this only tells
// apart "camera off" (the peer said so) from "camera on but no video arrives".
//
//   videoStalled — the connection is alive (audio packets or RTCP reports keep coming)
//                  but no video frame was decoded for STALL_MS (after START_GRACE_MS of
//                  connection, so a call's first frame is not counted as a stall);
//   poor         — over the last WINDOW_MS: packet loss ≥ 8 % (video codecs conceal
//                  under 2 %, picture and sound break up past 8 %: stats.js), or a round
//                  trip ≥ 800 ms (ITU-T G.114: over 400 ms one way is unusable), or a
//                  video freeze (the browser's freezeCount grew) in the last 3 s while
//                  the network is at least "fair"-degraded (loss ≥ 2 % or RTT ≥ 300 ms:
//                  a freeze on a clean network is the decoder or the CPU — one freeze
//                  was seen in 10 s of a healthy loopback call on a loaded machine), or
//                  video arriving at under 64 kb/s (a collapsed bandwidth estimate:
//                  a moving 640×480 picture needs ~300).
//   unstable     — the sender's side (issue 31.9, "Your connection is unstable" on its own
//                  tile): the peer loses ≥ 8 % of what we send (its RTCP reports), the
//                  round trip is ≥ 800 ms, or the encoder has been held back by
//                  bandwidth for LIMITED_MS (not the first seconds' ramp-up) while the
//                  network is "fair"-degraded (as for a freeze: a loopback call on a busy
//                  machine can be held back with a clean link): sendingTrouble.
// At 20 fps a stall shows within STALL_MS + one poll (~600 ms) of the last frame. "Poor"
// is held for HOLD_MS after its last sighting, and on a poor link (its frame rate drops
// to a few per second) a stall takes POOR_STALL_MS: the signs do not flicker. "Unstable"
// shows once its cause has lasted UNSTABLE_SHOW_MS and, for loss or a long round trip, a
// later receiver report says it too (the peer's reports come about once a second and keep
// their figures until the next: one lossy report is not a link), and is held HOLD_MS after
// it is gone: holdUnstable.
export const SIGNS = Object.freeze({
  pollMs: 200, stallMs: 400, startGraceMs: 1500, windowMs: 400, aliveMs: 1200,
  lossPct: 8, minPackets: 10, rttMs: 800, freezeMs: 3000, videoKbps: 64,
  fairLossPct: 2, fairRttMs: 300, // with a freeze
  holdMs: 1500,       // "poor" stays this long after its last sighting (no flicker)
  poorStallMs: 2000,  // on a poor link the frame rate drops: a stall takes this long
  limitedMs: 5000,    // the encoder held back by bandwidth this long: "unstable"
  unstableShowMs: 1000, // "unstable" shows once its cause has lasted this long
});

const NONE = Object.freeze({ videoStalled: false, poor: null, unstable: null });

// What the sender learns of its own link: null | 'loss' | 'rtt' | 'bandwidth' (pure).
// limitedSince: since when the encoder says 'bandwidth' without a break (null: it does not).
export function sendingTrouble(snap, limitedSince, t = SIGNS) {
  if (snap.lossOutPct !== null && snap.lossOutPct >= t.lossPct) return 'loss';
  if (snap.rttMs !== null && snap.rttMs >= t.rttMs) return 'rtt';
  const degraded = (snap.lossOutPct ?? 0) >= t.fairLossPct || (snap.rttMs !== null && snap.rttMs >= t.fairRttMs);
  if (degraded && limitedSince !== null && snap.at - limitedSince >= t.limitedMs) return 'bandwidth';
  return null;
}

const CALM = Object.freeze({ shown: null, since: null, lastAt: null, fromReport: null });

// "Unstable" with a hold (pure): `held` the last state ({shown, since, lastAt, fromReport};
// undefined at first), `raw` sendingTrouble's answer now, `at` the snapshot's time,
// `reports` the count of the peer's receiver reports so far (stats.js reportsIn). Shown once
// `raw` has said something without a break for unstableShowMs (its latest reason) and, for
// 'loss' or 'rtt' (read from those reports), a report later than the first one that said
// it still says it; kept until it has said nothing for holdMs after its last sighting.
export function holdUnstable(held = CALM, raw, at, reports, t = SIGNS) {
  if (raw) {
    const since = held.since ?? at;
    const fromReport = held.since === null ? reports : held.fromReport;
    // a browser that counts no reports (0) has only the time to go by
    const confirmed = raw === 'bandwidth' || !reports || reports > fromReport;
    const shown = held.shown || (at - since >= t.unstableShowMs && confirmed) ? raw : null;
    return { shown, since, lastAt: at, fromReport };
  }
  const shown = held.shown && at - held.lastAt <= t.holdMs ? held.shown : null;
  return { shown, since: null, lastAt: held.lastAt, fromReport: null };
}

export class SignsTracker {
  constructor(thresholds = SIGNS) {
    this.t = thresholds;
    this.history = [];      // recent snapshots {at, ...} (stats.js snapshot())
    this.lastFrameAt = null;
    this.connectedAt = null;
    this.lastFreezeAt = null;
    this.lastPoor = null;   // {at, reason}: the last time the link looked poor
    this.videoExpected = true;
    this.resumedAt = null;  // when the peer's camera came back on (its word)
    this.limitedSince = null;
    this.unstable = CALM;   // holdUnstable's state
    this.signs = NONE;
  }

  // The peer's camera, by its word (call:peer-state). Just back on, its video restarts
  // (a key frame, the rate ramping up): the video signs wait START_GRACE_MS, as at the
  // start of a call. `now` on the stats clock (performance.timeOrigin + now()).
  expectVideo(on, now) {
    if (on === this.videoExpected) return;
    if (on) this.resumedAt = now;
    // a low rate or a freeze of a camera that was off said nothing about the link
    if (this.lastPoor && (this.lastPoor.reason === 'bitrate' || this.lastPoor.reason === 'freeze')) this.lastPoor = null;
    this.videoExpected = on;
  }

  // One snapshot; returns {videoStalled, poor: null | 'loss' | 'rtt' | 'freeze' | 'bitrate'}.
  update(snap, connected) {
    const t = this.t;
    if (!connected || !snap.at) {
      this.connectedAt = null;
      this.lastPoor = null;
      this.history = [];
      this.limitedSince = null;
      this.unstable = CALM;
      this.signs = NONE;
      return this.signs;
    }
    const prev = this.history[this.history.length - 1];
    if (this.connectedAt === null) this.connectedAt = snap.at;
    if (!prev || snap.framesIn > prev.framesIn) this.lastFrameAt = snap.framesIn > 0 ? snap.at : this.lastFrameAt;
    if (prev && snap.freezes > prev.freezes) this.lastFreezeAt = snap.at;
    this.history.push(snap);
    while (this.history.length > 2 && snap.at - this.history[1].at >= Math.max(t.windowMs, t.aliveMs)) this.history.shift();

    const since = (ms) => this.history.find((s) => snap.at - s.at <= ms) || snap;
    const alive0 = since(t.aliveMs);
    const alive = snap.audioPacketsIn > alive0.audioPacketsIn || snap.reportsIn > alive0.reportsIn;
    const held = this.lastPoor && snap.at - this.lastPoor.at <= t.holdMs;
    const stallMs = held ? t.poorStallMs : t.stallMs;
    const quietFrom = Math.max(this.lastFrameAt ?? -Infinity, this.connectedAt + t.startGraceMs - t.stallMs);
    // the video signs wait while the peer's camera is off or just back on
    const settling = !this.videoExpected || (this.resumedAt !== null && snap.at - this.resumedAt < t.startGraceMs);
    const videoStalled = alive && !settling && snap.at - quietFrom >= stallMs;

    const w = since(t.windowMs);
    const seconds = (snap.at - w.at) / 1000;
    let poor = null;
    const lost = Math.max(0, snap.lostIn - w.lostIn);
    const got = Math.max(0, snap.packetsIn - w.packetsIn);
    const lossPct = lost + got >= t.minPackets ? (100 * lost) / (lost + got) : 0;
    const degraded = lossPct >= t.fairLossPct || (snap.rttMs !== null && snap.rttMs >= t.fairRttMs);
    if (lossPct >= t.lossPct) poor = 'loss';
    else if (snap.rttMs !== null && snap.rttMs >= t.rttMs) poor = 'rtt';
    else if (!videoStalled && !settling && degraded && this.lastFreezeAt !== null && snap.at - this.lastFreezeAt <= t.freezeMs) poor = 'freeze';
    else if (!videoStalled && !settling && seconds >= t.windowMs / 1000 * 0.8 && snap.framesIn > w.framesIn
             && ((snap.videoBytesIn - w.videoBytesIn) * 8) / 1000 / seconds < t.videoKbps) poor = 'bitrate';

    if (poor) this.lastPoor = { at: snap.at, reason: poor };
    else if (held && !videoStalled) poor = this.lastPoor.reason;
    if (snap.limitedBy !== 'bandwidth') this.limitedSince = null;
    else if (this.limitedSince === null) this.limitedSince = snap.at;
    this.unstable = holdUnstable(this.unstable, sendingTrouble(snap, this.limitedSince, t), snap.at, snap.reportsIn, t);
    const unstable = this.unstable.shown;
    if (videoStalled !== this.signs.videoStalled || poor !== this.signs.poor || unstable !== this.signs.unstable) {
      this.signs = { videoStalled, poor, unstable };
    }
    return this.signs;
  }
}

// What the peer's tile says, from the signs and the peer's own word (call:peer-state):
// with the camera off, no video is expected — that is "camera off", not a problem, and
// a low video bitrate or a freeze then says nothing about the connection either.
export function verdict(signs, peerMedia) {
  const cameraOff = peerMedia?.video === false;
  const notSending = Boolean(signs?.videoStalled) && !cameraOff;
  let poor = signs?.poor || null;
  if (cameraOff && (poor === 'bitrate' || poor === 'freeze')) poor = null;
  return { notSending, poor };
}
