// The attention field: for a query placed at a point (a, b) of the plane, which key it attends
// to most and how strongly. A plane point is the query q = origin + a·u + b·v (origin: the
// selected query less its in-plane part, so the other coordinates are held), and the score of
// each key is cheap in (a, b):
//   dot, scaled_dot, general   affine in (a, b): 3 numbers per key, precomputed
//   concat, additive           W_q q = W_q origin + a·W_q u + b·W_q v (3 vectors of h, once),
//                              the keys' side W_k k once per (K, W) (the engine's cache),
//                              then per point only h tanh per key.
// Then the softmax of the scores / T over the keys the mask allows, as the engine computes it.

import { projectKeys, scoreMatrix, type Params, type ScoreName } from "./engine";
import type { Matrix } from "./matrix";

export interface FieldSpec {
  K: Matrix;
  score: ScoreName;
  params: Params;
  temperature: number;
  /** 1 where the query may attend to key j (the selected query's mask row), or null: all. */
  allowed: Uint8Array | null;
  /** The query at (a, b) is origin + a·u + b·v. */
  origin: Float64Array;
  u: Float64Array;
  v: Float64Array;
}

/** What a query at a point attends to: the key with the largest weight (-1: every key masked). */
export interface FieldPoint {
  owner: number;
  /** The largest weight. */
  weight: number;
  /** 1 - entropy of the weights / log(number of keys allowed): 1 all on one key, 0 uniform. */
  focus: number;
}

/** The field's evaluator: the scores of the keys for a query at (a, b), into `out` (length N). */
export type Scorer = (a: number, b: number, out: Float64Array) => void;

const dotRows = (x: ArrayLike<number>, M: Matrix, j: number, from = 0): number => {
  let s = 0;
  const c = M.cols;
  for (let t = 0; t < x.length; t++) s += x[t] * M.data[j * c + from + t];
  return s;
};

/** x^T W for W (rows = x.length, cols). */
function leftTimes(x: Float64Array, W: Matrix): Float64Array {
  const out = new Float64Array(W.cols);
  for (let t = 0; t < W.rows; t++) for (let c = 0; c < W.cols; c++) out[c] += x[t] * W.data[t * W.cols + c];
  return out;
}

/** W[:, 0:x.length] x for each of origin, u, v (the query's side of concat and additive). */
const querySide = (W: Matrix, xs: Float64Array[]): Float64Array[] =>
  xs.map((x) => Float64Array.from({ length: W.rows }, (_, r) => dotRows(x, W, r)));

/**
 * The scorer of `spec`. Throws the engine's message when the parameters do not fit (checked
 * by scoring the origin once).
 */
export function scorer(spec: FieldSpec): Scorer {
  const { K, score, params, origin, u, v } = spec;
  scoreMatrix({ rows: 1, cols: origin.length, data: origin }, K, score, params);
  const N = K.rows;
  if (score === "concat" || score === "additive") {
    const W = params.W!;
    const hv = params.v!;
    const h = hv.length;
    const [z0, za, zb] = querySide(W, [origin, u, v]);
    const kk = score === "concat" ? projectKeys(K, W, origin.length) : projectKeys(K, params.U!, 0);
    const z = new Float64Array(h);
    return (a, b, out) => {
      for (let r = 0; r < h; r++) z[r] = z0[r] + a * za[r] + b * zb[r];
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let r = 0; r < h; r++) s += hv[r] * Math.tanh(z[r] + kk.data[j * h + r]);
        out[j] = s;
      }
    };
  }
  // affine: s_j = c0_j + a·ca_j + b·cb_j
  const side = score === "general" ? [origin, u, v].map((x) => leftTimes(x, params.W!)) : [origin, u, v];
  const r = score === "scaled_dot" ? Math.sqrt(K.cols) : 1;
  const [c0, ca, cb] = side.map((x) => Float64Array.from({ length: N }, (_, j) => dotRows(x, K, j) / r));
  return (a, b, out) => {
    for (let j = 0; j < N; j++) out[j] = c0[j] + a * ca[j] + b * cb[j];
  };
}

/**
 * Owner, largest weight and focus of the scores `s` (softmax of s / T over the allowed keys,
 * as the engine: m = max, e_j = exp((s_j - m) / T)). Writes into `into` and returns it.
 */
export function pointOf(s: Float64Array, allowed: Uint8Array | null, T: number, into: FieldPoint): FieldPoint {
  let m = -Infinity;
  let owner = -1;
  let n = 0;
  for (let j = 0; j < s.length; j++) {
    if (allowed && !allowed[j]) continue;
    n++;
    if (s[j] > m) {
      m = s[j];
      owner = j;
    }
  }
  into.owner = owner;
  if (owner < 0 || !Number.isFinite(m)) {
    into.owner = -1;
    into.weight = into.focus = 0;
    return into;
  }
  let total = 0;
  let moment = 0; // sum of e_j * (s_j - m) / T
  for (let j = 0; j < s.length; j++) {
    if (allowed && !allowed[j]) continue;
    const x = (s[j] - m) / T;
    const e = Math.exp(x);
    total += e;
    if (e > 0) moment += e * x;
  }
  into.weight = 1 / total;
  const entropy = Math.log(total) - moment / total;
  into.focus = n > 1 ? Math.min(1, Math.max(0, 1 - entropy / Math.log(n))) : 1;
  return into;
}

/** The field at one point (a, b): for tests and probes. */
export function fieldAt(spec: FieldSpec, a: number, b: number): FieldPoint {
  const s = new Float64Array(spec.K.rows);
  scorer(spec)(a, b, s);
  return pointOf(s, spec.allowed, spec.temperature, { owner: -1, weight: 0, focus: 0 });
}
