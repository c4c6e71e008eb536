// The client's picture of the world: a tiny Redux (one reducer, subscribe) that mirrors
// the server's lobby from `lobby:snapshot` plus its deltas, and keeps the local state of
// each own anchor's call. Views only read it; nothing but dispatch changes it.
//
// state = {
//   me:    {clientId, user, iceServers, iceTransportPolicy, ringTimeoutMs, maxAnchors} | null
//   lobby: {users, clients, anchors,          this client's *view* of the lobby, as the
//           online, complete, query, window}  server's snapshot shapes it (docs/protocol.md,
//                                             "Lobby views"): `online` counts the whole
//                                             lobby, `complete` says whether the view holds
//                                             everyone online who matches `query`
//   calls: {[ownAnchorId]: CallSlot}          one per own anchor
// }
// CallSlot = {phase, invitationId, callId, peer, polite, initiator, outcome, since}
//   phase: idle | ringing-out | ringing-in | connecting | connected
//   callState: the server's word for a live call (connecting | connected | reconnecting)
//   peerLeaving: the peer's page left mid-call; it ends in seconds unless it comes back
//   outcome: how the last ring or call ended ({reason, by?, peer}) — shown on an idle
//   slot until the next call, so "declined", "missed", "busy", "peer left" stay readable.
//   parties, adding, roster, ringCall: a call of several parties (group-slot.js).
import * as A from './actions.js';
import * as G from './group-slot.js';

const EMPTY_LOBBY = Object.freeze({ users: {}, clients: {}, anchors: {}, online: 0, complete: true, query: '', window: null });
const IDLE = Object.freeze({ phase: 'idle', invitationId: null, callId: null, peer: null, outcome: null });

export function initialState() {
  return { me: null, lobby: EMPTY_LOBBY, calls: {} };
}

const without = (obj, key) => {
  if (!(key in obj)) return obj;
  const { [key]: _gone, ...rest } = obj;
  return rest;
};

// -- lobby: the server's snapshot and deltas -------------------------------------------

function lobbyReducer(lobby, { type, payload: p }) {
  switch (type) {
    case A.LOBBY_SNAPSHOT: {
      // The snapshot replaces the whole view. A server without views (no `online`) sent
      // the whole lobby: then the view is complete and its size is the count.
      const users = p.users || {};
      return {
        users, clients: p.clients || {}, anchors: p.anchors || {},
        online: Number.isInteger(p.online) ? p.online : Object.keys(users).length,
        complete: typeof p.complete === 'boolean' ? p.complete : true,
        query: typeof p.query === 'string' ? p.query : '',
        window: Number.isInteger(p.window) ? p.window : null,
      };
    }
    case A.LOBBY_COUNT: { // the whole lobby's size changed, or the view stopped being complete
      const online = Number.isInteger(p.online) ? p.online : lobby.online;
      const complete = typeof p.complete === 'boolean' ? p.complete : lobby.complete;
      return online === lobby.online && complete === lobby.complete ? lobby : { ...lobby, online, complete };
    }
    case A.LOBBY_CLIENT_JOINED:
      return { ...lobby, users: { ...lobby.users, [p.user.id]: p.user },
               clients: { ...lobby.clients, [p.client.id]: p.client } };
    case A.LOBBY_CLIENT_LEFT: {
      const client = lobby.clients[p.clientId];
      if (!client) return lobby;
      const clients = without(lobby.clients, p.clientId);
      // Its anchors leave with it; a user with no client left is dropped.
      const anchors = Object.fromEntries(Object.entries(lobby.anchors).filter(([, a]) => a.clientId !== p.clientId));
      const stillHere = Object.values(clients).some((c) => c.userId === client.userId);
      const users = stillHere ? lobby.users : without(lobby.users, client.userId);
      return { ...lobby, users, clients, anchors };
    }
    case A.LOBBY_CLIENT: // away (connection dropped, within the server's grace) or back
      return lobby.clients[p.client.id] ? { ...lobby, clients: { ...lobby.clients, [p.client.id]: p.client } } : lobby;
    case A.LOBBY_USER:
      return lobby.users[p.user.id] ? { ...lobby, users: { ...lobby.users, [p.user.id]: p.user } } : lobby;
    case A.LOBBY_ANCHOR:
      return { ...lobby, anchors: { ...lobby.anchors, [p.anchor.id]: p.anchor } };
    case A.LOBBY_ANCHOR_REMOVED:
      return { ...lobby, anchors: without(lobby.anchors, p.anchorId) };
    default:
      return lobby;
  }
}

