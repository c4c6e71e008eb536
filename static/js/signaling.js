// The one Socket.IO connection of a page, and a promise-based request/ack API over it.
//
// Stable interface (the chat panel imports it too):
//   const sig = new Signaling({basePath});        // basePath optional: derived from the page
//   await sig.request('anchor:create', {name})    // → ack without `ok`, or throws Error{code}
//   sig.on('call:ring', fn) / sig.off('call:ring', fn)
//   sig.on('status', fn)                          // fn({status, reason, code, transport})
//   sig.status, sig.transport
//   sig.received                                  // the call events received: [{event, at, data}]
//   sig.setResumeState(() => ({anchors, calls}))  // what the call page sends on reconnect
// status: 'connecting' | 'connected' | 'disconnected' | 'refused'.
//
// Reconnects resume: every (re)connect sends the Socket.IO `auth` object with the
// resumeToken of the last session:welcome, so the server gives this tab back its client
// (same id, anchors, calls) within its grace period, or rebuilds it after a restart from
// the state the page provides (docs/protocol.md, "Connecting").
import { io } from '../vendor/socket.io.esm.min.js';
import { PROTOCOL_VERSION, SESSION_CLOSING, SESSION_WELCOME } from './protocol.js';
import { deviceLabel } from './device.js';

export const STATUS = 'status';
const DEFAULT_TIMEOUT_MS = 10000;
const RECEIVED_KEPT = 200;
// Reconnect backoff: 0.5 s doubling up to 3 s, ±50 % jitter (Socket.IO's default tops out
// at 5 s). A restarted server has every tab back within a few seconds, spread out.
const RECONNECT = { reconnectionDelay: 500, reconnectionDelayMax: 3000, randomizationFactor: 0.5 };

// The page's server-side route (data-route, e.g. "/call") is the tail of location.pathname;
// whatever precedes it is a proxy prefix ("/port3000"). Socket.IO reads a path in the URL
// as a namespace, so the prefix must go into `path`, never into the URL.
export function pageBasePath(pathname = location.pathname, route = document.body.dataset.route) {
  let prefix = '';
  if (route && route !== '/' && pathname.endsWith(route)) {
    prefix = pathname.slice(0, pathname.length - route.length);
  } else if (route === '/') {
    prefix = pathname.replace(/\/$/, '');
  }
  return prefix.replace(/\/$/, '') + '/';
}

// ?transport=polling (or websocket) forces one transport, e.g. behind a proxy that breaks
// WebSockets; otherwise the server's configured list (data-transports), polling first so
// the first connection never waits on a blocked upgrade.
export function pageTransports(search = location.search) {
  const forced = new URLSearchParams(search).get('transport');
  if (forced === 'polling' || forced === 'websocket') return [forced];
  const configured = document.body.dataset.transports || document.getElementById('app')?.dataset.transports;
  const list = (configured || '').split(',').map((t) => t.trim()).filter(Boolean);
  return list.length ? list : ['polling', 'websocket'];
}

export class SignalingError extends Error {
  constructor(code, message, retryAfterMs = null) {
    super(message || code);
    this.name = 'SignalingError';
    this.code = code;
    this.retryAfterMs = retryAfterMs;  // `unavailable`: when to try again
  }
}

export class Signaling {
  // resumeToken: a reloaded page's saved token (rejoin.js), sent on its first connect.
  constructor({ basePath = pageBasePath(), transports = pageTransports(), timeoutMs = DEFAULT_TIMEOUT_MS,
                resumeToken = null } = {}) {
    this.basePath = basePath;
    this.timeoutMs = timeoutMs;
    this.status = 'connecting';
    this.reason = '';
    this.code = '';
    this.everConnected = false;
    this._statusListeners = new Set();
    this.resumeToken = resumeToken;
    this._resumeState = () => ({});
    this.socket = io({ path: basePath + 'socket.io', transports, auth: this._auth.bind(this), ...RECONNECT });
    // What this page received of the call events, in order, stamped on the machine clock
    // (the last RECEIVED_KEPT): the e2e tests check with it what reached the page when —
    // e.g. that no answer or candidate reached the caller before the callee accepted.
    this.received = [];
    this.socket.onAny((event, data) => {
      if (!String(event).startsWith('call:')) return;
      this.received.push({ event, at: performance.timeOrigin + performance.now(), data });
      if (this.received.length > RECEIVED_KEPT) this.received.shift();
    });
    this.socket.on(SESSION_WELCOME, (welcome) => { this.resumeToken = welcome.resumeToken || null; });
    // The server is stopping (a restart): say so; the socket.io client reconnects by
    // itself when the connection closes, and the next server restores this tab's calls.
    this.socket.on(SESSION_CLOSING, ({ message } = {}) => this._setStatus('connecting', message || 'the server is restarting'));
    this.socket.on('connect', this._onConnect.bind(this));
    this.socket.on('disconnect', this._onDisconnect.bind(this));
    this.socket.on('connect_error', this._onConnectError.bind(this));
    this.socket.io.on('reconnect_attempt', () => this._setStatus('connecting', 'reconnecting…'));
    // Leaving the page closes the socket now, so the server drops this tab (its anchors,
    // rings and calls) at once instead of at the heartbeat timeout — unless keepOnHide()
    // says to keep it (a tab in a call may be reloading: rejoin.js); then the socket
    // drops without a goodbye and the server keeps the client for its grace period.
    this.keepOnHide = () => false;
    this._onPageHide = () => {
      let keep = false;
      try { keep = this.keepOnHide(); } catch (err) { console.error('keepOnHide failed', err); }
      // Kept for a reload: the connection still goes now, as when the page is gone, without
      // the goodbye a disconnect() sends (the server keeps the client for its grace). A page
      // a service worker controls outlived its closed tab with the socket open (Chromium).
      if (!keep) this.socket.disconnect();
      else this.socket.io.engine?.close();
    };
    addEventListener('pagehide', this._onPageHide);
    // The network is back: reconnect now rather than when the backoff timer says (the
    // server keeps this tab's calls only for its grace period).
    this._onOnline = () => {
      if (this.everConnected && this.socket.active && !this.socket.connected) this.socket.disconnect().connect();
    };
    addEventListener('online', this._onOnline);
  }

