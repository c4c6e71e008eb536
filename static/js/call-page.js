// Entry of the call page: wires signaling → store → views, owns the anchors (call
// slots) of this tab and their outgoing media, mounts the chat panel with what it needs,
// and exposes a read-only debug handle (window.tlc) that the e2e tests read state and
// RTCPeerConnection stats from.
//
// A new tab creates one anchor ("Line 1") and puts it online at once:
// opening the call page is the intent to be reachable, and it saves every first-time user
// a click. After a reconnect (the server forgot this tab) the same slots are created again.
// Longer than 300 lines: it is the page's one wiring of every part to every other; the
// parts themselves live in their modules.
import * as A from './actions.js';
import * as P from './protocol.js';
import { Signaling, STATUS } from './signaling.js';
import { callChatOf, createStore, ownAnchors, slotOf } from './store.js';
import { feedLobby } from './feed.js';
import { AnchorMedia, MediaLibrary } from './media.js';
import { Calls } from './calls.js';
import { callClaims, PeerLeaveWatch, Rejoin, takeRejoin } from './rejoin.js';
import { TrustMarks } from './trust.js';
import { RingNotifier } from './notify.js';
import { Ringer } from './ringer.js';
import { LobbyView } from './views/lobby.js';
import { AnchorGrid } from './views/anchor-grid.js';
import { MediaPanel } from './views/media-panel.js';
import { CameraGate } from './views/camera-gate.js';
import { ChatToast } from './views/chat-toast.js';
import { StatusView } from './views/status.js';
import { watchReachability } from './views/unreachable.js';
import { CallStage } from './views/stage.js';
import { mountFiles } from './views/file-panel.js';
import { mountBlockButtons } from './safety/block.js';
import { mountPeerActions } from './safety/peer-actions.js';
import { loadOnEvents, mountReach } from './reach/on-demand.js';
import { ACTION_FAILED, ANNOUNCE, CHAT_NOT_LOADED, CONNECTIVITY_NOT_LOADED, FIRST_FREE_SLOT, INCOMING_TITLE, nextLineName } from './views/words.js';
import { t } from './i18n.js';

// A reload of this tab mid-call: the saved client and calls (rejoin.js), read once.
const saved = takeRejoin();
const signaling = new Signaling({ resumeToken: saved?.resumeToken || null });
const store = createStore();
// Before Calls: its call:signal listener must see each description first.
const rejoin = new Rejoin({ signaling, store, pending: saved });
const library = new MediaLibrary({ sinkParent: document.querySelector('#media-sinks') });
const ringer = new Ringer();
const media = new Map();   // anchorId → AnchorMedia
const inherit = new Map(); // anchor name → {online, media} carried over a reconnect
const notice = document.querySelector('#notice');

function notify(text) {
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => { notice.hidden = true; }, 8000);
}

// An anchor's outgoing media exists as soon as the anchor does; it starts on the
// camera (or on whatever it sent before a reconnect).
function mediaOf(anchorId) {
  let m = media.get(anchorId);
  const anchor = store.getState().lobby.anchors[anchorId];
  if (!m && anchor) {
    m = inherit.get(anchor.name)?.media;
    inherit.delete(anchor.name);
    if (!m) {
      const noCamera = library.camera.status === 'error';
      m = new AnchorMedia(library, noCamera ? 'none' : 'camera');
      m.cameraFallback = noCamera; // back to the camera once it works
      m.setSource(m.sourceId);
    }
    m.addEventListener('change', render);
    media.set(anchorId, m);
  }
  return m || null;
}

const calls = new Calls({ signaling, store, mediaOf, notify });
rejoin.attach(calls);
new PeerLeaveWatch({ signaling, store, calls }); // a peer that closed its tab: the call ends
const trust = new TrustMarks(signaling);
const notifier = new RingNotifier(); // incoming calls while this tab is hidden
mountFiles({ signaling, calls, store }); // files sent in a call (issue 29)

// -- anchor actions -------------------------------------------------------------------

