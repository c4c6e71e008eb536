// The browser's only copy of the wire protocol's names (docs/protocol.md), mirrored
// from tlightchat/protocol.py: every event, and the error codes no resend can fix. A
// Python unit test (tests/protocol/test_protocol_mirror.py) compares the event lists with the
// server's, so a renamed or added event cannot drift silently: change the three together.

// Client → server (each takes an ack: {ok: true, ...} or {ok: false, error}).
export const ME_RENAME = 'me:rename';
export const ME_STATE = 'me:state';
export const LOBBY_GET = 'lobby:get';
export const LOBBY_WATCH = 'lobby:watch';
export const ICE_SERVERS = 'ice:servers';
export const ANCHOR_CREATE = 'anchor:create';
export const ANCHOR_RENAME = 'anchor:rename';
export const ANCHOR_SET_ONLINE = 'anchor:set-online';
export const ANCHOR_REMOVE = 'anchor:remove';
// call:invite may carry the caller's offer and call:accept the callee's answer: the call
// is prepared while it rings (docs/protocol.md, "Prepared while it rings"; calls.js).
export const CALL_INVITE = 'call:invite';
// Group calls (protocol 4): ring several anchors at once from a free anchor.
export const CALL_INVITE_MANY = 'call:invite-many';
export const CALL_CANCEL = 'call:cancel';
export const CALL_ACCEPT = 'call:accept';
export const CALL_DECLINE = 'call:decline';
// call:signal may name the party it is for (`to`, optional while a call has two parties:
// peer.js names none, and its signals reach the other party as before).
export const CALL_SIGNAL = 'call:signal';
export const CALL_MEDIA = 'call:media';
export const CALL_HANGUP = 'call:hangup';
export const CALL_PEER_STATE = 'call:peer-state';
export const TRUST_SET = 'trust:set';
export const TRUST_LIST = 'trust:list';
export const CHAT_SEND = 'chat:send';
export const CHAT_HISTORY = 'chat:history';
export const CHAT_CONVERSATIONS = 'chat:conversations';
export const CHAT_DELIVERED = 'chat:delivered';
export const CHAT_READ = 'chat:read';
// Files in a call (docs/protocol.md, "Files"): asked before, recorded after; the bytes go peer to peer.
export const FILE_OFFER = 'file:offer';
export const FILE_SENT = 'file:sent';
// Safety (docs/protocol.md, "Safety"): block a person, who may ring or write to me, do not disturb.
export const SAFETY_BLOCK = 'safety:block';
export const SAFETY_UNBLOCK = 'safety:unblock';
export const SAFETY_GET = 'safety:get';
export const SAFETY_SET = 'safety:set';
export const SAFETY_REPORT = 'safety:report';
// An operator's warning, read: it is no longer shown at each page load (safety:warned).
export const SAFETY_DISMISS_WARNING = 'safety:dismiss-warning';
// Call links (issue 27; docs/protocol.md, "Call links and push").
export const LINK_CREATE = 'link:create';
export const LINK_OPEN = 'link:open';
// Knocking on a running call (issue 27; docs/protocol.md, "Knocking on a running call").
export const KNOCK_LINK = 'knock:link';
export const KNOCK_ASK = 'knock:ask';
export const KNOCK_ANSWER = 'knock:answer';
export const KNOCK_CANCEL = 'knock:cancel';
// The page is going (pagehide of a tab kept for a reload; docs/protocol.md, "Leaving").
export const CLIENT_LEAVING = 'client:leaving';

export const CLIENT_EVENTS = Object.freeze([
  ME_RENAME, ME_STATE, LOBBY_GET, LOBBY_WATCH, ICE_SERVERS,
  ANCHOR_CREATE, ANCHOR_RENAME, ANCHOR_SET_ONLINE, ANCHOR_REMOVE,
  CALL_INVITE, CALL_INVITE_MANY, CALL_CANCEL, CALL_ACCEPT, CALL_DECLINE, CALL_SIGNAL, CALL_MEDIA, CALL_PEER_STATE, CALL_HANGUP,
  TRUST_SET, TRUST_LIST, CHAT_SEND, CHAT_HISTORY, CHAT_CONVERSATIONS, CHAT_DELIVERED, CHAT_READ,
  FILE_OFFER, FILE_SENT,
  SAFETY_BLOCK, SAFETY_UNBLOCK, SAFETY_GET, SAFETY_SET, SAFETY_REPORT, SAFETY_DISMISS_WARNING,
  LINK_CREATE, LINK_OPEN,
  KNOCK_LINK, KNOCK_ASK, KNOCK_ANSWER, KNOCK_CANCEL,
  CLIENT_LEAVING,
]);

