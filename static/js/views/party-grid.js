// A group call on its slot's tile (issue 26): one PartyTile per other party, in a grid
// over the tile's stage (the slot's own preview stays where it is). Each tile shows its
// pair's connection (sessions.js keeps one per party): the video with sound, the name,
// what that party turned off and what this side sees of it ("Not sending video", "Poor
// connection", signs.js), the pair's safety code (views/safety.js), and a pin button.
//
// Layout (static/css/group.css): a grid by count (2–6), the active speaker outlined;
// one tile *featured* — the pinned one, else the active speaker — which a phone shows
// large above a strip of the others, and a wide screen across two cells when pinned.
// The active speaker is the party whose received audio level (getStats inbound-rtp
// audioLevel, stats.js) is loudest over SPEAKING_LEVEL; it changes at most every
// SPEAKER_HOLD_MS, so two people talking at once do not flip it every second.
// Where the grid leaves a cell free (views/group-layout.js), the self-view is a tile of
// it: a cell named "You" that self-view.js lays the user's own video over.
// A short screen (a phone on its side): the overlays compact, one line, the safety
// code behind a button of its own (group.css).
import { h, keyed, setAttr, setText } from './dom.js';
import { verdict } from '../signs.js';
import { presenterOf } from '../group-slot.js';
import { peerNoteText, SAFETY, TILE } from './words.js';
import { groupLayout, PHONE_QUERY } from './group-layout.js';
import { GROUP } from './group-words.js';
import { SafetyLine } from './safety.js';
import { RemoteSound } from './sound.js';
import { icon, setIcon } from './icons.js';
import { Initial } from './initial.js';

export const SPEAKING_LEVEL = 0.02;
const SPEAKER_HOLD_MS = 1500;
const SELF = 'self'; // the self-view's cell among the tiles (keyed)

class PartyTile {
  constructor(peerAnchorId, { trust, onPin }) {
    this.peerAnchorId = peerAnchorId;
    this.session = null;
    this.video = h('video', { class: 'party-video', autoplay: true, playsInline: true });
    this.who = h('span');
    this.line = h('span', { class: 'party-line' }); // " · Line 1": not in a phone's strip (group.css)
    this.name = h('span', { class: 'party-name' }, this.who, this.line);
    this.initial = new Initial('party-initial'); // their camera off: their initial (initial.js)
    this.note = h('p', { class: 'party-note', role: 'status' });
    this.unmute = h('button', { type: 'button', class: 'button small unmute-btn', hidden: true }, TILE.unmute);
    this.sound = new RemoteSound(this.video, this.unmute);
    this.unmute.addEventListener('click', () => this.sound.unmute());
    this.pin = h('button', { type: 'button', class: 'button small icon-btn pin-btn', dataset: { action: 'pin' },
      'aria-pressed': 'false', onclick: () => onPin(peerAnchorId) }, icon('pin'));
    this.safety = new SafetyLine(trust || {});
    // a short screen only (group.css): the code and its "Mark verified" shown on demand
    this.codeBtn = h('button', { type: 'button', class: 'button small code-btn', 'aria-expanded': 'false',
      onclick: () => this.showCode(this.codeBtn.getAttribute('aria-expanded') !== 'true') }, SAFETY.label);
    this.el = h('div', { class: 'party-tile', dataset: { peerAnchorId } },
      this.video, this.initial.el, h('div', { class: 'party-head' }, this.name, this.pin), this.unmute,
      h('div', { class: 'party-foot' }, this.note, this.codeBtn, this.safety.el)); // the note stacks above the code
    this.onSigns = () => this.renderNote();
    this.onStats = () => { this.renderStats(); this.safety.render(this.session, this.pairSlot); };
  }

  attach(session) {
    if (this.session === session) return;
    for (const [type, fn] of [['signs', this.onSigns], ['stats', this.onStats], ['safety', this.onStats]]) {
      this.session?.removeEventListener(type, fn);
      session?.addEventListener(type, fn);
    }
    this.session = session;
    this.sound.attach(session);
    // the pair's first remote frame (setup time: bench/group_call.py), as the tile's own video does
    if (session && !session.firstFrameAt && 'requestVideoFrameCallback' in this.video) {
      this.video.requestVideoFrameCallback((now) => {
        if (this.session === session && !session.firstFrameAt) session.firstFrameAt = performance.timeOrigin + now;
      });
    }
  }

