// The chat's state as a pure reducer and selectors (no I/O): conversations, their
// messages and marks, the open one, the connection status. chat/store.js feeds it with
// actions (`chat/…`) from the server's answers and events. Who is online and what people
// are called come from the page's one lobby state (static/js/store.js), and the messages
// not yet stored from the outbox: selectors take both as arguments.
//
// state = {meId, status, active, listLoaded, convs: {[peerId]: Conv}}
// A group call's conversation (issue 26) is keyed by its conversationId ("call.…"; user
// ids have no "."), and has `members` ([{id, displayName, account}]) instead of a peer.
// Conv  = {peer: {id, displayName, …} | null (the server's), members: […] | null,
//          messages: {[id]: message},
//          loaded, loading, hasOlder, error, unread, lastMessage,
//          deliveredUpTo, readUpTo (the peer's marks), myDeliveredUpTo, myReadUpTo (ours)}
import * as A from '../actions.js';


const UNREAD_KINDS = new Set(['text', 'call-missed']);

const EMPTY_CONV = Object.freeze({
  peer: null, members: null, messages: Object.freeze({}), loaded: false, loading: false, hasOlder: false,
  unread: 0, deliveredUpTo: 0, readUpTo: 0, myDeliveredUpTo: 0, myReadUpTo: 0, lastMessage: null, error: '',
});

export function initialChat(meId, status = 'connecting') {
  return { meId, status, active: null, listLoaded: false, convs: {} };
}

// Whether a message is one this conversation had already (a duplicate delivery).
export const isKnown = (conv, m) => Boolean(conv) && (m.id in conv.messages || (conv.lastMessage && conv.lastMessage.id >= m.id));

export const isGroup = (key) => typeof key === 'string' && key.startsWith('call.');

// The key of a conversation, a message (seen by meId), an entry or a page.
export const peerIdOf = (meId, m) => m.conversationId || (m.from === meId ? m.to : m.from);
export const keyOfItem = (item) => item.conversationId || item.with.id;

// What a request about a conversation names: a user (`with`) or a group.
export const target = (key, name = 'with') => (isGroup(key) ? { conversationId: key } : { [name]: key });

function remember(conv, messages) {
  if (!messages.length) return conv;
  const all = { ...conv.messages };
  let last = conv.lastMessage;
  for (const m of messages) {
    all[m.id] = m;
    if (!last || m.id >= last.id) last = m;
  }
  return { ...conv, messages: all, lastMessage: last };
}

const marks = (p) => ({ unread: p.unread, deliveredUpTo: p.deliveredUpTo, readUpTo: p.readUpTo,
                        myDeliveredUpTo: p.myDeliveredUpTo, myReadUpTo: p.myReadUpTo });

function convReducer(conv, { type, payload: p }, meId) {
  switch (type) {
    case A.CHAT_CONVERSATION: // an entry of chat:conversations
      return { ...conv, peer: p.item.with || null, members: p.item.members || conv.members,
               ...marks(p.item), lastMessage: p.item.lastMessage };
    case A.CHAT_LOADING:
      return conv.loading === p.loading ? conv : { ...conv, loading: p.loading };
    case A.CHAT_PAGE: { // a chat:history page; `newest`: the latest page (loaded), `older`: scrolled up
      const next = { ...remember(conv, p.page.messages), peer: p.page.with || null,
                     members: p.page.members || conv.members, ...marks(p.page) };
      if (p.newest) Object.assign(next, { hasOlder: p.page.hasMore, loaded: true, error: '' });
      if (p.older) next.hasOlder = p.page.hasMore;
      return next;
    }
    case A.CHAT_LOAD_FAILED:
      return { ...conv, error: p.error };
    case A.CHAT_MESSAGE: { // live (chat:message) or our own send's ack
      const m = p.message;
      const next = remember(conv, [m]);
      // An unread count, corrected by the receipt's ack.
      if (m.from !== meId && !isKnown(conv, m) && m.id > conv.myReadUpTo && UNREAD_KINDS.has(m.kind)) next.unread += 1;
      return next;
    }
    case A.CHAT_RECEIPT:
      return { ...conv, deliveredUpTo: Math.max(conv.deliveredUpTo, p.deliveredUpTo),
               readUpTo: Math.max(conv.readUpTo, p.readUpTo) };
    case A.CHAT_UNREAD:
      return { ...conv, unread: p.unread, myReadUpTo: Math.max(conv.myReadUpTo, p.readUpTo),
               myDeliveredUpTo: Math.max(conv.myDeliveredUpTo, p.deliveredUpTo) };
    default:
      return conv;
  }
}

// The conversation an action is about, if any.
function peerOfAction(state, { type, payload: p }) {
  if (type === A.CHAT_CONVERSATION) return keyOfItem(p.item);
  if (type === A.CHAT_MESSAGE) return peerIdOf(state.meId, p.message);
  if (type === A.CHAT_RECEIPT || type === A.CHAT_UNREAD) return p.conversationId || p.with;
  return p?.peerId;
}

