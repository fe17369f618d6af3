// Wire arrays whose decoded matrix is already known (made here from a Matrix): decoding
// them again would copy megabytes for nothing. Keys are the wire objects themselves.

import type { Matrix } from "../core/matrix";
import { LITTLE_ENDIAN } from "./codec";

const known = new WeakMap<object, Matrix>();

/** The decoded matrix of `wire` if it was made by `wireOf`. */
export function knownMatrix(wire: unknown): Matrix | undefined {
  return wire && typeof wire === "object" ? known.get(wire) : undefined;
}

/**
 * A float64 wire array sharing `m`'s memory (little-endian machines), remembered as `m`.
 * The caller must not change `m.data` afterwards.
 */
export function wireOf(m: Matrix, encode: (m: Matrix) => object): object {
  const w = LITTLE_ENDIAN
    ? { dtype: "float64", shape: [m.rows, m.cols], buffer: new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength) }
    : encode(m);
  known.set(w, m);
  return w;
}

/** Remember that `wire` decodes to `m` (until it is changed in place: `forget`). */
export function remember(wire: object, m: Matrix): Matrix {
  known.set(wire, m);
  return m;
}

/** `wire` was changed in place (a row patch): its matrix must be decoded anew. */
export function forget(wire: unknown): void {
  if (wire && typeof wire === "object") known.delete(wire);
}
