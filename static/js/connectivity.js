// The pre-call connection check (like Galène's relay test): with the ICE servers the
// server hands out (fresh from `ice:servers`), a throwaway RTCPeerConnection gathers
// candidates for a few seconds, and their types say what works:
//   host  — local addresses only: calls within the same network;
//   srflx — a STUN server told us our public address: most home networks connect;
//   relay — the TURN server gave us a relayed address: calls connect even through
//           firewalls that block everything else.
// TURN errors (icecandidateerror) tell "refused the credentials" from "unreachable".
//
//   const result = await checkConnectivity({iceServers, timeoutMs: 5000, onProgress});
//   verdict(facts) is the pure part (facts → words), testable with fixed inputs.

import { TURN_REFUSED, isTurnUrl as isTurn } from './health.js';
import { t } from './i18n.js';

export const CHECK_TIMEOUT_MS = 5000;
const isStun = (url) => /^stuns?:/i.test(url || '');

export function serverUrls(iceServers = []) {
  const urls = iceServers.flatMap((s) => [].concat(s.urls || []));
  return { stun: urls.filter(isStun), turn: urls.filter(isTurn) };
}

export async function checkConnectivity({ iceServers = [], timeoutMs = CHECK_TIMEOUT_MS, onProgress = () => {} } = {}) {
  const started = performance.now();
  const { stun, turn } = serverUrls(iceServers);
  const found = { host: [], srflx: [], prflx: [], relay: [] };
  const errors = [];
  let timedOut = false;
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'all' });
  try {
    const gathered = new Promise((resolve) => {
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
    });
    pc.addEventListener('icecandidate', (e) => {
      const c = e.candidate;
      if (!c || !c.candidate) return;
      (found[c.type] || (found[c.type] = [])).push({ address: c.address, port: c.port, protocol: c.protocol, url: e.url || c.url || '' });
      onProgress({ type: c.type, found, errors });
    });
    pc.addEventListener('icecandidateerror', (e) => {
      errors.push({ url: e.url || '', code: e.errorCode, text: e.errorText || '' });
      onProgress({ error: errors.at(-1), found, errors });
    });
    pc.createDataChannel('probe'); // something to negotiate, so ICE gathers
    await pc.setLocalDescription(await pc.createOffer());
    await Promise.race([gathered, new Promise((resolve) => {
      setTimeout(() => { timedOut = true; resolve(); }, timeoutMs);
    })]);
  } finally {
    pc.close();
  }
  const elapsedMs = Math.round(performance.now() - started);
  return { ...verdict({ stun, turn, found, errors, timedOut, timeoutMs }), found, errors, elapsedMs, timedOut };
}

// facts → {host, stun, turn: {status, text}, overall: {kind, text}}.
// status: ok | failed | refused | unreachable | none.
export function verdict({ stun = [], turn = [], found = {}, errors = [], timedOut = false, timeoutMs = CHECK_TIMEOUT_MS, policy = 'all' }) {
  const count = (type) => (found[type] || []).length;
  const secs = `${Math.round(timeoutMs / 1000)} s`;
  const host = count('host')
    ? { status: 'ok', text: t('check.hostOk') }
    : { status: 'failed', text: t('check.hostFailed') };

  let stunResult;
  if (!stun.length) {
    stunResult = { status: 'none', text: turn.length
      ? t('check.stunNoneTurn')
      : t('check.stunNone') };
  } else if (count('srflx')) {
    const a = found.srflx[0];
    stunResult = { status: 'ok', text: t('check.stunOk', { address: String(a.address) }) };
  } else {
    const err = errors.find((e) => isStun(e.url));
    stunResult = { status: 'failed', text: err
      ? t('check.stunFailed', { url: err.url, code: code(err) })
      : t('check.stunNoAddress', { secs }) };
  }

  const code = (e) => `${e.code}${e.text ? ` ${e.text.replace(/\.$/, '')}` : ''}`;
  let turnResult;
  if (!turn.length) {
    turnResult = { status: 'none', text: t('check.turnNone') };
  } else if (count('relay')) {
    const a = found.relay[0];
    turnResult = { status: 'ok', text: t('check.turnOk', { address: String(a.address), port: String(a.port) }) };
  } else {
    const turnErrors = errors.filter((e) => isTurn(e.url));
    const refused = turnErrors.find((e) => TURN_REFUSED.has(e.code));
    if (refused) {
      turnResult = { status: 'refused', text: t('check.turnRefused', { code: code(refused) }) };
    } else if (turnErrors.length || timedOut) {
      turnResult = { status: 'unreachable', text: t('check.turnUnreachable', { secs, servers: turn.join(', ') }) };
    } else {
      turnResult = { status: 'failed', text: t('check.turnFailed') };
    }
  }

  let overall;
  if (turnResult.status === 'ok') overall = { kind: 'ok', text: t('check.allOk') };
  else if (policy === 'relay') overall = { kind: 'error', text: t('check.relayFails') };
  else if (stunResult.status === 'ok') overall = { kind: 'warn', text: t('check.stunOnly') };
  else if (host.status === 'ok') overall = { kind: 'warn', text: t('check.hostOnly') };
  else overall = { kind: 'error', text: t('check.noPath') };
  return { host, stun: stunResult, turn: turnResult, overall };
}

