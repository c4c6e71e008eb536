// Every sentence the pages show, in words a first-time user understands. One place, so
// the tile, the prompt line, the chat and the tests agree on the wording. Pure: state in,
// words out. The words themselves are the page language's catalog (static/i18n/<lang>.json,
// looked up by key through ../i18n.js; issue 28): this module says which sentence, the
// catalog how it reads. (The connection check's findings stay in connectivity.js's
// verdict(), a pure function of its facts that e2e/test_turn.py reads line by line.)
// Longer than 300 lines: it is one table of every sentence of the call page; split, the
// wording of one state would be spread over several files.
import { t } from '../i18n.js';
import { groupPhaseText } from './group-words.js';

export const ANCHOR_STATUS = {
  offline: t('anchor.offline'), online: t('anchor.free'), ringing: t('anchor.ringing'), 'in-call': t('anchor.inCall'),
  connected: t('anchor.inCallConnected'),
};

const who = (peer) => peer?.displayName || t('who.otherPerson');

// The peer's page left mid-call (rejoin.js): a reload brings it back within seconds.
const PEER_LEAVING = (name) => t('phase.peerLeaving', { name });

export function phaseText(slot, anchor) {
  const group = groupPhaseText(slot); // a group call or ring (issue 26)
  if (group) return group;
  const name = who(slot.peer);
  switch (slot.phase) {
    case 'ringing-out': return t('phase.ringingOut', { name });
    case 'ringing-in': return t('phase.ringingIn', { name });
    case 'connecting':
      if (slot.pcState === 'disconnected' || slot.pcState === 'failed') return t('phase.interrupted', { name });
      if (slot.peerLeaving) return PEER_LEAVING(name);
      if (slot.callState === 'reconnecting') return t('phase.serverDropped', { name });
      return slot.peer ? t('phase.connectingTo', { name }) : t('phase.connecting');
    case 'connected':
      if (slot.pcState === 'disconnected' || slot.pcState === 'failed') return t('phase.interrupted', { name });
      return t('phase.inCall', { name });
    default:
      return anchor?.status === 'online' ? t('phase.free') : t('phase.offline');
  }
}

// How the last ring or call ended. `reason` is the protocol's word; the text says
// what happened from this side's point of view.
export function outcomeText(outcome) {
  if (!outcome) return '';
  const name = who(outcome.peer);
  const caller = outcome.role === 'caller';
  const said = (key) => t(key, { name });
  switch (outcome.reason) {
    case 'declined': return said(caller ? 'outcome.declinedCaller' : 'outcome.declinedCallee');
    case 'cancelled': return said(caller ? 'outcome.cancelledCaller' : 'outcome.cancelledCallee');
    case 'missed': return said(caller ? 'outcome.missedCaller' : 'outcome.missedCallee');
    case 'busy': return said('outcome.busy');
    case 'unavailable': return said('outcome.unavailable');
    case 'peer-left':
      // a ring that ended because a side left is a missed call, not an ended one
      if (outcome.ring) return said(caller ? 'outcome.leftRingCaller' : 'outcome.leftRingCallee');
      return said('outcome.peerLeft');
    case 'peer-closed': return said('outcome.peerClosed');
    case 'hangup': return said(outcome.by === 'you' ? 'outcome.hangupYou' : 'outcome.hangupPeer');
    case 'connection-lost': return t('outcome.connectionLost');
    case 'removed': return t('outcome.removed');
    default:
      return caller && outcome.message ? t('outcome.couldNotCall', { name, message: outcome.message })
        : t('outcome.ended', { why: outcome.message || outcome.reason });
  }
}

// -- a live call's network state (health.js, anchor-tile.js) ----------------------------

export const PILL = {
  idle: [t('pill.idle'), 'online'], 'ringing-out': [t('pill.ringingOut'), 'ringing'], 'ringing-in': [t('pill.ringingIn'), 'ringing'],
  connecting: [t('pill.connecting'), 'connecting'], connected: [t('pill.connected'), 'connected'],
  offline: [t('pill.offline'), 'offline'], reconnecting: [t('pill.reconnecting'), 'connecting'], failed: [t('pill.failed'), 'error'],
};
// the figures' short labels and the path's word on the tile (anchor-tile.js)
export const STAT_SHORT = { loss: t('stat.lossShort'), direct: t('stat.direct'), relayed: t('stat.relayed') };
export const NET_BANNER = { failed: t('pill.failed'), reconnecting: t('pill.reconnecting') };
export const QUALITY_WORDS = { good: t('quality.good'), fair: t('quality.fair'), poor: t('quality.poor'), unknown: '…' };
export const STAT_TITLES = {
  rtt: t('stat.rtt'), in: t('stat.in'), out: t('stat.out'), loss: t('stat.loss'), video: t('stat.video'), path: '',
};

