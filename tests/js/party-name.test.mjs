// A file card names its sender (issue 26 item 6): in a group call the slot's `peer` is the
// first party, so a file from another party must name that party. node --test, run by
// tests/web/test_js_units.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { partyName } from '../../static/js/group-slot.js';

const ann = { anchorId: 'a-ann', displayName: 'Ann' };
const bob = { anchorId: 'a-bob', displayName: 'Bob' };
const cat = { anchorId: 'a-cat', displayName: 'Cat' };
const group = { peer: ann, parties: [{ peer: ann }, { peer: bob }, { peer: cat }] };

test('a group call names each party, not the first', () => {
  assert.equal(partyName(group, 'a-bob'), 'Bob');
  assert.equal(partyName(group, 'a-cat'), 'Cat');
  assert.equal(partyName(group, 'a-ann'), 'Ann');
});

test('a two-party slot without parties names its peer', () => {
  assert.equal(partyName({ peer: bob }, 'a-bob'), 'Bob');
});

test('an unknown party is not given the first party\'s name', () => {
  assert.equal(partyName(group, 'a-nobody'), '');
  assert.equal(partyName({ peer: ann }, 'a-nobody'), '');
  assert.equal(partyName(undefined, 'a-bob'), '');
});
