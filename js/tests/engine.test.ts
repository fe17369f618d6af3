import { describe, expect, it } from "vitest";
import { attention, scoreMatrix, SCORES, softmaxRows, type Params, type ScoreName } from "../src/core/engine";
import { get, matrix, type Mask, type Matrix } from "../src/core/matrix";

// --- a tiny deterministic generator and naive references -----------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function randomMatrix(r: () => number, rows: number, cols: number, scale = 2): Matrix {
  return matrix(rows, cols, Array.from({ length: rows * cols }, () => scale * r()));
}

const rowOf = (m: Matrix, i: number): number[] => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
const dotp = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);
const matVec = (W: Matrix, x: number[]): number[] => Array.from({ length: W.rows }, (_, a) => dotp(rowOf(W, a), x));

/** The score of one pair, straight from the formula table. */
function naiveScore(score: ScoreName, q: number[], k: number[], p: Params): number {
  switch (score) {
    case "dot":
      return dotp(q, k);
    case "general":
      return dotp(q, matVec(p.W!, k)); // W: (d_q, d_k)
    case "scaled_dot":
      return dotp(q, k) / Math.sqrt(k.length);
    case "concat":
      return dotp(Array.from(p.v!), matVec(p.W!, [...q, ...k]).map(Math.tanh));
    case "additive": {
      const wq = matVec(p.W!, q);
      const uk = matVec(p.U!, k);
      return dotp(Array.from(p.v!), wq.map((x, a) => Math.tanh(x + uk[a])));
    }
  }
}

function paramsFor(score: ScoreName, r: () => number, dq: number, dk: number, h = 3): Params {
  if (score === "general") return { W: randomMatrix(r, dq, dk) };
  if (score === "concat") return { W: randomMatrix(r, h, dq + dk), v: randomMatrix(r, 1, h).data };
  if (score === "additive") return { W: randomMatrix(r, h, dq), U: randomMatrix(r, h, dk), v: randomMatrix(r, 1, h).data };
  return {};
}

/** Naive attention for one query: softmax(s / T) over the allowed keys, then the weighted sum. */
function naiveAttention(Q: Matrix, K: Matrix, V: Matrix, score: ScoreName, p: Params, mask: Mask | null, T: number) {
  const scores: number[][] = [];
  const weights: number[][] = [];
  const output: number[][] = [];
  for (let i = 0; i < Q.rows; i++) {
    const s = Array.from({ length: K.rows }, (_, j) => naiveScore(score, rowOf(Q, i), rowOf(K, j), p));
    const allowed = s.map((_, j) => !mask || mask.data[i * K.rows + j] === 1);
    const e = s.map((x, j) => (allowed[j] ? Math.exp(x / T) : 0));
    const total = e.reduce((a, b) => a + b, 0);
    const w = e.map((x) => (total > 0 ? x / total : 0));
    scores.push(s);
    weights.push(w);
    output.push(Array.from({ length: V.cols }, (_, c) => w.reduce((acc, wj, j) => acc + wj * get(V, j, c), 0)));
  }
  return { scores, weights, output };
}

function rowsOf(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => rowOf(m, i));
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  let d = 0;
  a.forEach((row, i) => row.forEach((x, j) => (d = Math.max(d, Math.abs(x - b[i][j])))));
  return d;
}

// --- tests -----------------------------------------------------------------------------------

describe("SCORES", () => {
  it("lists the five score functions in the seed's order", () => {
    expect(SCORES).toEqual(["dot", "general", "scaled_dot", "concat", "additive"]);
  });
});

