// The wire value of a view's edit (what the edit pipeline sets on the model).

import type { Mask, Matrix } from "../core/matrix";
import { encodeMask, encodeMatrix } from "./codec";
import { wireOf } from "./wirecache";

/**
 * Wire value of an edited trait. An edited Q is a fresh matrix, never changed afterwards: its
 * wire array shares its memory (no copy) and is known to decode to it.
 */
export function encodeEdit(name: string, value: unknown): unknown {
  if (name === "Q") return wireOf(value as Matrix, encodeMatrix);
  if (name === "mask") return value === null ? null : encodeMask(value as Mask);
  return value;
}
