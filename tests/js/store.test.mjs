// The lobby and call-slot reducer and selectors (static/js/store.js), pure, node --test.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  reducer as storeReducer, initialState, createStore, ownAnchors, slotOf, freeAnchor, ringingFrom, onceFreeLine, callChatOf,
} from '../../static/js/store.js';
import { STORE_ACTIONS } from '../../static/js/actions.js';
import { recording, run } from './freeze.mjs';

const SEEN = new Set();
const reducer = recording(storeReducer, SEEN);

const ME = { clientId: 'c-me', user: { id: 'u-me', displayName: 'Me' } };
const at = (t) => ({ at: t });
const act = (type, payload = {}, t = 1000) => ({ type, payload, meta: at(t) });
const anchor = (id, clientId = 'c-me', status = 'online') => ({ id, clientId, status, label: id });
const SNAPSHOT = act('lobby/snapshot', {
  users: { 'u-me': ME.user, 'u-ann': { id: 'u-ann', displayName: 'Ann' } },
  clients: { 'c-me': { id: 'c-me', userId: 'u-me' }, 'c-ann': { id: 'c-ann', userId: 'u-ann' } },
  anchors: { a1: anchor('a1'), a2: anchor('a2'), p1: anchor('p1', 'c-ann') },
  online: 2, complete: true, query: '', window: 50,
});
const started = (actions) => run(reducer, initialState(), [act('session/welcome', ME), SNAPSHOT, ...actions]);

test('a malformed action is refused, not silently ignored', () => {
  for (const bad of [undefined, null, {}, { type: 7 }, { type: 'noslash' }]) {
    assert.throws(() => reducer(initialState(), bad), TypeError);
  }
});

test('the snapshot replaces the view; a server without views sent the whole lobby', () => {
  const s = started([]);
  assert.deepEqual(Object.keys(s.lobby.anchors), ['a1', 'a2', 'p1']);
  assert.deepEqual([s.lobby.online, s.lobby.complete, s.lobby.window], [2, true, 50]);
  assert.deepEqual(Object.keys(s.calls).sort(), ['a1', 'a2'], 'one slot per own anchor');
  const old = run(reducer, s, [act('lobby/snapshot', { users: { x: {}, y: {}, z: {} } })]);
  assert.deepEqual([old.lobby.online, old.lobby.complete, old.lobby.query, old.lobby.window], [3, true, '', null]);
  assert.deepEqual(old.calls, {}, 'own anchors gone with the snapshot: their slots too');
});

test('a client leaving takes its anchors; its user goes with its last client', () => {
  let s = started([act('lobby/client-joined', { user: { id: 'u-ann', displayName: 'Ann' },
    client: { id: 'c-ann2', userId: 'u-ann' } })]);
  s = run(reducer, s, [act('lobby/client-left', { clientId: 'c-ann' })]);
  assert.ok(!s.lobby.anchors.p1 && s.lobby.users['u-ann'], 'Ann still has a tab');
  s = run(reducer, s, [act('lobby/client-left', { clientId: 'c-ann2' })]);
  assert.ok(!s.lobby.users['u-ann']);
  assert.equal(reducer(s, act('lobby/client-left', { clientId: 'c-nobody' })), s);
  assert.equal(reducer(s, act('lobby/user', { user: { id: 'u-gone', displayName: 'X' } })), s);
  assert.equal(reducer(s, act('lobby/client', { client: { id: 'c-gone', userId: 'u' } })), s);
});

test('my user renamed in the lobby renames me', () => {
  const s = started([act('lobby/user', { user: { id: 'u-me', displayName: 'Renamed' } })]);
  assert.equal(s.me.user.displayName, 'Renamed');
  const r = run(reducer, s, [act('me/renamed', { user: { id: 'u-me', displayName: 'Again' } })]);
  assert.equal(r.me.user.displayName, 'Again');
  assert.equal(r.lobby.users['u-me'].displayName, 'Again');
});

test('counts: only a change makes a new state', () => {
  const s = started([]);
  assert.equal(reducer(s, act('lobby/count', { online: 2, complete: true })), s);
  const n = reducer(s, act('lobby/count', { online: 9 }));
  assert.deepEqual([n.lobby.online, n.lobby.complete], [9, true]);
});

