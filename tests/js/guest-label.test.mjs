// node --test: the "guest" label (static/js/safety/guest.js, issue 35): shown for a person
// the server says is a guest (`account: false`), in the lobby, on the ring and in the chat;
// none for an account or for someone the server said nothing about.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { accountKind, guestMark, isGuest, showGuest } from '../../static/js/safety/guest.js';

const lobby = { g: { id: 'g', account: false }, a: { id: 'a', account: true }, o: { id: 'o' } };

test('the lobby says who is a guest; an account or an old record is not labelled', () => {
  assert.equal(isGuest('g', lobby), true);
  assert.equal(isGuest('a', lobby), false);
  assert.equal(isGuest('o', lobby), false); // no word from the server: no guess
  assert.equal(isGuest('nobody', lobby), false);
  assert.equal(isGuest(null, lobby), false);
  assert.equal(isGuest('g', undefined), false);
});

test('the chat\'s peer speaks for someone offline; the lobby, fresher, wins when both do', () => {
  assert.equal(isGuest('x', lobby, { id: 'x', account: false }), true);
  assert.equal(isGuest('x', lobby, { id: 'x', account: true }), false);
  assert.equal(isGuest('x', lobby, { id: 'x', account: null }), false); // an unknown id
  // a guest who registered: the lobby already says account, the chat page does not yet
  assert.equal(isGuest('a', lobby, { id: 'a', account: false }), false);
  assert.equal(isGuest('g', lobby, { id: 'g', account: true }), true);
  assert.equal(isGuest('o', lobby, { id: 'o', account: false }), true);
});

// just enough of a document for the label
const doc = {
  createElement: (tag) => {
    const el = { tagName: tag, children: [], attrs: {}, hidden: false, className: '', textContent: '', title: '' };
    el.setAttribute = (k, v) => { el.attrs[k] = v; };
    el.append = (...kids) => el.children.push(...kids);
    return el;
  },
};

test('the label: the short word shown, the full word for a screen reader, hidden until told', () => {
  const el = guestMark(doc);
  assert.equal(el.className, 'guest-tag');
  assert.equal(el.hidden, true);
  const [word, said] = el.children;
  assert.equal(word.textContent, 'guest');
  assert.equal(word.attrs['aria-hidden'], 'true');
  assert.equal(said.className, 'sr-only');
  assert.equal(said.textContent, '(guest, not signed in)');
  assert.match(el.title, /not signed in/);
  showGuest(el, isGuest('g', lobby));
  assert.equal(el.hidden, false);
  showGuest(el, isGuest('a', lobby));
  assert.equal(el.hidden, true);
  showGuest(el, undefined);
  assert.equal(el.hidden, true);
  showGuest(null, true); // no element (a page without the header): nothing to do
});

test('an account is marked as one (the name is the account\'s), a guest as a guest', () => {
  assert.equal(accountKind('a', lobby), 'account');
  assert.equal(accountKind('g', lobby), 'guest');
  assert.equal(accountKind('o', lobby), null); // nothing said: no mark, no guess
  const el = guestMark(doc);
  showGuest(el, accountKind('a', lobby));
  assert.equal(el.hidden, false);
  assert.deepEqual(el.children.map((c) => c.textContent), ['✓ account', '(signed-in account)']);
  assert.match(el.title, /Signed in with an account/);
  showGuest(el, accountKind('g', lobby));
  assert.deepEqual(el.children.map((c) => c.textContent), ['guest', '(guest, not signed in)']);
  showGuest(el, accountKind('o', lobby));
  assert.equal(el.hidden, true);
});
