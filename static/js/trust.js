// Trust marks: the peers this user verified by comparing the safety code (safety.js),
// kept by the server (trust:set / trust:list) so they hold on every tab and device.
// Emits 'change' whenever the marks change; badges() fills the name badges of the page.
import { TRUST_LIST, TRUST_SET } from './protocol.js';
import { SAFETY } from './views/words.js';

export class TrustMarks extends EventTarget {
  constructor(signaling) {
    super();
    this.signaling = signaling;
    this.marks = {}; // peerUserId → {code, verified}
    this.seen = {};  // peerUserId → the code a call with them showed on this page
  }

  // A live call with this peer shows `code`: a verified peer whose code differs is
  // flagged in the lobby and chat too, not only on the tile.
  noteCode(peerUserId, code) {
    if (this.seen[peerUserId] === code) return;
    this.seen = { ...this.seen, [peerUserId]: code };
    this.fill();
  }

  // On every (re)connect: marks made on another tab or device meanwhile.
  async load() {
    try {
      ({ marks: this.marks } = await this.signaling.request(TRUST_LIST));
      this.changed();
    } catch (err) {
      console.warn('trust:list failed', err);
    }
  }

  markOf(peerUserId) {
    return this.marks[peerUserId] || null;
  }

  async set(peerUserId, code, verified) {
    const mark = await this.signaling.request(TRUST_SET, { peerUserId, code, verified });
    this.marks = { ...this.marks, [peerUserId]: { code: mark.code, verified: mark.verified } };
    this.changed();
  }

  changed() {
    this.fill();
    this.dispatchEvent(new Event('change'));
  }

  // Every [data-trust-for] badge under `root` (the lobby's and the chat's names).
  fill(root = document) {
    for (const el of root.querySelectorAll('[data-trust-for]')) {
      const peer = el.dataset.trustFor;
      const mark = this.marks[peer];
      const verified = Boolean(mark?.verified);
      const changed = verified && this.seen[peer] !== undefined && this.seen[peer] !== mark.code;
      const text = changed ? `⚠ ${SAFETY.warnBadge}` : verified ? `✓ ${SAFETY.badge}` : '';
      if (el.hidden === verified) el.hidden = !verified;
      if (el.textContent !== text) el.textContent = text;
      el.title = changed ? SAFETY.warnBadgeTitle : verified ? SAFETY.badgeTitle : '';
      if (el.dataset.trust !== (changed ? 'changed' : verified ? 'verified' : '')) {
        el.dataset.trust = changed ? 'changed' : verified ? 'verified' : '';
      }
    }
  }

  // Badges appear as the lobby and chat render: fill new ones as they are added.
  watch(root = document.body) {
    new MutationObserver(() => this.fill(root)).observe(root, { childList: true, subtree: true });
  }
}