test('a call from my side: ring out, acked, accepted, started, connected, ended', () => {
  const peer = { userId: 'u-ann', anchorId: 'p1', displayName: 'Ann' };
  const s = started([
    act('call/invite-sent', { anchorId: 'a1', peer }, 1000),
    act('call/invite-acked', { anchorId: 'a1', invitationId: 'i1' }),
    act('call/invite-acked', { anchorId: 'a1', invitationId: 'i-late' }),
  ]);
  assert.deepEqual([slotOf(s, 'a1').phase, slotOf(s, 'a1').invitationId, slotOf(s, 'a1').since],
    ['ringing-out', 'i1', 1000]);
  assert.equal(freeAnchor(s).id, 'a2', 'the ringing anchor is busy');
  const c = run(reducer, s, [
    act('call/invite-ended', { anchorId: 'a1', invitationId: 'i1', reason: 'accepted' }),
    act('call/started', { anchorId: 'a1', callId: 'k1', peer, polite: true, initiator: true }),
    act('call/state', { anchorId: 'a1', callId: 'k-other', state: 'connected' }),
  ]);
  assert.equal(slotOf(c, 'a1').phase, 'connecting');
  const up = run(reducer, c, [act('call/state', { anchorId: 'a1', callId: 'k1', state: 'connected' })]);
  assert.equal(slotOf(up, 'a1').phase, 'connected');
  const end = run(reducer, up, [act('call/ended', { anchorId: 'a1', callId: 'k1', reason: 'hangup', by: 'peer' }, 5000)]);
  assert.deepEqual([slotOf(end, 'a1').phase, slotOf(end, 'a1').outcome],
    ['idle', { reason: 'hangup', by: 'peer', peer }]);
});

test('my hang-up after the peer\'s page left is the peer\'s close', () => {
  const s = started([
    act('call/started', { anchorId: 'a1', callId: 'k1', peer: { anchorId: 'p1' } }),
    act('call/peer-leaving', { anchorId: 'a1', callId: 'k1', leaving: true }),
    act('call/ended', { anchorId: 'a1', callId: 'k1', reason: 'hangup', by: 'you' }),
  ]);
  assert.equal(slotOf(s, 'a1').outcome.reason, 'peer-closed');
});

test('a ring in: ringingFrom finds it; a declined ring keeps its outcome; a lost connection ends rings only', () => {
  const from = { anchorId: 'p1', userId: 'u-ann' };
  let s = started([
    act('call/ring', { anchorId: 'a1', invitationId: 'i9', from, expiresInMs: 30000 }, 2000),
    act('call/started', { anchorId: 'a2', callId: 'k2', peer: { anchorId: 'p9' } }),
  ]);
  assert.equal(slotOf(s, 'a1').expiresAt, 32000);
  assert.equal(ringingFrom(s, 'p1').id, 'a1');
  assert.equal(ringingFrom(s, 'p9'), null);
  assert.equal(freeAnchor(s), null);
  const lost = run(reducer, s, [act('call/connection-lost')]);
  assert.deepEqual([slotOf(lost, 'a1').phase, slotOf(lost, 'a1').outcome.reason], ['idle', 'connection-lost']);
  assert.equal(lost.calls.a2, s.calls.a2, 'a call survives');
  s = run(reducer, s, [act('call/invite-ended', { anchorId: 'a1', invitationId: 'i-other', reason: 'declined' })]);
  assert.equal(slotOf(s, 'a1').phase, 'ringing-in', 'another ring\'s end');
  s = run(reducer, s, [act('call/invite-ended', { anchorId: 'a1', invitationId: 'i9', reason: 'declined' })]);
  assert.deepEqual(slotOf(s, 'a1').outcome, { reason: 'declined', peer: from, role: 'callee', ring: true });
});

test('a failed invite only ends a ring not yet acked', () => {
  const s = started([act('call/invite-sent', { anchorId: 'a1', peer: { anchorId: 'p1' } }),
    act('call/invite-failed', { anchorId: 'a1', code: 'busy', message: 'Busy' })]);
  assert.equal(slotOf(s, 'a1').outcome.reason, 'busy');
  const acked = started([act('call/invite-sent', { anchorId: 'a1', peer: {} }),
    act('call/invite-acked', { anchorId: 'a1', invitationId: 'i1' })]);
  assert.equal(reducer(acked, act('call/invite-failed', { anchorId: 'a1', code: 'busy' })), acked);
});

