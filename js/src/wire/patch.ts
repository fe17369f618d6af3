// Row patches. After a view's edit of a few queries (or of their rows of the mask) only those
// rows of scores, weights and output change: the kernel sends them as the `_row_patch` trait
// ({rows, scores, weights, output}, and Q's rows when the view sent only those, see
// attnwidget/widgets/results.py) instead of the whole arrays, and they are written into the model's arrays in place, so the model holds what
// the kernel holds (and a saved widget state is whole).

import { wireBytes } from "./codec";
import type { AnyModel } from "./model";
import { KEY_PATCH, RESULTS, ROW_PATCH } from "./protocol";
import { forget } from "./wirecache";

export { RESULTS };

const applied = new WeakSet<object>();

/** The arrays a patch `p` writes: the results, and Q when it carries Q's rows. */
export function patchedArrays(p: object): string[] {
  return "Q" in p ? [...RESULTS, "Q"] : [...RESULTS];
}

/**
 * Write the patch `p` (the model's `_row_patch` value) into the model's arrays.
 * Idempotent (a patch object is written once). Returns false, writing nothing, when the
 * patch does not fit the arrays.
 */
export function applyRowPatch(model: AnyModel, p: unknown): boolean {
  if (p === null || p === undefined) return true;
  if (typeof p !== "object") return false;
  if (applied.has(p)) return true;
  const rows = (p as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) return false;
  const names = patchedArrays(p);
  const writes: Array<[Uint8Array, Uint8Array, number]> = [];
  try {
    for (const name of names) {
      const target = wireBytes(model.get(name), "float64", 2, name);
      const patch = wireBytes((p as Record<string, unknown>)[name], "float64", 2, `${name} rows`);
      const [m, c] = target.shape;
      if (patch.shape[0] !== rows.length || patch.shape[1] !== c) return false;
      if (!rows.every((i) => Number.isInteger(i) && i >= 0 && i < m)) return false;
      writes.push([target.bytes, patch.bytes, c * 8]);
    }
  } catch {
    return false;
  }
  for (const [target, patch, size] of writes) {
    rows.forEach((i: number, k: number) => target.set(patch.subarray(k * size, (k + 1) * size), i * size));
  }
  for (const name of names) forget(model.get(name)); // (a matrix known to share its memory changed)
  applied.add(p);
  return true;
}

/** The arrays a key edit's answer `p` ({keys, scores?, K?, V?}) writes. */
export function colPatchedArrays(p: object): string[] {
  return ["scores", "K", "V"].filter((n) => n in p);
}

/**
 * Write a key edit's answer `p` (the model's `_col_patch`: the columns `keys` of scores, the
 * rows `keys` of K and V) into the model's arrays. Idempotent; false, writing nothing, when
 * it does not fit them.
 */
export function applyColPatch(model: AnyModel, p: unknown): boolean {
  if (p === null || p === undefined) return true;
  if (typeof p !== "object") return false;
  if (applied.has(p)) return true;
  const keys = (p as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) return false;
  const names = colPatchedArrays(p);
  const writes: Array<() => void> = [];
  try {
    for (const name of names) {
      const t = wireBytes(model.get(name), "float64", 2, name);
      const v = wireBytes((p as Record<string, unknown>)[name], "float64", 2, `${name} of keys`);
      const [m, c] = t.shape;
      const cols = name === "scores"; // (scores: columns j; K and V: rows j)
      const n = cols ? c : m;
      if (!keys.every((j) => Number.isInteger(j) && j >= 0 && j < n)) return false;
      if (cols ? v.shape[0] !== m || v.shape[1] !== keys.length : v.shape[0] !== keys.length || v.shape[1] !== c) return false;
      const r = keys.length;
      const put = (from: number, to: number, size: number): void => t.bytes.set(v.bytes.subarray(from * 8, (from + size) * 8), to * 8);
      writes.push(() =>
        keys.forEach((j: number, k: number) => {
          if (cols) for (let i = 0; i < m; i++) put(i * r + k, i * c + j, 1);
          else put(k * c, j * c, c);
        }),
      );
    }
  } catch {
    return false;
  }
  for (const w of writes) w();
  for (const name of names) forget(model.get(name));
  applied.add(p);
  return true;
}

/**
 * anywidget's `initialize`: patch the model's arrays as patches arrive, also while no view
 * shows the widget. Returns the cleanup.
 */
export function watchRowPatches(model: AnyModel): () => void {
  const onPatch = (): void => {
    applyRowPatch(model, model.get(ROW_PATCH.trait));
  };
  const onCols = (): void => {
    applyColPatch(model, model.get(KEY_PATCH.trait));
  };
  model.on(`change:${ROW_PATCH.trait}`, onPatch);
  model.on(`change:${KEY_PATCH.trait}`, onCols);
  return () => {
    model.off(`change:${ROW_PATCH.trait}`, onPatch);
    model.off(`change:${KEY_PATCH.trait}`, onCols);
  };
}