async function attempt(what, fn) {
  try {
    return await fn();
  } catch (err) {
    notify(`${ACTION_FAILED[what]}: ${err.message}`);
    return null;
  }
}

// No name: "Line N" in the page's language, the lowest N this tab does not use (the
// server's own default, "Slot N", is for clients that send none).
async function createAnchor(name = null, online = true) {
  const line = name || nextLineName(ownAnchors(store.getState()).map((a) => a.name));
  const ack = await attempt('add', () => signaling.request(P.ANCHOR_CREATE, { name: line }));
  if (ack && online) await setOnline(ack.anchor.id, true);
}

const setOnline = (anchorId, online) => attempt(online ? 'online' : 'offline',
  () => signaling.request(P.ANCHOR_SET_ONLINE, { anchorId, online }));

const actions = {
  addAnchor: () => createAnchor(),
  online: (anchorId) => { notifier.ask(); return setOnline(anchorId, store.getState().lobby.anchors[anchorId]?.status === 'offline'); },
  rename: (anchorId, name) => attempt('rename', () => signaling.request(P.ANCHOR_RENAME, { anchorId, name })),
  remove: async (anchorId) => {
    await calls.end(anchorId); // its peer hears "hung up", not "left"
    await attempt('remove', () => signaling.request(P.ANCHOR_REMOVE, { anchorId }));
    document.querySelector('#anchor-grid .tile')?.focus(); // focus does not fall to the page
  },
  setSource: (anchorId, sourceId) => {
    const m = mediaOf(anchorId);
    if (!m) return;
    m.cameraFallback = false; // the user chose
    m.setSource(sourceId);
  },
  mic: (anchorId) => { const m = mediaOf(anchorId); if (m?.audioTrack) { m.setMic(!m.micOn); stage.say(ANNOUNCE.mic(m.micOn)); } },
  cam: (anchorId) => { const m = mediaOf(anchorId); if (m?.videoTrack) { m.setCam(!m.camOn); stage.say(ANNOUNCE.cam(m.camOn)); } },
  // Chat from a call opens that call's conversation (Meet's "in-call messages"), not the list.
  chat: (anchorId) => {
    const open = !stage.chatOpen();
    stage.setChat(open);
    const key = open && anchorId ? callChatOf(slotOf(store.getState(), anchorId)) : null;
    if (key) chatView?.open(key);
  },
  // "Call again" under a call's outcome (31.9): the same person's line, from this line,
  // while it is in the lobby and takes calls (and the camera gate does not hold Call back)
  canCallAgain: (anchorId) => {
    const state = store.getState();
    const peer = slotOf(state, anchorId).outcome?.peer;
    const target = peer?.anchorId && state.lobby.anchors[peer.anchorId];
    return Boolean(target && target.status !== 'offline' && state.lobby.anchors[anchorId]?.status === 'online');
  },
  callAgain: (anchorId) => {
    const peer = slotOf(store.getState(), anchorId).outcome?.peer;
    if (!peer?.anchorId || gate.blocked) return null;
    notifier.ask();
    const chosen = calls.callFrom;
    calls.callFrom = anchorId; // read before call() first waits
    try { return calls.call(peer.anchorId); } finally { calls.callFrom = chosen; }
  },
  fullscreen: (anchorId) => stage.fullscreen(anchorId),
  pip: (anchorId) => stage.pip(anchorId),
  shortcuts: () => stage.showHelp(true),
  accept: (anchorId) => { notifier.ask(); return calls.accept(anchorId); },
  decline: (anchorId) => calls.decline(anchorId),
  cancel: (anchorId) => calls.cancel(anchorId),
  hangup: (anchorId) => calls.hangup(anchorId),
  // "Add someone" (issue 26): the lobby's "Add to call" rings them into this slot's call
  addSomeone: (anchorId) => { calls.callFrom = anchorId; lobbyView.focusSearch(); },
  markAcceptClick: (anchorId) => calls.markAcceptClick(anchorId),
  // the tile's safety line (views/safety.js): the verified mark of its peer
  trust: {
    markOf: (userId) => trust.markOf(userId),
    onCode: (userId, code) => trust.noteCode(userId, code),
    onMark: (userId, code, verified) => attempt('verify', () => trust.set(userId, code, verified)),
  },
};

