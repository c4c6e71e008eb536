// node --test: the page's PeerSessions are kept per (call, peer anchor) (static/js/sessions.js,
// issue 25): a call of two parties has one, found by the call alone too (the tile, e2e).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Sessions } from '../../static/js/sessions.js';

const session = (callId, peerAnchorId) => ({ callId, peerAnchorId });

test('sessions are kept per call and peer anchor', () => {
  const sessions = new Sessions();
  const [ab, ac, other] = [session('k1', 'b1'), session('k1', 'c1'), session('k2', 'b1')];
  sessions.set('k1', 'b1', ab).set('k1', 'c1', ac).set('k2', 'b1', other);
  assert.equal(sessions.size, 3);
  assert.equal(sessions.of('k1', 'c1'), ac);
  assert.equal(sessions.of('k2', 'b1'), other);
  assert.equal(sessions.of('k1', 'zz'), null);
  assert.deepEqual(sessions.ofCall('k1'), [ab, ac]);
  assert.equal(sessions.get('k1'), ab);     // the first of the call
  assert.equal(sessions.get('k9'), undefined);
  assert.ok(sessions.delete('k1', 'b1'));
  assert.equal(sessions.has('k1', 'b1'), false);
  assert.deepEqual([...sessions], [ac, other]);
  assert.deepEqual([...sessions.values()], [ac, other]);
});