// Which hop failed (health.js failedHop), in plain words (issue 30).
export const HOP_WORDS = { relay: t('problem.hopRelay'), peer: t('problem.hopPeer') };

// A problem of health.js ({code, turn, connectedBefore, hop, relayOnly}) as a sentence.
export function problemText({ code, turn, connectedBefore, hop, relayOnly }) {
  // The hop, where it is known: no relay gathered because the TURN server did not answer
  // (a refusal or an unknown failure keeps the TURN words), or a relay but no pair.
  const hopWords = hop === 'peer' || (hop === 'relay' && turn === 'unreachable') ? HOP_WORDS[hop] : null;
  const why = hopWords || {
    refused: t('problem.turnRefused'),
    unreachable: t('problem.turnUnreachable'),
    none: relayOnly ? t('problem.relayNoTurn') : t('problem.noTurn'),
    unknown: t('problem.turnUnknown'),
  }[turn] || '';
  if (code === 'lost') return t('problem.lost');
  if (connectedBefore) return t('problem.noPathNow', { why });
  return t('problem.noPath', { why });
}

// The status line of a live call that is not simply connected (null: phaseText says it).
export function netText(net, slot, session, signalingStatus) {
  const name = slot.peer?.displayName || t('who.otherPersonLower');
  if ((net === 'failed' || net === 'reconnecting') && session?.problem) return problemText(session.problem);
  if (net !== 'reconnecting') return null;
  if (signalingStatus !== 'connected') return t('net.ownServer');
  if (slot.peerLeaving) return PEER_LEAVING(name);
  if (slot.callState === 'reconnecting') return t('net.peerServer', { name });
  if (session?.restarting || session?.net === 'reconnecting') return t('net.newPath', { name });
  return t('net.restoring', { name });
}

// -- a slot's controls (anchor-tile.js, anchor-grid.js) ----------------------------------

// What the peer turned off, from its call:peer-state ('' when everything is on).
// Said with the person's name (issue 31.3), not "Peer".
export function peerMediaText(peerMedia, name) {
  if (!peerMedia) return '';
  const vars = { name: name || t('who.otherPerson') };
  if (!peerMedia.audio && !peerMedia.video) return t('peer.mutedCameraOff', vars);
  if (!peerMedia.audio) return t('peer.muted', vars);
  return peerMedia.video ? '' : t('peer.cameraOff', vars);
}

// The note over the peer's video: what it turned off, and what this side sees (signs.js):
// its camera is on but no video arrives; the connection is poor.
export const SIGN_WORDS = { notSending: t('sign.notSending'), poor: t('sign.poor'), unstable: t('sign.unstable') };

// unstable: this side's own sending suffers (signs.js sendingTrouble); "Poor connection" says enough
export function peerNoteText(peerMedia, { notSending, poor, unstable }, name) {
  return [peerMediaText(peerMedia, name), notSending && SIGN_WORDS.notSending, poor && SIGN_WORDS.poor,
    unstable && !poor && SIGN_WORDS.unstable].filter(Boolean).join(' · ');
}

// The own tile's placeholder (anchor-tile.js): nothing in a call or while video shows;
// "Starting camera…" while the camera starts (31.9: it said "Not sending video" for the
// ~0.7 s getUserMedia takes), "Camera blocked" under the user's initial when the camera
// cannot start (cameraBlocked), else "Not sending video".
export function previewNote(phase, hasVideo, starting, blocked = false) {
  if (phase !== 'idle' || hasVideo) return '';
  return starting ? t('tile.startingCamera') : blocked ? t('tile.cameraBlocked') : TILE.noVideo;
}

// The line sends the camera, or nothing until the camera works (call-page.js cameraFallback:
// a line with no camera at the start, put back on it when it works).
const waitsForCamera = (media) => media.sourceId === 'camera' || (media.sourceId === 'none' && Boolean(media.cameraFallback));

// The camera was asked for and failed (blocked, missing): the own tile shows the user's
// initial with that short reason, not a dark "Not sending video" box.
export const cameraBlocked = (media) => waitsForCamera(media) && !media.videoTrack && media.library?.camera?.status === 'error';

