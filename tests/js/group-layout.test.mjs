// node --test: views/group-layout.js, where a group call's tiles and the self-view go
// (issue 26) for 2–6 other parties at each size: the self-view in the grid's free cell
// where there is one, floating where there is none (the e2e test sees 3 and 4 parties).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const { groupLayout, columnsFor } = await import(new URL('../../static/js/views/group-layout.js', import.meta.url));

const cells = (t) => {
  const out = [];
  for (let r = t.row; r < t.row + (t.rows || 1); r += 1) for (let c = t.col; c < t.col + (t.cols || 1); c += 1) out.push(`${r},${c}`);
  return out;
};

// count → [cols, rows, the self-view's cell or null], a wide screen
const WIDE = { 2: [2, 1, null], 3: [2, 2, [2, 2]], 4: [2, 2, null], 5: [3, 2, [2, 3]], 6: [3, 2, null] };
// the same with the featured tile large (pinned, or a shared screen), placed first
const LARGE = { 2: [2, 2, [2, 2]], 3: [2, 3, null], 4: [2, 4, [4, 2]], 5: [3, 3, [3, 3]], 6: [3, 3, null] };

for (const [name, table, large] of [['wide', WIDE, false], ['wide, one large', LARGE, true]]) {
  for (const [count, [cols, rows, self]] of Object.entries(table)) {
    test(`${name}: ${count} others → ${cols}×${rows}, the self-view ${self ? `in cell ${self}` : 'floating'}`, () => {
      const layout = groupLayout(Number(count), { large });
      assert.equal(layout.cols, cols);
      assert.equal(layout.rows, rows);
      assert.deepEqual(layout.self, self && { row: self[0], col: self[1] });
      assert.equal(layout.tiles.length, Number(count));
      const taken = layout.tiles.flatMap(cells);
      assert.equal(new Set(taken).size, taken.length, 'no two tiles share a cell');
      assert.ok(taken.every((k) => { const [r, c] = k.split(',').map(Number); return r <= rows && c <= cols; }));
      // every cell of the grid holds a tile or the self-view, and the self-view no tile
      const all = [...taken, ...(layout.self ? cells(layout.self) : [])];
      assert.equal(all.length, rows * cols, 'no cell left empty');
      if (layout.self) assert.ok(!taken.includes(cells(layout.self)[0]));
      if (large) assert.deepEqual(layout.tiles[0], { row: 1, col: 1, rows: Number(count) === 2 ? 1 : 2, cols: 2 });
    });
  }
}

test('a phone (featured large above a strip): no free cell at any count, the self-view floats', () => {
  for (let count = 2; count <= 6; count += 1) {
    for (const large of [false, true]) assert.equal(groupLayout(count, { large, phone: true }).self, null);
  }
});

test('columns by count, as group.css has them', () => {
  assert.deepEqual([2, 3, 4, 5, 6].map(columnsFor), [2, 2, 2, 3, 3]);
});
