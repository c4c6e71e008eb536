// node --test: what a report sends (static/js/safety/report-payload.js, issue 35): the
// conversation's last messages only when the reporter ticked "attach", at most 20, the
// reason bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { reportPayload, ATTACH_MAX, REASON_MAX } from '../../static/js/safety/report-payload.js';

const page = (n) => ({ messages: Array.from({ length: n }, (_, i) => ({ id: i + 1, text: 'x' })) });

test('nothing is attached unless the reporter ticked it', () => {
  assert.deepEqual(reportPayload('u1', 'spam', false, page(3)), { userId: 'u1', reason: 'spam' });
});

test('ticked: the ids of the last messages, at most ATTACH_MAX', () => {
  assert.deepEqual(reportPayload('u1', 'spam', true, page(3)).messageIds, [1, 2, 3]);
  const many = reportPayload('u1', '', true, page(ATTACH_MAX + 5)).messageIds;
  assert.equal(many.length, ATTACH_MAX);
  assert.equal(many.at(-1), ATTACH_MAX + 5); // the newest kept
});

test('no conversation (or history failed): no messageIds field, the report still goes', () => {
  assert.deepEqual(reportPayload('u1', 'r', true, null), { userId: 'u1', reason: 'r' });
  assert.deepEqual(reportPayload('u1', 'r', true, { messages: [] }), { userId: 'u1', reason: 'r' });
});

test('the reason is bounded and never missing', () => {
  assert.equal(reportPayload('u1', 'a'.repeat(REASON_MAX + 9), false).reason.length, REASON_MAX);
  assert.equal(reportPayload('u1', null, false).reason, '');
});
