import { describe, expect, it } from "vitest";
import { matrix, type Matrix } from "../src/core/matrix";
import { moveAlongPlane, planeFor, project, type Plane } from "../src/core/pca";

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);

function expectOrthonormal(p: Plane): void {
  const [a, b] = p.axes;
  expect(a.length).toBe(p.d);
  expect(b.length).toBe(p.d);
  expect(dot(a, a)).toBeCloseTo(1, 12);
  expect(dot(b, b)).toBeCloseTo(1, 12);
  expect(Math.abs(dot(a, b))).toBeLessThan(1e-12);
}

/** The largest-|component| entry (the first one, on near-ties) is positive. */
function expectSignRule(v: Float64Array): void {
  const top = Math.max(...Array.from(v, Math.abs));
  expect(v[Array.from(v).findIndex((x) => Math.abs(x) >= top - 1e-9)]).toBeGreaterThan(0);
}

/** Points mean + s * u + t * w for the given (s, t), as a matrix. */
function pointsOn(mean: number[], u: number[], w: number[], st: [number, number][]): Matrix {
  return matrix(st.length, mean.length, st.flatMap(([s, t]) => mean.map((m, i) => m + s * u[i] + t * w[i])));
}

describe("planeFor, d = 2", () => {
  it("is the space itself: identity axes, zero mean", () => {
    const p = planeFor(matrix(3, 2, [5, 6, -1, 2, 9, 9]));
    expect(p.d).toBe(2);
    expect(Array.from(p.mean)).toEqual([0, 0]);
    expect(p.axes.map((a) => Array.from(a))).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(project(p, [3, -4])).toEqual([3, -4]);
  });
});

describe("planeFor, d = 1", () => {
  it("uses axes [[1], [0]]: y is ignored", () => {
    const p = planeFor(matrix(2, 1, [3, 5]));
    expect(p.axes.map((a) => Array.from(a))).toEqual([[1], [0]]);
    expect(project(p, [2.5])).toEqual([2.5, 0]);
    expect(Array.from(moveAlongPlane(p, [2.5], 1, 100))).toEqual([3.5]);
  });
});