export function chatReducer(state, action) {
  const { type, payload: p } = action;
  switch (type) {
    case A.CHAT_STATUS:
      return state.status === p.status ? state : { ...state, status: p.status };
    case A.CHAT_LIST_LOADED:
      return state.listLoaded ? state : { ...state, listLoaded: true };
    case A.CHAT_CLOSED:
      return state.active === null ? state : { ...state, active: null };
    case A.CHAT_OPENED: {
      const convs = state.convs[p.peerId] ? state.convs : { ...state.convs, [p.peerId]: EMPTY_CONV };
      return { ...state, active: p.peerId, convs };
    }
    default: {
      const peerId = peerOfAction(state, action);
      if (!peerId) return state;
      const conv = state.convs[peerId] || EMPTY_CONV;
      const next = convReducer(conv, action, state.meId);
      return next === conv ? state : { ...state, convs: { ...state.convs, [peerId]: next } };
    }
  }
}

// -- selectors: (state, lobby, pending outbox entries, …) ------------------------------

export const convOf = (state, peerId) => state.convs[peerId] || EMPTY_CONV;

// What to call someone: the lobby's name (fresh), else the server's, else the name the
// outbox noted when the message was written.
export function peerOf(state, lobby, pending, peerId) {
  const conv = convOf(state, peerId);
  if (isGroup(peerId)) return groupOf(state, lobby, pending, peerId);
  const displayName = lobby.users[peerId]?.displayName || conv.peer?.displayName
    || pending.find((e) => e.to === peerId && e.toName)?.toName || 'someone';
  return { ...conv.peer, id: peerId, displayName };
}

// A group conversation as a peer: the other members' names (the lobby's, fresh).
function groupOf(state, lobby, pending, key) {
  const others = (convOf(state, key).members || []).filter((m) => m.id !== state.meId);
  const displayName = others.map((m) => lobby.users[m.id]?.displayName || m.displayName || 'someone').join(', ')
    || pending.find((e) => e.to === key && e.toName)?.toName || 'someone';
  return { id: key, displayName, group: true, count: others.length + 1 };
}

// The users a conversation is with (a pair's peer, a group's other members).
export const peopleOf = (state, key) => (isGroup(key)
  ? (convOf(state, key).members || []).map((m) => m.id).filter((id) => id !== state.meId) : [key]);

// A conversation with its peer's name resolved (what the view shows).
export const conversation = (state, lobby, pending, peerId) =>
  ({ ...convOf(state, peerId), peer: peerOf(state, lobby, pending, peerId) });

// Conversations, most recent first: those with a message, an unsent one, or open.
export function conversationList(state, lobby, pending) {
  const ids = new Set([...Object.keys(state.convs), ...pending.map((e) => e.to)]);
  const out = [...ids].map((id) => conversation(state, lobby, pending, id))
    .filter((c) => c.lastMessage || pending.some((e) => e.to === c.peer.id) || c.peer.id === state.active);
  out.sort((a, b) => (b.lastMessage?.id || Infinity) - (a.lastMessage?.id || Infinity));
  return out;
}

export function isOnline(state, lobby, userId) {
  if (state.status !== 'connected') return false;  // the lobby is stale while offline
  return Object.values(lobby.clients).some((c) => c.userId === userId);
}

// People online without a conversation, by name.
export function onlinePeople(state, lobby, pending) {
  const withConv = new Set(conversationList(state, lobby, pending).map((c) => c.peer.id));
  const seen = new Set();
  const out = [];
  for (const c of Object.values(lobby.clients)) {
    if (c.userId === state.meId || withConv.has(c.userId) || seen.has(c.userId)) continue;
    seen.add(c.userId);
    out.push(lobby.users[c.userId] || { id: c.userId, displayName: 'someone' });
  }
  return out.sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export function unreadCounts(state) {
  const counts = {};
  for (const [id, c] of Object.entries(state.convs)) if (c.unread) counts[id] = c.unread;
  return counts;
}

// Own message status: sent (has an id) → delivered (the peer's browser confirmed) →
// read (the peer had it on screen); the peer's messages are 'received'.
export function statusOf(state, conv, m) {
  if (m.from !== state.meId) return 'received';
  if (m.id <= conv.readUpTo) return 'read';
  if (m.id <= conv.deliveredUpTo) return 'delivered';
  return 'sent';
}

// One conversation as one timeline: stored messages by id, then the pending ones
// (pending, or failed: refused for good).
export function timeline(state, pending, peerId, myName) {
  const c = convOf(state, peerId);
  const stored = Object.values(c.messages).sort((a, b) => a.id - b.id).map((m) => ({ ...m, status: statusOf(state, c, m) }));
  const storedIds = new Set(stored.map((m) => m.clientMsgId));
  const mine = pending.filter((e) => e.to === peerId && !storedIds.has(e.clientMsgId))
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((e) => ({ clientMsgId: e.clientMsgId, from: state.meId, to: e.to, fromName: myName,
      kind: 'text', text: e.text, html: null, ts: e.createdAt, status: e.failed ? 'failed' : 'pending', error: e.failed }));
  return [...stored, ...mine];
}

// The newest message of the peer's that this conversation holds (0: none).
export function newestFromPeer(state, peerId) {
  let upTo = 0;
  for (const m of Object.values(convOf(state, peerId).messages)) if (m.from !== state.meId && m.id > upTo) upTo = m.id;
  return upTo;
}
