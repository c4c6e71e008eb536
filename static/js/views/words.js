// Every sentence the pages show, in words a first-time user understands. One place, so
// the tile, the prompt line, the chat and the tests agree on the wording. Pure: state in,
// words out. (The connection check's findings stay in connectivity.js's verdict(), a pure
// function of its facts that e2e/test_turn.py reads line by line.)

export const ANCHOR_STATUS = {
  offline: 'offline', online: 'free', ringing: 'ringing', 'in-call': 'in a call',
};

const who = (peer) => peer?.displayName || 'The other person';

// The peer's page left mid-call (rejoin.js): a reload brings it back within seconds.
const PEER_LEAVING = (name) => `${name} left the page — waiting a few seconds in case they are reloading; the call ends otherwise.`;

export function phaseText(slot, anchor) {
  const name = who(slot.peer);
  switch (slot.phase) {
    case 'ringing-out': return `Calling ${name}… waiting for an answer`;
    case 'ringing-in': return `${name} is calling you`;
    case 'connecting':
      if (slot.pcState === 'disconnected' || slot.pcState === 'failed') return `Connection to ${name} interrupted — trying to recover…`;
      if (slot.peerLeaving) return PEER_LEAVING(name);
      if (slot.callState === 'reconnecting') return `Connection to the server dropped — waiting for it to come back (the call with ${name} resumes)…`;
      return slot.peer ? `Connecting to ${name}…` : 'Connecting…';
    case 'connected':
      if (slot.pcState === 'disconnected' || slot.pcState === 'failed') return `Connection to ${name} interrupted — trying to recover…`;
      return `In a call with ${name}`;
    default:
      return anchor?.status === 'online' ? 'Free — waiting for a call' : 'Offline — nobody can call this slot';
  }
}

// How the last ring or call ended. `reason` is the protocol's word; the text says
// what happened from this side's point of view.
export function outcomeText(outcome) {
  if (!outcome) return '';
  const name = who(outcome.peer);
  const caller = outcome.role === 'caller';
  switch (outcome.reason) {
    case 'declined': return caller ? `${name} declined your call.` : `You declined the call from ${name}.`;
    case 'cancelled': return caller ? `You cancelled the call to ${name}.` : `${name} cancelled the call (missed).`;
    case 'missed': return caller ? `No answer from ${name}: the call was missed.` : `You missed a call from ${name}.`;
    case 'busy': return `${name} is busy in another call. Try again later.`;
    case 'unavailable': return `${name}'s slot went offline.`;
    case 'peer-left':
      // a ring that ended because a side left is a missed call, not an ended one
      if (outcome.ring) {
        return caller ? `No answer: ${name} left before answering (closed the page or lost the connection).`
          : `You missed a call from ${name}: they left before you answered.`;
      }
      return `Call ended: peer left — ${name} closed the page or lost the connection.`;
    case 'peer-closed': return `Call ended: ${name} closed the page.`;
    case 'hangup': return outcome.by === 'you' ? `You hung up on ${name}.` : `${name} hung up.`;
    case 'connection-lost': return 'Call ended: your connection to the server was lost.';
    case 'removed': return 'Call ended: the slot was removed.';
    default:
      return caller && outcome.message ? `Could not call ${name}: ${outcome.message}.` : `Call ended (${outcome.message || outcome.reason}).`;
  }
}

// -- a live call's network state (health.js, anchor-tile.js) ----------------------------

export const PILL = {
  idle: ['Free', 'online'], 'ringing-out': ['Calling…', 'ringing'], 'ringing-in': ['Incoming call', 'ringing'],
  connecting: ['Connecting…', 'connecting'], connected: ['Connected', 'connected'],
  offline: ['Offline', 'offline'], reconnecting: ['Reconnecting…', 'connecting'], failed: ['No connection', 'error'],
};
export const NET_BANNER = { failed: 'No connection', reconnecting: 'Reconnecting…' };
export const QUALITY_WORDS = { good: 'Good', fair: 'Fair', poor: 'Poor', unknown: '…' };
export const STAT_TITLES = {
  rtt: 'Round-trip time', in: 'Receiving (bitrate in)', out: 'Sending (bitrate out)',
  loss: 'Packet loss (received, last second)', video: 'Video received: resolution and frame rate', path: '',
};

