// The small self-view over a call's video: moved by dragging it (pointer events: mouse,
// touch, pen) or from the keyboard (it takes focus; the arrow keys send it to the left,
// right, top or bottom edge, so it snaps between the four corners). It stays inside the
// stage and above the control bar, and keeps its place — across renders, a resized
// window and the next call (its position is kept as fractions of the free space, in
// localStorage). While a slot is idle the preview fills the stage and does not move.
// In a group call whose grid leaves a cell free (party-grid.js .self-cell), the view
// fills that cell instead, a tile of the grid, and does not move.
import { SELF_VIEW, TILE } from './words.js';
import { Initial } from './initial.js';

const KEY = 'tlc.selfView';
const MARGIN = 8; // px from the stage's edges
// In a group call the top of each party tile holds its name and pin button
// (group.css .party-head, 2rem + padding): the self-view stays below them.
const PARTY_HEAD = 44;

const CORNERS = { '0,0': SELF_VIEW.topLeft, '1,0': SELF_VIEW.topRight, '0,1': SELF_VIEW.bottomLeft, '1,1': SELF_VIEW.bottomRight };

function loadPlace() {
  try {
    const p = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (p && Number.isFinite(p.x) && Number.isFinite(p.y)) return { x: clamp01(p.x), y: clamp01(p.y) };
  } catch { /* none kept */ }
  // top right (top left on a right-to-left page): the bar has the bottom
  return { x: document.documentElement.dir === 'rtl' ? 0 : 1, y: 0 };
}

const clamp01 = (v) => Math.min(1, Math.max(0, v));

export class SelfView {
  constructor(video, stage, bar) {
    Object.assign(this, { video, stage, bar });
    this.active = false;
    this.group = false;
    this.place = loadPlace();
    this.drag = null;
    video.tabIndex = -1;
    this.initial = new Initial('self-initial'); // the camera off: the user's initial over the view
    video.after(this.initial.el);
    video.addEventListener('pointerdown', this.onPointerDown.bind(this));
    video.addEventListener('pointermove', this.onPointerMove.bind(this));
    video.addEventListener('pointerup', this.onPointerUp.bind(this));
    video.addEventListener('pointercancel', this.onPointerUp.bind(this));
    video.addEventListener('keydown', this.onKey.bind(this));
    // another tile (or tab) moved its self-view: follow, so all agree
    addEventListener('storage', (e) => { if (e.key === KEY) { this.place = loadPlace(); this.apply(); } });
    this.resized = new ResizeObserver(() => this.apply());
    this.resized.observe(stage);
  }

  // Called on every render: movable only in a call (idle: the preview fills the stage);
  // `group`: party tiles fill the stage. A group grid's own changes come through apply()
  // (party-grid.js onLayout), not here: a render that changed nothing reads no layout.
  setActive(active, group = false) {
    if (active === this.active && group === this.group) return;
    const changed = active !== this.active;
    this.group = group;
    if (!changed) { this.apply(); return; }
    this.active = active;
    this.video.tabIndex = active ? 0 : -1;
    if (active) {
      this.video.dataset.movable = 'true';
      this.label();
    } else {
      delete this.video.dataset.movable;
      this.video.setAttribute('aria-label', TILE.previewMuted);
    }
    this.apply();
  }

  // The free space: where the view's top left corner may go, inside the stage and above
  // the control bar where the bar lies over the stage.
  bounds() {
    const s = this.stage.getBoundingClientRect();
    const w = this.video.offsetWidth;
    const h = this.video.offsetHeight;
    let bottom = s.height;
    const b = this.bar?.getBoundingClientRect();
    if (b && b.height && b.top < s.bottom && b.top > s.top + h + 2 * MARGIN) bottom = b.top - s.top;
    const maxX = Math.max(MARGIN, s.width - w - MARGIN);
    // a group call on a phone on its side: the party tiles leave a strip (group.css); the view stays in it
    const g = this.group && this.stage.querySelector('.party-grid')?.getBoundingClientRect();
    if (g && s.right - g.right >= w + MARGIN) return { minX: maxX, minY: MARGIN, maxX, maxY: Math.max(MARGIN, bottom - h - MARGIN) };
    if (g && g.left - s.left >= w + MARGIN) return { minX: MARGIN, minY: MARGIN, maxX: MARGIN, maxY: Math.max(MARGIN, bottom - h - MARGIN) };
    const minY = this.group ? PARTY_HEAD : MARGIN;
    return { minX: MARGIN, minY, maxX, maxY: Math.max(minY, bottom - h - MARGIN) };
  }

