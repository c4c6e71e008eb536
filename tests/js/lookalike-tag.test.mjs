// node --test: the lookalike mark on the ring and in the chat (static/js/safety/lookalike.js,
// `lookalikeTag`, issue 35): the server's tag when someone else in the lobby has a name that
// reads or looks the same, with the lobby's own keys (views/lobby.js's nameKeys).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { lookalikeTag, skeleton } from '../../static/js/safety/lookalike.js';

// the lobby's keys, without its DOM module: as it reads, and as it looks
const keysOf = (name) => [name.normalize('NFKC').toLowerCase().replace(/\s/g, ''), `look:${skeleton(name)}`];
const users = (...names) => Object.fromEntries(names.map((n, i) => [`u${i}`, { id: `u${i}`, displayName: n, tag: `T${i}AA` }]));

test('a Cyrillic lookalike of another online name is marked with its tag', () => {
  const lobby = users('Ann', '\u0410nn', 'Bob');
  assert.equal(lookalikeTag(lobby, 'u1', keysOf), 'T1AA');
  assert.equal(lookalikeTag(lobby, 'u0', keysOf), 'T0AA'); // both are told apart
  assert.equal(lookalikeTag(lobby, 'u2', keysOf), null);
});

test('an exact copy is marked; a name alone is not', () => {
  assert.equal(lookalikeTag(users('Ann', 'ann '), 'u1', keysOf), 'T1AA');
  assert.equal(lookalikeTag(users('Ann'), 'u0', keysOf), null);
});

test('someone not in the lobby (offline) or without a tag: no mark', () => {
  assert.equal(lookalikeTag(users('Ann', 'Ann'), 'nobody', keysOf), null);
  assert.equal(lookalikeTag(undefined, 'u0', keysOf), null);
  assert.equal(lookalikeTag({ a: { displayName: 'Ann' }, b: { displayName: 'Ann' } }, 'a', keysOf), null);
});
