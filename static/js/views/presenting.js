// Presenting a screen (issue 31.4). It was one option of the "Send" menu, with no state
// shown; now it has:
//   - its own icon button in the control bar (aria-pressed while presenting), hidden
//     where the browser cannot capture a screen (phones);
//   - a "You are presenting your screen" banner over the stage with "Stop presenting",
//     which goes back to what the line sent before (the camera, a clip, or nothing);
//   - on the other side, the presenter's word (call:peer-state `screen`, calls.js): the
//     tile gets data-peer-screen, shown large and whole (app.css), and says who presents.
// The tile (anchor-tile.js) places the elements and calls render() on every update.
import { h, setAttr, setText } from './dom.js';
import { icon } from './icons.js';
import { TILE } from './words.js';
import { presenterOf } from '../group-slot.js';

export const canPresent = () => typeof navigator !== 'undefined' && Boolean(navigator.mediaDevices?.getDisplayMedia);

export class Presenting {
  // setSource(sourceId): what the line sends ('screen' to present).
  constructor(setSource) {
    this.setSource = setSource;
    this.on = false;
    this.before = 'camera'; // what the line sent before presenting
    this.button = h('button', { type: 'button', class: 'button icon-button present-btn', 'aria-label': TILE.present,
      title: TILE.present, 'aria-pressed': 'false', onclick: () => (this.on ? this.stop() : this.start()) }, icon('screen'));
    this.stopButton = h('button', { type: 'button', class: 'button small danger stop-present', onclick: () => this.stop() },
      TILE.stopPresenting);
    this.banner = h('div', { class: 'present-banner', role: 'status', hidden: true },
      h('span', { class: 'present-text' }, TILE.presenting), this.stopButton);
    this.peerBadge = h('p', { class: 'peer-presenting', hidden: true });
  }

  start() {
    this.setSource('screen');
  }

  stop() {
    const back = this.before;
    this.setSource(back === 'screen' ? 'camera' : back);
  }

  // el: the tile; media: its AnchorMedia; slot: its call slot.
  render(el, media, slot) {
    const live = slot.phase === 'connecting' || slot.phase === 'connected';
    if (media.sourceId !== 'screen') this.before = media.sourceId;
    this.on = media.sourceId === 'screen' && Boolean(media.videoTrack);
    this.button.hidden = !canPresent();
    this.button.setAttribute('aria-pressed', String(this.on));
    this.button.classList.toggle('on', this.on);
    const label = this.on ? TILE.stopPresenting : TILE.present;
    this.button.setAttribute('aria-label', label);
    this.button.title = label;
    this.banner.hidden = !this.on;
    setAttr(el, 'data-presenting', this.on ? 'true' : null);
    // A group call: the presenting party's own tile says so and is shown large (party-grid.js);
    // slot.peerMedia is only the first party's.
    const group = (slot.parties?.length || 0) > 1;
    const presenter = !live ? null : group ? presenterOf(slot)
      : slot.peerMedia?.screen === true && slot.peerMedia.video !== false ? slot.peer : null;
    setAttr(el, 'data-peer-screen', presenter ? 'true' : null);
    setText(this.peerBadge, presenter && !group ? TILE.peerPresenting(presenter.displayName) : '');
    this.peerBadge.hidden = !presenter || group;
  }
}