describe.each(SCORES)("score %s against a naive per-pair loop", (score) => {
  const r = rng(SCORES.indexOf(score) + 1);
  const same = score === "dot" || score === "scaled_dot";
  const dq = same ? 4 : 3;
  const dk = 4;
  const Q = randomMatrix(r, 3, dq);
  const K = randomMatrix(r, 5, dk);
  const V = randomMatrix(r, 5, 2);
  const params = paramsFor(score, r, dq, dk);

  it("matches scores, weights and output", () => {
    const got = attention({ Q, K, V, score, params });
    const want = naiveAttention(Q, K, V, score, params, null, 1);
    expect(maxAbsDiff(rowsOf(got.scores), want.scores)).toBeLessThan(1e-12);
    expect(maxAbsDiff(rowsOf(got.weights), want.weights)).toBeLessThan(1e-12);
    expect(maxAbsDiff(rowsOf(got.output), want.output)).toBeLessThan(1e-12);
    expect([got.output.rows, got.output.cols]).toEqual([3, 2]);
  });

  it("has rows summing to 1 and V defaulting to K", () => {
    const got = attention({ Q, K, score, params, V: null });
    for (const row of rowsOf(got.weights)) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    const want = naiveAttention(Q, K, K, score, params, null, 1);
    expect(maxAbsDiff(rowsOf(got.output), want.output)).toBeLessThan(1e-12);
    expect(got.output.cols).toBe(dk);
  });

  it("matches the naive loop with a mask and a temperature", () => {
    const mask: Mask = { rows: 3, cols: 5, data: new Uint8Array([1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]) };
    for (const T of [0.1, 1, 7]) {
      const got = attention({ Q, K, V, score, params, mask, temperature: T });
      const want = naiveAttention(Q, K, V, score, params, mask, T);
      expect(maxAbsDiff(rowsOf(got.weights), want.weights)).toBeLessThan(1e-12);
      expect(maxAbsDiff(rowsOf(got.output), want.output)).toBeLessThan(1e-12);
    }
  });

  it("scoreMatrix returns the raw scores", () => {
    const s = scoreMatrix(Q, K, score, params);
    const got = attention({ Q, K, score, params, temperature: 5, mask: { rows: 3, cols: 5, data: new Uint8Array(15) } });
    expect(got.scores).toEqual(s);
  });
});