// A line's media (media.js AnchorMedia) waits for the camera: asked for, or ready with
// video that has not reached this line yet.
export function cameraStarting(media) {
  const camera = media.library?.camera;
  if (!waitsForCamera(media) || !camera || media.videoTrack) return false;
  return camera.status === 'starting' || (camera.status === 'ready' && Boolean(camera.stream?.getVideoTracks().length));
}

export const TILE = {
  noVideo: t('sign.notSending'),
  receiveOnly: t('tile.receiveOnly'),
  goOnline: t('tile.goOnline'), goOffline: t('tile.goOffline'),
  busyTitle: t('tile.busyTitle'), offlineTitle: t('tile.offlineTitle'), onlineTitle: t('tile.onlineTitle'),
  addTitle: t('tile.addTitle'),
  maxSlots: (max) => t('tile.maxSlots', { count: max }),
  // the tile's own labels (anchor-tile.js, anchor-grid.js, self-view.js)
  slotName: t('tile.slotName'), rename: t('tile.rename'), remoteVideo: t('tile.remoteVideo'),
  preview: t('tile.preview'), previewMuted: t('tile.previewMuted'), unmute: t('tile.unmute'),
  accept: t('tile.accept'), decline: t('tile.decline'), cancel: t('tile.cancel'),
  qualityTitle: t('tile.qualityTitle'), quality: t('tile.quality'), sends: t('tile.sends'), details: t('tile.details'),
  remove: t('tile.remove'),
  removeAsk: (name, slot) => t('tile.removeAsk', { name: name || t('who.otherPersonLower'), slot }),
  removeYes: t('tile.removeYes'), removeNo: t('tile.removeNo'), send: t('tile.send'), mute: t('tile.mute'), unmuteMic: t('tile.unmuteMic'),
  stopCam: t('tile.stopCam'), startCam: t('tile.startCam'), hangUp: t('tile.hangUp'), chat: t('tile.chat'),
  fullscreen: t('tile.fullscreen'), pipLabel: t('tile.pipLabel'),
  keysLabel: t('tile.keysLabel'), focus: t('tile.focus'), exitFocus: t('tile.exitFocus'),
  saving: t('tile.saving'), saved: t('tile.saved'),
  // presenting a screen (presenting.js)
  callAgain: t('outcome.callAgain'),
  present: t('present.start'), stopPresenting: t('present.stop'), presenting: t('present.banner'),
  peerPresenting: (name) => t('present.peer', { name: name || t('who.otherPerson') }),
};

// The movable self-view's name (self-view.js): which corner it is in, how to move it.
export const SELF_VIEW = {
  topLeft: t('selfView.topLeft'), topRight: t('selfView.topRight'),
  bottomLeft: t('selfView.bottomLeft'), bottomRight: t('selfView.bottomRight'),
  label: (corner) => t('selfView.label', { corner }),
};

// What a slot can send (media.js), by source id.
export const SOURCE_WORDS = {
  'clip:bars': t('source.bars'), 'clip:testsrc': t('source.testsrc'), 'clip:mandelbrot': t('source.mandelbrot'),
  camera: t('source.camera'), screen: t('source.screen'), none: t('source.none'),
};

// -- what the page's actions say when they fail (call-page.js, calls.js) ----------------

export const ACTION_FAILED = {
  add: t('failed.add'), online: t('failed.online'), offline: t('failed.offline'),
  rename: t('failed.rename'), remove: t('failed.remove'), verify: t('failed.verify'),
};
export const NO_FREE_SLOT = t('calls.noFreeSlot');
// verb: 'accept', 'decline' or 'hang up' (calls.js)
const ANSWER_FAILED = { accept: 'calls.acceptFailed', decline: 'calls.declineFailed', 'hang up': 'calls.hangupFailed' };
export const answerFailed = (verb, message) => t(ANSWER_FAILED[verb] || 'calls.acceptFailed', { message });
export const INCOMING_TITLE = t('calls.incomingTitle');
export const RING_NOTICE = {
  title: (name) => (name ? t('ring.title', { name }) : t('ring.titleSomeone')),
  body: (slot) => t('ring.body', { slot }),
};
export const FIRST_FREE_SLOT = t('calls.firstFreeSlot');
// A new line's name in this page's language ("Line 2"): the lowest n none of `taken` uses.
export function nextLineName(taken) {
  const names = new Set(taken);
  let n = 1;
  while (names.has(t('tile.lineName', { n }))) n += 1;
  return t('tile.lineName', { n });
}
export const CONNECTIVITY_NOT_LOADED = t('calls.connectivityNotLoaded');
export const CHAT_NOT_LOADED = t('calls.chatNotLoaded');