// Server → client.
export const SESSION_WELCOME = 'session:welcome';
export const SESSION_CLOSING = 'session:closing';
export const LOBBY_SNAPSHOT = 'lobby:snapshot';
export const LOBBY_CLIENT_JOINED = 'lobby:client-joined';
export const LOBBY_CLIENT_LEFT = 'lobby:client-left';
export const LOBBY_USER = 'lobby:user';
export const LOBBY_CLIENT = 'lobby:client';
export const LOBBY_ANCHOR = 'lobby:anchor';
export const LOBBY_ANCHOR_REMOVED = 'lobby:anchor-removed';
export const LOBBY_COUNT = 'lobby:count';
export const CALL_RING = 'call:ring';
export const CALL_INVITE_ENDED = 'call:invite-ended';
export const CALL_STARTED = 'call:started';
// CALL_SIGNAL and CALL_PEER_STATE travel both ways.
export const CALL_STATE = 'call:state';
export const CALL_ENDED = 'call:ended';
// The peer's page was reloaded: its connection is gone, a new offer follows (rejoin.js).
export const CALL_PEER_RELOADED = 'call:peer-reloaded';
// Group calls (protocol 4): a newcomer joined the call; a party left and the call goes on.
export const CALL_PARTY_JOINED = 'call:party-joined';
export const CALL_PARTY_LEFT = 'call:party-left';
export const ERROR = 'error';
export const CHAT_MESSAGE = 'chat:message';
export const CHAT_RECEIPT = 'chat:receipt';
export const CHAT_UNREAD = 'chat:unread';
export const KNOCK_ASKED = 'knock:asked';
export const KNOCK_ENDED = 'knock:ended';
// An operator warned this user (issue 35): shown until dismissed (safety/warning.js).
export const SAFETY_WARNED = 'safety:warned';
// ... and read, in one of the user's tabs: every other tab takes it off the screen too.
export const SAFETY_WARNING_DISMISSED = 'safety:warning-dismissed';

export const SERVER_EVENTS = Object.freeze([
  SESSION_WELCOME, SESSION_CLOSING, LOBBY_SNAPSHOT, LOBBY_CLIENT_JOINED, LOBBY_CLIENT_LEFT,
  LOBBY_USER, LOBBY_CLIENT, LOBBY_ANCHOR, LOBBY_ANCHOR_REMOVED, LOBBY_COUNT, CALL_RING,
  CALL_INVITE_ENDED, CALL_STARTED, CALL_SIGNAL, CALL_STATE, CALL_ENDED, CALL_PEER_STATE,
  CALL_PEER_RELOADED, CALL_PARTY_JOINED, CALL_PARTY_LEFT, ERROR, CHAT_MESSAGE, CHAT_RECEIPT, CHAT_UNREAD,
  KNOCK_ASKED, KNOCK_ENDED,
  SAFETY_WARNED, SAFETY_WARNING_DISMISSED,
]);

// Error codes (docs/protocol.md, "Error codes") that no resend can fix: a request
// refused with one of them is shown as failed, not retried.
export const PERMANENT_ERRORS = Object.freeze(['invalid-payload', 'payload-too-large', 'not-found',
  'forbidden', 'unknown-event', 'relay-required', 'unsupported']);
// Group calls' refusals (docs/protocol.md, "Error codes"): the call is full; a party's
// app is too old for group calls.
export const CALL_FULL = 'call-full';
export const UNSUPPORTED = 'unsupported';
export const isPermanent = (code) => PERMANENT_ERRORS.includes(code);

// The version this page speaks, stated in every connect's auth (docs/protocol.md, "Versions").
export const PROTOCOL_VERSION = 4;