  get connected() {
    return this.socket.connected;
  }

  // 'polling' or 'websocket' (after an upgrade); '' while not connected.
  get transport() {
    return this.socket.io.engine?.transport?.name || '';
  }

  // Called by Socket.IO before every (re)connect.
  _auth(callback) {
    const device = deviceLabel();  // the lobby tells this tab from the user's others
    // protocol: the version this page speaks (docs/protocol.md, "Versions").
    if (!this.resumeToken) return callback({ device, protocol: PROTOCOL_VERSION });
    let state = {};
    try { state = this._resumeState() || {}; } catch (err) { console.error('resume state failed', err); }
    callback({ resume: this.resumeToken, device, protocol: PROTOCOL_VERSION, ...state });
  }

  setResumeState(provider) {
    this._resumeState = provider;
  }

  // Send a client event; resolves with the ack minus `ok`. While disconnected the
  // request waits (Socket.IO buffers it) and goes out after the reconnect — the server
  // resumes this tab's client, so it still means the same thing — or times out.
  request(event, payload, { timeoutMs = this.timeoutMs } = {}) {
    if (this.status === 'refused' || (this.everConnected && !this.socket.active)) {
      return Promise.reject(new SignalingError('disconnected', 'not connected to the server'));
    }
    return new Promise((resolve, reject) => {
      const onAck = (err, ack) => {
        if (err) return reject(new SignalingError('timeout', `${event}: no answer within ${timeoutMs} ms`));
        if (!ack || typeof ack !== 'object') return reject(new SignalingError('internal', `${event}: malformed ack`));
        const { ok, error, ...result } = ack;
        if (ok) return resolve(result);
        reject(new SignalingError(error?.code || 'internal', error?.message || `${event} failed`,
          error?.retryAfterMs ?? null));
      };
      const timed = this.socket.timeout(timeoutMs);
      if (payload === undefined) timed.emit(event, onAck);
      else timed.emit(event, payload, onAck);
    });
  }

  // Server events, plus the local 'status' event.
  on(event, fn) {
    if (event === STATUS) this._statusListeners.add(fn);
    else this.socket.on(event, fn);
    return this;
  }

  off(event, fn) {
    if (event === STATUS) this._statusListeners.delete(fn);
    else this.socket.off(event, fn);
    return this;
  }

  close() {
    removeEventListener('pagehide', this._onPageHide);
    removeEventListener('online', this._onOnline);
    this.socket.disconnect();
  }

  _onConnect() {
    this.everConnected = true;
    this._setStatus('connected');
    // Report the WebSocket upgrade (or its absence) as a status change too.
    this.socket.io.engine.once('upgrade', () => this._setStatus('connected'));
  }

  _onDisconnect(reason) {
    // 'io client disconnect' is our own pagehide/close: nothing will reconnect.
    this._setStatus('disconnected', reason);
  }

  _onConnectError(err) {
    // A refusal from the server's connect handler carries data {code, message} and is
    // final (socket.active is false) unless it says when to try again (`unavailable`:
    // the server is stopping); anything else is a network error, retried.
    const retryMs = err?.data?.code === 'unavailable' ? err.data.retryAfterMs : null;
    if (!this.socket.active && retryMs) {
      this._setStatus('connecting', err.data.message || 'the server is restarting');
      clearTimeout(this._retryTimer);
      this._retryTimer = setTimeout(() => this.socket.connect(), retryMs);
    } else if (!this.socket.active) {
      this._setStatus('refused', err?.data?.message || err?.message || 'refused', err?.data?.code || 'refused');
    } else {
      this._setStatus('connecting', `cannot reach the server (${err?.message || 'error'}); retrying`);
    }
  }

  _setStatus(status, reason = '', code = '') {
    this.status = status;
    this.reason = reason;
    this.code = code;
    const info = { status, reason, code, transport: this.transport };
    for (const fn of [...this._statusListeners]) {
      try { fn(info); } catch (err) { console.error('status listener failed', err); }
    }
  }
}
