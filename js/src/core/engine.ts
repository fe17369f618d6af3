// The attention engine in float64: score -> softmax -> weighted sum. The JS twin of
// attnwidget/engine.py (held to it by tests/fixtures/parity.json), for drag previews and
// static pages. For a query q (a row of Q) and a key k (a row of K):
//
//   dot         q·k                    (d_q = d_k)
//   general     q^T W k                W: (d_q, d_k)
//   scaled_dot  q·k / sqrt(d_k)        (d_q = d_k)
//   concat      v·tanh(W [q; k])       W: (h, d_q + d_k), v: (h)
//   additive    v·tanh(W q + U k)      W: (h, d_q), U: (h, d_k), v: (h)
//
// then weights = softmax(scores / T) over the keys the mask allows, and output = weights @ V.

import { matrix as zeros, pickRows, putRows, type Mask, type Matrix } from "./matrix";

/** Parameters of a score function (the table above says which score takes which). */
export interface Params {
  W?: Matrix;
  U?: Matrix;
  v?: Float64Array;
}

export type ScoreName = "dot" | "general" | "scaled_dot" | "concat" | "additive";

/** The score functions, in the order of the seed document's table. */
export const SCORES: readonly ScoreName[] = Object.freeze(["dot", "general", "scaled_dot", "concat", "additive"]);

export interface AttentionInput {
  Q: Matrix;
  K: Matrix;
  /** Values, one row per key; null/undefined means V = K. */
  V?: Matrix | null;
  score: ScoreName;
  params?: Params;
  /** 1 where query i may attend to key j; shape (M, N). */
  mask?: Mask | null;
  /** Positive and finite; scores are divided by it before the softmax. Default 1. */
  temperature?: number;
}

export interface AttentionResult {
  /** Raw score-function values (M, N): before temperature and mask. */
  scores: Matrix;
  /** Softmax weights (M, N): masked keys exactly 0, fully masked rows all 0. */
  weights: Matrix;
  /** weights @ V (M, d_v). */
  output: Matrix;
}

// --- helpers -------------------------------------------------------------------------------

const shape = (m: { rows: number; cols: number }): string => `(${m.rows}, ${m.cols})`;

function checkMatrix(m: Matrix | null | undefined, name: string): Matrix {
  if (!m || !(m.data instanceof Float64Array) || !Number.isInteger(m.rows) || !Number.isInteger(m.cols)) {
    throw new Error(`${name} must be a matrix {rows, cols, data: Float64Array}`);
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new Error(`${name} has ${m.data.length} entries, shape ${shape(m)} needs ${m.rows * m.cols}`);
  }
  if (m.cols < 1) throw new Error(`${name} must have width >= 1, got shape ${shape(m)}`);
  return m;
}

/** A @ B^T for row-major A (r, c) and B (s, c): every row of A against every row of B. */
function timesTransposed(A: Matrix, B: Matrix): Matrix {
  const out = zeros(A.rows, B.rows);
  const c = A.cols;
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.rows; j++) {
      let s = 0;
      for (let t = 0; t < c; t++) s += A.data[i * c + t] * B.data[j * c + t];
      out.data[i * B.rows + j] = s;
    }
  }
  return out;
}

/** X @ W[:, from:from+X.cols]^T: each row x of X mapped to W_part x (length W.rows). */
function project(X: Matrix, W: Matrix, from: number): Matrix {
  const h = W.rows;
  const d = X.cols;
  const out = zeros(X.rows, h);
  for (let i = 0; i < X.rows; i++) {
    for (let a = 0; a < h; a++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += W.data[a * W.cols + from + t] * X.data[i * d + t];
      out.data[i * h + a] = s;
    }
  }
  return out;
}

// The keys' side of concat and additive (W_k k for every key) depends on K and the parameters
// only: kept per (K, W) while both live (callers never write into them), so that a drag (a new
// Q each step) or the five scores of one query do not project every key again.
const keySide = new WeakMap<Matrix, WeakMap<Matrix, { from: number; p: Matrix }>>();

export function projectKeys(K: Matrix, W: Matrix, from: number): Matrix {
  let byW = keySide.get(K);
  if (!byW) keySide.set(K, (byW = new WeakMap()));
  const hit = byW.get(W);
  if (hit && hit.from === from) return hit.p;
  const p = project(K, W, from);
  byW.set(W, { from, p });
  return p;
}

