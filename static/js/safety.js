// The safety code of a call: proof that nobody sits in the middle of its DTLS-SRTP.
//
// The signaling server carries the SDP, and with it each side's DTLS fingerprint; a
// server that swapped them could relay (and read) the media unseen. So each side
// hashes the two fingerprints the live connection really uses — its own (the local
// description) and the peer's as the DTLS handshake saw it (getStats: the certificate
// of the transport in use, not what the SDP said) — in a fixed order (sorted), with
// SHA-256, into 16 digits. Read aloud and matching, the two sides hold each other's
// certificates: nobody in the middle. The code is recomputed with every stats tick, so
// a new certificate (a new peer connection) shows at once; an ICE restart keeps it.
//
// The page keeps one DTLS certificate per site (siteCertificate: IndexedDB), so the
// code of two people stays the same over calls and reloads, and "verified" can stick.

const DB_NAME = 'tlc-dtls';
const STORE = 'certificates';
const KEY = 'site';
const DAY_MS = 24 * 3600 * 1000;

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

// "sha-256 AB:CD:…" of an SDP's first a=fingerprint line (session or media level).
export function sdpFingerprint(sdp) {
  const m = /^a=fingerprint:(\S+) (\S+)/m.exec(sdp || '');
  return m ? normal(m[1], m[2]) : null;
}

const normal = (algorithm, hex) => `${algorithm.toLowerCase()} ${hex.toUpperCase()}`;

// The peer's certificate as used by the transport of the selected pair.
export function statsRemoteFingerprint(report) {
  let transport = null;
  report.forEach((s) => {
    if (s.type === 'transport' && s.remoteCertificateId && (!transport || s.selectedCandidatePairId)) transport = s;
  });
  const cert = transport && report.get(transport.remoteCertificateId);
  return cert ? normal(cert.fingerprintAlgorithm, cert.fingerprint) : null;
}

// 16 digits in 4 groups from SHA-256 of the two fingerprints, sorted, one per line.
export async function safetyCode(a, b) {
  const text = [a, b].sort().join('\n');
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
      const local = sdpFingerprint(pc.localDescription?.sdp);
      const remote = statsRemoteFingerprint(await pc.getStats());
      const code = local && remote ? await safetyCode(local, remote) : null;
      if (code !== this.code || this.error) {
        Object.assign(this, { code, local, remote, error: null });
        this.session.emit('safety', { code });
      }
    } catch (err) {
      if (!this.error) {
        this.error = String(err.message || err);
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
