// The safety code of a call: proof that nobody sits in the middle of its DTLS-SRTP.
//
// The signaling server carries the SDP, and with it each side's DTLS fingerprint; a
// server that swapped them could relay (and read) the media unseen. So each side
// hashes every fingerprint of the live connection's two descriptions — its own (the
// local description) and the peer's (the remote description as received: what the DTLS
// handshake verified the peer's certificate against, or the connection would not be
// up) — in a fixed order (sorted), with SHA-256, into 16 digits. Every line counts: a
// server that kept the peer's fingerprint first and added its own on another line
// (the browser may check that one) changes the code. Read aloud and matching, the two
// sides hold each other's certificates: nobody in the middle. The exact formula, with a
// worked example, is in docs/protocol.md ("Safety codes"); tests/protocol/test_safety_formula.py
// checks this file against it. Where getStats names the peer's certificate (Chromium;
// Firefox does not), it must be one the remote description lists, or the code is
// refused as a mismatch. The code is recomputed with every stats tick, so a new
// certificate (a new peer connection) shows at once; an ICE restart keeps it.
//
// The page keeps one DTLS certificate per site (siteCertificate: IndexedDB), so the
// code of two people stays the same over calls and reloads, and "verified" can stick.

const DB_NAME = 'tlc-dtls';
const STORE = 'certificates';
const KEY = 'site';
const DAY_MS = 24 * 3600 * 1000;
export const NO_FINGERPRINT = 'no DTLS fingerprint in the descriptions';
export const MISMATCH = "the peer's certificate is not the one its description names";

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function idb(db, mode, act) {
  return new Promise((resolve, reject) => {
    const req = act(db.transaction(STORE, mode).objectStore(STORE));
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// This site's DTLS certificate (an RTCCertificate is structured-cloneable, so
// IndexedDB keeps it with its private key), made once and renewed before it expires.
// null when the browser cannot (no IndexedDB, private mode): each connection then
// gets a fresh one, and the code changes with every call.
export async function siteCertificate() {
  try {
    const db = await openDb();
    const kept = await idb(db, 'readonly', (s) => s.get(KEY));
    if (kept && kept.expires > Date.now() + DAY_MS) return kept;
    const made = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256', expires: 365 * DAY_MS });
    await idb(db, 'readwrite', (s) => s.put(made, KEY));
    return made;
  } catch (err) {
    console.warn('no persistent DTLS certificate', err);
    return null;
  }
}

// Every distinct a=fingerprint line of an SDP (session or media level), each as
// "sha-256 AB:CD:…" (the hash function in lower case, the fingerprint in upper case, as
// written otherwise), sorted by code unit: the fingerprints a side names, all of which
// the DTLS handshake may check the certificate against (docs/protocol.md).
export function sdpFingerprints(sdp) {
  const lines = String(sdp || '').matchAll(/^a=fingerprint:(\S+)[ \t]+(\S+)[ \t]*\r?$/gm);
  return [...new Set([...lines].map((m) => normal(m[1], m[2])))].sort();
}

const normal = (algorithm, hex) => `${algorithm.toLowerCase()} ${hex.toUpperCase()}`;

// The peer's certificate as getStats names it (the transport of the selected pair), or
// null (Firefox has none; Chromium sometimes none for the transport in use).
export function statsRemoteFingerprint(report) {
  let transport = null;
  report.forEach((s) => {
    if (s.type === 'transport' && s.remoteCertificateId && (!transport || s.selectedCandidatePairId)) transport = s;
  });
  const cert = transport && report.get(transport.remoteCertificateId);
  return cert?.fingerprint && cert.fingerprintAlgorithm ? normal(cert.fingerprintAlgorithm, cert.fingerprint) : null;
}

// The peer's fingerprints for the code: all those of its description as received
// (docs/protocol.md). getStats' certificate, when there is one, must be listed there:
// else 'mismatch'.
export function remoteFingerprints(remoteSdp, fromStats) {
  const listed = sdpFingerprints(remoteSdp);
  if (fromStats && listed.length && !listed.includes(fromStats)
      && listed.some((f) => f.split(' ')[0] === fromStats.split(' ')[0])) return { error: 'mismatch' };
  return listed.length ? { fingerprints: listed } : { error: 'none' };
}

// 16 digits in 4 groups from SHA-256 of the two sides' fingerprint lists: each side's
// joined by ",", the two sorted, joined by "\n".
export async function safetyCode(a, b) {
  const text = [a.join(','), b.join(',')].sort().join('\n');
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const groups = [];
  for (let i = 0; i < 4; i += 1) groups.push(String(((bytes[2 * i] << 8) | bytes[2 * i + 1]) % 10000).padStart(4, '0'));
  return groups.join(' ');
}

// Watches one PeerSession: session.safety = {code, local, remote, error}; emits
// 'safety' on the session when it changes.
export class Safety {
  constructor(session) {
    this.session = session;
    this.code = null;
    this.local = null;
    this.remote = null;
    this.error = null;
    this.busy = false;
    this.update = this.update.bind(this);
    session.addEventListener('stats', this.update);
    session.addEventListener('state', this.update);
  }

  async update() {
    const pc = this.session.pc;
    if (this.busy || this.session.closed || pc.connectionState !== 'connected') return;
    this.busy = true;
    try {
      if (!globalThis.crypto?.subtle) throw new Error('no WebCrypto (not a secure page)');
      // Own: the local description, as this side sent it (peer.js sends it unchanged).
      const local = sdpFingerprints(pc.localDescription?.sdp);
      const fromStats = statsRemoteFingerprint(await pc.getStats());
      const remote = remoteFingerprints(this.session.remoteSdp
        || (pc.currentRemoteDescription || pc.remoteDescription)?.sdp, fromStats);
      // Connected, yet a fingerprint is missing: say so rather than "working it out" forever.
      if (!local.length || remote.error) throw new Error(remote.error === 'mismatch' ? MISMATCH : NO_FINGERPRINT);
      const code = await safetyCode(local, remote.fingerprints);
      if (code !== this.code || this.error) {
        Object.assign(this, { code, local, remote: remote.fingerprints, error: null });
        this.session.emit('safety', { code });
      }
    } catch (err) {
      const error = String(err.message || err);
      if (this.error !== error || this.code) {
        Object.assign(this, { code: null, error });
        this.session.emit('safety', { code: null });
      }
    } finally {
      this.busy = false;
    }
  }

  stop() {
    this.session.removeEventListener('stats', this.update);
    this.session.removeEventListener('state', this.update);
  }
}
