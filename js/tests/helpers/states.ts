// Widget states for the vitest files.

import { matrix, type Matrix } from "../../src/core/matrix";
import { encodeMatrix } from "../../src/wire/codec";

/** A token that would run script if it were ever inserted as HTML (it must show as text). */
export const HOSTILE = '<img src=x onerror="globalThis.__pwned=1">';

/** A rows x cols matrix of sin(k * seed + phase), k the row-major index: smooth test data. */
export function sinMatrix(rows: number, cols: number, seed: number, phase = 0): Matrix {
  return matrix(rows, cols, Array.from({ length: rows * cols }, (_, k) => Math.sin(k * seed + phase)));
}

/**
 * An AttentionWidget state as the kernel sends it, without results: queries `Q`, keys `K`
 * (V = K), scaled_dot, no mask, T = 1, query 0 selected; `extra` overrides or adds traits.
 */
export function widgetState(Q: Matrix, K: Matrix, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Q: encodeMatrix(Q),
    K: encodeMatrix(K),
    V: null,
    score: "scaled_dot",
    params: {},
    param_sets: { dot: {}, scaled_dot: {} },
    mask: null,
    temperature: 1,
    selected_query: 0,
    error: "",
    ...extra,
  };
}
