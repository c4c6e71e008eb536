// The server's lobby events → store actions (static/js/store.js): the lobby snapshot
// and its deltas, one action each. Both page entries (call-page.js, chat/chat-page.js)
// feed their store this way, so a page holds one lobby state that every view reads.
import * as A from './actions.js';
import * as P from './protocol.js';

export const LOBBY_ACTIONS = Object.freeze({
  [P.LOBBY_SNAPSHOT]: A.LOBBY_SNAPSHOT, [P.LOBBY_CLIENT_JOINED]: A.LOBBY_CLIENT_JOINED,
  [P.LOBBY_CLIENT_LEFT]: A.LOBBY_CLIENT_LEFT, [P.LOBBY_USER]: A.LOBBY_USER, [P.LOBBY_CLIENT]: A.LOBBY_CLIENT,
  [P.LOBBY_ANCHOR]: A.LOBBY_ANCHOR, [P.LOBBY_ANCHOR_REMOVED]: A.LOBBY_ANCHOR_REMOVED,
  [P.LOBBY_COUNT]: A.LOBBY_COUNT,
});

export function feedLobby(signaling, store) {
  for (const [event, type] of Object.entries(LOBBY_ACTIONS)) {
    signaling.on(event, (payload) => store.dispatch({ type, payload }));
  }
}
