// Entry of the standalone /chat page: its own Signaling connection and lobby state (the
// server's lobby events fed into static/js/store.js, as on the call page), then the same
// chat panel. Sets the test handle window.tlc ({signaling, store, chat}).
import * as A from '../actions.js';
import { Signaling } from '../signaling.js';
import { createStore } from '../store.js';
import { feedLobby } from '../feed.js';
import { SESSION_WELCOME } from '../protocol.js';
import { mount } from './panel.js';
import { mountWarning } from '../safety/warning.js';

const root = document.querySelector('[data-chat-root][data-standalone]');
const signaling = new Signaling();
const store = createStore();
// This page has no call slots: every welcome starts its lobby afresh (the snapshot follows).
signaling.on(SESSION_WELCOME, (welcome) => store.dispatch({ type: A.SESSION_WELCOME, payload: welcome }));
feedLobby(signaling, store);
mountWarning(signaling); // an operator's warning, shown at once (issue 35)
const { store: chat } = mount(root, { signaling, lobbyStore: store });
window.tlc = { signaling, store, chat };