describe("planeFor, d > 2", () => {
  // u: direction of largest variance, w: second; both unit and orthogonal, in R^4.
  const u = [1 / 3, 2 / 3, 2 / 3, 0];
  const w = [2 / 3, -2 / 3, 1 / 3, 0];
  const mean = [1, -2, 3, 4];
  const K = pointsOn(mean, u, w, [
    [-6, 1],
    [-3, -2],
    [0, 2],
    [3, -1],
    [6, 0.5],
    [0, 0],
  ]); // s and t uncorrelated (sum of s = 0, sum of s * t = 0)

  it("passes through the mean of the keys", () => {
    const p = planeFor(K);
    const tMean = 0.5 / 6;
    for (let i = 0; i < 4; i++) expect(p.mean[i]).toBeCloseTo(mean[i] + tMean * w[i], 12);
  });

  it("has orthonormal axes, the first along the largest variance, signs fixed", () => {
    const p = planeFor(K);
    expectOrthonormal(p);
    expect(Math.abs(dot(p.axes[0], u))).toBeCloseTo(1, 10);
    expect(Math.abs(dot(p.axes[1], w))).toBeCloseTo(1, 10);
    p.axes.forEach(expectSignRule);
    // the keys lie in the plane: projecting loses nothing
    for (let i = 0; i < K.rows; i++) {
      const k = K.data.subarray(i * 4, i * 4 + 4);
      const [x, y] = project(p, k);
      const back = moveAlongPlane(p, p.mean, x, y);
      for (let c = 0; c < 4; c++) expect(back[c]).toBeCloseTo(k[c], 10);
    }
  });

  it("finds the top component where a poor start would miss it", () => {
    // covariance diag(3) (+) [[2, 2], [2, 2]]: top eigenvector (0, 1, 1)/sqrt 2 (eigenvalue 4)
    const s3 = Math.sqrt(3);
    const K2 = matrix(4, 3, [s3, 0, 0, -s3, 0, 0, 0, 2, 2, 0, -2, -2]);
    const p = planeFor(K2);
    expectOrthonormal(p);
    expect(Math.abs(dot(p.axes[0], [0, Math.SQRT1_2, Math.SQRT1_2]))).toBeCloseTo(1, 10);
    expect(Math.abs(p.axes[1][0])).toBeCloseTo(1, 10);
  });

  it("is deterministic", () => {
    expect(planeFor(K)).toEqual(planeFor(K));
  });

  it("copes with huge coordinates", () => {
    const big = matrix(K.rows, K.cols, Array.from(K.data, (x) => x * 1e300));
    const p = planeFor(big);
    expectOrthonormal(p);
    expect(Math.abs(dot(p.axes[0], u))).toBeCloseTo(1, 8);
  });

  it("completes collinear keys with the queries' direction", () => {
    const keys = pointsOn(mean, u, w, [
      [-1, 0],
      [0, 0],
      [2, 0],
    ]);
    const Q = pointsOn(mean, u, w, [
      [0, 5],
      [1, -5],
    ]);
    const p = planeFor(keys, Q);
    expectOrthonormal(p);
    expect(Math.abs(dot(p.axes[0], u))).toBeCloseTo(1, 10);
    expect(Math.abs(dot(p.axes[1], w))).toBeCloseTo(1, 10);
    // without queries: still orthonormal (a coordinate direction made orthogonal)
    const alone = planeFor(keys);
    expectOrthonormal(alone);
    expect(Math.abs(dot(alone.axes[0], u))).toBeCloseTo(1, 10);
  });

  it("falls back to queries and keys when there is one key, or identical keys", () => {
    const Q = pointsOn(mean, u, w, [
      [4, 0],
      [-4, 0],
      [0, 1],
      [0, -1],
    ]);
    for (const keys of [matrix(1, 4, mean), matrix(2, 4, [...mean, ...mean])]) {
      const p = planeFor(keys, Q);
      expectOrthonormal(p);
      for (let i = 0; i < 4; i++) expect(p.mean[i]).toBeCloseTo(mean[i], 12);
      expect(Math.abs(dot(p.axes[0], u))).toBeCloseTo(1, 10);
      expect(Math.abs(dot(p.axes[1], w))).toBeCloseTo(1, 10);
    }
  });

  it("falls back to coordinate axes when nothing varies", () => {
    for (const [keys, Q] of [
      [matrix(1, 3, [1, 2, 3]), undefined],
      [matrix(3, 3, [1, 2, 3, 1, 2, 3, 1, 2, 3]), matrix(1, 3, [1, 2, 3])],
      [matrix(0, 3), undefined],
      [matrix(2, 3, [0, 0, 0, 1, 1, 1]), matrix(2, 2, [5, 5, -5, 9])], // Q of another width is ignored
    ] as [Matrix, Matrix | undefined][]) {
      const p = planeFor(keys, Q);
      expectOrthonormal(p);
      p.axes.forEach(expectSignRule);
    }
    expect(planeFor(matrix(1, 3, [1, 2, 3])).axes.map((a) => Array.from(a))).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });
});

describe("project and moveAlongPlane", () => {
  const K = matrix(5, 3, [1, 0, 0, -1, 0.5, 0, 3, 1, 1, 0, -2, 1, 2, 2, -1]);
  const p = planeFor(K);

  it("move then project returns the moved coordinates", () => {
    const x = [0.3, -1.2, 2.5];
    const [x0, y0] = project(p, x);
    const moved = moveAlongPlane(p, x, 0.75, -1.5);
    const [x1, y1] = project(p, moved);
    expect(x1 - x0).toBeCloseTo(0.75, 12);
    expect(y1 - y0).toBeCloseTo(-1.5, 12);
    // the component off the plane is unchanged
    const off = (v: ArrayLike<number>) => {
      const [a, b] = project(p, v);
      return Array.from(v, (vi, i) => vi - p.mean[i] - a * p.axes[0][i] - b * p.axes[1][i]);
    };
    off(moved).forEach((c, i) => expect(c).toBeCloseTo(off(x)[i], 12));
  });

  it("refuses points of the wrong width", () => {
    expect(() => project(p, [1, 2])).toThrow("point has 2 coordinates, the plane is in R^3");
    expect(() => moveAlongPlane(p, [1, 2, 3, 4], 0, 0)).toThrow("point has 4 coordinates");
  });
});