/** v·tanh(wq_i + uk_j) for every pair: O(M·N·h). */
function tanhMlp(wq: Matrix, uk: Matrix, v: Float64Array): Matrix {
  const h = v.length;
  const out = zeros(wq.rows, uk.rows);
  for (let i = 0; i < wq.rows; i++) {
    for (let j = 0; j < uk.rows; j++) {
      let s = 0;
      for (let a = 0; a < h; a++) s += v[a] * Math.tanh(wq.data[i * h + a] + uk.data[j * h + a]);
      out.data[i * uk.rows + j] = s;
    }
  }
  return out;
}

function needShape(m: Matrix | undefined, name: string, what: string, rows: number, cols: number): Matrix {
  if (!m) throw new Error(`params.${name} is required: shape ${what} = (${rows}, ${cols})`);
  checkMatrix(m, `params.${name}`);
  if (m.rows !== rows || m.cols !== cols) {
    throw new Error(`params.${name} must have shape ${what} = (${rows}, ${cols}), got ${shape(m)}`);
  }
  return m;
}

function needVector(v: Float64Array | undefined, h: number): Float64Array {
  if (!v) throw new Error(`params.v is required: shape (h) = (${h})`);
  if (!(v instanceof Float64Array) || v.length !== h) {
    throw new Error(`params.v must have shape (h) = (${h}), got (${v.length})`);
  }
  return v;
}

function needHidden(W: Matrix | undefined): number {
  if (!W) throw new Error("params.W is required");
  return checkMatrix(W, "params.W").rows;
}

function sameWidth(Q: Matrix, K: Matrix, score: ScoreName): void {
  if (Q.cols !== K.cols) {
    throw new Error(
      `score '${score}' needs queries and keys of the same width: Q has d_q=${Q.cols} (shape ${shape(Q)}), ` +
        `K has d_k=${K.cols} (shape ${shape(K)})`,
    );
  }
}

function checkScoreName(score: unknown): ScoreName {
  if (typeof score !== "string" || !(SCORES as readonly string[]).includes(score)) {
    throw new Error(`score must be one of ${SCORES.map((s) => `'${s}'`).join(", ")}; got ${JSON.stringify(score)}`);
  }
  return score as ScoreName;
}

function checkTemperature(t: number): number {
  if (typeof t !== "number" || !Number.isFinite(t) || t <= 0) {
    throw new Error(`temperature must be a positive finite number, got ${String(t)}`);
  }
  return t;
}

function checkMask(mask: Mask, rows: number, cols: number): Mask {
  if (mask.rows !== rows || mask.cols !== cols || mask.data.length !== rows * cols) {
    throw new Error(`mask must have shape (M, N) = (${rows}, ${cols}), got ${shape(mask)}`);
  }
  return mask;
}

function checkFinite(m: Matrix, what: string, inputs: string): void {
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) {
      throw new Error(`${what} overflow float64 or are NaN for these inputs; check and scale down ${inputs}`);
    }
  }
}

// --- step 1: scores --------------------------------------------------------------------------

/** The raw scores (M, N) of every query (row of Q) against every key (row of K). */
export function scoreMatrix(Q: Matrix, K: Matrix, score: ScoreName, params: Params = {}): Matrix {
  checkScoreName(score);
  checkMatrix(Q, "Q");
  checkMatrix(K, "K");
  const dq = Q.cols;
  const dk = K.cols;
  switch (score) {
    case "dot": // q·k
      sameWidth(Q, K, score);
      return timesTransposed(Q, K);
    case "scaled_dot": {
      // q·k / sqrt(d_k), computed as (q / sqrt(d_k))·k like engine.py
      sameWidth(Q, K, score);
      const r = Math.sqrt(dk);
      return timesTransposed({ rows: Q.rows, cols: dq, data: Q.data.map((x) => x / r) }, K);
    }
    case "general": {
      // q^T W k = (q^T W)·k
      const W = needShape(params.W, "W", "(d_q, d_k)", dq, dk);
      const qW = zeros(Q.rows, dk);
      for (let i = 0; i < Q.rows; i++) {
        for (let j = 0; j < dk; j++) {
          let s = 0;
          for (let t = 0; t < dq; t++) s += Q.data[i * dq + t] * W.data[t * dk + j];
          qW.data[i * dk + j] = s;
        }
      }
      return timesTransposed(qW, K);
    }
    case "concat": {
      // v·tanh(W [q; k]) = v·tanh(W[:, :d_q] q + W[:, d_q:] k)
      const h = needHidden(params.W);
      const W = needShape(params.W, "W", "(h, d_q+d_k)", h, dq + dk);
      const v = needVector(params.v, h);
      return tanhMlp(project(Q, W, 0), projectKeys(K, W, dq), v);
    }
    case "additive": {
      // v·tanh(W q + U k)
      const h = needHidden(params.W);
      const W = needShape(params.W, "W", "(h, d_q)", h, dq);
      const U = needShape(params.U, "U", "(h, d_k)", h, dk);
      const v = needVector(params.v, h);
      return tanhMlp(project(Q, W, 0), projectKeys(K, U, 0), v);
    }
  }
}

