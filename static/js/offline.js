// Offline mode: what works with no server at all. The user picks sources, previews them,
// and runs a loopback test call between two slots of this page — a camera/microphone
// self-test with real media through the same PeerSession code real calls use. The two
// sessions talk through an in-page bus instead of the server.
//
// Entered three ways: the static export (#app data-offline="1"), the URL (?offline),
// or the call page's "Use offline mode" offer when the server cannot be reached.
import { CALL_SIGNAL } from './protocol.js';
import { PeerSession } from './peer.js';
import { AnchorMedia, MediaLibrary } from './media.js';
import { MediaPanel } from './views/media-panel.js';
import { h, setText } from './views/dom.js';
import { OFFLINE } from './views/words.js';

// The server's role for two sessions in one page: relay each one's signals to the other.
class LoopbackBus {
  constructor() {
    this.sessions = new Map(); // name → PeerSession
  }

  // The part of the Signaling interface a PeerSession uses; the bus never disconnects.
  endpoint(name, peerName) {
    return {
      connected: true,
      status: 'connected',
      on() {},
      off() {},
      request: async (event, payload) => {
        if (event === CALL_SIGNAL) {
          const { callId, ...signal } = payload;
          // Async like a network hop, in order (the receiving session queues them).
          queueMicrotask(() => this.sessions.get(peerName)?.receive({ callId, fromAnchorId: name, ...signal }));
        }
        return {}; // call:media and the rest need no answer here
      },
    };
  }
}

const SLOTS = [
  { name: 'A', label: OFFLINE.slotA, source: 'camera', initiator: true },
  { name: 'B', label: OFFLINE.slotB, source: 'clip:bars', initiator: false },
];

export class OfflineMode {
  // `clips`: whether the sample clips can still be fetched (not when the server that
  // served this page is gone); otherwise both slots start on the camera.
  constructor(root, { library, clips = true, why }) {
    this.library = library;
    this.slots = SLOTS.map((slot) => {
      const source = clips || !slot.source.startsWith('clip:') ? slot.source : 'camera';
      return { ...slot, source, media: new AnchorMedia(library, source) };
    });
    this.sessions = new Map();
    this.status = h('p', { class: 'prompt', role: 'status', 'aria-live': 'polite' });
    this.startButton = h('button', { class: 'button primary', type: 'button', dataset: { action: 'loopback-start' },
      onclick: () => this.start() }, OFFLINE.start);
    this.stopButton = h('button', { class: 'button', type: 'button', dataset: { action: 'loopback-stop' },
      onclick: () => this.stop(), hidden: true }, OFFLINE.stop);
    this.tiles = h('div', { class: 'anchor-grid offline-grid' }, this.slots.map((slot) => this.tile(slot)));
    root.replaceChildren(
      h('header', { class: 'panel-head' }, h('h2', {}, OFFLINE.title)),
      h('p', { class: 'muted' }, h('span', { class: 'offline-why' }, why), OFFLINE.intro),
      this.tiles, h('p', { class: 'grid-tools' }, this.startButton, ' ', this.stopButton), this.status);
    this.timer = setInterval(() => this.render(), 500);
    this.render();
  }

  tile(slot) {
    const picker = h('select', { dataset: { role: 'source' }, onchange: (e) => {
      slot.el.dataset.source = e.target.value;
      slot.media.setSource(e.target.value);
    } },
      this.library.sources().map((s) => h('option', { value: s.id, selected: s.id === slot.source }, s.label)));
    slot.local = h('video', { class: 'local', muted: true, autoplay: true, playsInline: true });
    slot.remote = h('video', { class: 'remote', autoplay: true, playsInline: true });
    slot.info = h('p', { class: 'muted small-text', dataset: { role: 'info' } });
    slot.media.addEventListener('change', () => { slot.local.srcObject = slot.media.stream; });
    slot.media.setSource(slot.source);
    slot.el = h('article', { class: 'tile offline-tile', dataset: { slot: slot.name, phase: 'idle', source: slot.source } },
      h('header', { class: 'tile-head' }, h('strong', {}, slot.label), h('label', { class: 'small-text' }, OFFLINE.sends, picker)),
      h('div', { class: 'stage' }, slot.remote, slot.local), h('div', { class: 'tile-body' }, slot.info));
    return slot.el;
  }

