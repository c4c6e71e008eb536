// node --test: which hop of a failed call the words name (issue 30, static/js/views/words.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const W = await import(new URL('../../static/js/views/words.js', import.meta.url));

test('no relay candidate gathered: the relay cannot be reached from this network', () => {
  const text = W.problemText({ code: 'no-path', turn: 'unreachable', connectedBefore: false, hop: 'relay' });
  assert.match(text, /^Could not connect: .*the relay server cannot be reached from your network/);
});

test('a relay gathered but no pair: the other person\'s network blocks the call', () => {
  const text = W.problemText({ code: 'no-path', turn: 'unknown', connectedBefore: false, hop: 'peer' });
  assert.match(text, /the other person's network blocks the call/);
});

test('refused credentials keep their own words; no TURN: no hop', () => {
  assert.match(W.problemText({ code: 'no-path', turn: 'refused', hop: 'relay' }), /refused the credentials/);
  assert.match(W.problemText({ code: 'no-path', turn: 'none', hop: null }), /no TURN server configured/);
});

test('a wrong TURN secret (no relay gathered, TURN not known to be unreachable) keeps the TURN words', () => {
  const text = W.problemText({ code: 'no-path', turn: 'unknown', connectedBefore: false, hop: 'relay' });
  assert.match(text, /TURN/);
  assert.doesNotMatch(text, /cannot be reached from your network/);
});