// -- calls: the local state machine of each own anchor ---------------------------------

function slotReducer(slot = IDLE, { type, payload: p, meta }) {
  const now = meta?.at ?? Date.now();
  switch (type) {
    case A.CALL_INVITE_SENT: // optimistic: before the ack, so a fast call:started wins
      return { ...IDLE, phase: 'ringing-out', peer: p.peer, since: now };
    case A.CALL_INVITE_ACKED:
      return slot.phase === 'ringing-out' && !slot.invitationId ? { ...slot, invitationId: p.invitationId } : slot;
    case A.CALL_INVITE_FAILED:
      return slot.phase === 'ringing-out' && !slot.invitationId
        ? { ...IDLE, outcome: { reason: p.code, message: p.message, peer: slot.peer, role: 'caller' }, since: now }
        : slot;
    case A.CALL_RING:
      return { ...IDLE, phase: 'ringing-in', invitationId: p.invitationId, peer: p.from,
               expiresAt: now + p.expiresInMs, since: now, ringCall: p.call || null };
    case A.CALL_INVITE_MANY_SENT:
      return G.inviteManySent(IDLE, p, now);
    case A.CALL_ADD_SENT:
      return G.addSent(slot, p);
    case A.CALL_ADD_ACKED:
      return G.addAcked(slot, p);
    case A.CALL_ADD_FAILED:
      return G.addFailed(slot, p, now, IDLE);
    case A.CALL_PARTY_JOINED:
      return G.partyJoined(slot, p, now);
    case A.CALL_PARTY_LEFT:
      return G.partyLeft(slot, p, now);
    case A.CALL_INVITE_ENDED: {
      const added = G.addEnded(slot, p, now, IDLE);
      if (added) return added;
      const ours = slot.invitationId === p.invitationId || (slot.phase === 'ringing-out' && !slot.invitationId);
      if (!ours || !['ringing-out', 'ringing-in'].includes(slot.phase)) return slot;
      // 'accepted' (or glare) means call:started follows: hold in connecting.
      if (p.reason === 'accepted') return { ...slot, phase: 'connecting', invitationId: null, since: now };
      const role = slot.phase === 'ringing-out' ? 'caller' : 'callee';
      return { ...IDLE, outcome: { reason: p.reason, peer: slot.peer, role, ring: true }, since: now };
    }
    case A.CALL_STARTED:
      return { ...IDLE, phase: 'connecting', callId: p.callId, peer: p.peer, polite: p.polite,
               initiator: p.initiator, since: now, parties: G.startedParties(p), adding: G.keptAdding(slot, p),
               ...(typeof p.conversationId === 'string' ? { conversationId: p.conversationId } : {}) };
    case A.CALL_STATE: // connecting | connected | reconnecting (a side's client is away)
      return slot.callId === p.callId
        ? { ...slot, phase: p.state === 'connected' ? 'connected' : 'connecting', callState: p.state,
            peerLeaving: p.state === 'reconnecting' ? slot.peerLeaving : false } : slot;
    case A.CALL_PEER_LEAVING: // the peer's page left mid-call (rejoin.js): back soon, or it ends
      return slot.callId === p.callId ? { ...slot, peerLeaving: Boolean(p.leaving) } : slot;
    case A.CALL_CONNECTION_LOST: // a ring does not survive a server restart
      return slot.phase === 'ringing-in' || slot.phase === 'ringing-out'
        ? { ...IDLE, outcome: { reason: 'connection-lost', peer: slot.peer }, since: now } : slot;
    case A.CALL_PEER_STATE: // the peer's microphone and camera as its user set them
      return G.partyMedia(slot, p);
    case A.CALL_PC_STATE: // the RTCPeerConnection's own view, for the words on the tile
      return slot.callId === p.callId && slot.pcState !== p.state ? { ...slot, pcState: p.state } : slot;
    case A.CALL_ENDED: // our hang-up after the peer's page left (rejoin.js) is theirs: 'peer-closed'
      return slot.callId === p.callId
        ? { ...IDLE, outcome: { reason: slot.peerLeaving && p.by === 'you' ? 'peer-closed' : p.reason, by: p.by, peer: slot.peer }, since: now }
        : slot;
    default:
      return slot;
  }
}