describe("softmaxRows", () => {
  it("gives masked keys exactly 0 and fully masked rows all zeros", () => {
    const s = matrix(2, 3, [1, 2, 3, 4, 5, 6]);
    const mask: Mask = { rows: 2, cols: 3, data: new Uint8Array([1, 0, 1, 0, 0, 0]) };
    const w = softmaxRows(s, mask);
    expect(w.data[1]).toBe(0);
    expect(w.data[0] + w.data[2]).toBeCloseTo(1, 15);
    expect(w.data[2] / w.data[0]).toBeCloseTo(Math.exp(2), 12);
    expect(Array.from(w.data.subarray(3))).toEqual([0, 0, 0]);
  });

  it("a fully masked row gives a zero output row, never NaN", () => {
    const Q = matrix(2, 2, [1, 0, 0, 1]);
    const K = matrix(2, 2, [1, 2, 3, 4]);
    const mask: Mask = { rows: 2, cols: 2, data: new Uint8Array([0, 0, 1, 1]) };
    const r = attention({ Q, K, score: "dot", mask });
    expect(Array.from(r.weights.data.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(r.output.data.subarray(0, 2))).toEqual([0, 0]);
    expect(r.output.data.every(Number.isFinite)).toBe(true);
  });

  it("temperature flattens (large T) and sharpens (small T)", () => {
    const s = matrix(1, 3, [0, 1, 2]);
    const hot = softmaxRows(s, null, 1e6).data;
    for (const x of hot) expect(x).toBeCloseTo(1 / 3, 5);
    const cold = softmaxRows(s, null, 1e-3).data;
    expect(cold[2]).toBe(1);
    expect(cold[0]).toBe(0);
    const t2 = softmaxRows(s, null, 2).data;
    const plain = softmaxRows(matrix(1, 3, [0, 0.5, 1])).data;
    for (let j = 0; j < 3; j++) expect(t2[j]).toBeCloseTo(plain[j], 15);
  });

  it("stays finite for scores near 1e300 and 1e308", () => {
    const w = softmaxRows(matrix(2, 3, [1e300, -1e300, 5e299, 1.7e308, -1.7e308, 0]), null, 0.5);
    expect(w.data.every(Number.isFinite)).toBe(true);
    expect(Array.from(w.data)).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it("refuses a bad temperature or mask shape", () => {
    const s = matrix(1, 2, [0, 1]);
    for (const T of [0, -1, NaN, Infinity]) {
      expect(() => softmaxRows(s, null, T)).toThrow(/temperature must be a positive finite number/);
    }
    expect(() => softmaxRows(s, { rows: 2, cols: 1, data: new Uint8Array(2) })).toThrow(
      "mask must have shape (M, N) = (1, 2), got (2, 1)",
    );
  });
});

describe("engine identities and magnitudes", () => {
  it("concat equals additive when W_concat = [W U]", () => {
    const r = rng(99);
    const dq = 2;
    const dk = 3;
    const h = 4;
    const Q = randomMatrix(r, 3, dq);
    const K = randomMatrix(r, 4, dk);
    const W = randomMatrix(r, h, dq);
    const U = randomMatrix(r, h, dk);
    const v = randomMatrix(r, 1, h).data;
    const WU = matrix(h, dq + dk);
    for (let a = 0; a < h; a++) {
      for (let c = 0; c < dq; c++) WU.data[a * (dq + dk) + c] = get(W, a, c);
      for (let c = 0; c < dk; c++) WU.data[a * (dq + dk) + dq + c] = get(U, a, c);
    }
    const add = attention({ Q, K, score: "additive", params: { W, U, v } });
    const cat = attention({ Q, K, score: "concat", params: { W: WU, v } });
    expect(maxAbsDiff(rowsOf(add.scores), rowsOf(cat.scores))).toBeLessThan(1e-15);
    expect(maxAbsDiff(rowsOf(add.weights), rowsOf(cat.weights))).toBeLessThan(1e-15);
  });

  it("gives finite weights for scores ~1e300", () => {
    const Q = matrix(2, 2, [1e150, -2e149, 3e149, 1e150]);
    const K = matrix(3, 2, [1e150, 0, 0, 1e150, -1e150, 1]);
    const r = attention({ Q, K, score: "dot" });
    expect(Math.abs(get(r.scores, 0, 0))).toBeGreaterThan(1e299);
    expect(r.weights.data.every(Number.isFinite)).toBe(true);
    expect(Array.from(r.weights.data)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(r.output.data.every(Number.isFinite)).toBe(true);
  });

  it("refuses scores that overflow float64", () => {
    const Q = matrix(1, 1, [1e200]);
    expect(() => attention({ Q, K: Q, score: "dot" })).toThrow(/scores overflow float64/);
  });
});

describe("errors", () => {
  const Q = matrix(2, 3);
  const K = matrix(4, 3);
  const K2 = matrix(4, 2);

  it("needs d_q = d_k for dot and scaled_dot", () => {
    for (const score of ["dot", "scaled_dot"] as const) {
      expect(() => attention({ Q, K: K2, score })).toThrow(
        `score '${score}' needs queries and keys of the same width: Q has d_q=3 (shape (2, 3)), K has d_k=2 (shape (4, 2))`,
      );
    }
  });

  it("names missing and wrong-shape params", () => {
    expect(() => attention({ Q, K: K2, score: "general" })).toThrow("params.W is required: shape (d_q, d_k) = (3, 2)");
    expect(() => attention({ Q, K: K2, score: "general", params: { W: matrix(2, 3) } })).toThrow(
      "params.W must have shape (d_q, d_k) = (3, 2), got (2, 3)",
    );
    expect(() => attention({ Q, K: K2, score: "concat", params: { W: matrix(4, 6), v: new Float64Array(4) } })).toThrow(
      "params.W must have shape (h, d_q+d_k) = (4, 5), got (4, 6)",
    );
    expect(() => attention({ Q, K: K2, score: "concat", params: { W: matrix(4, 5) } })).toThrow("params.v is required: shape (h) = (4)");
    expect(() => attention({ Q, K: K2, score: "concat", params: { v: new Float64Array(4) } })).toThrow("params.W is required");
    expect(() =>
      attention({ Q, K: K2, score: "additive", params: { W: matrix(4, 3), U: matrix(4, 3), v: new Float64Array(4) } }),
    ).toThrow("params.U must have shape (h, d_k) = (4, 2), got (4, 3)");
    expect(() => attention({ Q, K: K2, score: "additive", params: { W: matrix(4, 3), v: new Float64Array(4) } })).toThrow(
      "params.U is required: shape (h, d_k) = (4, 2)",
    );
    expect(() =>
      attention({ Q, K: K2, score: "additive", params: { W: matrix(4, 3), U: matrix(4, 2), v: new Float64Array(3) } }),
    ).toThrow("params.v must have shape (h) = (4), got (3)");
  });

  it("refuses a K/V row mismatch, no keys, a bad mask, temperature or score", () => {
    expect(() => attention({ Q, K, V: matrix(3, 2), score: "dot" })).toThrow(
      "V must have one row per key: K has 4 rows (shape (4, 3)), V has 3 (shape (3, 2))",
    );
    expect(() => attention({ Q, K: matrix(0, 3), score: "dot" })).toThrow("K must contain at least one key");
    expect(() => attention({ Q, K, score: "dot", mask: { rows: 4, cols: 2, data: new Uint8Array(8) } })).toThrow(
      "mask must have shape (M, N) = (2, 4), got (4, 2)",
    );
    for (const temperature of [0, -2, NaN, Infinity]) {
      expect(() => attention({ Q, K, score: "dot", temperature })).toThrow("temperature must be a positive finite number");
    }
    expect(() => attention({ Q, K, score: "cosine" as ScoreName })).toThrow(
      "score must be one of 'dot', 'general', 'scaled_dot', 'concat', 'additive'; got \"cosine\"",
    );
    expect(() => attention({ Q: { rows: 2, cols: 3, data: new Float64Array(5) }, K, score: "dot" })).toThrow(
      "Q has 5 entries, shape (2, 3) needs 6",
    );
  });

  it("handles zero queries", () => {
    const r = attention({ Q: matrix(0, 3), K, score: "dot" });
    expect([r.weights.rows, r.weights.cols, r.output.rows, r.output.cols]).toEqual([0, 4, 0, 3]);
  });
});

describe("the keys' side of concat and additive, kept per (K, W)", () => {
  it("is reused for the same K and parameters, and recomputed for another K or W", () => {
    const W = matrix(3, 4, [0.5, -1, 0.2, 0.7, 1.1, 0.3, -0.4, 0.9, -0.6, 0.8, 0.1, -0.2]);
    const v = new Float64Array([1, -0.5, 0.25]);
    const K1 = matrix(2, 2, [1, 0, 0, 1]);
    const K2 = matrix(2, 2, [2, -1, 0.5, 3]);
    const Q = matrix(1, 2, [0.3, -0.7]);
    const fresh = (K: Matrix, w: Matrix) => scoreMatrix(matrix(Q.rows, Q.cols, Q.data), matrix(K.rows, K.cols, K.data), "concat", { W: matrix(w.rows, w.cols, w.data), v });
    const a = scoreMatrix(Q, K1, "concat", { W, v });
    expect(scoreMatrix(Q, K1, "concat", { W, v }).data).toEqual(a.data);
    expect(scoreMatrix(Q, K2, "concat", { W, v }).data).toEqual(fresh(K2, W).data);
    expect(scoreMatrix(Q, K2, "concat", { W, v }).data).not.toEqual(a.data);
    const W2 = matrix(3, 4, W.data.map((x) => x * 2));
    expect(scoreMatrix(Q, K1, "concat", { W: W2, v }).data).toEqual(fresh(K1, W2).data);
    // additive with U: the same K, another parameter matrix
    const p = { W: matrix(3, 2, [1, 2, 3, 4, 5, 6]), U: matrix(3, 2, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), v };
    const U2 = matrix(3, 2, [-1, 0, 1, 0, -1, 2]);
    const base = scoreMatrix(Q, K1, "additive", p);
    const other = scoreMatrix(Q, K1, "additive", { ...p, U: U2 });
    expect(other.data).toEqual(scoreMatrix(Q, matrix(2, 2, K1.data), "additive", { ...p, U: U2 }).data);
    expect(other.data).not.toEqual(base.data);
  });
});
