// A camera that is off shows the person's initial, not a black box (issue 31.3): a large
// circle with the first letter of their display name, centred over the dark video area.
// aria-hidden: the words over the video already say "Ada turned the camera off".
// Used by the two-party stage and its self-view (anchor-tile.js, self-view.js), each
// party tile of a group call (party-grid.js) and the lobby's avatar (lobby.js).
import { h, setText } from './dom.js';

const graphemes = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
// a grapheme that shows something of its own: not a lone combining mark, a space or a control
const VISIBLE = /[^\p{M}\p{Z}\p{C}]/u;

// The first grapheme of the name (an emoji with its joiners, a letter with its accents),
// upper-cased; '' for an empty name.
export function initialOf(name) {
  const text = String(name ?? '');
  const parts = graphemes ? Array.from(graphemes.segment(text), (s) => s.segment) : Array.from(text);
  const first = parts.find((g) => VISIBLE.test(g));
  return first ? first.toLocaleUpperCase() : '';
}

// The circle itself; show(name) or hide().
export class Initial {
  constructor(cls) {
    this.letter = h('span', { class: 'initial-letter' });
    this.el = h('div', { class: `cam-off-initial ${cls}`, 'aria-hidden': 'true', hidden: true }, this.letter);
  }

  show(name, on = true) {
    const letter = on ? initialOf(name) : '';
    setText(this.letter, letter);
    this.el.hidden = !letter;
  }
}
