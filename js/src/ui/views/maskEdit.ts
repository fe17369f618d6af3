// Editing the mask from the views: a cell toggled (weights table, heatmap) or a query's valid
// length (d2l's valid_lens: query i attends to keys 0..len-1). The mask goes up whole (null
// once every key is allowed again); the kernel answers with the rows it changed (a row patch).

import type { Mask } from "../../core/matrix";
import type { Snapshot } from "../../live/store";
import type { Actions } from "./view";

/** Whether query i may not attend to key j (`mask` null or of another shape: every key allowed). */
export function isMasked(mask: Mask | null, rows: number, cols: number, i: number, j: number): boolean {
  return !!mask && mask.rows === rows && mask.cols === cols && !mask.data[i * cols + j];
}

/** Query i's valid length: how many keys it sees when they are the first ones, else -1. */
export function validLen(mask: Mask | null, i: number, cols: number): number {
  if (!mask || mask.cols !== cols || i >= mask.rows) return cols;
  const row = mask.data.subarray(i * cols, (i + 1) * cols);
  const len = row.indexOf(0) < 0 ? cols : row.indexOf(0);
  for (let j = len; j < cols; j++) if (row[j]) return -1;
  return len;
}

/** The snapshot's mask with row i changed by `set` (null when every key is allowed). */
function withRow(s: Snapshot, i: number, set: (row: Uint8Array) => void): Mask | null {
  const M = s.Q.rows;
  const N = s.K.rows;
  const own = s.mask && s.mask.rows === M && s.mask.cols === N;
  const data = own ? s.mask!.data.slice() : new Uint8Array(M * N).fill(1);
  set(data.subarray(i * N, (i + 1) * N));
  return data.every((v) => v) ? null : { rows: M, cols: N, data };
}

/** Toggle query i's mask bit of key j (an edit of row i only). */
export function toggleMask(actions: Actions, i: number, j: number): void {
  const s = actions.current();
  if (!(i >= 0 && j >= 0 && i < s.Q.rows && j < s.K.rows)) return;
  actions.edit({ mask: withRow(s, i, (r) => (r[j] = r[j] ? 0 : 1)) }, { row: i, typed: true });
}

/** Let query i attend to keys 0..len-1 only (`len` checked by the caller: 0 <= len <= N). */
export function setValidLen(actions: Actions, i: number, len: number): void {
  const s = actions.current();
  if (i < 0 || i >= s.Q.rows) return;
  actions.edit({ mask: withRow(s, i, (r) => (r.fill(1, 0, len), r.fill(0, len))) }, { row: i, typed: true });
}