// The panel on the call page: a button, a progress bar over the time limit, one line per
// finding. The result is also in data-* attributes (data-turn="refused", …) for tests.
export class ConnectivityPanel {
  constructor(root, { getIceServers, getPolicy = () => 'all', timeoutMs = CHECK_TIMEOUT_MS }) {
    Object.assign(this, { root, getIceServers, getPolicy, timeoutMs });
    this.button = root.querySelector('#connectivity-run');
    this.progress = root.querySelector('#connectivity-progress');
    this.status = root.querySelector('#connectivity-status');
    this.list = root.querySelector('#connectivity-results');
    this.button.addEventListener('click', () => this.run());
  }

  async run() {
    if (this.running) return this.running;
    this.running = this.runOnce().finally(() => { this.running = null; });
    return this.running;
  }

  async runOnce() {
    this.button.disabled = true;
    this.root.dataset.state = 'running';
    for (const key of ['host', 'stun', 'turn', 'overall']) delete this.root.dataset[key];
    this.list.replaceChildren();
    this.progress.hidden = false;
    this.progress.value = 0;
    const started = performance.now();
    const tick = setInterval(() => {
      this.progress.value = Math.min(100, (100 * (performance.now() - started)) / this.timeoutMs);
    }, 100);
    this.status.textContent = t('check.gettingServers');
    try {
      let iceServers = [];
      try {
        iceServers = await this.getIceServers();
      } catch (err) {
        this.status.textContent = t('check.noServers', { message: err.message });
      }
      const { stun, turn } = serverUrls(iceServers);
      this.status.textContent = t('check.trying', { servers: [...stun, ...turn].join(', ') || t('check.localOnly'),
        seconds: Math.round(this.timeoutMs / 1000) });
      const result = await checkConnectivity({ iceServers, timeoutMs: this.timeoutMs });
      const words = verdict({ stun, turn, found: result.found, errors: result.errors, timedOut: result.timedOut,
                              timeoutMs: this.timeoutMs, policy: this.getPolicy() });
      this.show(words, result.elapsedMs);
      return { ...result, ...words };
    } finally {
      clearInterval(tick);
      this.progress.hidden = true;
      this.button.disabled = false;
    }
  }

  show(words, elapsedMs) {
    const line = (key, { status, text }) => {
      const li = document.createElement('li');
      li.dataset.check = key;
      li.dataset.status = status;
      li.textContent = text;
      return li;
    };
    this.list.replaceChildren(line('turn', words.turn), line('stun', words.stun), line('host', words.host));
    this.status.textContent = t('check.done', { verdict: words.overall.text, seconds: (elapsedMs / 1000).toFixed(1) });
    this.status.dataset.kind = words.overall.kind;
    Object.assign(this.root.dataset, {
      state: 'done', host: words.host.status, stun: words.stun.status, turn: words.turn.status, overall: words.overall.kind,
    });
  }
}