// Which hop failed (health.js failedHop), in plain words (issue 30).
export const HOP_WORDS = {
  relay: ' — the relay server cannot be reached from your network',
  peer: ' — the other person\'s network blocks the call',
};

// A problem of health.js ({code, turn, connectedBefore, hop, relayOnly}) as a sentence.
export function problemText({ code, turn, connectedBefore, hop, relayOnly }) {
  const why = (turn !== 'refused' && HOP_WORDS[hop]) || {
    refused: ' — the TURN server refused the credentials',
    unreachable: ' — the TURN server did not answer',
    none: relayOnly ? ' — relay required but no TURN server configured' : ' (no TURN server configured)',
    unknown: ' (TURN refused?)',
  }[turn];
  if (code === 'lost') return 'Connection lost for a while — still trying. Hang up to give up.';
  if (connectedBefore) return `Connection lost: no network path right now${why}. Still trying…`;
  return `Could not connect: no network path${why}. Hang up and try again, or run the connection check.`;
}

// The status line of a live call that is not simply connected (null: phaseText says it).
export function netText(net, slot, session, signalingStatus) {
  const name = slot.peer?.displayName || 'the other person';
  if ((net === 'failed' || net === 'reconnecting') && session?.problem) return problemText(session.problem);
  if (net !== 'reconnecting') return null;
  if (signalingStatus !== 'connected') return 'Reconnecting… the connection to the server dropped; the call itself is direct and goes on.';
  if (slot.peerLeaving) return PEER_LEAVING(name);
  if (slot.callState === 'reconnecting') return `Reconnecting… ${name}'s connection to the server dropped; the call goes on meanwhile.`;
  if (session?.restarting || session?.net === 'reconnecting') return `Reconnecting… finding a new network path to ${name}.`;
  return `Reconnecting… restoring the call with ${name}.`;
}

// -- a slot's controls (anchor-tile.js, anchor-grid.js) ----------------------------------

// What the peer turned off, from its call:peer-state ('' when everything is on).
export function peerMediaText(peerMedia) {
  if (!peerMedia) return '';
  const off = [!peerMedia.audio && 'muted', !peerMedia.video && 'camera off'].filter(Boolean);
  return off.length ? `Peer ${off.join(', ')}` : '';
}

// The note over the peer's video: what it turned off, and what this side sees (signs.js):
// its camera is on but no video arrives; the connection is poor.
export const SIGN_WORDS = { notSending: 'Not sending video', poor: 'Poor connection' };

export function peerNoteText(peerMedia, { notSending, poor }) {
  return [peerMediaText(peerMedia), notSending && SIGN_WORDS.notSending, poor && SIGN_WORDS.poor]
    .filter(Boolean).join(' · ');
}

export const TILE = {
  noVideo: 'Not sending video',
  receiveOnly: 'Sending nothing (receive only). Pick a sample clip in the menu below to send video.',
  goOnline: 'Go online', goOffline: 'Go offline',
  busyTitle: 'Hang up first', offlineTitle: 'Stop receiving calls on this slot', onlineTitle: 'Let others call this slot',
  addTitle: 'Add a slot for one more call at once',
  maxSlots: (max) => `At most ${max} slots per tab`,
};

// -- what the page's actions say when they fail (call-page.js, calls.js) ----------------

export const ACTION_FAILED = {
  add: 'Could not add a slot', online: 'Could not go online', offline: 'Could not go offline',
  rename: 'Could not rename the slot', remove: 'Could not remove the slot',
  verify: 'Could not save the verified mark',
};
export const NO_FREE_SLOT = 'None of your slots is free: go online with a slot (or add one) to call.';
export const answerFailed = (verb, message) => `Could not ${verb}: ${message}`;
export const INCOMING_TITLE = '(Incoming call) ';
export const RING_NOTICE = {
  title: (name) => `${name || 'Someone'} is calling you`,
  body: (slot) => `On ${slot}. Open TLightChat to accept or decline.`,
};
export const FIRST_FREE_SLOT = 'first free slot';
export const CONNECTIVITY_NOT_LOADED = 'The connection check could not be loaded. Press the button to try again.';