// -- the page's status line and next step (views/status.js) -------------------------------

export const CONNECTION = {
  connecting: t('conn.connecting'), connected: t('pill.connected'), disconnected: t('conn.disconnected'),
  refused: t('conn.refused'), reconnecting: t('pill.reconnecting'),
};
// the connection line's tooltip: which transport carries the signaling
export const connectionVia = (transport) => t('conn.via', { transport });
// a call's path, end by end (stats.js pathDetail: the tile's path tooltip)
export const CANDIDATE_WORDS = {
  host: t('path.host'), srflx: t('path.srflx'), prflx: t('path.prflx'), relay: t('path.relay'),
};

export const NEXT_STEP = {
  refused: (reason) => t('next.refused', { reason }),
  lostInCall: t('next.lostInCall'),
  lost: t('next.lost'),
  connecting: t('next.connecting'),
  ringing: (name, slot) => t('next.ringing', { name, slot }),
  ringingOut: (name) => t('next.ringingOut', { name: name || '…' }),
  live: (names) => t('next.live', { names }),
  noSlots: t('next.noSlots'),
  allOffline: t('next.allOffline'),
  alone: (url) => t('next.alone', { url }),
  allBusy: t('next.allBusy'),
  pick: t('next.pick'),
  cameraFirst: t('next.cameraFirst'),
};

// -- chat (chat/view.js, chat/store.js) -----------------------------------------------------

export const CALL_WORDS = {
  'call-started': t('callLog.started'),
  'call-ended': t('callLog.ended'),
  'call-missed': t('callLog.missed'),
  'call-declined': t('callLog.declined'),
};
export const STATUS_WORDS = {
  pending: ['◷', t('status.pending')], sent: ['✓', t('status.sent')], delivered: ['✓✓', t('status.delivered')],
  read: ['✓✓', t('status.read')], failed: ['!', t('status.failed')],
};
export const CHAT_STATUS = {
  connected: '', connecting: t('chatStatus.connecting'),
  disconnected: t('chatStatus.disconnected'),
  refused: t('chatStatus.refused'),
  cannotStore: t('chatStatus.cannotStore'),
};
export const CHAT = {
  noConversations: t('chat.noConversations'), nobodyOnline: t('chat.nobodyOnline'), inviteByLink: t('chat.inviteByLink'), sayHello: t('chat.sayHello'),
  loadingOlder: t('chat.loadingOlder'), scrollUp: t('chat.scrollUp'),
  start: t('chat.start'), loading: t('chat.loading'),
  online: t('chat.online'), offline: t('chat.offline'), offlineWaits: t('chat.offlineWaits'),
  you: t('chat.you'), youPrefix: t('chat.youPrefix'), notSent: (why) => t('chat.notSent', { why: why || t('chat.refused') }),
  today: t('chat.today'), yesterday: t('chat.yesterday'), retry: t('chat.retry'), discard: t('chat.discard'),
};
export const MESSAGE_EMPTY = t('chat.empty');
export const messageTooLong = (n, max) => t('chat.tooLong', { n, max });
export const unreadLabel = (n) => (n ? t('chat.unread', { count: n }) : '');
// a message during a call (views/chat-toast.js)
export const TOAST = {
  open: t('toast.open'), dismiss: t('toast.dismiss'), label: t('toast.label'),
  message: (name, text) => t('toast.message', { name, text }),
  chatWithNew: (n) => `${t('tile.chat')}, ${t('chat.unread', { count: n })}`,
};

// -- the lobby (views/lobby.js) -------------------------------------------------------------

export const LOBBY = {
  failed: (query, why) => (query ? t('lobby.searchFailed', { query, why }) : t('lobby.failed', { why })),
  window: (inView, online) => t('lobby.window', { inView, count: online }),
  moreMatches: (n, query) => t('lobby.moreMatches', { count: n, query }),
  matches: (n, query) => t('lobby.matches', { count: n, query }),
  noMatch: (query) => t('lobby.noMatch', { query }),
  nobody: t('lobby.nobody'),
  count: (text, n) => t('lobby.count', { text, count: n }),
  noSlots: t('lobby.noSlots'),
  answerTitle: t('lobby.answerTitle'),
  callTitle: (name) => t('lobby.callTitle', { name }),
  cannotCallTitle: t('lobby.cannotCallTitle'),
  cameraFirstTitle: t('lobby.cameraFirstTitle'), awayTitle: t('lobby.awayTitle'),
  away: (status) => t('lobby.away', { status }), otherTab: t('lobby.otherTab'),
  sameName: t('lobby.sameName'), stale: t('lobby.stale'), staleTitle: t('lobby.staleTitle'),
  call: t('lobby.call'), answer: t('lobby.answer'), you: t('lobby.you'),
};

