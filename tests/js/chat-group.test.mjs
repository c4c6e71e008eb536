// A group call's conversation in the chat state (static/js/chat/state.js, issue 26):
// keyed by its conversationId, named by its other members, sent to by conversationId.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  chatReducer, initialChat, conversation, conversationList, convOf, isGroup, peerIdOf,
  peopleOf, target, timeline, unreadCounts,
} from '../../static/js/chat/state.js';
import { run } from './freeze.mjs';

const ME = 'u-me';
const KEY = 'call.k1';
const MEMBERS = [{ id: ME, displayName: 'Me' }, { id: 'u-ann', displayName: 'Ann' },
  { id: 'u-bob', displayName: 'Bob' }];
const msg = (id, from, extra = {}) => ({ id, from, to: null, conversationId: KEY, kind: 'text', text: `m${id}`, ts: id, ...extra });
const chat = (actions) => run(chatReducer, initialChat(ME, 'connected'), actions);
const LOBBY = { users: { 'u-bob': { id: 'u-bob', displayName: 'Bobby' } }, clients: {}, anchors: {} };

test('a group message is kept under the conversation, not under a user', () => {
  assert.equal(peerIdOf(ME, msg(1, 'u-ann')), KEY);
  assert.equal(peerIdOf(ME, msg(2, ME)), KEY);
  const s = chat([{ type: 'chat/message', payload: { message: msg(1, 'u-ann') } },
    { type: 'chat/message', payload: { message: msg(2, ME) } }]);
  assert.deepEqual(Object.keys(s.convs), [KEY]);
  assert.deepEqual(unreadCounts(s), { [KEY]: 1 });
});

test('an entry of the list names the other members, fresh from the lobby', () => {
  const item = { conversationId: KEY, members: MEMBERS, lastMessage: msg(3, 'u-ann'), unread: 1,
    deliveredUpTo: 0, readUpTo: 0, myDeliveredUpTo: 0, myReadUpTo: 0 };
  const s = chat([{ type: 'chat/conversation', payload: { item } }]);
  const c = conversation(s, LOBBY, [], KEY);
  assert.equal(c.peer.displayName, 'Ann, Bobby');
  assert.equal(c.peer.group, true);
  assert.equal(c.peer.count, 3);
  assert.deepEqual(peopleOf(s, KEY), ['u-ann', 'u-bob']);
  assert.deepEqual(conversationList(s, LOBBY, []).map((x) => x.peer.id), [KEY]);
  // receipts and marks of a group name it by conversationId
  const r = run(chatReducer, s, [{ type: 'chat/receipt', payload: { conversationId: KEY, deliveredUpTo: 3, readUpTo: 2 } },
    { type: 'chat/unread', payload: { conversationId: KEY, unread: 0, readUpTo: 3, deliveredUpTo: 3 } }]);
  assert.equal(convOf(r, KEY).readUpTo, 2);
  assert.equal(convOf(r, KEY).unread, 0);
});

test('requests name a group by conversationId and a peer by user', () => {
  assert.ok(isGroup(KEY) && !isGroup('u-ann'));
  assert.deepEqual(target(KEY), { conversationId: KEY });
  assert.deepEqual(target('u-ann'), { with: 'u-ann' });
  assert.deepEqual(target('u-ann', 'to'), { to: 'u-ann' });
  const pending = [{ clientMsgId: 'p1', to: KEY, text: 'typed', createdAt: 5 }];
  const items = timeline(chat([]), pending, KEY, 'Me');
  assert.deepEqual(items.map((m) => [m.clientMsgId, m.status]), [['p1', 'pending']]);
});