  // party: {peer, peerMedia}; slot: the slot's phase for the safety line.
  update(party, slot, session, { pinned, speaking, featured, presenting }) {
    this.party = party;
    this.pairSlot = { phase: slot.phase, peer: party.peer };
    this.attach(session);
    const name = party.peer.displayName || '';
    setText(this.who, presenting ? TILE.peerPresenting(name) : name);
    setText(this.line, !presenting && party.peer.anchorName ? ` · ${party.peer.anchorName}` : '');
    setAttr(this.el, 'data-screen', presenting ? 'true' : null);
    this.video.setAttribute('aria-label', GROUP.video(name));
    setIcon(this.pin, pinned ? 'unpin' : 'pin');
    this.pin.setAttribute('aria-pressed', String(pinned));
    this.pin.setAttribute('aria-label', pinned ? GROUP.unpin(name) : GROUP.pin(name));
    this.pin.title = this.pin.getAttribute('aria-label');
    setAttr(this.el, 'data-pinned', pinned ? 'true' : null);
    setAttr(this.el, 'data-speaking', speaking ? 'true' : null);
    setAttr(this.el, 'data-featured', featured ? 'true' : null);
    setAttr(this.el, 'data-peer-audio', party.peerMedia ? String(party.peerMedia.audio) : null);
    setAttr(this.el, 'data-peer-video', party.peerMedia ? String(party.peerMedia.video) : null);
    this.initial.show(name, party.peerMedia?.video === false);
    this.renderNote();
    this.renderStats();
    this.safety.render(session, this.pairSlot);
  }

  showCode(on) {
    this.codeBtn.setAttribute('aria-expanded', String(on));
    setAttr(this.el, 'data-show-code', on ? 'true' : null);
  }

  renderNote() {
    const party = this.party;
    if (!party) return;
    const signs = this.session ? verdict(this.session.health?.signs, party.peerMedia) : { notSending: false, poor: null };
    const text = peerNoteText(party.peerMedia, signs, party.peer.displayName);
    setText(this.note, text);
    this.note.hidden = !text;
    setAttr(this.el, 'data-peer-sending-video', signs.notSending ? 'false' : null);
    setAttr(this.el, 'data-connection', signs.poor ? 'poor' : null);
  }

  renderStats() {
    const r = this.session?.stats;
    const live = Boolean(r) && this.session.everConnected;
    setAttr(this.el, 'data-net', this.session?.net || null);
    setAttr(this.el, 'data-path', live && r.path ? (r.path.relayed ? 'relayed' : 'direct') : null);
  }

  // The last received audio level of this pair (0..1), from health.js's last getStats.
  get level() {
    return this.session?.health?.lastSnap?.audioLevel ?? 0;
  }

  remove() {
    this.attach(null);
    this.el.remove();
  }
}

export class PartyGrid {
  // sessionOf(peerAnchorId): the pair's PeerSession; trust: the safety line's actions;
  // say(text): the page's live region; onLayout(): the grid's layout changed (its count,
  // the free cell, a tile shown large, the phone's strip), so the self-view follows.
  constructor(stage, { sessionOf, trust, say = () => {}, onLayout = () => {} }) {
    Object.assign(this, { sessionOf, trust, say, onLayout });
    this.layoutKey = null;
    this.el = h('div', { class: 'party-grid', role: 'group', 'aria-label': GROUP.gridLabel, hidden: true });
    this.roster = h('ul', { class: 'party-roster', 'aria-label': GROUP.rosterLabel });
    stage.append(this.el);
    this.tiles = new Map();
    this.pinned = null;
    this.speaker = null;
    this.speakerAt = 0;
    this.seenRoster = 0; // the seq of the last roster entry announced
    this.callId = null;
    this.ticker = null;
    this.selfCell = h('div', { class: 'self-cell' }, h('span', { class: 'self-name' }, GROUP.you));
    this.phone = globalThis.matchMedia?.(PHONE_QUERY); // the strip layout: no free cell
    this.phone?.addEventListener?.('change', () => this.slot && this.render(this.slot));
  }

  get active() { return !this.el.hidden; }

  setPin(peerAnchorId) {
    this.pinned = this.pinned === peerAnchorId ? null : peerAnchorId;
    this.render(this.slot);
  }

