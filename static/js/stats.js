// Call quality from getStats(), as pure functions so they can be tested with fixed
// snapshots (e2e/test_turn.py calls them in a page with hand-made reports):
//
//   const snap = snapshot(await pc.getStats());  // one report → the few numbers we use
//   const r = rates(previousSnap, snap);         // two snapshots → per-second figures
//   quality(r)                                   // 'good' | 'fair' | 'poor' | 'unknown'
//   describe(r)                                  // the figures as short strings
//
// Field names follow the W3C webrtc-stats spec (what Chromium and Firefox report).

import { CANDIDATE_WORDS } from './views/words.js';

// A report is an RTCStatsReport (a Map-like of id → stats), a Map, an array of stats or
// a plain object keyed by id: all four iterate the same way here.
function entries(report) {
  if (!report) return [];
  if (Array.isArray(report)) return report;
  if (typeof report.values === 'function') return [...report.values()];
  return Object.values(report);
}

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

// The pair ICE is using: the transport names it (selectedCandidatePairId); without one
// (older browsers), the nominated pair that succeeded, or one flagged `selected` (Firefox).
function selectedPair(byId, stats) {
  for (const s of stats) {
    if (s.type === 'transport' && s.selectedCandidatePairId && byId.get(s.selectedCandidatePairId)) {
      return byId.get(s.selectedCandidatePairId);
    }
  }
  return stats.find((s) => s.type === 'candidate-pair' && s.selected)
    || stats.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded')
    || null;
}

// One report → {at, bytesIn, bytesOut, packetsIn, lostIn, framesIn, reportsIn,
// audioPacketsIn, videoBytesIn, freezes, video, rttMs, path, lossOutPct, limitedBy}.
// lossOutPct: the peer's loss of what we send (remote-inbound-rtp fractionLost, the worst
// stream); limitedBy: why our video encoder holds back (outbound-rtp qualityLimitationReason).
// Both tell the sender its own link is poor (signs.js sendingTrouble). reportsIn counts the peer's RTCP receiver reports on what we send: it
// grows while the peer receives us, even when it sends nothing back.
export function snapshot(report) {
  const stats = entries(report);
  const byId = new Map(stats.map((s) => [s.id, s]));
  const snap = {
    at: 0, bytesIn: 0, bytesOut: 0, packetsIn: 0, lostIn: 0, framesIn: 0, reportsIn: 0,
    audioPacketsIn: 0, videoBytesIn: 0, freezes: 0, audioLevel: 0, // per kind: signs.js
    video: { width: 0, height: 0, fps: null }, rttMs: null, path: null, lossOutPct: null, limitedBy: null,
  };
  let remoteRtt = null;
  for (const s of stats) {
    snap.at = Math.max(snap.at, num(s.timestamp));
    if (s.type === 'inbound-rtp') {
      snap.bytesIn += num(s.bytesReceived);
      snap.packetsIn += num(s.packetsReceived);
      snap.lostIn += Math.max(0, num(s.packetsLost)); // negative when duplicates arrive
      if (s.kind === 'audio') {
        snap.audioPacketsIn += num(s.packetsReceived);
        // the received audio's level (0..1): a group call's active speaker (party-grid.js)
        snap.audioLevel = Math.max(snap.audioLevel, num(s.audioLevel));
      }
      if (s.kind === 'video') {
        snap.framesIn += num(s.framesDecoded);
        snap.videoBytesIn += num(s.bytesReceived);
        snap.freezes += num(s.freezeCount);
        if (s.frameWidth) snap.video = { width: s.frameWidth, height: s.frameHeight || 0, fps: s.framesPerSecond ?? null };
      }
    } else if (s.type === 'outbound-rtp') {
      snap.bytesOut += num(s.bytesSent);
      if (s.kind === 'video' && typeof s.qualityLimitationReason === 'string') snap.limitedBy = s.qualityLimitationReason;
    } else if (s.type === 'remote-inbound-rtp') {
      snap.reportsIn += num(s.roundTripTimeMeasurements);
      if (typeof s.fractionLost === 'number') snap.lossOutPct = Math.max(snap.lossOutPct ?? 0, Math.round(1000 * s.fractionLost) / 10);
      if (typeof s.roundTripTime === 'number') remoteRtt = remoteRtt === null ? s.roundTripTime : Math.max(remoteRtt, s.roundTripTime);
    }
  }
  const pair = selectedPair(byId, stats);
  if (pair) {
    const local = byId.get(pair.localCandidateId) || {};
    const remote = byId.get(pair.remoteCandidateId) || {};
    snap.path = {
      local: local.candidateType || '?', remote: remote.candidateType || '?',
      protocol: local.protocol || '', relayProtocol: local.relayProtocol || '',
      relayed: local.candidateType === 'relay' || remote.candidateType === 'relay',
    };
    if (typeof pair.currentRoundTripTime === 'number') snap.rttMs = pair.currentRoundTripTime * 1000;
  }
  if (snap.rttMs === null && remoteRtt !== null) snap.rttMs = remoteRtt * 1000;
  if (snap.rttMs !== null) snap.rttMs = Math.round(snap.rttMs);
  return snap;
}

