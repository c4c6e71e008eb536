// Browser action types are declared once (static/js/actions.js; issue 25, item 3): this
// reads every module under static/js and fails on an action type written as a string
// literal, or an `A.NAME` (the actions module imported as a namespace) that actions.js
// does not export — the typo that used to do nothing at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as A from '../../static/js/actions.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JS = join(ROOT, 'static/js');

function modules(dir = JS) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []);
}

// Code without its comments (a comment may name a type in words).
const code = (src) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

const NAMESPACES = ['lobby', 'call', 'chat', 'session', 'me', 'store'];
const TYPE_LITERAL = new RegExp(`(['"\`])((?:${NAMESPACES.join('|')})/[a-z-]+)\\1`, 'g');

// Problems found in one module's source: [file-relative message, …].
export function undeclared(name, src) {
  const found = [];
  const body = code(src);
  for (const m of body.matchAll(TYPE_LITERAL)) found.push(`${name}: literal action type ${m[0]}`);
  for (const imp of body.matchAll(/import \* as (\w+) from '(?:\.\.?\/)+actions\.js'/g)) {
    for (const use of body.matchAll(new RegExp(`\\b${imp[1]}\\.(\\w+)`, 'g'))) {
      if (!(use[1] in A)) found.push(`${name}: ${use[0]} is not declared in actions.js`);
    }
  }
  for (const imp of body.matchAll(/import \{([^}]*)\} from '(?:\.\.?\/)+actions\.js'/g)) {
    for (const n of imp[1].split(',').map((s) => s.trim().split(/\s+as\s+/)[0]).filter(Boolean)) {
      if (!(n in A)) found.push(`${name}: ${n} is not declared in actions.js`);
    }
  }
  return found;
}

test('every action type in static/js is a declared name, none a string literal', () => {
  const all = modules().filter((f) => !f.endsWith('/actions.js'));
  const found = all.flatMap((f) => undeclared(relative(ROOT, f), readFileSync(f, 'utf8')));
  assert.deepEqual(found, []);
  const users = all.filter((f) => /from '(?:\.\.?\/)+actions\.js'/.test(readFileSync(f, 'utf8')));
  assert.ok(users.length >= 8, `the reducers and dispatchers import actions.js: ${users.length}`);
});

test('the scan finds a literal type and a misspelt name', () => {
  const src = "import * as A from './actions.js';\n// 'call/ended' in a comment is fine\n"
    + "store.dispatch({ type: 'call/endd' });\nstore.dispatch({ type: A.CALL_ENDD });\n"
    + "store.dispatch({ type: A.CALL_ENDED });\n";
  assert.deepEqual(undeclared('x.js', src), [
    "x.js: literal action type 'call/endd'", 'x.js: A.CALL_ENDD is not declared in actions.js']);
  assert.deepEqual(undeclared('y.js', "import { CALL_ENDED, NOPE } from '../actions.js';"),
    ['y.js: NOPE is not declared in actions.js']);
});

test('the declared types: each once, frozen lists, a namespace/name each', () => {
  const types = A.ACTION_TYPES;
  assert.equal(new Set(types).size, types.length);
  assert.ok(Object.isFrozen(types) && Object.isFrozen(A.STORE_ACTIONS) && Object.isFrozen(A.CHAT_ACTIONS));
  const exported = Object.entries(A).filter(([, v]) => typeof v === 'string');
  assert.deepEqual(exported.map(([, v]) => v).sort(), [...types].sort(), 'every constant is listed');
  for (const t of types) assert.match(t, TYPE_LITERAL_ONE);
});
const TYPE_LITERAL_ONE = new RegExp(`^(?:${NAMESPACES.join('|')})/[a-z-]+$`);
