// The chat reducer and selectors (static/js/chat/state.js), pure, run by node --test.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  chatReducer as reduceChat, initialChat, isKnown, conversationList, unreadCounts, statusOf, timeline,
  newestFromPeer, isOnline, onlinePeople, convOf,
} from '../../static/js/chat/state.js';
import { CHAT_ACTIONS } from '../../static/js/actions.js';
import { recording, run } from './freeze.mjs';

const SEEN = new Set();
const chatReducer = recording(reduceChat, SEEN);

const ME = 'u-me';
const PEER = 'u-ann';
const msg = (id, extra = {}) => ({ id, from: PEER, to: ME, kind: 'text', text: `m${id}`, ts: id, ...extra });
const live = (m) => ({ type: 'chat/message', payload: { message: m } });
const chat = (actions, state = initialChat(ME, 'connected')) => run(chatReducer, state, actions);
const LOBBY = { users: {}, clients: {}, anchors: {} };

test('a message delivered twice counts once as unread (issue 34, item 2)', () => {
  // The server delivers a deduplicated resend again by design (same id).
  const s = chat([live(msg(7)), live(msg(7))]);
  assert.equal(convOf(s, PEER).unread, 1);
  assert.deepEqual(Object.keys(convOf(s, PEER).messages), ['7']);
  assert.deepEqual(unreadCounts(s), { [PEER]: 1 });
});

test('an older message arriving after a newer one is known, not unread again', () => {
  // Known by the lastMessage mark: a history page loaded only the newest message.
  const page = { type: 'chat/page', payload: { newest: true, page: {
    with: { id: PEER, displayName: 'Ann' }, messages: [msg(9)], hasMore: true,
    unread: 1, deliveredUpTo: 0, readUpTo: 0, myDeliveredUpTo: 9, myReadUpTo: 0 } } };
  const s = chat([page, live(msg(9)), live(msg(5))]);
  assert.equal(convOf(s, PEER).unread, 1);
  assert.ok(isKnown(convOf(s, PEER), msg(5)));
});

test('unread counts only the peer\'s text and missed calls after my read mark', () => {
  const s = chat([
    { type: 'chat/unread', payload: { with: PEER, unread: 0, readUpTo: 3, deliveredUpTo: 3 } },
    live(msg(2)),                                  // already read (id <= myReadUpTo)... and older
    live(msg(4)),                                  // counts
    live(msg(5, { kind: 'call-missed' })),         // counts
    live(msg(6, { kind: 'call-ended' })),          // not a kind that counts
    live(msg(8, { from: ME, to: PEER })),          // my own
  ]);
  assert.equal(convOf(s, PEER).unread, 2);
  assert.equal(convOf(s, PEER).lastMessage.id, 8);
});

test('the receipt ack sets the count; marks only move forward', () => {
  const s = chat([
    live(msg(1)), live(msg(2)),
    { type: 'chat/unread', payload: { with: PEER, unread: 0, readUpTo: 2, deliveredUpTo: 2 } },
    { type: 'chat/unread', payload: { with: PEER, unread: 0, readUpTo: 1, deliveredUpTo: 1 } },
    { type: 'chat/receipt', payload: { with: PEER, deliveredUpTo: 5, readUpTo: 4 } },
    { type: 'chat/receipt', payload: { with: PEER, deliveredUpTo: 3, readUpTo: 1 } },
  ]);
  const c = convOf(s, PEER);
  assert.deepEqual([c.unread, c.myReadUpTo, c.myDeliveredUpTo, c.deliveredUpTo, c.readUpTo],
    [0, 2, 2, 5, 4]);
});

test('own message status: sent, delivered, read; the peer\'s are received', () => {
  const mine = (id) => msg(id, { from: ME, to: PEER });
  const s = chat([live(mine(1)), live(mine(2)), live(mine(3)), live(msg(4)),
    { type: 'chat/receipt', payload: { with: PEER, deliveredUpTo: 2, readUpTo: 1 } }]);
  const c = convOf(s, PEER);
  assert.deepEqual([1, 2, 3].map((id) => statusOf(s, c, c.messages[id])), ['read', 'delivered', 'sent']);
  assert.equal(statusOf(s, c, c.messages[4]), 'received');
});

test('a timeline: stored messages by id, then pending ones not yet stored', () => {
  const stored = msg(2, { from: ME, to: PEER, clientMsgId: 'c-a' });
  const s = chat([live(msg(3)), live(stored)]);
  const pending = [
    { to: PEER, clientMsgId: 'c-b', text: 'later', createdAt: 20 },
    { to: PEER, clientMsgId: 'c-a', text: 'stored already', createdAt: 5 },
    { to: PEER, clientMsgId: 'c-c', text: 'refused', createdAt: 10, failed: 'too long' },
    { to: 'u-other', clientMsgId: 'c-d', text: 'elsewhere', createdAt: 1 },
  ];
  const t = timeline(s, pending, PEER, 'Me');
  assert.deepEqual(t.map((m) => m.id ?? m.clientMsgId), [2, 3, 'c-c', 'c-b']);
  assert.deepEqual(t.map((m) => m.status), ['sent', 'received', 'failed', 'pending']);
  assert.equal(newestFromPeer(s, PEER), 3);
});