function callsReducer(calls, action, lobby, me) {
  const { type, payload: p } = action;
  if (type === A.SESSION_WELCOME) return {};
  if (type === A.CALL_CONNECTION_LOST) {
    const next = Object.fromEntries(Object.entries(calls).map(([id, slot]) => [id, slotReducer(slot, action)]));
    return Object.keys(next).some((id) => next[id] !== calls[id]) ? next : calls;
  }
  if (type.startsWith('call/')) {
    const anchorId = p.anchorId;
    if (!anchorId) return calls;
    const next = slotReducer(calls[anchorId], action);
    return next === calls[anchorId] ? calls : { ...calls, [anchorId]: next };
  }
  // Keep one slot per own anchor: create on appearance, drop on removal.
  if (!me) return calls;
  let next = calls;
  for (const anchor of Object.values(lobby.anchors)) {
    if (anchor.clientId === me.clientId && !next[anchor.id]) next = { ...next, [anchor.id]: IDLE };
  }
  for (const id of Object.keys(next)) {
    if (!lobby.anchors[id]) next = without(next, id);
  }
  return next;
}

export function reducer(state = initialState(), action) {
  if (!action || typeof action.type !== 'string' || !action.type.includes('/')) {
    throw new TypeError(`malformed action ${JSON.stringify(action)}`);
  }
  if (action.type === A.SESSION_WELCOME) {
    // A new client: the server knows none of this tab's anchors and calls.
    return { me: action.payload, lobby: EMPTY_LOBBY, calls: {} };
  }
  if (action.type === A.SESSION_RESUMED) {
    // The same client back (resumed, or restored after a server restart): anchors and
    // calls carry on; the lobby snapshot that follows refreshes everything else.
    return { ...state, me: action.payload };
  }
  if (action.type === A.ME_RENAMED) {
    const user = action.payload.user;
    const lobby = lobbyReducer(state.lobby, { type: A.LOBBY_USER, payload: { user } });
    return { ...state, me: { ...state.me, user }, lobby };
  }
  const lobby = lobbyReducer(state.lobby, action);
  const me = state.me && lobby.users[state.me.user.id] && lobby.users[state.me.user.id] !== state.me.user
    ? { ...state.me, user: lobby.users[state.me.user.id] } : state.me;
  const calls = callsReducer(state.calls, action, lobby, me);
  if (lobby === state.lobby && calls === state.calls && me === state.me) return state;
  return { me, lobby, calls };
}

export function createStore(reduce = reducer) {
  let state = reduce(undefined, { type: A.STORE_INIT });
  const listeners = new Set();
  return {
    getState: () => state,
    dispatch(action) {
      const prev = state;
      state = reduce(state, { ...action, meta: { at: Date.now(), ...action.meta } });
      if (state !== prev) for (const fn of [...listeners]) fn(state, prev, action);
      return action;
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

// -- selectors --------------------------------------------------------------------------

export const ownAnchors = (state) => !state.me ? [] :
  Object.values(state.lobby.anchors).filter((a) => a.clientId === state.me.clientId);

export const slotOf = (state, anchorId) => state.calls[anchorId] || IDLE;

// The anchor a Call click uses: the first own anchor that is online and not busy.
export function freeAnchor(state) {
  return ownAnchors(state).find((a) => a.status === 'online' && slotOf(state, a.id).phase === 'idle') || null;
}

// Run `fn` once, as soon as this tab has a free line (now, or after a later change):
// a page opened by a link rings or knocks from it.
export function onceFreeLine(store, fn) {
  let done = false;
  const tryNow = () => {
    if (done || !freeAnchor(store.getState())) return;
    done = true;
    stop();
    fn();
  };
  const stop = store.subscribe(tryNow);
  tryNow();
}

// The chat of the call on this slot: the group's conversation, else the pair's (the
// peer's user id); null when the slot is in no call. Chat from a call opens it.
export function callChatOf(slot) {
  if (slot.phase !== 'connecting' && slot.phase !== 'connected') return null;
  return slot.conversationId || slot.peer?.userId || null;
}

// An own anchor that is being rung by `peerAnchorId` (calling back = accepting).
export function ringingFrom(state, peerAnchorId) {
  return ownAnchors(state).find((a) => {
    const slot = slotOf(state, a.id);
    return slot.phase === 'ringing-in' && slot.peer?.anchorId === peerAnchorId;
  }) || null;
}