test('own anchors, slots made and dropped with them; a resume keeps calls, a welcome drops them', () => {
  let s = started([act('lobby/anchor', { anchor: anchor('a3') }),
    act('lobby/anchor', { anchor: anchor('a2', 'c-me', 'offline') })]);
  assert.deepEqual(ownAnchors(s).map((a) => a.id).sort(), ['a1', 'a2', 'a3']);
  s = run(reducer, s, [act('lobby/anchor-removed', { anchorId: 'a1' }),
    act('call/started', { anchorId: 'a3', callId: 'k3', peer: {} })]);
  assert.deepEqual(Object.keys(s.calls).sort(), ['a2', 'a3']);
  assert.equal(freeAnchor(s), null, 'a2 offline, a3 busy');
  const resumed = run(reducer, s, [act('session/resumed', ME)]);
  assert.equal(resumed.calls, s.calls);
  assert.deepEqual(run(reducer, s, [act('session/welcome', ME)]).calls, {});
});

test('the store: listeners hear changes only, and unsubscribe', () => {
  const store = createStore();
  const heard = [];
  const off = store.subscribe((state, prev, action) => heard.push(action.type));
  store.dispatch({ type: 'session/welcome', payload: ME });
  store.dispatch({ type: 'lobby/count', payload: {} });   // no change
  off();
  store.dispatch(SNAPSHOT);
  assert.deepEqual(heard, ['session/welcome']);
  assert.equal(store.getState().lobby.online, 2);
});

test('the peer\'s media and the peer connection\'s state: only for the slot\'s own call', () => {
  const s = started([act('call/started', { anchorId: 'a1', callId: 'k1', peer: { anchorId: 'p1' } })]);
  const media = run(reducer, s, [act('call/peer-state', { anchorId: 'a1', callId: 'k1', audio: true, video: false })]);
  assert.deepEqual(slotOf(media, 'a1').peerMedia, { audio: true, video: false });
  assert.equal(reducer(media, act('call/peer-state', { anchorId: 'a1', callId: 'k-other', audio: false })), media);
  const pc = run(reducer, media, [act('call/pc-state', { anchorId: 'a1', callId: 'k1', state: 'checking' })]);
  assert.equal(slotOf(pc, 'a1').pcState, 'checking');
  assert.equal(reducer(pc, act('call/pc-state', { anchorId: 'a1', callId: 'k1', state: 'checking' })), pc, 'no change');
  assert.equal(reducer(pc, act('call/pc-state', { anchorId: 'a1', callId: 'k-other', state: 'failed' })), pc);
  assert.equal(reducer(pc, act('call/pc-state', { callId: 'k1', state: 'failed' })), pc, 'no anchor: no slot');
});

test('the store starts from its reducer\'s initial state (store/init)', () => {
  const store = createStore(reducer);
  assert.deepEqual(store.getState(), initialState());
});

// -- group calls (issue 26; static/js/group-slot.js) ----------------------------------

const ANN = { anchorId: 'p1', userId: 'u-ann', displayName: 'Ann' };
const BO = { anchorId: 'p2', userId: 'u-bo', displayName: 'Bo' };
const CY = { anchorId: 'p3', userId: 'u-cy', displayName: 'Cy' };

