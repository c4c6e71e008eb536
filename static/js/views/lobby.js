// The lobby: this client's *view* of it (docs/protocol.md, "Lobby views": itself, the
// people it chats with, and a window of others, or of those matching a search), with
// their call slots (anchors) and a Call button on each slot of another tab. Rows are
// keyed and updated in place: the chat panel owns the `.unread` badge inside each user
// row, so a row is never rebuilt.
//
// The search field asks the server for a view of the people whose name contains it
// (`lobby:get {query}`, debounced); the snapshot that follows replaces the list. One
// search is in flight at a time, so the snapshots come back in the order they were
// asked for and the last one is always for the newest text.
//
// Group calls (issue 26): while one of this tab's slots is in a call, each other slot has
// "Add to call" (a ring into that call); a checkbox on each slot selects it for "Call
// selected", which rings all of them at once (call:invite-many).
//
// While this page's socket is not connected (offline(): signaling.js status), the rows are
// what the server said before: the list says so and no call starts from it (31.9).
// (Just over 300 lines: one view of one list; the rows' parts are not worth a module.)
import { h, keyed, setAttr, setText } from './dom.js';
import { ANCHOR_STATUS, LOBBY } from './words.js';
import { freeAnchor, ringingFrom } from '../store.js';
import { GROUP } from './group-words.js';
import { liveAnchor } from '../group-calls.js';
import { skeleton } from '../safety/lookalike.js';
import { accountKind, guestMark, showGuest } from '../safety/guest.js';
import { initialOf } from './initial.js';

export const SEARCH_DEBOUNCE_MS = 250;
export const QUERY_MAX = 64;

// The server matches with Python's str.casefold(); toLowerCase() plus the two common
// letters it folds differently is near enough for hiding pinned people who don't match.
export const fold = (text) => text.toLowerCase().replace(/ß/g, 'ss').replace(/ς/g, 'σ');
// Names that read the same share a key (compatibility forms, case and spaces ignored):
// such people are told apart by the server's `tag` (docs/protocol.md, lobby:snapshot).
export const nameKey = (name) => fold(name.normalize('NFKC')).replace(/[\s\u200b-\u200d\u2060\ufeff]/gu, '');
// A name's keys: as it reads, and as it looks (a lookalike of another, issue 35).
export const nameKeys = (name) => [nameKey(name), `look:${skeleton(name)}`];
const number = new Intl.NumberFormat('en');

// " · Chrome on Linux, tab 2" when the anchor's user has several tabs in the lobby, so
// two tabs of one person never read as two identical "Slot 1" rows.
function tabLabel(state, anchor) {
  const client = state.lobby.clients[anchor.clientId];
  if (!client) return '';
  const tabs = Object.values(state.lobby.clients).filter((c) => c.userId === client.userId);
  if (tabs.length < 2) return '';
  return ` · ${client.device ? `${client.device}, ` : ''}tab ${client.tab}`;
}