// -- the page's status line and next step (views/status.js) -------------------------------

export const CONNECTION = {
  connecting: 'Connecting…', connected: 'Connected', disconnected: 'Disconnected — reconnecting', refused: 'Refused',
  reconnecting: 'Reconnecting…',
};

export const NEXT_STEP = {
  refused: (reason) => `The server refused the connection: ${reason}`,
  lostInCall: 'Connection to the server lost — reconnecting. Your calls go on meanwhile (their media is direct).',
  lost: 'Connection to the server lost — reconnecting…',
  connecting: 'Connecting to the server…',
  ringing: (name, slot) => `${name} is calling your “${slot}”: press Accept or Decline.`,
  ringingOut: (name) => `Ringing ${name || '…'} — waiting for them to answer. Cancel to stop.`,
  live: (names) => `In a call with ${names}. Use the slot's buttons to mute, switch what you send, or hang up.`,
  noSlots: 'Add a call slot to make or receive calls.',
  allOffline: 'Press “Go online” on a slot so others can call you.',
  alone: (url) => `You are online. Nobody else is here yet: open ${url} in another browser or send it to someone.`,
  allBusy: 'All your slots are busy or offline. Add a slot to take another call.',
  pick: 'Pick someone in the lobby and press Call — or wait for them to call you.',
};

// -- chat (chat/view.js, chat/store.js) -----------------------------------------------------

export const CALL_WORDS = {
  'call-started': 'Call started',
  'call-ended': 'Call ended',
  'call-missed': 'Missed call',
  'call-declined': 'Call declined',
};
export const STATUS_WORDS = {
  pending: ['◷', 'Sending…'], sent: ['✓', 'Sent'], delivered: ['✓✓', 'Delivered'],
  read: ['✓✓', 'Read'], failed: ['!', 'Not sent'],
};
export const CHAT_STATUS = {
  connected: '', connecting: 'Connecting… Messages you write are kept and sent once connected.',
  disconnected: 'Offline. Messages you write are kept and sent once connected again.',
  refused: 'The server refused this connection; reload the page.',
  cannotStore: 'Messages are waiting: the server cannot store them right now. They are kept here and sent automatically.',
};
export const CHAT = {
  noConversations: 'No conversations yet.', nobodyOnline: 'Nobody else is online.', sayHello: 'online — say hello',
  loadingOlder: 'Loading older messages…', scrollUp: 'Scroll up for older messages',
  start: 'This is the start of your conversation.', loading: 'Loading…',
  online: 'online', offline: 'offline', offlineWaits: 'offline — messages wait for them',
  you: 'You', youPrefix: 'You: ', notSent: (why) => `Not sent: ${why || 'refused'} `,
};
export const MESSAGE_EMPTY = 'The message is empty.';
export const messageTooLong = (n, max) => `The message is ${n.toLocaleString()} characters; the limit is ${max.toLocaleString()}.`;
export const unreadLabel = (n) => (n ? `${n} unread message${n === 1 ? '' : 's'}` : '');

// -- the lobby (views/lobby.js) -------------------------------------------------------------

export const LOBBY = {
  failed: (query, why) => (query ? `Could not search for “${query}”: ${why}` : `Could not load the lobby: ${why}`),
  window: (inView, online) => `Showing ${inView} of ${online} people online — search by name to find someone.`,
  moreMatches: (n, query) => `Showing ${n} matching “${query}”; there are more — type more of the name to narrow it down.`,
  matches: (n, query) => `${n} matching “${query}”`,
  noMatch: (query) => `No one online matches “${query}”.`,
  nobody: 'Nobody else is online yet.',
  count: (text, n) => `${text} ${n === 1 ? 'person' : 'people'} online`,
  noSlots: 'No call slots yet',
  answerTitle: 'They are calling you: this answers',
  callTitle: (name) => `Call ${name}`,
  cannotCallTitle: 'Put one of your slots online (and free) to call',
  sameName: 'Someone else here has a name that reads the same: this mark, given by the server, tells them apart',
};

export const UNREACHABLE = {
  noAnswer: 'it does not answer',
  detail: (seconds, why) => `No connection for ${seconds} s (${why}). Still trying…`,
};

