// The wire values of a view's edit (what the edit pipeline sets on the model), and the upward
// row patch: an edit of a few queries sends only their rows (ROW_PATCH.up = {rows, Q}).

import { changedRows, pickRows, type Mask, type Matrix } from "../core/matrix";
import { decodeMatrix, encodeMask, encodeMatrix, type WireArray } from "./codec";
import type { AnyModel } from "./model";
import { applyRowPatch } from "./patch";
import { ROW_PATCH } from "./protocol";
import { knownMatrix, remember, wireOf } from "./wirecache";

/** The upward row patch's trait. */
export const QUERY_ROWS = ROW_PATCH.up;

/**
 * Wire value of an edited trait. An edited Q is a fresh matrix, never changed afterwards: its
 * wire array shares its memory (no copy) and is known to decode to it.
 */
export function encodeEdit(name: string, value: unknown): unknown {
  if (name === "Q") return wireOf(value as Matrix, encodeMatrix);
  if (name === "mask") return value === null ? null : encodeMask(value as Mask);
  return value;
}

/** The model's Q as the kernel holds it (patches received applied), or null if unreadable. */
function kernelQ(model: AnyModel): Matrix | null {
  applyRowPatch(model, model.get(ROW_PATCH.trait)); // (an answer's patch may not be applied yet)
  const w = model.get("Q");
  try {
    // (decoded once per value of the model's Q, not at every edit of a drag)
    return knownMatrix(w) ?? remember(w, decodeMatrix(w as WireArray));
  } catch {
    return null;
  }
}

/**
 * The wire values of the edit `traits` (view values) sent to `model`. An edited Q that
 * differs from the model's in at most ROW_PATCH.max_rows_fraction of its rows crosses as those
 * rows only (`queryRows`: true); else whole.
 */
export function encodeEditFor(model: AnyModel, traits: Record<string, unknown>): { wire: Record<string, unknown>; queryRows: boolean } {
  const wire: Record<string, unknown> = {};
  let queryRows = false;
  for (const [name, value] of Object.entries(traits)) {
    if (name === "Q") {
      const Q = value as Matrix;
      const held = kernelQ(model);
      if (held && held.rows === Q.rows && held.cols === Q.cols) {
        const rows = changedRows(held, Q);
        if (rows.length <= ROW_PATCH.max_rows_fraction * Q.rows) {
          wire[QUERY_ROWS] = { rows, Q: wireOf(pickRows(Q, rows), encodeMatrix) };
          queryRows = true;
          continue;
        }
      }
    }
    wire[name] = encodeEdit(name, value);
  }
  return { wire, queryRows };
}

/**
 * The Q that the upward patch `patch` makes of `Q` (a new matrix). Throws, naming the problem,
 * when the patch does not fit (as the kernel refuses it: attnwidget/widgets/results.py).
 */
export function queriesWithRows(Q: Matrix, patch: unknown): Matrix {
  if (patch === null || typeof patch !== "object" || Object.keys(patch).sort().join() !== "Q,rows") {
    throw new Error(`${QUERY_ROWS} must be {rows, Q}, got ${patch === null ? "null" : typeof patch}`);
  }
  const { rows, Q: values } = patch as { rows: unknown; Q: unknown };
  const m = Q.rows;
  if (
    !Array.isArray(rows) ||
    !rows.every((i) => Number.isInteger(i) && i >= 0 && i < m) ||
    new Set(rows).size !== rows.length
  ) {
    throw new Error(`${QUERY_ROWS}['rows'] must be distinct query indices in [0, ${m - 1}], got ${JSON.stringify(rows)?.slice(0, 80)}`);
  }
  let r: Matrix | null = null;
  try {
    r = decodeMatrix(values as WireArray);
  } catch {
    r = null;
  }
  if (!r || r.rows !== rows.length || r.cols !== Q.cols) {
    const got = r ? `(${r.rows}, ${r.cols})` : "None";
    throw new Error(`${QUERY_ROWS}['Q'] must have shape (${rows.length}, ${Q.cols}), got ${got}`);
  }
  const out: Matrix = { rows: Q.rows, cols: Q.cols, data: new Float64Array(Q.data) };
  rows.forEach((i: number, k) => out.data.set(r!.data.subarray(k * Q.cols, (k + 1) * Q.cols), i * Q.cols));
  return out;
}