async function renameMe(displayName) {
  const { user } = await signaling.request(P.ME_RENAME, { displayName });
  store.dispatch({ type: A.ME_RENAMED, payload: { user } });
  const nav = document.querySelector('#nav-me');
  if (nav) nav.textContent = user.displayName;
}

// -- server → store -------------------------------------------------------------------

function onWelcome(welcome) {
  lobbyView.resync();
  trust.load(); // the lobby search of this tab, asked again of the new connection
  const before = store.getState().me;
  if (before && welcome.clientId === before.clientId) {
    // Resumed within the grace period, or restored after a server restart from what
    // resumeState() sent: same anchors, same calls (a restored call comes back with
    // call:state once both sides claimed it). Rings do not survive a restart.
    store.dispatch({ type: A.SESSION_RESUMED, payload: welcome });
    if (!welcome.resumed) store.dispatch({ type: A.CALL_CONNECTION_LOST, payload: {} });
    return;
  }
  if (!before && rejoin.isRejoin(welcome)) {
    // This tab reloaded mid-call and the server kept (or rebuilt) its client: the
    // snapshot brings its slots back, and rejoin.js its calls.
    store.dispatch({ type: A.SESSION_WELCOME, payload: welcome });
    return;
  }
  // A new client. After a reconnect the server forgot this tab: create its slots again.
  for (const anchor of ownAnchors(store.getState())) {
    inherit.set(anchor.name, { online: anchor.status !== 'offline', media: media.get(anchor.id) });
  }
  media.clear();
  store.dispatch({ type: A.SESSION_WELCOME, payload: welcome });
  const again = [...inherit.entries()];
  if (again.length) again.forEach(([name, { online }]) => createAnchor(name, online));
  else createAnchor();
}

// What a reconnect sends (with the resume token), so a restarted server can rebuild
// this tab: its anchors, and a claim to each call it is in.
signaling.setResumeState(() => {
  const state = store.getState();
  if (!state.me) return rejoin.resumeState() || {}; // a reloaded tab's first connect
  const anchors = ownAnchors(state);
  return {
    anchors: anchors.map((a) => ({ anchorId: a.id, name: a.name, online: a.status !== 'offline' })),
    calls: callClaims(state, anchors),
  };
});

signaling.on(P.SESSION_WELCOME, onWelcome);
feedLobby(signaling, store);
signaling.on(P.ERROR, ({ event, error }) => console.warn(`server refused ${event}: ${error.code} ${error.message}`));
// Any event (ours or the chat's) shows up in the debug line.
signaling.socket.onAny((event) => statusView.noteEvent(event));

// -- views ------------------------------------------------------------------------------

// A blocked camera said first; Call waits until it works or the user goes on without.
const gate = new CameraGate(document.querySelector('#camera-blocked'), { library, focusAfterSkip: document.querySelector('#lobby-search') });
gate.addEventListener('change', () => render());
const lobbyView = new LobbyView(document.querySelector('#lobby-panel'), {
  callWaits: () => gate.blocked,
  offline: () => signaling.status !== 'connected', // the list may be stale (31.9)
  onCall: (id) => { notifier.ask(); return calls.call(id); },
  onAdd: (id) => calls.group.addFromLobby(id),
  onCallMany: (ids) => { notifier.ask(); return calls.group.ringMany(ids); },
  // The snapshot of the view for that query follows the ack ("" or none: everyone).
  onSearch: (query) => signaling.request(P.LOBBY_GET, query ? { query } : {}),
});
mountBlockButtons(document.querySelector('#lobby-list'), signaling); // issue 35
mountPeerActions(document.querySelector('#anchors-panel'), signaling, store);
// An operator's warning (issue 35), shown at once: its module loads at the first warning
// event (issue 33.2), which it is then handed, or now when the page came with one (its
// Dismiss then goes over the socket).
const loadWarning = loadOnEvents(signaling, [P.SAFETY_WARNED, P.SAFETY_WARNING_DISMISSED],
  () => import(/* on demand */ './safety/warning.js').then((m) => (heard) => m.mountWarning(signaling, document, heard)),
  'the warning');
