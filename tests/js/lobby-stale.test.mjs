// node --test: the lobby while this page's socket is not connected (issue 31.9): the rows
// are what the server said before the connection went, so a person may read as free
// whose server is unreachable. The list says it may be out of date, and Call, Answer,
// Add to call and "Call selected" wait until the socket is connected again.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { LobbyView } from '../../static/js/views/lobby.js';

// just enough of an element for the lobby's setText/setAttr
function el() {
  const attrs = {};
  return {
    textContent: '', title: '', disabled: false, checked: false, hidden: false, dataset: {},
    hasAttribute: (k) => k in attrs, getAttribute: (k) => (k in attrs ? attrs[k] : null),
    setAttribute: (k, v) => { attrs[k] = String(v); }, removeAttribute: (k) => { delete attrs[k]; },
  };
}
function anchorRow() {
  const parts = { '.anchor-label': el(), '.anchor-status': el(), '.call-btn': el(), '.add-btn': el(), '.select-box': el() };
  return { dataset: {}, querySelector: (sel) => parts[sel], parts };
}
const state = {
  me: { clientId: 'c-me', user: { id: 'u-me' } },
  lobby: {
    clients: { 'c-me': { userId: 'u-me' }, 'c-bo': { userId: 'u-bo' } },
    users: { 'u-me': { id: 'u-me', displayName: 'Me' }, 'u-bo': { id: 'u-bo', displayName: 'Bo' } },
    anchors: {},
  },
  calls: {},
  slots: {},
};
const bo = { id: 'a-bo', clientId: 'c-bo', name: 'Line 1', status: 'free', connected: false };

function view(stale) {
  return Object.assign(Object.create(LobbyView.prototype), {
    callWaits: () => false, selected: new Set(), live: { id: 'a-me' }, liveParties: [], stale,
  });
}

test('connected: a free line can be called and added to the call', () => {
  const li = anchorRow();
  view(false).updateAnchor(li, bo, state, true);
  assert.equal(li.parts['.call-btn'].disabled, false);
  assert.equal(li.parts['.add-btn'].disabled, false);
});

test('not connected: Call and Add to call wait, and say why', () => {
  const li = anchorRow();
  view(true).updateAnchor(li, bo, state, true);
  assert.equal(li.parts['.call-btn'].disabled, true);
  assert.equal(li.parts['.add-btn'].disabled, true);
  assert.match(li.parts['.call-btn'].title, /server/i);
  assert.match(li.parts['.add-btn'].title, /server/i);
});

test('the note: shown as a status while not connected, hidden once connected again', () => {
  const v = view(false);
  v.staleNote = el();
  v.callMany = el();
  v.canCall = true;
  v.renderStale(true);
  assert.equal(v.staleNote.hasAttribute('hidden'), false);
  assert.match(v.staleNote.textContent, /out of date/);
  v.renderCallMany();
  assert.equal(v.callMany.disabled, true);
  v.renderStale(false);
  assert.equal(v.staleNote.hasAttribute('hidden'), true);
  v.renderCallMany();
  assert.equal(v.callMany.disabled, false);
});