test('group: a newcomer starts with every party; joins and leaves keep the pairs and the roster', () => {
  let s = started([act('call/started', { anchorId: 'a1', callId: 'k1', peer: ANN, polite: true, initiator: true,
    parties: [{ peer: ANN, polite: true, initiator: true, relayOnly: true }, { peer: BO, polite: true, initiator: true }],
    conversationId: 'g1' })]);
  let slot = slotOf(s, 'a1');
  assert.deepEqual(slot.parties.map((x) => [x.peer.anchorId, x.polite, x.initiator, x.relayOnly]),
    [['p1', true, true, true], ['p2', true, true, false]]);
  assert.equal(slot.conversationId, 'g1');
  s = run(reducer, s, [act('call/party-joined', { anchorId: 'a1', callId: 'k1', peer: CY, polite: true, initiator: false }, 3000),
    act('call/party-joined', { anchorId: 'a1', callId: 'k1', peer: CY, polite: false }, 3001),
    act('call/party-joined', { anchorId: 'a1', callId: 'k-other', peer: { anchorId: 'p9' } })]);
  slot = slotOf(s, 'a1');
  assert.deepEqual(slot.parties.map((x) => x.peer.anchorId), ['p1', 'p2', 'p3'], 'once, and only for its call');
  assert.deepEqual(slot.roster.map((r) => [r.kind, r.name, r.at]), [['joined', 'Cy', 3000]]);
  s = run(reducer, s, [act('call/peer-state', { anchorId: 'a1', callId: 'k1', fromAnchorId: 'p2', audio: false, video: true })]);
  assert.deepEqual(slotOf(s, 'a1').parties[1].peerMedia, { audio: false, video: true });
  assert.equal(slotOf(s, 'a1').peerMedia, undefined, 'Bo\'s state is not Ann\'s');
  // the tile's first party leaves: the next one is named first
  s = run(reducer, s, [act('call/party-left', { anchorId: 'a1', callId: 'k1', peerAnchorId: 'p1', reason: 'hangup' }, 4000)]);
  slot = slotOf(s, 'a1');
  assert.deepEqual([slot.peer, slot.parties.map((x) => x.peer.anchorId), slot.phase], [BO, ['p2', 'p3'], 'connecting']);
  assert.deepEqual(slot.peerMedia, { audio: false, video: true });
  assert.deepEqual(slot.roster.at(-1), { kind: 'left', name: 'Ann', anchorId: 'p1', at: 4000, seq: 2 });
  assert.equal(reducer(s, act('call/party-left', { anchorId: 'a1', callId: 'k1', peerAnchorId: 'p1' })), s, 'gone already');
  s = run(reducer, s, [act('call/party-left', { anchorId: 'a1', callId: 'k1', peerAnchorId: 'p3', reason: 'peer-left' })]);
  assert.deepEqual(slotOf(s, 'a1').roster.at(-1).kind, 'peer-left');
});

test('group: adding someone to a live call, refused, missed and accepted', () => {
  let s = started([act('call/started', { anchorId: 'a1', callId: 'k1', peer: ANN }),
    act('call/add-sent', { anchorId: 'a1', peer: BO }), act('call/add-sent', { anchorId: 'a1', peer: CY }),
    act('call/add-acked', { anchorId: 'a1', toAnchorId: 'p2', invitationId: 'i2' }),
    act('call/add-failed', { anchorId: 'a1', toAnchorId: 'p3', code: 'call-full', message: 'full' }, 2000)]);
  let slot = slotOf(s, 'a1');
  assert.deepEqual(slot.adding, [{ peer: BO, invitationId: 'i2' }]);
  assert.deepEqual([slot.phase, slot.roster.at(-1).kind, slot.roster.at(-1).name], ['connecting', 'call-full', 'Cy']);
  assert.equal(reducer(s, act('call/add-sent', { anchorId: 'a2', peer: BO })), s, 'no call on a2: nothing to add to');
  const missed = run(reducer, s, [act('call/invite-ended', { anchorId: 'a1', invitationId: 'i2', reason: 'missed' })]);
  assert.deepEqual([slotOf(missed, 'a1').adding, slotOf(missed, 'a1').roster.at(-1).kind, slotOf(missed, 'a1').callId],
    [[], 'missed', 'k1'], 'the call goes on');
  s = run(reducer, s, [act('call/invite-ended', { anchorId: 'a1', invitationId: 'i2', reason: 'accepted' }),
    act('call/party-joined', { anchorId: 'a1', callId: 'k1', peer: BO, initiator: false, polite: true })]);
  slot = slotOf(s, 'a1');
  assert.deepEqual([slot.adding, slot.parties.length, slot.phase], [[], 2, 'connecting']);
});

