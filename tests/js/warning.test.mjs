// node --test: an operator's warning on an open page (static/js/safety/warning.js, issue 35):
// `safety:warned` shows it above the page (the server's box, or one built like it), and
// "Dismiss" tells the server over the socket and hides it.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { mountWarning, warningText } from '../../static/js/safety/warning.js';

test('the words: the operator\'s, or none given, then what it means', () => {
  assert.equal(warningText({ reason: 'no spam' }),
    'An operator warned you: no spam Please keep to this site\'s rules: more reports may lead to a suspension.');
  assert.match(warningText({ reason: '' }), /^An operator warned you\. Please keep/);
});

// just enough of a document: elements with ids, dataset, a query by id or data attribute
function fakeDoc() {
  const all = [];
  const make = (tag) => {
    const el = { tagName: tag, children: [], dataset: {}, attrs: {}, hidden: false, id: '', parent: null };
    el.setAttribute = (k, v) => { el.attrs[k] = v; };
    el.append = (...kids) => kids.forEach((k) => { k.parent = el; el.children.push(k); });
    el.before = (k) => { k.parent = doc.body; doc.body.children.unshift(k); };
    el.prepend = (k) => { k.parent = el; el.children.unshift(k); };
    el.closest = (sel) => { for (let e = el; e; e = e.parent) if (`#${e.id}` === sel) return e; return null; };
    el.querySelector = (sel) => find(el, sel);
    all.push(el);
    return el;
  };
  const find = (root, sel) => {
    for (const kid of root.children) {
      if ((sel.startsWith('#') && `#${kid.id}` === sel) || (sel === '[data-warning-text]' && 'warningText' in kid.dataset)) return kid;
      const deeper = find(kid, sel);
      if (deeper) return deeper;
    }
    return null;
  };
  const listeners = {};
  const doc = {
    body: make('body'), createElement: make,
    querySelector: (sel) => find(doc.body, sel),
    addEventListener: (type, fn) => { listeners[type] = fn; },
    fire: (type, event) => listeners[type](event),
  };
  return doc;
}

function fakeSignaling() {
  const handlers = {};
  return {
    status: 'connected', asked: [],
    on(event, fn) { handlers[event] = fn; },
    emit(event, data) { handlers[event](data); },
    async request(event, payload) { this.asked.push([event, payload]); return {}; },
  };
}

test('a warning while the page is open is shown at once, and Dismiss tells the server', async () => {
  const doc = fakeDoc();
  const sig = fakeSignaling();
  mountWarning(sig, doc);
  assert.equal(doc.querySelector('#safety-warning'), null);
  sig.emit('safety:warned', { reason: 'be kind', at: 1 });
  const box = doc.querySelector('#safety-warning');
  assert.equal(box.hidden, false);
  assert.match(box.querySelector('[data-warning-text]').textContent, /^An operator warned you: be kind/);
  assert.equal(box.children[0].attrs.role, 'alert');
  sig.emit('safety:warned', { reason: 'again', at: 2 }); // a newer one: the same box
  assert.equal(doc.body.children.filter((e) => e.id === 'safety-warning').length, 1);
  assert.match(box.querySelector('[data-warning-text]').textContent, /again/);
  let prevented = false;
  const form = box.children[0].children[1];
  await doc.fire('submit', { target: form, preventDefault: () => { prevented = true; } });
  assert.equal(prevented, true);
  assert.deepEqual(sig.asked, [['safety:dismiss-warning', undefined]]);
  assert.equal(box.hidden, true);
});

test('without the socket the page\'s own form posts the dismissal', async () => {
  const doc = fakeDoc();
  const sig = fakeSignaling();
  mountWarning(sig, doc);
  sig.emit('safety:warned', { reason: '', at: 1 });
  sig.status = 'disconnected';
  let prevented = false;
  const form = doc.querySelector('#safety-warning').children[0].children[1];
  await doc.fire('submit', { target: form, preventDefault: () => { prevented = true; } });
  assert.equal(prevented, false);
  assert.deepEqual(sig.asked, []);
});

test('dismissed in another tab: this one takes it off the screen too', () => {
  const doc = fakeDoc();
  const sig = fakeSignaling();
  mountWarning(sig, doc);
  sig.emit('safety:warning-dismissed', {}); // none shown: nothing to do
  assert.equal(doc.querySelector('#safety-warning'), null);
  sig.emit('safety:warned', { reason: 'be kind', at: 1 });
  sig.emit('safety:warning-dismissed', {});
  assert.equal(doc.querySelector('#safety-warning').hidden, true);
  assert.deepEqual(sig.asked, [], 'it tells the server nothing: the server told it');
});

test('loaded on demand: what came before is handed to it, in order (issue 33.2)', () => {
  const doc = fakeDoc();
  mountWarning(fakeSignaling(), doc, [['safety:warned', { reason: 'be kind', at: 1 }]]);
  const box = doc.querySelector('#safety-warning');
  assert.equal(box.hidden, false);
  assert.match(box.querySelector('[data-warning-text]').textContent, /be kind/);
  const later = fakeDoc();
  mountWarning(fakeSignaling(), later, [['safety:warned', { reason: 'x', at: 1 }], ['safety:warning-dismissed', {}]]);
  assert.equal(later.querySelector('#safety-warning').hidden, true, 'warned, then dismissed in another tab');
});