// Two snapshots (prev may be null: the first sample) → what the tile shows:
// {kbpsIn, kbpsOut, lossPct, fps, width, height, rttMs, path, seconds}.
// Loss is over the interval: packets lost / (lost + received) between the two.
export function rates(prev, cur) {
  const seconds = prev ? (cur.at - prev.at) / 1000 : 0;
  const per = (a, b) => (seconds > 0 ? Math.max(0, a - b) / seconds : null);
  const kbps = (a, b) => { const v = per(a, b); return v === null ? null : Math.round((v * 8) / 1000); };
  let lossPct = null;
  if (prev) {
    const lost = Math.max(0, cur.lostIn - prev.lostIn);
    const got = Math.max(0, cur.packetsIn - prev.packetsIn);
    lossPct = lost + got > 0 ? Math.round((1000 * lost) / (lost + got)) / 10 : null;
  }
  let fps = cur.video.fps;
  if (fps === null || fps === undefined) {
    const f = per(cur.framesIn, prev ? prev.framesIn : 0);
    fps = f === null ? null : f;
  }
  return {
    seconds,
    kbpsIn: prev ? kbps(cur.bytesIn, prev.bytesIn) : null,
    kbpsOut: prev ? kbps(cur.bytesOut, prev.bytesOut) : null,
    lossPct,
    fps: fps === null ? null : Math.round(fps),
    width: cur.video.width, height: cur.video.height,
    rttMs: cur.rttMs, path: cur.path,
  };
}

// Good / fair / poor, from what hurts a conversation most:
//   round-trip time — ITU-T G.114 finds one-way delay under 150 ms fine for nearly all
//     talk and over 400 ms unacceptable; as round trips: good < 300 ms, poor ≥ 800 ms;
//   packet loss — video codecs hide under 2 %, picture and sound break up past 8 %;
//   frame rate — below 10 fps motion looks jerky (only when video arrives at all);
//   nothing received — 0 kb/s in a second is no call at all, whatever the round trip
//     says (the badge said "Good" at 0 kb/s with the peer's camera denied).
// The worst figure decides. 'unknown' until there is a round trip or a loss figure.
export const THRESHOLDS = Object.freeze({
  rttMs: { fair: 300, poor: 800 },
  lossPct: { fair: 2, poor: 8 },
  fps: { fair: 15, poor: 10 },
});

export function quality(r) {
  if (!r || (r.rttMs === null && r.lossPct === null)) return 'unknown';
  let level = 0; // 0 good, 1 fair, 2 poor
  const worse = (v, { fair, poor }) => (v >= poor ? 2 : v >= fair ? 1 : 0);
  if (r.rttMs !== null && r.rttMs !== undefined) level = Math.max(level, worse(r.rttMs, THRESHOLDS.rttMs));
  if (r.lossPct !== null && r.lossPct !== undefined) level = Math.max(level, worse(r.lossPct, THRESHOLDS.lossPct));
  if (r.kbpsIn === 0) level = 2;
  if (r.width > 0 && r.fps !== null && r.fps !== undefined) {
    level = Math.max(level, r.fps < THRESHOLDS.fps.poor ? 2 : r.fps < THRESHOLDS.fps.fair ? 1 : 0);
  }
  return ['good', 'fair', 'poor'][level];
}


// The figures as short strings for the tile; a missing figure reads "–".
export function describe(r) {
  const dash = '–';
  const kb = (v) => (v === null || v === undefined ? dash : v >= 1000 ? `${(v / 1000).toFixed(1)} Mb/s` : `${v} kb/s`);
  const path = r?.path;
  return {
    rtt: r?.rttMs === null || r?.rttMs === undefined ? dash : `${r.rttMs} ms`,
    in: kb(r?.kbpsIn),
    out: kb(r?.kbpsOut),
    loss: r?.lossPct === null || r?.lossPct === undefined ? dash : `${r.lossPct.toFixed(1)} %`,
    video: r?.width ? `${r.width}×${r.height}${r.fps !== null ? ` @ ${r.fps} fps` : ''}` : dash,
    path: !path ? dash : path.relayed ? 'relayed' : 'direct',
    pathDetail: !path ? '' : `${CANDIDATE_WORDS[path.local] || path.local} ↔ ${CANDIDATE_WORDS[path.remote] || path.remote}`
      + `${path.protocol ? ` over ${path.protocol.toUpperCase()}` : ''}`
      + `${path.relayProtocol ? ` (to TURN by ${path.relayProtocol.toUpperCase()})` : ''}`,
  };
}