export const UNREACHABLE = {
  noAnswer: t('unreachable.noAnswer'),
  detail: (seconds, why) => t('unreachable.detail', { count: seconds, why }),
};

// -- camera and microphone (media.js, views/media-panel.js) -----------------------------------

export const CAMERA = {
  idle: t('camera.idle'),
  ready: t('camera.ready'),
  retry: t('camera.retry'), start: t('camera.start'),
  device: (kind, n) => t(kind === 'videoinput' ? 'camera.deviceCamera' : 'camera.deviceMicrophone', { n }),
  asking: t('camera.asking'),
  noCamera: t('camera.noCamera'),
  noMicrophone: t('camera.noMicrophone'),
  noScreen: t('camera.noScreen'),
  screenCancelled: t('camera.screenCancelled'),
};

// Words a person can act on, by getUserMedia error name.
const CAMERA_ERRORS = {
  NotAllowedError: 'cameraError.notAllowed', NotFoundError: 'cameraError.notFound',
  NotReadableError: 'cameraError.notReadable', OverconstrainedError: 'cameraError.overconstrained',
  SecurityError: 'cameraError.security', TypeError: 'cameraError.type',
};

// The camera banner at the top of the call page (views/camera-gate.js): what is wrong, the
// fix in this browser's own words, and the two ways on.
export const CAMERA_GATE = {
  blocked: t('gate.blocked'), notFound: t('gate.notFound'), notWorking: t('gate.notWorking'),
  fix: { chrome: t('gate.fixChrome'), edge: t('gate.fixEdge'), firefox: t('gate.fixFirefox'),
    safari: t('gate.fixSafari'), other: t('gate.fixOther') },
  retry: t('gate.retry'), skip: t('gate.skip'), skipHint: t('gate.skipHint'),
};

export function cameraErrorMessage(err) {
  const key = CAMERA_ERRORS[err?.name];
  return key ? t(key) : t('cameraError.other', { name: err?.name || 'error', message: err?.message || '' });
}

// -- offline mode (offline.js) ------------------------------------------------------------------

export const OFFLINE = {
  title: t('offline.title'),
  intro: ` ${t('offline.intro')}`,
  pick: t('offline.pick'),
  connected: t('offline.connected'),
  connecting: (seconds) => t('offline.connecting', { count: seconds }),
  conn: t('offline.conn'),
  serverGone: t('offline.serverGone'),
  serverBack: t('offline.serverBack'),
  reload: t('offline.reload'),
  connBack: t('offline.connBack'),
  offlineCopy: t('offline.offlineCopy'),
  start: t('offline.start'), stop: t('offline.stop'), sends: t('offline.sends'),
  slotA: t('offline.slotA'), slotB: t('offline.slotB'),
};

// -- the live region of the call page (views/stage.js) ----------------------------------
export const ANNOUNCE = {
  ringing: (name) => (name ? t('announce.ringing', { name }) : t('announce.ringingSomeone')),
  calling: (name) => t('announce.calling', { name: name || t('who.them') }),
  live: (name) => t('announce.live', { name: name || t('who.otherPersonLower') }),
  chatOpen: t('announce.chatOpen'),
  chatClosed: t('announce.chatClosed'),
  mic: (on) => (on ? t('announce.micOn') : t('announce.micOff')),
  cam: (on) => (on ? t('announce.camOn') : t('announce.camOff')),
};

// -- safety code and address privacy (safety.js, views/safety.js) ------------------------------

export const SAFETY = {
  hidden: t('safety.hidden'),
  exposed: (type) => t('safety.exposed', { type }),
  label: t('safety.label'),
  meaning: t('safety.meaning'),
  computing: t('safety.computing'),
  // why: safety.js's reason (no WebCrypto: not a secure page; no fingerprint; a mismatch)
  unavailable: (why) => t('safety.unavailable', { why }),
  verify: t('safety.verify'),
  verifyTitle: t('safety.verifyTitle'),
  unverify: t('safety.unverify'),
  verified: (name) => t('safety.verified', { name }),
  mismatch: (name) => t('safety.mismatch', { name }),
  badge: t('safety.badge'), badgeTitle: t('safety.badgeTitle'),
  warnBadge: t('safety.warnBadge'), warnBadgeTitle: t('safety.warnBadgeTitle'),
};