  // Group mode when the slot's call has two or more other parties.
  render(slot) {
    this.slot = slot;
    const live = slot && ['connecting', 'connected'].includes(slot.phase);
    const parties = live ? slot.parties || [] : [];
    const group = parties.length > 1;
    this.el.hidden = !group;
    if (slot?.callId !== this.callId) {
      this.callId = slot?.callId ?? null;
      this.seenRoster = (slot?.roster || []).at(-1)?.seq ?? 0;
      this.pinned = null;
    }
    if (!group) {
      for (const tile of this.tiles.values()) tile.remove();
      this.tiles.clear();
      clearInterval(this.ticker);
      this.ticker = null;
      this.el.removeAttribute('data-count');
      this.el.removeAttribute('data-self');
      this.selfCell.remove();
      this.layoutKey = null;
      this.announce(slot);
      return;
    }
    if (!this.ticker) this.ticker = setInterval(() => this.pickSpeaker(), 500);
    if (this.pinned && !parties.some((x) => x.peer.anchorId === this.pinned)) this.pinned = null;
    const presenting = presenterOf(slot)?.anchorId ?? null; // a shared screen is featured unless one pinned another
    const featured = this.pinned || presenting
      || (parties.some((x) => x.peer.anchorId === this.speaker) ? this.speaker : parties[0].peer.anchorId);
    const ids = new Set(parties.map((x) => x.peer.anchorId));
    for (const [id, tile] of this.tiles) if (!ids.has(id)) { tile.remove(); this.tiles.delete(id); }
    const large = Boolean(this.pinned || presenting);
    const phone = Boolean(this.phone?.matches);
    const layout = groupLayout(parties.length, { large, phone });
    const cell = layout.self; // the self-view's, last and placed by its row and column
    this.selfCell.style.gridArea = cell ? `${cell.row} / ${cell.col}` : '';
    keyed(this.el, cell ? [...parties, SELF] : parties, (x) => (x === SELF ? SELF : x.peer.anchorId), (x) => {
      if (x === SELF) return this.selfCell;
      const tile = new PartyTile(x.peer.anchorId, { trust: this.trust, onPin: (id) => this.setPin(id) });
      this.tiles.set(x.peer.anchorId, tile);
      return tile.el;
    }, (el, x) => x !== SELF && this.tiles.get(x.peer.anchorId)?.update(x, slot, this.sessionOf(x.peer.anchorId), {
      pinned: this.pinned === x.peer.anchorId, speaking: this.speaker === x.peer.anchorId, featured: featured === x.peer.anchorId,
      presenting: presenting === x.peer.anchorId,
    }));
    this.el.dataset.count = String(parties.length);
    setAttr(this.el, 'data-self', cell ? 'true' : null);
    setAttr(this.el, 'data-pinned', large ? 'true' : null); // the featured one large
    const key = `${parties.length} ${cell ? `${cell.row}/${cell.col}` : '-'} ${large} ${phone}`;
    if (key !== this.layoutKey) {
      this.layoutKey = key;
      this.onLayout();
    }
    this.announce(slot);
  }

  // The loudest party over the threshold becomes the active speaker (held a moment).
  pickSpeaker() {
    let best = null;
    let level = SPEAKING_LEVEL;
    for (const [id, tile] of this.tiles) if (tile.level > level) { best = id; level = tile.level; }
    const now = performance.now();
    if (best && best !== this.speaker && now - this.speakerAt > SPEAKER_HOLD_MS) {
      this.speaker = best;
      this.speakerAt = now;
      this.render(this.slot);
    }
  }

  // Comings and goings (group-slot.js's roster) and the rings still open: listed under
  // the call, and each new entry said once through the live region.
  announce(slot) {
    const live = slot && ['connecting', 'connected', 'ringing-out'].includes(slot.phase);
    const roster = live ? slot.roster || [] : [];
    const adding = live ? (slot.adding || []).filter((a) => slot.phase !== 'ringing-out' || slot.callId) : [];
    const lines = [...roster.slice(-3).map((e) => [`r${e.seq}`, GROUP.rosterText(e), e.kind]),
      ...adding.map((a) => [`a${a.peer.anchorId}`, GROUP.ringing(a.peer.displayName), 'ringing'])];
    keyed(this.roster, lines, ([key]) => key, ([, text, kind]) => h('li', { dataset: { kind } }, text),
      (li, [, text]) => setText(li, text));
    this.roster.hidden = !lines.length;
    const fresh = roster.filter((e) => e.seq > this.seenRoster);
    if (fresh.length) this.say(fresh.map((e) => GROUP.rosterText(e)).join(' '));
    this.seenRoster = Math.max(this.seenRoster, roster.at(-1)?.seq ?? 0);
  }
}
