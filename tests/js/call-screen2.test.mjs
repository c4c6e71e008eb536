// Issue 31 (screen2): the call page's words people know, checked on the English catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { t } from '../../static/js/i18n.js';
import { nextLineName, PILL, TILE } from '../../static/js/views/words.js';

test('a new line is "Line N", the lowest N the tab does not use', () => {
  assert.equal(nextLineName([]), 'Line 1');
  assert.equal(nextLineName(['Line 1']), 'Line 2');
  assert.equal(nextLineName(['Line 2', 'Kitchen']), 'Line 1');
});

test('the tile says what its buttons do, not "slot", "free" or "offline"', () => {
  assert.equal(TILE.goOffline, 'Stop taking calls');
  assert.equal(TILE.goOnline, 'Take calls');
  assert.equal(PILL.idle[0], 'Available');
  assert.equal(t('tile.pipLabel'), 'Picture-in-picture');
});

test('the peer presenting its screen (call:peer-state screen) reaches the slot, only when true', async () => {
  const { partyMedia } = await import('../../static/js/group-slot.js');
  const slot = { callId: 'c1', peer: { anchorId: 'b' }, parties: [] };
  assert.deepEqual(partyMedia(slot, { callId: 'c1', fromAnchorId: 'b', audio: true, video: true, screen: true }).peerMedia,
    { audio: true, video: true, screen: true });
  assert.deepEqual(partyMedia(slot, { callId: 'c1', fromAnchorId: 'b', audio: true, video: true, screen: false }).peerMedia,
    { audio: true, video: true });
  assert.equal(partyMedia(slot, { callId: 'c2', audio: true, video: true, screen: true }), slot, 'another call: unchanged');
});