// -- camera and microphone (media.js, views/media-panel.js) -----------------------------------

export const CAMERA = {
  idle: 'Camera not started.',
  ready: 'Camera and microphone are working. Each slot sends what its “Send” menu says.',
  retry: 'Try camera again', start: 'Start camera',
  device: (kind, n) => `${kind === 'videoinput' ? 'Camera' : 'Microphone'} ${n}`,
  asking: 'Asking for the camera and microphone…',
  noCamera: 'No camera found: sending sound only.',
  noMicrophone: 'No microphone found: sending video only.',
  noScreen: 'This browser cannot share the screen.',
  screenCancelled: 'Screen sharing was cancelled.',
};

// Words a person can act on, by getUserMedia error name.
const CAMERA_ERRORS = {
  NotAllowedError: 'Camera and microphone are blocked for this site. Allow them from the address bar and press “Try camera again”, or send a sample clip instead — you can also call and receive without sending.',
  NotFoundError: 'No camera or microphone was found. Send a sample clip instead, or call without sending (receive only).',
  NotReadableError: 'The camera is in use by another program or could not start. Close that program and try again, or send a sample clip.',
  OverconstrainedError: 'The chosen device is no longer available. Pick another one.',
  SecurityError: 'This page is not allowed to use the camera (it needs HTTPS or localhost). Send a sample clip instead.',
  TypeError: 'This browser cannot open a camera here (it needs HTTPS or localhost). Send a sample clip instead.',
};

export function cameraErrorMessage(err) {
  return CAMERA_ERRORS[err?.name] || `The camera could not start (${err?.name || 'error'}: ${err?.message || ''}). Send a sample clip instead.`;
}

// -- offline mode (offline.js) ------------------------------------------------------------------

export const OFFLINE = {
  title: 'Offline mode: test your camera and microphone',
  intro: ' Here you can choose what each slot sends, see it, and run a test call between the two slots of this page: '
    + 'video and sound go through a real peer connection, as in a call.',
  pick: 'Pick what each slot sends, then start the test call.',
  connected: 'Test call connected: each slot shows what the other sends. Sound plays too — use headphones to avoid echo.',
  connecting: (seconds) => `Connecting the test call… (${seconds} s)`,
  conn: 'Offline mode',
  serverGone: 'The server cannot be reached, so calling others and chat are off. This page keeps checking and tells you when it is back.',
  serverBack: 'The server is back. Reload the page to call people and chat again.',
  reload: 'Reload now',
  connBack: 'Server is back',
  offlineCopy: 'This is the offline copy of TLightChat: there is no server, so calling others and chat are off.',
};

// -- the live region of the call page (views/stage.js) ----------------------------------
export const ANNOUNCE = {
  ringing: (name) => `${name || 'Someone'} is calling you. Accept or decline.`,
  calling: (name) => `Calling ${name || 'them'}…`,
  live: (name) => `In a call with ${name || 'the other person'}.`,
  chatOpen: 'Chat opened beside the call.',
  chatClosed: 'Chat closed.',
  mic: (on) => (on ? 'Microphone on.' : 'Microphone muted.'),
  cam: (on) => (on ? 'Camera on.' : 'Camera off.'),
};

// -- safety code and address privacy (safety.js, views/safety.js) ------------------------------

export const SAFETY = {
  hidden: 'relayed — your address is hidden',
  exposed: (type) => `not hidden — this call uses your ${type} address, not the relay`,
  label: 'Safety code',
  meaning: 'Read it to each other; if it matches, nobody is listening in.',
  computing: 'Safety code: working it out…',
  // why: safety.js's reason (no WebCrypto: not a secure page; no fingerprint; a mismatch)
  unavailable: (why) => `Safety code unavailable: ${why}.`,
  verify: 'Mark verified',
  verifyTitle: 'You read the code to each other and it matched',
  unverify: 'Remove mark',
  verified: (name) => `✓ Verified with ${name}`,
  mismatch: (name) => `Warning: this is not the code you verified with ${name}. Someone may be listening in — compare the code again before saying anything private.`,
  badge: 'verified', badgeTitle: 'You verified the safety code with this person',
  warnBadge: 'code changed', warnBadgeTitle: 'The safety code of your last call with them was not the one you verified',
};
