// The tile's safety line: the call's safety code with what it means, the verified mark
// (or a warning when a verified peer shows a different code), and whether this side's
// address is hidden behind the relay. Renders into its own element, which the tile
// places in its body; the code comes from the session's Safety (safety.js).
import { h, setAttr, setText } from './dom.js';
import { SAFETY } from './words.js';

export class SafetyLine {
  // onMark(peerUserId, code, verified) stores the trust mark (trust:set).
  // onCode(peerUserId, code) tells the page which code a live call with them shows.
  constructor({ onMark = null, markOf = () => null, onCode = () => {} } = {}) {
    this.onMark = onMark;
    this.markOf = markOf; // peerUserId → {code, verified} | null
    this.onCode = onCode;
    this.privacy = h('p', { class: 'privacy-note' });
    this.code = h('strong', { class: 'safety-code' });
    this.meaning = h('span', { class: 'safety-meaning' });
    this.mark = h('span', { class: 'safety-mark' });
    this.button = h('button', { type: 'button', class: 'button small verify-btn', title: SAFETY.verifyTitle });
    this.button.addEventListener('click', () => this.toggleMark());
    this.codeLine = h('p', { class: 'safety-line' }, this.code, ' ', this.meaning, ' ', this.mark, ' ', this.button);
    this.el = h('div', { class: 'safety' }, this.codeLine, this.privacy);
    this.render(null, null);
  }

  render(session, slot) {
    this.session = session;
    this.slot = slot;
    const live = Boolean(session) && slot && (slot.phase === 'connecting' || slot.phase === 'connected');
    // What getStats says (the selected pair's local candidate), never what was intended.
    const local = live && session.relayOnly ? session.stats?.path?.local : null;
    const privacy = !local ? null : local === 'relay' ? 'relay' : 'exposed';
    this.privacy.hidden = !privacy;
    setText(this.privacy, privacy === 'relay' ? SAFETY.hidden : privacy ? SAFETY.exposed(local) : '');
    setAttr(this.el, 'data-privacy', privacy);
    const code = live ? session.safety?.code : null;
    this.codeLine.hidden = !live;
    setAttr(this.el, 'data-code', code || null);
    if (!live) return;
    const error = session.safety?.error;
    // the code itself reads left to right in every language (its groups keep their order)
    const text = code ? `${SAFETY.label}: ` : error ? SAFETY.unavailable(error) : SAFETY.computing;
    if (this.code.textContent !== `${text}${code || ''}`) {
      this.code.replaceChildren(text, ...(code ? [h('bdi', { dir: 'ltr' }, code)] : []));
    }
    setText(this.meaning, code ? SAFETY.meaning : '');
    const peer = slot.peer;
    const mark = peer && this.markOf(peer.userId);
    const verified = Boolean(code && mark?.verified);
    const state = !verified ? null : mark.code === code ? 'verified' : 'mismatch';
    if (code && peer) this.onCode(peer.userId, code);
    setAttr(this.el, 'data-trust', state);
    setText(this.mark, state === 'verified' ? SAFETY.verified(peer.displayName)
      : state === 'mismatch' ? SAFETY.mismatch(peer.displayName) : '');
    this.mark.setAttribute('role', state === 'mismatch' ? 'alert' : 'status');
    this.button.hidden = !code || !this.onMark || !peer;
    setText(this.button, state === 'verified' ? SAFETY.unverify : SAFETY.verify);
  }

  toggleMark() {
    const code = this.session?.safety?.code;
    const peer = this.slot?.peer;
    if (!code || !peer || !this.onMark) return;
    const mark = this.markOf(peer.userId);
    this.onMark(peer.userId, code, !(mark?.verified && mark.code === code));
  }
}
