// A camera that is off shows the person's initial (issue 31.3): the first grapheme of
// their display name, so an emoji or a letter with a combining accent is kept whole.
// node --test, run by tests/web/test_js_units.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { initialOf } from '../../static/js/views/initial.js';

test('the first letter, upper-cased', () => {
  assert.equal(initialOf('ada'), 'A');
  assert.equal(initialOf('Émile'), 'É');
  assert.equal(initialOf('  bob'), 'B'); // leading spaces are not an initial
  assert.equal(initialOf('Ωmega'), 'Ω');
  assert.equal(initialOf('علي'), 'ع');
});

test('an emoji is one grapheme, not half a surrogate pair', () => {
  assert.equal(initialOf('😀 Ada'), '😀');
  assert.equal(initialOf('👩‍💻 dev'), '👩‍💻'); // joined by a zero-width joiner
  assert.equal(initialOf('🇫🇷 Fr'), '🇫🇷'); // a flag: two regional indicators
  assert.equal(initialOf('👍🏽ok'), '👍🏽'); // with a skin tone
});

test('a combining mark stays on its letter', () => {
  assert.equal(initialOf('e\u0301mile'), 'E\u0301'); // é written as e + combining acute
  assert.equal(initialOf('\u0301ada'), 'A'); // a lone mark first shows nothing of its own
  assert.equal(initialOf('\u200bzoe'), 'Z'); // nor does a zero-width space
});

test('no name, no initial', () => {
  assert.equal(initialOf(''), '');
  assert.equal(initialOf('   '), '');
  assert.equal(initialOf(undefined), '');
});