export class LobbyView {
  // callWaits(): true while Call must wait (a blocked camera not yet answered, camera-gate.js)
  constructor(root, { onCall, onAdd = () => {}, onCallMany = () => {}, onSearch = async () => {}, callWaits = () => false, offline = () => false }) {
    this.root = root;
    this.list = root.querySelector('#lobby-list');
    this.empty = root.querySelector('#lobby-empty');
    // nobody here: the next step is a call link (issue 31.8); its button takes focus
    this.invite = root.querySelector('#lobby-invite');
    this.invite?.addEventListener('click', (e) => {
      const make = document.querySelector('#link-make');
      if (!make) return;
      e.preventDefault();
      make.scrollIntoView({ block: 'center' });
      make.focus();
    });
    this.count = root.querySelector('#lobby-count');
    this.note = root.querySelector('#lobby-note');
    this.error = root.querySelector('#lobby-error');
    this.search = root.querySelector('#lobby-search');
    this.onCall = onCall;
    this.onAdd = onAdd;
    this.onCallMany = onCallMany;
    this.selected = new Set(); // anchor ids chosen for "Call selected"
    this.callMany = h('button', { type: 'button', class: 'button primary call-many-btn', title: GROUP.callSelectedTitle, hidden: true,
      onclick: () => this.ringSelected() });
    this.list.after(this.callMany);
    this.offline = offline;
    this.staleNote = h('p', { class: 'lobby-stale muted', role: 'status', hidden: true });
    this.list.before(this.staleNote);
    this.callWaits = callWaits;
    this.onSearch = onSearch;
    this.wanted = '';   // what the field asks for (trimmed)
    this.asked = '';    // the last query the server acknowledged (null: unknown)
    this.busy = false;  // a lobby:get is in flight
    this.timer = null;
    this.list.addEventListener('click', this.onClick.bind(this));
    this.search.addEventListener('input', () => this.onInput());
    root.querySelector('#lobby-search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.searchNow(true);
    });
  }

  onClick(event) {
    const box = event.target.closest('input[data-action="select"]');
    if (box) {
      if (box.checked) this.selected.add(box.dataset.anchorId);
      else this.selected.delete(box.dataset.anchorId);
      this.renderCallMany();
      return;
    }
    const button = event.target.closest('button[data-action="call"], button[data-action="add"]');
    if (!button || button.disabled) return;
    if (button.dataset.action === 'add') this.onAdd(button.dataset.anchorId);
    else this.onCall(button.dataset.anchorId);
  }

  ringSelected() {
    const ids = [...this.selected];
    this.selected.clear();
    for (const box of this.list.querySelectorAll('input[data-action="select"]')) box.checked = false;
    this.renderCallMany();
    if (ids.length) this.onCallMany(ids);
  }

  renderCallMany() {
    const n = this.selected.size;
    this.callMany.hidden = n === 0;
    setText(this.callMany, GROUP.callSelected(n));
    this.callMany.disabled = !this.canCall || this.stale || this.callWaits();
  }

  renderStale(stale) {
    this.stale = stale;
    setText(this.staleNote, stale ? LOBBY.stale : '');
    setAttr(this.staleNote, 'hidden', !stale);
  }

  focusSearch() {
    this.search.focus();
  }

  // -- search ------------------------------------------------------------------------

  onInput() {
    clearTimeout(this.timer);
    this.timer = null;
    // Cleared (or the ✕ of the search field): back to the window at once.
    if (!this.search.value.trim()) this.searchNow();
    else this.timer = setTimeout(() => this.searchNow(), SEARCH_DEBOUNCE_MS);
  }

  // `retry`: ask again even when the server already has this query (Enter).
  searchNow(retry = false) {
    clearTimeout(this.timer);
    this.timer = null;
    this.wanted = this.search.value.trim().slice(0, QUERY_MAX);
    if (retry) this.asked = null;
    this.pump();
  }

  // After a (re)connect: a new client's view has no query; ask again for the field's.
  resync() {
    this.asked = null;
    if (this.wanted) this.pump();
    else this.asked = '';
  }

  async pump() {
    if (this.busy || this.wanted === this.asked) return;
    const query = this.wanted;
    this.busy = true;
    this.root.setAttribute('aria-busy', 'true');
    try {
      await this.onSearch(query);
      this.asked = query;
      this.showError('');
    } catch (err) {
      this.showError(LOBBY.failed(query, err.message));
      this.busy = false;
      this.root.removeAttribute('aria-busy');
      return; // no retry by itself: the next keystroke or Enter asks again
    }
    this.busy = false;
    this.root.removeAttribute('aria-busy');
    this.pump(); // typed on while that was asked
  }

  showError(text) {
    setText(this.error, text);
    setAttr(this.error, 'hidden', !text);
  }

  // -- rendering -----------------------------------------------------------------------

  render(state) {
    const { me, lobby } = state;
    // No snapshot yet (each holds me): the server's rows stay (issue 33.1); keyed() reuses them.
    if (!me || !lobby.users[me.user.id]) return;
    this.renderStale(this.offline());
    // The view holds the people the chat pins too: while searching, only matches show.
    const query = lobby.query || '';
    const folded = fold(query);
    const users = Object.values(lobby.users)
      .filter((u) => u.id === me.user.id || !folded || fold(u.displayName).includes(folded))
      .sort((a, b) => (b.id === me.user.id) - (a.id === me.user.id) || a.displayName.localeCompare(b.displayName));
    const anchorsByUser = {};
    for (const anchor of Object.values(lobby.anchors)) {
      const client = lobby.clients[anchor.clientId];
      if (client) (anchorsByUser[client.userId] ||= []).push(anchor);
    }
    const canCall = Boolean(freeAnchor(state));
    this.canCall = canCall;
    this.live = liveAnchor(state);
    this.liveParties = this.live ? (state.calls[this.live.id]?.parties || []).map((x) => x.peer.anchorId) : [];
    // a selected slot that went (offline, removed, out of the view) is no longer selected
    for (const id of this.selected) {
      const a = lobby.anchors[id];
      if (!a || a.status === 'offline' || a.clientId === me.clientId) this.selected.delete(id);
    }
    const sameNames = {};
    for (const u of Object.values(lobby.users)) {
      for (const key of nameKeys(u.displayName)) sameNames[key] = (sameNames[key] || 0) + 1;
    }
    keyed(this.list, users, (u) => u.id, (u) => this.makeUser(u), (row, user) => {
      setText(row.querySelector('.name'), user.displayName);
      const tagged = Boolean(user.tag) && nameKeys(user.displayName).some((key) => sameNames[key] > 1);
      setText(row.querySelector('.name-tag'), tagged ? `#${user.tag}` : '');
      setAttr(row.querySelector('.name-tag'), 'hidden', !tagged);
      showGuest(row.querySelector('.guest-tag'), accountKind(user.id, lobby.users));
      setText(row.querySelector('.avatar'), initialOf(user.displayName));
      row.classList.toggle('is-me', user.id === me.user.id);
      const anchors = (anchorsByUser[user.id] || []).sort((a, b) => a.clientId.localeCompare(b.clientId) || a.name.localeCompare(b.name));
      keyed(row.querySelector('.lobby-anchors'), anchors, (a) => a.id, (a) => this.makeAnchor(a),
        (li, anchor) => this.updateAnchor(li, anchor, state, canCall));
      setAttr(row.querySelector('.no-slots'), 'hidden', anchors.length > 0);
    });
    this.renderCounts(lobby, users.filter((u) => u.id !== me.user.id).length);
    this.renderCallMany();
  }

  // The count is the server's `online` (the whole lobby). It comes at most every 2 s;
  // a complete view of everyone *is* the lobby, so its own size is the fresher figure.
  renderCounts(lobby, others) {
    const inView = Object.keys(lobby.users).length;
    const online = lobby.complete && !lobby.query ? inView : Math.max(lobby.online || 0, inView);
    setText(this.count, number.format(online));
    this.count.title = LOBBY.count(number.format(online), online);
    let note = '';
    if (!lobby.query) {
      if (online > inView) {
        note = LOBBY.window(number.format(inView), number.format(online));
      }
    } else if (others && !lobby.complete) {
      note = LOBBY.moreMatches(number.format(others), lobby.query);
    } else if (others) {
      note = LOBBY.matches(number.format(others), lobby.query);
    }
    setText(this.note, note);
    setAttr(this.note, 'hidden', !note);
    setText(this.empty, lobby.query ? LOBBY.noMatch(lobby.query) : LOBBY.nobody);
    setAttr(this.empty, 'hidden', others > 0 || (!lobby.query && online > inView));
    if (this.invite) this.invite.hidden = this.empty.hidden || Boolean(lobby.query);
  }

  makeUser(user) {
    return h('li', { class: 'lobby-user', dataset: { userId: user.id } },
      h('div', { class: 'lobby-user-head' },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }),
        h('span', { class: 'name' }),
        h('span', { class: 'name-tag', title: LOBBY.sameName, hidden: true }),
        guestMark(),
        h('span', { class: 'you-badge' }, LOBBY.you),
        // Filled by trust.js (you verified the safety code with this user).
        h('span', { class: 'trust-badge', dataset: { trustFor: user.id }, hidden: true }),
        // Filled by the chat panel (unread messages from this user).
        h('span', { class: 'unread', dataset: { unreadFor: user.id }, hidden: true })),
      h('ul', { class: 'lobby-anchors' }),
      h('p', { class: 'no-slots muted' }, LOBBY.noSlots));
  }

  makeAnchor(anchor) {
    return h('li', { class: 'lobby-anchor', dataset: { anchorId: anchor.id } },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('span', { class: 'anchor-label' }),
      h('span', { class: 'anchor-status' }),
      h('button', { type: 'button', class: 'button small primary call-btn', dataset: { action: 'call', anchorId: anchor.id } }, LOBBY.call),
      h('button', { type: 'button', class: 'button small add-btn', dataset: { action: 'add', anchorId: anchor.id }, hidden: true }, GROUP.addToCall),
      h('input', { type: 'checkbox', class: 'select-box', dataset: { action: 'select', anchorId: anchor.id } }));
  }

  updateAnchor(li, anchor, state, canCall) {
    const mine = anchor.clientId === state.me.clientId;
    const sameUser = !mine && state.lobby.clients[anchor.clientId]?.userId === state.me.user.id;
    const away = Boolean(state.lobby.clients[anchor.clientId]?.away);
    li.dataset.status = anchor.status;
    li.dataset.away = String(away);
    li.dataset.connected = String(anchor.connected);
    setText(li.querySelector('.anchor-label'), anchor.name + tabLabel(state, anchor) + (sameUser ? LOBBY.otherTab : ''));
    const status = anchor.status === 'in-call' && anchor.connected ? ANCHOR_STATUS.connected : ANCHOR_STATUS[anchor.status];
    setText(li.querySelector('.anchor-status'), away ? LOBBY.away(status) : status);
    const button = li.querySelector('.call-btn');
    // Busy slots keep their button: the server answers "busy", and the caller learns it.
    const answering = Boolean(ringingFrom(state, anchor.id));
    setAttr(button, 'hidden', mine || anchor.status === 'offline');
    // An away tab (closed, reloading or cut off) cannot answer a ring: not rung (31.7).
    const waits = !answering && this.callWaits();
    button.disabled = this.stale || waits || (away && !answering) || !(canCall || answering);
    setText(button, answering ? LOBBY.answer : LOBBY.call);
    button.title = this.stale ? LOBBY.staleTitle : answering ? LOBBY.answerTitle : away ? LOBBY.awayTitle : waits ? LOBBY.cameraFirstTitle
      : canCall ? LOBBY.callTitle(anchor.name) : LOBBY.cannotCallTitle;
    // group calls: into the live call, or one of several rung together
    const who = state.lobby.users[state.lobby.clients[anchor.clientId]?.userId]?.displayName || anchor.name;
    const add = li.querySelector('.add-btn');
    const inMyCall = (this.liveParties || []).includes(anchor.id);
    setAttr(add, 'hidden', mine || anchor.status === 'offline' || !this.live || answering || inMyCall);
    add.disabled = away || this.stale;
    add.title = this.stale ? LOBBY.staleTitle : GROUP.addToCallTitle(who);
    const box = li.querySelector('.select-box');
    setAttr(box, 'hidden', mine || anchor.status === 'offline' || away);
    box.setAttribute('aria-label', GROUP.select(`${who} · ${anchor.name}`));
    box.checked = this.selected.has(anchor.id);
  }
}
