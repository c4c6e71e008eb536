// static/js/i18n.js under Node: the English catalog (read from disk), looked up by key
// with {placeholders}, Intl plurals and numbers; views/words.js built from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, lang, t } from '../../static/js/i18n.js';
import { LOBBY, messageTooLong, unreadLabel } from '../../static/js/views/words.js';

test('a key gives its text, placeholders filled, numbers formatted', () => {
  assert.equal(lang, 'en');
  assert.equal(t('lobby.callTitle', { name: 'Ada' }), 'Call Ada');
  assert.equal(messageTooLong(5000, 4000), 'The message is 5,000 characters; the limit is 4,000.');
  assert.equal(formatNumber(12345), '12,345');
});

test('a plural picks its form by count (Intl.PluralRules)', () => {
  assert.equal(unreadLabel(1), '1 unread message');
  assert.equal(unreadLabel(2), '2 unread messages');
  assert.equal(unreadLabel(0), '');
  assert.equal(LOBBY.count('3', 3), '3 people online');
  assert.equal(LOBBY.count('1', 1), '1 person online');
});

test('a missing key shows the key; a missing value keeps its placeholder', () => {
  assert.equal(t('no.such.key'), 'no.such.key');
  assert.equal(t('lobby.callTitle'), 'Call {name}');
});
