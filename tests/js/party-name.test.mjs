// A file card names its sender (issue 26 item 6): in a group call the slot's `peer` is the
// first party, so a file from another party must name that party. node --test, run by
// tests/web/test_js_units.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { partyName, presenterOf } from '../../static/js/group-slot.js';

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

test('the presenting party of a group call is found, whoever it is', () => {
  const presenting = { audio: true, video: true, screen: true };
  const slot = { peer: ann, peerMedia: { audio: true, video: true },
    parties: [{ peer: ann, peerMedia: { audio: true, video: true } }, { peer: bob, peerMedia: presenting }, { peer: cat }] };
  assert.equal(presenterOf(slot), bob);
  // its video turned off: nothing to show large
  assert.equal(presenterOf({ ...slot, parties: [slot.parties[0], { peer: bob, peerMedia: { ...presenting, video: false } }] }), null);
  // nobody presents, or a two-party call (the tile's own view shows it, views/presenting.js)
  assert.equal(presenterOf({ ...slot, parties: [slot.parties[0], { peer: bob }] }), null);
  assert.equal(presenterOf({ peer: bob, peerMedia: presenting, parties: [{ peer: bob, peerMedia: presenting }] }), null);
  assert.equal(presenterOf(undefined), null);
});
