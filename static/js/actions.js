// Every browser store action type, declared once (issue 25, item 3). The reducers
// (store.js, chat/state.js) and every dispatcher name them through this module
// (`import * as A from './actions.js'`), so a misspelt type is an undefined name,
// never a string that silently does nothing: tests/js/actions.test.mjs reads static/js
// and fails on a type literal or an `A.NAME` this module does not declare.

// The lobby: the server's snapshot and deltas (feed.js), reduced by store.js.
export const LOBBY_SNAPSHOT = 'lobby/snapshot';
export const LOBBY_COUNT = 'lobby/count';
export const LOBBY_CLIENT_JOINED = 'lobby/client-joined';
export const LOBBY_CLIENT_LEFT = 'lobby/client-left';
export const LOBBY_CLIENT = 'lobby/client';
export const LOBBY_USER = 'lobby/user';
export const LOBBY_ANCHOR = 'lobby/anchor';
export const LOBBY_ANCHOR_REMOVED = 'lobby/anchor-removed';

// This client's session and name (call-page.js, chat/chat-page.js).
export const STORE_INIT = 'store/init';
export const SESSION_WELCOME = 'session/welcome';
export const SESSION_RESUMED = 'session/resumed';
export const ME_RENAMED = 'me/renamed';

// Each own anchor's call slot (calls.js, rejoin.js), reduced by store.js.
export const CALL_INVITE_SENT = 'call/invite-sent';
export const CALL_INVITE_ACKED = 'call/invite-acked';
export const CALL_INVITE_FAILED = 'call/invite-failed';
export const CALL_RING = 'call/ring';
export const CALL_INVITE_ENDED = 'call/invite-ended';
export const CALL_STARTED = 'call/started';
export const CALL_STATE = 'call/state';
export const CALL_PEER_LEAVING = 'call/peer-leaving';
export const CALL_CONNECTION_LOST = 'call/connection-lost';
export const CALL_PEER_STATE = 'call/peer-state';
export const CALL_PC_STATE = 'call/pc-state';
export const CALL_ENDED = 'call/ended';
// Group calls (issue 26): a slot's call holds several parties; rings into it from here.
export const CALL_PARTY_JOINED = 'call/party-joined';
export const CALL_PARTY_LEFT = 'call/party-left';
export const CALL_ADD_SENT = 'call/add-sent';
export const CALL_ADD_ACKED = 'call/add-acked';
export const CALL_ADD_FAILED = 'call/add-failed';
export const CALL_INVITE_MANY_SENT = 'call/invite-many-sent';

// The chat (chat/store.js), reduced by chat/state.js.
export const CHAT_STATUS = 'chat/status';
export const CHAT_LIST_LOADED = 'chat/list-loaded';
export const CHAT_OPENED = 'chat/opened';
export const CHAT_CLOSED = 'chat/closed';
export const CHAT_CONVERSATION = 'chat/conversation';
export const CHAT_LOADING = 'chat/loading';
export const CHAT_PAGE = 'chat/page';
export const CHAT_LOAD_FAILED = 'chat/load-failed';
export const CHAT_MESSAGE = 'chat/message';
export const CHAT_RECEIPT = 'chat/receipt';
export const CHAT_UNREAD = 'chat/unread';

export const STORE_ACTIONS = Object.freeze([
  LOBBY_SNAPSHOT, LOBBY_COUNT, LOBBY_CLIENT_JOINED, LOBBY_CLIENT_LEFT, LOBBY_CLIENT, LOBBY_USER,
  LOBBY_ANCHOR, LOBBY_ANCHOR_REMOVED, STORE_INIT, SESSION_WELCOME, SESSION_RESUMED, ME_RENAMED,
  CALL_INVITE_SENT, CALL_INVITE_ACKED, CALL_INVITE_FAILED, CALL_RING, CALL_INVITE_ENDED,
  CALL_STARTED, CALL_STATE, CALL_PEER_LEAVING, CALL_CONNECTION_LOST, CALL_PEER_STATE,
  CALL_PC_STATE, CALL_ENDED, CALL_PARTY_JOINED, CALL_PARTY_LEFT, CALL_ADD_SENT, CALL_ADD_ACKED,
  CALL_ADD_FAILED, CALL_INVITE_MANY_SENT,
]);

export const CHAT_ACTIONS = Object.freeze([
  CHAT_STATUS, CHAT_LIST_LOADED, CHAT_OPENED, CHAT_CLOSED, CHAT_CONVERSATION, CHAT_LOADING,
  CHAT_PAGE, CHAT_LOAD_FAILED, CHAT_MESSAGE, CHAT_RECEIPT, CHAT_UNREAD,
]);

export const ACTION_TYPES = Object.freeze([...STORE_ACTIONS, ...CHAT_ACTIONS]);