  // The camera off (track disabled, black frames): the user's initial over the view.
  cover(name, on) {
    const was = !this.initial.el.hidden;
    this.initial.show(name, on);
    if (was !== on) this.apply();
  }

  apply() {
    const style = this.video.style;
    const cover = this.initial.el.style; // where the view is (idle: the whole stage, by CSS)
    if (!this.active) {
      style.left = style.top = style.right = style.bottom = style.width = style.height = '';
      delete this.video.dataset.inGrid;
      cover.left = cover.top = cover.width = cover.height = '';
      return;
    }
    style.right = style.bottom = 'auto';
    const cell = this.group && this.stage.querySelector('.party-grid:not([hidden]) .self-cell');
    if (cell) {
      if (this.cell !== cell) this.resized.observe(cell);
      const s = this.stage.getBoundingClientRect();
      const c = cell.getBoundingClientRect();
      Object.assign(style, { left: `${c.left - s.left - this.stage.clientLeft}px`, top: `${c.top - s.top - this.stage.clientTop}px`,
                             width: `${c.width}px`, height: `${c.height}px` });
      if (!this.video.dataset.inGrid) { // a tile of the grid: it cannot be moved, so no key stop or "drag it"
        this.video.dataset.inGrid = 'true';
        this.video.tabIndex = -1;
        this.video.setAttribute('aria-label', TILE.previewMuted);
      }
    } else {
      style.width = style.height = '';
      if (this.video.dataset.inGrid) { delete this.video.dataset.inGrid; this.video.tabIndex = 0; this.label(); }
      const r = this.bounds();
      style.left = `${Math.round(r.minX + this.place.x * (r.maxX - r.minX))}px`;
      style.top = `${Math.round(r.minY + this.place.y * (r.maxY - r.minY))}px`;
    }
    this.cell = cell || this.cell;
    if (this.initial.el.hidden) return;
    Object.assign(cover, { left: style.left, top: style.top, width: `${this.video.offsetWidth}px`, height: `${this.video.offsetHeight}px` });
  }

  moveTo(px, py) { // the view's top left, in stage pixels; kept inside the free space
    const r = this.bounds();
    this.place = {
      x: r.maxX > r.minX ? clamp01((px - r.minX) / (r.maxX - r.minX)) : 0,
      y: r.maxY > r.minY ? clamp01((py - r.minY) / (r.maxY - r.minY)) : 0,
    };
    this.apply();
  }

  save() {
    try { localStorage.setItem(KEY, JSON.stringify(this.place)); } catch { /* private mode: this page only */ }
    this.label();
  }

  label() {
    const corner = CORNERS[`${Math.round(this.place.x)},${Math.round(this.place.y)}`];
    this.video.setAttribute('aria-label', SELF_VIEW.label(corner));
  }

  onPointerDown(e) {
    if (!this.active || e.button !== 0 || this.video.dataset.inGrid) return;
    e.preventDefault();
    this.video.focus({ preventScroll: true });
    this.video.setPointerCapture(e.pointerId);
    this.drag = { id: e.pointerId, x: e.clientX - this.video.offsetLeft, y: e.clientY - this.video.offsetTop };
    this.video.dataset.dragging = 'true';
  }

  onPointerMove(e) {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    this.moveTo(e.clientX - this.drag.x, e.clientY - this.drag.y);
  }

  onPointerUp(e) {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    this.drag = null;
    delete this.video.dataset.dragging;
    this.save();
  }

  onKey(e) {
    if (!this.active || this.video.dataset.inGrid) return;
    const to = { ArrowLeft: ['x', 0], ArrowRight: ['x', 1], ArrowUp: ['y', 0], ArrowDown: ['y', 1] }[e.key];
    if (!to || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    e.stopPropagation();
    this.place = { ...this.place, [to[0]]: to[1] };
    this.apply();
    this.save();
  }
}
