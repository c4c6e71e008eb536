// "Remove this line?" asked in the tile, under its header (issue 31.2): the × of a slot
// that is in a call or a ring no longer ends it without asking. Focus goes to the safe
// answer (Keep); Keep or Escape puts it back on the ×.
import { h, setText } from './dom.js';
import { TILE } from './words.js';

let count = 0;

export class RemoveAsk {
  constructor({ opener, onYes }) {
    this.opener = opener;
    const id = `remove-ask-${++count}`;
    this.text = h('p', { id, class: 'remove-ask-text' });
    this.yes = h('button', { type: 'button', class: 'button small danger', dataset: { ask: 'yes' } }, TILE.removeYes);
    this.no = h('button', { type: 'button', class: 'button small', dataset: { ask: 'no' } }, TILE.removeNo);
    this.el = h('div', { class: 'remove-ask', role: 'group', 'aria-labelledby': id, hidden: true },
      this.text, h('div', { class: 'remove-ask-buttons' }, this.yes, this.no));
    this.yes.addEventListener('click', () => { this.close(false); onYes(); });
    this.no.addEventListener('click', () => this.close(true));
    this.el.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); this.close(true); } });
  }

  get open() { return !this.el.hidden; }

  ask(text) {
    setText(this.text, text);
    this.el.hidden = false;
    this.no.focus();
  }

  close(refocus) {
    this.el.hidden = true;
    if (refocus) this.opener.focus();
  }
}