  start() {
    this.stop();
    const bus = new LoopbackBus();
    const [a, b] = this.slots;
    for (const [slot, peer] of [[a, b], [b, a]]) {
      const session = new PeerSession({
        signaling: bus.endpoint(slot.name, peer.name), callId: 'loopback', anchorId: slot.name,
        polite: !slot.initiator, initiator: slot.initiator, media: slot.media,
      });
      bus.sessions.set(slot.name, session);
      this.sessions.set(slot.name, session);
      slot.remote.srcObject = session.remoteStream;
    }
    this.startedAt = performance.now();
    this.render();
  }

  stop() {
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
    for (const slot of this.slots) slot.remote.srcObject = null;
    this.render();
  }

  render() {
    const running = this.sessions.size > 0;
    this.startButton.hidden = running;
    this.stopButton.hidden = !running;
    let connected = 0;
    for (const slot of this.slots) {
      const session = this.sessions.get(slot.name);
      const state = session?.pc.connectionState || 'idle';
      if (state === 'connected') connected += 1;
      // the tile's CSS: a full-size preview when idle, a small one over the remote video
      slot.el.dataset.phase = state === 'idle' ? 'idle' : 'connected';
      slot.el.dataset.state = state;
      const v = slot.remote;
      setText(slot.info, session
        ? `receiving from the other slot: ${state}${v.videoWidth ? ` · ${v.videoWidth}×${v.videoHeight}` : ''}`
        : (slot.media.error || 'not in a test call'));
    }
    setText(this.status, !running ? OFFLINE.pick : connected === 2 ? OFFLINE.connected
      : OFFLINE.connecting(Math.round((performance.now() - this.startedAt) / 1000)));
  }
}

// Take over the call page: hide what needs the server, show the offline panel.
// While in offline mode the page's own connection stays closed (a reconnect would put
// its slots back in the lobby, callable, behind the offline panel); instead it asks the
// server's liveness check every few seconds and says when the server is back.
export const BACK_POLL_MS = 2000;

function watchForServer(basePath, panel, conn) {
  const note = h('p', { class: 'flash ok server-back', role: 'status', hidden: true }, OFFLINE.serverBack, ' ',
    h('button', { type: 'button', class: 'button primary small', dataset: { action: 'reload' },
      onclick: () => location.reload() }, OFFLINE.reload));
  panel.prepend(note);
  const timer = setInterval(async () => {
    try {
      const response = await fetch(`${basePath}healthz/live`, { cache: 'no-store' });
      if (!response.ok) return;
    } catch {
      return; // still unreachable
    }
    clearInterval(timer);
    note.hidden = false;
    // "cannot be reached" is no longer true: only "the server is back" is said (issue 31.9)
    const gone = panel.querySelector('.offline-why');
    if (gone) gone.hidden = true;
    if (conn) { conn.dataset.status = 'back'; conn.textContent = OFFLINE.connBack; }
  }, BACK_POLL_MS);
  return timer;
}

export function startOffline({ signaling = null, library = null } = {}) {
  signaling?.socket.disconnect(); // its slots must not come back behind the offline panel
  for (const id of ['anchors-panel', 'lobby-panel', 'chat-panel', 'me-name-form', 'notice']) {
    const el = document.getElementById(id);
    if (el) el.hidden = true;
  }
  const conn = document.getElementById('conn');
  if (conn) { conn.dataset.status = 'offline'; conn.textContent = OFFLINE.conn; }
  const prompt = document.getElementById('prompt');
  if (prompt) prompt.hidden = true;
  const panel = document.getElementById('offline-panel');
  panel.hidden = false;
  const lib = library || new MediaLibrary({ sinkParent: document.getElementById('media-sinks') });
  if (!library) {
    new MediaPanel(document.getElementById('media-panel'), { library: lib, onRetry: () => lib.startCamera() });
    lib.startCamera();
  }
  // Taking over a page whose server went away: files it did not load yet are out of reach.
  const why = signaling ? OFFLINE.serverGone : OFFLINE.offlineCopy;
  const mode = new OfflineMode(panel, { library: lib, clips: !signaling, why });
  if (signaling) mode.backTimer = watchForServer(signaling.basePath, panel, conn);
  window.tlcOffline = mode; // read by the e2e test (sessions → RTCPeerConnections)
  return mode;
}