if (document.querySelector('#safety-warning')) loadWarning();
const grid = new AnchorGrid(document.querySelector('#anchors-panel'), {
  actions, sources: library.sources(), mediaOf, sessionOf: (id, peerAnchorId) => calls.sessionOf(id, peerAnchorId),
  say: (text) => stage.say(text),
});
const stage = new CallStage({ grid, actions, store });
const statusView = new StatusView({ signaling, onRename: renameMe, cameraWaits: () => gate.blocked });
new MediaPanel(document.querySelector('#media-panel'), { library, onRetry: () => library.startCamera() });
// The connection check's module loads when its button is first pressed: most visits
// never press it, and it was 2.7 KB (brotli) of the first load (issue 14). The panel it
// makes then answers every later press itself.
const connectivityRoot = document.querySelector('#connectivity-panel');
let connectivity = null;
function startConnectivity() {
  connectivityRoot.querySelector('#connectivity-run').removeEventListener('click', startConnectivity);
  import(/* on demand */ './connectivity.js').then(({ ConnectivityPanel }) => {
    connectivity = new ConnectivityPanel(connectivityRoot, {
      getIceServers: () => signaling.request(P.ICE_SERVERS).then((ack) => ack.iceServers),
      getPolicy: () => store.getState().me?.iceTransportPolicy || 'all',
    });
    connectivity.run();
  }).catch((err) => {
    console.warn('connection check not loaded', err);
    connectivityRoot.querySelector('#connectivity-status').textContent = CONNECTIVITY_NOT_LOADED;
    connectivityRoot.querySelector('#connectivity-run').addEventListener('click', startConnectivity);
  });
}
connectivityRoot?.querySelector('#connectivity-run').addEventListener('click', startConnectivity);

const callFrom = document.querySelector('#call-from');
callFrom.addEventListener('change', () => { calls.callFrom = callFrom.value; });

function renderCallFrom(state) {
  const online = ownAnchors(state).filter((a) => a.status !== 'offline');
  callFrom.closest('label').hidden = online.length < 2;
  const wanted = [['', FIRST_FREE_SLOT], ...online.map((a) => [a.id, a.name])];
  if (callFrom.dataset.sig !== JSON.stringify(wanted)) {
    callFrom.dataset.sig = JSON.stringify(wanted);
    callFrom.replaceChildren(...wanted.map(([value, label]) => new Option(label, value)));
  }
  callFrom.value = online.some((a) => a.id === calls.callFrom) ? calls.callFrom : '';
}

function render() {
  const state = store.getState();
  // the top bar's name follows a rename made in another tab too (lobby:user)
  const nav = document.querySelector('#nav-me');
  if (nav && state.me && nav.textContent !== state.me.user.displayName) nav.textContent = state.me.user.displayName;
  lobbyView.render(state);
  grid.render(state);
  statusView.render(state);
  renderCallFrom(state);
  // Ring: audible (WebAudio) and visible (tile, prompt, tab title).
  const slots = ownAnchors(state).map((a) => [a.id, slotOf(state, a.id).phase]);
  const ringingIn = slots.filter(([, phase]) => phase === 'ringing-in').map(([id]) => id);
  ringer.set(ringingIn.length ? 'incoming' : slots.some(([, phase]) => phase === 'ringing-out') ? 'outgoing' : null);
  document.title = `${ringingIn.length ? INCOMING_TITLE : ''}Call · TLightChat`;
  notifier.update(ringingIn.map((id) => {
    const slot = slotOf(state, id);
    return { invitationId: slot.invitationId, peerName: slot.peer?.displayName, slotName: state.lobby.anchors[id]?.name };
  }));
  stage.render(state); // focus follows the ring and the call; the live region says it
  for (const id of media.keys()) {
    if (!state.lobby.anchors[id] && state.me) { media.get(id).stop(); media.delete(id); }
  }
}

