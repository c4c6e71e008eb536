// The call stage around the tiles: chat beside the call (a side panel on wide screens, a
// sheet over the stage on narrow ones), full screen, picture-in-picture, keyboard
// shortcuts with their help popover, where keyboard focus goes when a ring comes and a
// call starts or ends, and the live region that says state changes out loud.
import { ownAnchors, slotOf } from '../store.js';
import { ANNOUNCE } from './words.js';

const LIVE = new Set(['connecting', 'connected']);
const KEYS_OFF = 'tlc.shortcutsOff';
const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

export class CallStage {
  constructor({ grid, actions, store }) {
    Object.assign(this, { grid, actions, store });
    this.announcer = document.querySelector('#announcer');
    this.help = document.querySelector('#shortcuts-help');
    this.phases = new Map(); // anchorId → phase seen at the last render
    this.beforeRing = null;  // what had focus when a ring took it
    document.querySelector('#chat-close')?.addEventListener('click', () => this.setChat(false));
    document.querySelector('#shortcuts-close').addEventListener('click', () => this.showHelp(false));
    document.addEventListener('keydown', this.onKey.bind(this));
    // WCAG 2.1.4: the single-key shortcuts can be turned off (this browser remembers)
    this.keysOn = document.querySelector('#shortcuts-on');
    try { this.keysOn.checked = localStorage.getItem(KEYS_OFF) !== '1'; } catch { /* storage blocked: on */ }
    this.keysOn.addEventListener('change', () => {
      try { localStorage.setItem(KEYS_OFF, this.keysOn.checked ? '0' : '1'); } catch { /* kept for this page only */ }
    });
  }

  // The slot the shortcuts act on: the one in a call, else the first.
  current() {
    const state = this.store.getState();
    const anchors = ownAnchors(state);
    return (anchors.find((a) => LIVE.has(slotOf(state, a.id).phase)) || anchors[0])?.id;
  }

  onKey(e) {
    if (e.key === 'Escape' && !this.help.hidden) { this.showHelp(false); return; }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || !this.keysOn.checked) return;
    const id = this.current();
    const key = e.key.toLowerCase();
    const act = {
      m: () => this.actions.mic(id), v: () => this.actions.cam(id), c: () => this.actions.chat(id),
      f: () => this.grid.setFocus(!document.body.classList.contains('focus-mode')),
      '?': () => this.showHelp(this.help.hidden),
    }[e.key === '?' ? '?' : key];
    if (key === 'h' && e.shiftKey) {
      if (id && LIVE.has(slotOf(this.store.getState(), id).phase)) this.actions.hangup(id);
    } else if (act && !(e.shiftKey && e.key !== '?')) {
      act();
    } else return;
    e.preventDefault();
  }

  chatOpen() { return document.body.classList.contains('chat-open'); }

  setChat(open) {
    document.body.classList.toggle('chat-open', open);
    for (const b of document.querySelectorAll('.tile button[data-action="chat"]')) b.setAttribute('aria-pressed', String(open));
    if (open) document.querySelector('#chat-panel .chat-item, #chat-panel [data-chat-input]:not([hidden])')?.focus({ preventScroll: true });
    this.say(open ? ANNOUNCE.chatOpen : ANNOUNCE.chatClosed);
  }

  showHelp(open) {
    this.help.hidden = !open;
    if (open) { this.helpFrom = document.activeElement; document.querySelector('#shortcuts-close').focus(); }
    else this.helpFrom?.focus?.();
  }

  fullscreen(anchorId) {
    const el = this.grid.tiles.get(anchorId)?.el;
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else el?.requestFullscreen?.().catch(() => {});
  }

  pip(anchorId) {
    const video = this.grid.tiles.get(anchorId)?.remote;
    if (document.pictureInPictureElement) document.exitPictureInPicture().catch(() => {});
    else video?.requestPictureInPicture?.().catch(() => {});
  }

  say(text) {
    if (!text) return;
    // Re-set even when equal, so a repeated change is read again.
    this.announcer.textContent = '';
    requestAnimationFrame(() => { this.announcer.textContent = text; });
  }

  // After each render: move focus with the call and announce what changed.
  render(state) {
    for (const anchor of ownAnchors(state)) {
      const slot = slotOf(state, anchor.id);
      const before = this.phases.get(anchor.id);
      this.phases.set(anchor.id, slot.phase);
      if (before === undefined || before === slot.phase) continue;
      const tile = this.grid.tiles.get(anchor.id);
      if (!tile) continue;
      const name = slot.peer?.displayName || slot.outcome?.peer?.displayName;
      if (slot.phase === 'ringing-in') {
        this.beforeRing = document.activeElement;
        tile.el.scrollIntoView({ block: 'nearest' });
        tile.btn('accept').focus();
        this.say(ANNOUNCE.ringing(name));
      } else if (LIVE.has(slot.phase) && !LIVE.has(before)) {
        if (before === 'ringing-in' || tile.el.contains(document.activeElement) || document.activeElement === document.body) {
          tile.btn('hangup').focus();
        }
        showCall(tile.el);
        if (slot.phase === 'connected' || before !== 'connecting') this.say(ANNOUNCE.live(name));
      } else if (slot.phase === 'connected') {
        this.say(ANNOUNCE.live(name));
      } else if (slot.phase === 'idle') {
        const lost = !document.activeElement || document.activeElement === document.body || tile.el.contains(document.activeElement);
        if (lost) {
          const back = before === 'ringing-in' && this.beforeRing?.isConnected && this.beforeRing !== document.body ? this.beforeRing : tile.el;
          back.focus();
        }
        this.beforeRing = null;
        this.say(tile.outcome.textContent);
      } else if (slot.phase === 'ringing-out') {
        this.say(ANNOUNCE.calling(name));
      }
    }
  }
}

// A call that starts comes into view. A tile taller than the window (a phone, upright or on
// its side, where the picture is the window less the bar): the picture and the bar under it,
// not the line's head above them (issue 31.5).
function showCall(el) {
  const stage = el.querySelector('.stage');
  if (stage && el.offsetHeight > innerHeight) stage.scrollIntoView({ block: 'start' });
  else el.scrollIntoView({ block: 'nearest' });
}
