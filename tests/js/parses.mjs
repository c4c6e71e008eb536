// Parses every .js file under a folder as an ES module (the browser's grammar), without
// running it: `node --experimental-vm-modules tests/js/parses.mjs DIR`. Prints each file
// that does not parse and exits 1. tests/web/test_minified.py runs it on the minified
// copies of static/js (precompressed.py, issue 33.2); one process for all of them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';

const root = process.argv[2];
const files = readdirSync(root, { recursive: true }).filter((f) => f.endsWith('.js')).sort();
const bad = [];
for (const file of files) {
  try {
    new vm.SourceTextModule(readFileSync(join(root, file), 'utf8'), { identifier: file });
  } catch (err) {
    bad.push(`${file}: ${err.message}`);
  }
}
console.log(`${files.length} modules, ${bad.length} that do not parse`);
for (const line of bad) console.log(line);
process.exit(files.length && !bad.length ? 0 : 1);