test('the conversation list: most recent first, pending-only and open ones included', () => {
  const s = chat([
    live(msg(1, { from: 'u-b', to: ME })), live(msg(5)),
    { type: 'chat/opened', payload: { peerId: 'u-open' } },
  ]);
  const lobby = { ...LOBBY, users: { [PEER]: { id: PEER, displayName: 'Ann (lobby)' } } };
  const list = conversationList(s, lobby, [{ to: 'u-draft', toName: 'Drafty' }]);
  assert.deepEqual(list.map((c) => c.peer.id).sort(), ['u-ann', 'u-b', 'u-draft', 'u-open']);
  assert.deepEqual(list.slice(-2).map((c) => c.peer.id), [PEER, 'u-b']);
  assert.equal(list.find((c) => c.peer.id === PEER).peer.displayName, 'Ann (lobby)');
  assert.equal(list.find((c) => c.peer.id === 'u-draft').peer.displayName, 'Drafty');
  assert.equal(s.active, 'u-open');
});

test('online: only while connected; people online without a conversation, by name', () => {
  const lobby = {
    users: { u1: { id: 'u1', displayName: 'Zed' }, u2: { id: 'u2', displayName: 'Amy' } },
    clients: { c1: { id: 'c1', userId: 'u1' }, c2: { id: 'c2', userId: 'u2' },
               c3: { id: 'c3', userId: 'u2' }, c4: { id: 'c4', userId: ME },
               c5: { id: 'c5', userId: PEER } },
    anchors: {},
  };
  const s = chat([live(msg(1))]);
  assert.deepEqual(onlinePeople(s, lobby, []).map((u) => u.displayName), ['Amy', 'Zed']);
  assert.equal(isOnline(s, lobby, 'u1'), true);
  assert.equal(isOnline(chat([{ type: 'chat/status', payload: { status: 'offline' } }], s), lobby, 'u1'), false);
  assert.equal(isOnline(s, lobby, 'u-nobody'), false);
});

test('actions that change nothing return the same state', () => {
  const s = chat([{ type: 'chat/list-loaded' }, { type: 'chat/opened', payload: { peerId: PEER } },
    { type: 'chat/loading', payload: { peerId: PEER, loading: true } }]);
  for (const a of [{ type: 'chat/list-loaded' }, { type: 'chat/status', payload: { status: 'connected' } },
    { type: 'chat/loading', payload: { peerId: PEER, loading: true } }, { type: 'chat/unknown', payload: {} }]) {
    assert.equal(chatReducer(s, a), s, a.type);
  }
  const closed = chatReducer(s, { type: 'chat/closed' });
  assert.equal(closed.active, null);
  assert.equal(chatReducer(closed, { type: 'chat/closed' }), closed);
});

test('a conversation list entry sets the peer, marks and last message; a failed load keeps its error', () => {
  const item = { with: { id: PEER, displayName: 'Ann' }, lastMessage: msg(12), unread: 3,
    deliveredUpTo: 10, readUpTo: 9, myDeliveredUpTo: 12, myReadUpTo: 8 };
  const s = chat([{ type: 'chat/conversation', payload: { item } }]);
  const c = convOf(s, PEER);
  assert.deepEqual([c.peer, c.lastMessage.id, c.unread, c.deliveredUpTo, c.readUpTo, c.myDeliveredUpTo, c.myReadUpTo],
    [item.with, 12, 3, 10, 9, 12, 8]);
  const failed = chat([{ type: 'chat/load-failed', payload: { peerId: PEER, error: 'no' } }], s);
  assert.equal(convOf(failed, PEER).error, 'no');
  assert.equal(convOf(failed, PEER).lastMessage.id, 12, 'what was known stays');
  const page = { type: 'chat/page', payload: { peerId: PEER, newest: true, page: {
    with: item.with, messages: [msg(12)], hasMore: false, unread: 3, deliveredUpTo: 10, readUpTo: 9,
    myDeliveredUpTo: 12, myReadUpTo: 8 } } };
  assert.equal(convOf(chat([page], failed), PEER).error, '', 'the newest page loaded clears it');
});

// Last: every declared chat action type went through the reducer above at least once.
test('every declared chat action type is unit-tested here', () => {
  assert.deepEqual(CHAT_ACTIONS.filter((t) => !SEEN.has(t)), []);
});