// --- step 2: softmax -------------------------------------------------------------------------

/**
 * Row-wise softmax of scores / T over the keys the mask allows, computed as in engine.py:
 * m = max of the allowed scores, e_j = exp((s_j - m) / T) (0 where masked), w_j = e_j / sum(e).
 * Cannot overflow for finite scores; a fully masked row gets all-zero weights.
 */
export function softmaxRows(scores: Matrix, mask?: Mask | null, temperature = 1): Matrix {
  const T = checkTemperature(temperature);
  const { rows, cols } = scores;
  if (mask) checkMask(mask, rows, cols);
  const out = zeros(rows, cols);
  const s = scores.data;
  const e = out.data;
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) if ((!mask || mask.data[row + j]) && s[row + j] > m) m = s[row + j];
    if (m === -Infinity) continue; // fully masked: zeros
    let total = 0;
    for (let j = 0; j < cols; j++) {
      const x = !mask || mask.data[row + j] ? Math.exp((s[row + j] - m) / T) : 0;
      e[row + j] = x;
      total += x;
    }
    for (let j = 0; j < cols; j++) e[row + j] /= total;
  }
  return out;
}

// --- step 3: the whole mechanism -------------------------------------------------------------

/** Attention of each query over the keys: scores, softmax weights, weighted sum of the values. */
export function attention(input: AttentionInput): AttentionResult {
  const { score, params = {}, mask = null, temperature = 1 } = input;
  checkScoreName(score);
  const Q = checkMatrix(input.Q, "Q");
  const K = checkMatrix(input.K, "K");
  const V = input.V == null ? K : checkMatrix(input.V, "V");
  checkTemperature(temperature);
  if (K.rows === 0) throw new Error(`K must contain at least one key, got shape ${shape(K)}`);
  if (V.rows !== K.rows) {
    throw new Error(`V must have one row per key: K has ${K.rows} rows (shape ${shape(K)}), V has ${V.rows} (shape ${shape(V)})`);
  }
  if (mask) checkMask(mask, Q.rows, K.rows);

  const scores = scoreMatrix(Q, K, score, params);
  checkFinite(scores, "scores", "the queries and keys");
  const weights = softmaxRows(scores, mask, temperature);

  const N = K.rows;
  const dv = V.cols;
  const output = zeros(Q.rows, dv);
  for (let i = 0; i < Q.rows; i++) {
    for (let j = 0; j < N; j++) {
      const w = weights.data[i * N + j];
      for (let c = 0; c < dv; c++) output.data[i * dv + c] += w * V.data[j * dv + c];
    }
  }
  checkFinite(output, "output", "the values");
  return { scores, weights, output };
}

/**
 * The results of the queries `rows` only: query i's scores, weights and output depend on row i
 * of Q (and of the mask) alone, so after an edit of a few queries only their rows are computed.
 * Row k of each result is query rows[k]'s.
 */
export function attentionRows(input: AttentionInput, rows: readonly number[]): AttentionResult {
  const mask = input.mask ? pickRows(input.mask, rows) : null;
  return attention({ ...input, Q: pickRows(input.Q, rows), mask });
}

/** Write the rows of `part` (from attentionRows) into rows `rows` of `into`, in place. */
export function setRows(into: AttentionResult, part: AttentionResult, rows: readonly number[]): void {
  for (const key of ["scores", "weights", "output"] as const) putRows(into[key], rows, part[key]);
}