store.subscribe(render);
trust.addEventListener('change', render);
document.addEventListener('visibilitychange', render); // a ring in a tab just hidden notifies
trust.watch();
signaling.on(STATUS, render);
library.addEventListener('camera', () => {
  if (library.camera.status === 'ready') {
    for (const m of media.values()) {
      if (m.cameraFallback && m.sourceId === 'none') m.setSource('camera');
      m.cameraFallback = false;
    }
  }
  render();
});
// Browsers let audio start only after a gesture: the first click unlocks the ringer.
addEventListener('pointerdown', () => ringer.unlock(), { once: true });
library.startCamera();
render();
// Offline mode (offline.js) loads on demand (issue 33.2), when the user takes the offer;
// it must load then with the server gone. A service worker's install keeps every module
// of this page, on-demand ones too (static/sw.js): once it is ready, that is enough.
// Without one (plain http on a LAN: no service worker) the module loads once this page
// has started, as before but off the first load; and the first lost connection before
// either loads it at once, while the server may still answer.
let offline = null;
let offlineReady = false;
const loadOffline = () => (offline ||= import(/* on demand */ './offline.js')
  .then((m) => { offlineReady = true; return m; })
  .catch((err) => { offline = null; throw err; }));
if (navigator.serviceWorker && document.querySelector('script[data-worker]')) {
  navigator.serviceWorker.ready.then(() => { offlineReady = true; });
} else if (document.readyState === 'complete') { // this module is imported after the load event, or before
  loadOffline().catch(() => null);
} else {
  addEventListener('load', () => loadOffline().catch(() => null), { once: true });
}
signaling.on(STATUS, ({ status }) => { if (status !== 'connected' && !offlineReady) loadOffline().catch(() => null); });
watchReachability(signaling, {
  onOffline: () => loadOffline().then(({ startOffline }) => startOffline({ signaling, library }))
    .catch((err) => { console.warn('offline mode not loaded', err); notify(t('reach.notLoaded')); }),
});

// Call links and knocking (issue 27), each loaded when first needed (reach/on-demand.js).
mountReach({ signaling, store, calls, notify });

// The chat panel (absent from the offline export), on this page's connection and lobby.
// Imported once this page has rendered: as a static import its module graph ran first
// and held back the lobby (issue 14). The modules are preloaded (templates/call.html).
const chatRoot = document.querySelector('[data-chat-root]:not([data-standalone])');
let chat = null;
let chatView = null;
if (chatRoot) {
  // a message while the chat is closed: a toast and a badge on Chat (issue 31.6)
  new ChatToast(document.querySelector('#chat-toast'), {
    signaling, myId: () => store.getState().me?.user.id, isOpen: () => stage.chatOpen(), say: (text) => stage.say(text),
    onOpen: (peerId) => { stage.setChat(true); chatView?.open(peerId); },
  });
  import('./chat/panel.js').then(({ mount }) => {
    ({ store: chat, view: chatView } = mount(chatRoot, { signaling, lobbyStore: store }));
  }).catch((err) => {
    console.warn('chat panel not loaded', err);
    notify(CHAT_NOT_LOADED);
  });
}

// Read-only handle for debugging and the e2e tests (they act through the UI): its
// properties cannot be reassigned.
const handle = { signaling, store, sessions: calls.sessions, media, library, ringer, calls, trust, rejoin };
window.tlc = Object.defineProperties({}, {
  ...Object.fromEntries(Object.entries(handle).map(([key, value]) => [key, { value, enumerable: true }])),
  chat: { get: () => chat, enumerable: true }, // null until the chat panel is mounted
  connectivity: { get: () => connectivity, enumerable: true }, // null until first pressed
  offlineReady: { get: () => offlineReady, enumerable: true }, // offline mode could start with no server
});