test('group: ring several — the first accept starts the call, the others join or end their ring', () => {
  let s = started([act('call/invite-many-sent', { anchorId: 'a1', peers: [ANN, BO, CY] }, 1000),
    act('call/add-acked', { anchorId: 'a1', toAnchorId: 'p1', invitationId: 'i1' }),
    act('call/add-acked', { anchorId: 'a1', toAnchorId: 'p2', invitationId: 'i2' }),
    act('call/add-failed', { anchorId: 'a1', toAnchorId: 'p3', code: 'busy' })]);
  assert.deepEqual([slotOf(s, 'a1').phase, slotOf(s, 'a1').adding.length], ['ringing-out', 2]);
  assert.equal(freeAnchor(s).id, 'a2');
  const declined = run(reducer, s, [act('call/invite-ended', { anchorId: 'a1', invitationId: 'i1', reason: 'declined' })]);
  assert.equal(slotOf(declined, 'a1').phase, 'ringing-out', 'Bo still rings');
  const none = run(reducer, declined, [act('call/invite-ended', { anchorId: 'a1', invitationId: 'i2', reason: 'missed' })]);
  assert.deepEqual([slotOf(none, 'a1').phase, slotOf(none, 'a1').outcome.reason, slotOf(none, 'a1').outcome.peer], ['idle', 'missed', BO]);
  s = run(reducer, s, [act('call/invite-ended', { anchorId: 'a1', invitationId: 'i2', reason: 'accepted' }),
    act('call/started', { anchorId: 'a1', callId: 'k1', peer: BO, polite: true, initiator: false })]);
  const slot = slotOf(s, 'a1');
  assert.deepEqual([slot.phase, slot.callId, slot.adding, slot.parties.map((x) => x.peer.anchorId)],
    ['connecting', 'k1', [{ peer: ANN, invitationId: 'i1' }], ['p2']]);
  const allRefused = started([act('call/invite-many-sent', { anchorId: 'a1', peers: [ANN] }),
    act('call/add-failed', { anchorId: 'a1', toAnchorId: 'p1', code: 'busy', message: 'Busy' })]);
  assert.deepEqual([slotOf(allRefused, 'a1').phase, slotOf(allRefused, 'a1').outcome.reason], ['idle', 'busy']);
});

test('group: a ring into a call says who is in it; a two-party call has one party', () => {
  const call = { callId: 'k1', parties: [{ anchorId: 'p1', displayName: 'Ann' }, { anchorId: 'p2', displayName: 'Bo' }] };
  const s = started([act('call/ring', { anchorId: 'a1', invitationId: 'i1', from: ANN, expiresInMs: 1, call })]);
  assert.deepEqual(slotOf(s, 'a1').ringCall, call);
  const two = started([act('call/started', { anchorId: 'a1', callId: 'k1', peer: ANN, polite: true, initiator: false })]);
  assert.deepEqual(slotOf(two, 'a1').parties, [{ peer: ANN, polite: true, initiator: false, relayOnly: false }]);
});

test("Chat from a call opens the call's conversation: the group's, else the peer's; none when not in a call", () => {
  const two = started([act('call/started', { anchorId: 'a1', callId: 'k1', peer: ANN, polite: true, initiator: false })]);
  assert.equal(callChatOf(slotOf(two, 'a1')), ANN.userId);
  const group = started([act('call/started', { anchorId: 'a1', callId: 'k1', peer: ANN, polite: true, initiator: false,
    parties: [{ peer: ANN, polite: true, initiator: false }, { peer: BO, polite: true, initiator: false }],
    conversationId: 'call.k1' })]);
  assert.equal(callChatOf(slotOf(group, 'a1')), 'call.k1');
  const ringing = started([act('call/ring', { anchorId: 'a1', invitationId: 'i1', from: ANN, expiresInMs: 1 })]);
  assert.equal(callChatOf(slotOf(ringing, 'a1')), null);
  assert.equal(callChatOf(slotOf(two, 'a2')), null, 'an idle line');
});

// Last: every declared store action type went through the reducer above at least once.
test('every declared store action type is unit-tested here', () => {
  assert.deepEqual(STORE_ACTIONS.filter((t) => !SEEN.has(t)), []);
});

test('onceFreeLine runs its task once, when a line becomes free', () => {
  const peer = { userId: 'u-ann', anchorId: 'p1', displayName: 'Ann' };
  const busy = started([act('call/invite-sent', { anchorId: 'a1', peer }, 1), act('call/invite-sent', { anchorId: 'a2', peer }, 1)]);
  assert.equal(freeAnchor(busy), null);
  let state = busy;
  const subs = new Set();
  const store = { getState: () => state, subscribe: (f) => { subs.add(f); return () => subs.delete(f); } };
  let runs = 0;
  onceFreeLine(store, () => { runs += 1; });
  assert.equal(runs, 0, 'no free line yet');
  state = started([]);
  for (const f of [...subs]) f();
  for (const f of [...subs]) f();
  assert.equal(runs, 1);
  assert.equal(subs.size, 0, 'it stops listening');
});
