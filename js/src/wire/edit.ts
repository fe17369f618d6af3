// The wire values of a view's edit (what the edit pipeline sets on the model), and the upward
// row patches: an edit of a few queries sends only their rows (ROW_PATCH.up = {rows, Q}), an
// edit of a few keys or values theirs (KEY_PATCH.up = {rows, K?, V?}).

import { changedRows, copyMatrix, pickRows, putRows, type Mask, type Matrix } from "../core/matrix";
import { decodeMatrix, encodeMask, encodeMatrix, type WireArray } from "./codec";
import type { AnyModel } from "./model";
import { applyColPatch, applyRowPatch } from "./patch";
import { KEY_PATCH, ROW_PATCH } from "./protocol";
import { knownMatrix, remember, wireOf } from "./wirecache";

/** The upward row patch's trait. */
export const QUERY_ROWS = ROW_PATCH.up;
/** The upward patch of keys and values. */
export const KEY_ROWS = KEY_PATCH.up;

/**
 * Wire value of an edited trait. An edited Q is a fresh matrix, never changed afterwards: its
 * wire array shares its memory (no copy) and is known to decode to it.
 */
export function encodeEdit(name: string, value: unknown): unknown {
  if (name === "Q" || name === "K" || (name === "V" && value !== null)) return wireOf(value as Matrix, encodeMatrix);
  if (name === "mask") return value === null ? null : encodeMask(value as Mask);
  return value;
}

/** The model's Q (K, V) as the kernel holds it (patches received applied), or null if unreadable. */
function kernelMatrix(model: AnyModel, name = "Q"): Matrix | null {
  applyRowPatch(model, model.get(ROW_PATCH.trait)); // (an answer's patch may not be applied yet)
  applyColPatch(model, model.get(KEY_PATCH.trait));
  const w = model.get(name);
  if (!w) return null;
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
export function encodeEditFor(
  model: AnyModel,
  traits: Record<string, unknown>,
): { wire: Record<string, unknown>; queryRows: boolean; keyRows: boolean } {
  const wire: Record<string, unknown> = {};
  let queryRows = false;
  const keyRows = encodeKeyRows(model, traits, wire);
  for (const [name, value] of Object.entries(traits)) {
    if (keyRows && (name === "K" || name === "V")) continue;
    if (name === "Q") {
      const Q = value as Matrix;
      const held = kernelMatrix(model);
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
  return { wire, queryRows, keyRows };
}

/**
 * An edited K and/or V that differ from the model's in at most KEY_PATCH.max_rows_fraction of
 * their rows go as those rows (`wire[KEY_ROWS]`, true); else (or V null in the model: the
 * values are the keys, so V goes whole) false, writing nothing.
 */
function encodeKeyRows(model: AnyModel, traits: Record<string, unknown>, wire: Record<string, unknown>): boolean {
  const edited = (["K", "V"] as const).filter((n) => n in traits);
  if (edited.length === 0) return false;
  const pairs: Array<[string, Matrix, Matrix]> = [];
  for (const n of edited) {
    const m = traits[n] as Matrix | null;
    const held = kernelMatrix(model, n);
    if (!m || !held || held.rows !== m.rows || held.cols !== m.cols) return false;
    pairs.push([n, m, held]);
  }
  const rows = [...new Set(pairs.flatMap(([, m, held]) => changedRows(held, m)))].sort((a, b) => a - b);
  if (rows.length > KEY_PATCH.max_rows_fraction * pairs[0][1].rows) return false;
  const patch: Record<string, unknown> = { rows };
  for (const [n, m] of pairs) patch[n] = wireOf(pickRows(m, rows), encodeMatrix);
  wire[KEY_ROWS] = patch;
  return true;
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
  return withRows(Q, checkedRows(rows, Q.rows, QUERY_ROWS, "query"), values, `${QUERY_ROWS}['Q']`);
}

/**
 * The K and V that the upward patch `patch` ({rows, K?, V?}) makes of them (new matrices, for
 * those it carries). Throws, naming the problem, as the kernel does (widgets/keyedits.py).
 */
export function keysWithRows(K: Matrix, V: Matrix | null, patch: unknown): { K?: Matrix; V?: Matrix } {
  const names = patch !== null && typeof patch === "object" ? Object.keys(patch) : [];
  if (!names.includes("rows") || names.length < 2 || !names.every((n) => ["rows", "K", "V"].includes(n))) {
    throw new Error(`${KEY_ROWS} must be {rows, K and/or V}, got ${names.length ? JSON.stringify(names.sort()) : typeof patch}`);
  }
  const p = patch as Record<string, unknown>;
  const rows = checkedRows(p.rows, K.rows, KEY_ROWS, "key");
  const out: { K?: Matrix; V?: Matrix } = {};
  if ("K" in p) out.K = withRows(K, rows, p.K, `${KEY_ROWS}['K']`);
  if ("V" in p) {
    if (!V) throw new Error(`${KEY_ROWS}['V'] needs values of their own: V is None (the values are the keys), so send V whole`);
    out.V = withRows(V, rows, p.V, `${KEY_ROWS}['V']`);
  }
  return out;
}

function checkedRows(rows: unknown, m: number, trait: string, what: string): number[] {
  if (!Array.isArray(rows) || !rows.every((i) => Number.isInteger(i) && i >= 0 && i < m) || new Set(rows).size !== rows.length) {
    throw new Error(`${trait}['rows'] must be distinct ${what} indices in [0, ${m - 1}], got ${JSON.stringify(rows)?.slice(0, 80)}`);
  }
  return rows as number[];
}

/** `M` with rows `rows` replaced by the wire array `values` (a new matrix); throws on a bad shape. */
function withRows(M: Matrix, rows: number[], values: unknown, what: string): Matrix {
  let r: Matrix | null = null;
  try {
    r = decodeMatrix(values as WireArray);
  } catch {
    r = null;
  }
  if (!r || r.rows !== rows.length || r.cols !== M.cols) {
    const got = r ? `(${r.rows}, ${r.cols})` : "None";
    throw new Error(`${what} must have shape (${rows.length}, ${M.cols}), got ${got}`);
  }
  const out = copyMatrix(M);
  putRows(out, rows, r);
  return out;
}
