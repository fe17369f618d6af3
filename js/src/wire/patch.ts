// Row patches. After a view's edit of a few queries (or of their rows of the mask) only those
// rows of scores, weights and output change: the kernel sends them as the `_row_patch` trait
// ({rows, scores, weights, output}, and Q's rows when the view sent only those, see
// attnwidget/widgets/results.py) instead of the whole arrays, and they are written into the model's arrays in place, so the model holds what
// the kernel holds (and a saved widget state is whole).

import { wireBytes } from "./codec";
import type { AnyModel } from "./model";
import { RESULTS, ROW_PATCH } from "./protocol";
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

/**
 * anywidget's `initialize`: patch the model's arrays as patches arrive, also while no view
 * shows the widget. Returns the cleanup.
 */
export function watchRowPatches(model: AnyModel): () => void {
  const onPatch = (): void => {
    applyRowPatch(model, model.get(ROW_PATCH.trait));
  };
  model.on(`change:${ROW_PATCH.trait}`, onPatch);
  return () => model.off(`change:${ROW_PATCH.trait}`, onPatch);
}
