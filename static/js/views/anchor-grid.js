// The grid of own anchors (one AnchorTile each), the tile size slider and focus mode
// (only the remote videos of live calls, as large as the window allows).
import { ownAnchors, slotOf } from '../store.js';
import { AnchorTile } from './anchor-tile.js';
import { TILE } from './words.js';

const SIZE_KEY = 'tlc.tileSize';

export class AnchorGrid {
  // sessionOf(anchorId, peerAnchorId?): the session a tile (or a party tile) shows.
  constructor(root, { actions, sources, mediaOf, sessionOf, say = () => {} }) {
    this.root = root;
    this.grid = root.querySelector('#anchor-grid');
    this.addButton = root.querySelector('#add-anchor');
    this.sizeInput = root.querySelector('#tile-size');
    this.focusButton = document.querySelector('#focus-toggle');
    this.tiles = new Map();
    Object.assign(this, { actions, sources, mediaOf, sessionOf, say });

    this.addButton.addEventListener('click', () => actions.addAnchor());
    this.sizeInput.value = localStorage.getItem(SIZE_KEY) || this.sizeInput.value;
    this.sizeInput.addEventListener('input', this.onSize.bind(this));
    this.onSize();
    this.focusButton.addEventListener('click', () => this.setFocus(!document.body.classList.contains('focus-mode')));
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.setFocus(false); });
  }

  onSize() {
    this.grid.style.setProperty('--tile-min', `${this.sizeInput.value}px`);
    localStorage.setItem(SIZE_KEY, this.sizeInput.value);
  }

  setFocus(on) {
    document.body.classList.toggle('focus-mode', on);
    this.focusButton.setAttribute('aria-pressed', String(on));
    this.focusButton.textContent = on ? TILE.exitFocus : TILE.focus;
    // Back from focus mode: the live call in view again, with its control bar.
    if (!on) this.grid.querySelector('.tile:is([data-phase="connected"], [data-phase="connecting"])')?.scrollIntoView({ block: 'nearest' });
  }

  render(state) {
    const anchors = ownAnchors(state);
    const seen = new Set();
    for (const anchor of anchors) {
      seen.add(anchor.id);
      let tile = this.tiles.get(anchor.id);
      if (!tile) {
        tile = new AnchorTile(anchor.id, { actions: this.actions, sources: this.sources, say: this.say,
          sessionOf: (peerAnchorId) => this.sessionOf(anchor.id, peerAnchorId) });
        this.tiles.set(anchor.id, tile);
        this.grid.append(tile.el);
      }
      const media = this.mediaOf(anchor.id);
      if (media) tile.update({ anchor, slot: slotOf(state, anchor.id), media, session: this.sessionOf(anchor.id),
        myName: state.me?.user?.displayName });
    }
    for (const [id, tile] of this.tiles) {
      if (!seen.has(id)) {
        tile.attachSession(null);
        tile.el.remove();
        this.tiles.delete(id);
      }
    }
    const max = state.me?.maxAnchors ?? 8;
    this.addButton.disabled = anchors.length >= max;
    this.addButton.title = anchors.length >= max ? TILE.maxSlots(max) : TILE.addTitle;
    this.grid.dataset.count = String(anchors.length);
    document.body.classList.toggle('has-live-call', anchors.some((a) => ['connecting', 'connected'].includes(slotOf(state, a.id).phase)));
  }
}
