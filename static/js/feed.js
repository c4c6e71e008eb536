// The server's lobby events → store actions (static/js/store.js): the lobby snapshot
// and its deltas, one action each. Both page entries (call-page.js, chat/chat-page.js)
// feed their store this way, so a page holds one lobby state that every view reads.
import * as P from './protocol.js';

export const LOBBY_ACTIONS = Object.freeze({
  [P.LOBBY_SNAPSHOT]: 'lobby/snapshot', [P.LOBBY_CLIENT_JOINED]: 'lobby/client-joined',
  [P.LOBBY_CLIENT_LEFT]: 'lobby/client-left', [P.LOBBY_USER]: 'lobby/user', [P.LOBBY_CLIENT]: 'lobby/client',
  [P.LOBBY_ANCHOR]: 'lobby/anchor', [P.LOBBY_ANCHOR_REMOVED]: 'lobby/anchor-removed',
  [P.LOBBY_COUNT]: 'lobby/count',
});

export function feedLobby(signaling, store) {
  for (const [event, type] of Object.entries(LOBBY_ACTIONS)) {
    signaling.on(event, (payload) => store.dispatch({ type, payload }));
  }
}
