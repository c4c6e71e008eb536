// Where a group call's tiles go (issue 26; static/css/group.css, views/party-grid.js), as
// pure data, so that a node test covers 2–6 tiles at each size without six browsers
// (tests/js/group-layout.test.mjs).
//
// A wide screen is a grid by count of the other parties: 2 → two columns, 3–4 → 2×2,
// 5–6 → 3×2; a featured tile that is shown large (pinned, or a shared screen) spans 2×2
// cells (2 columns, 1 row beside only one other) and comes first (group.css `order`).
// The others fill the rows after it, as CSS grid's row-wise auto-placement does.
// The self-view takes the grid's first free cell, as a tile of the grid (same size, named
// "You"), as in Meet and Jitsi; where no cell is free it floats over the tiles as in a
// two-party call (self-view.js). A phone (≤ 720 px wide) shows the featured tile large
// above a strip of the others that share its width (flex): no cell is left free there.
export const PHONE_QUERY = '(max-width: 720px)';

export const columnsFor = (count) => (count <= 4 ? 2 : 3);

// count: the other parties; large: the featured tile is shown large; phone: PHONE_QUERY
// matches. Returns {cols, rows, tiles, self}: tiles [{row, col, rows, cols}] in the
// order placed (the large one first), self {row, col} or null; 1-based grid lines.
export function groupLayout(count, { large = false, phone = false } = {}) {
  if (phone || count < 2) return { cols: 0, rows: 0, tiles: [], self: null };
  const cols = columnsFor(count);
  const taken = new Set();
  const free = (r, c, h, w) => {
    for (let i = r; i < r + h; i += 1) for (let j = c; j < c + w; j += 1) if (taken.has(`${i},${j}`)) return false;
    return true;
  };
  const tiles = [];
  let row = 1;
  let col = 1;
  for (let n = 0; n < count; n += 1) {
    const [h, w] = large && n === 0 ? [count === 2 ? 1 : 2, 2] : [1, 1];
    // sparse auto-placement: from the cursor on, never back
    while (col + w - 1 > cols || !free(row, col, h, w)) {
      col += 1;
      if (col + w - 1 > cols) { row += 1; col = 1; }
    }
    for (let i = row; i < row + h; i += 1) for (let j = col; j < col + w; j += 1) taken.add(`${i},${j}`);
    tiles.push({ row, col, rows: h, cols: w });
    col += w;
  }
  const rows = Math.max(...tiles.map((t) => t.row + t.rows - 1));
  let self = null;
  for (let r = 1; r <= rows && !self; r += 1) {
    for (let c = 1; c <= cols && !self; c += 1) if (!taken.has(`${r},${c}`)) self = { row: r, col: c };
  }
  return { cols, rows, tiles, self };
}
