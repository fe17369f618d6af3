import type { Matrix } from "./matrix";
// The 2-D plane in which query points are shown and dragged.
//
// d = 2: the space itself. d > 2: the plane through the mean of the keys spanned by their top two
// principal components. d = 1: the line itself, drawn as a plane whose y coordinate is ignored.


/** A plane in R^d: point = mean + x * axes[0] + y * axes[1]. */
export interface Plane {
  d: number;
  mean: Float64Array;
  /** Orthonormal for d >= 2. For d = 1: [[1], [0]], so y is always 0 and moves along y do nothing. */
  axes: [Float64Array, Float64Array];
}

/** Eigenvalues below RELATIVE_TOL * (total variance) count as "no variance in that direction". */
const RELATIVE_TOL = 1e-10;

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

function unit(d: number, i: number): Float64Array {
  const e = new Float64Array(d);
  e[i] = 1;
  return e;
}

/** Remove from x its components along the orthonormal `basis`, then normalise; null if ~0. */
function orthonormalise(x: Float64Array, basis: Float64Array[]): Float64Array | null {
  const n0 = Math.sqrt(dot(x, x));
  for (let pass = 0; pass < 2; pass++) {
    for (const b of basis) {
      const c = dot(x, b);
      for (let i = 0; i < x.length; i++) x[i] -= c * b[i];
    }
  }
  const n = Math.sqrt(dot(x, x));
  if (!(n > 1e-12 * n0)) return null;
  for (let i = 0; i < x.length; i++) x[i] /= n;
  return x;
}

/** Flip v so that its largest-|component| entry is positive (the first one, on near-ties). */
function fixSign(v: Float64Array): Float64Array {
  let top = 0;
  for (const x of v) top = Math.max(top, Math.abs(x));
  const k = v.findIndex((x) => Math.abs(x) >= top - 1e-9);
  if (v[k] < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i] || 0;
  return v;
}

/** A unit vector orthogonal to `basis`: the coordinate axis least covered by it, made orthogonal. */
function completion(d: number, basis: Float64Array[]): Float64Array {
  const order = Array.from({ length: d }, (_, i) => i).sort(
    (a, b) => basis.reduce((s, v) => s + v[a] * v[a], 0) - basis.reduce((s, v) => s + v[b] * v[b], 0) || a - b,
  );
  for (const i of order) {
    const e = orthonormalise(unit(d, i), basis);
    if (e) return e;
  }
  throw new Error("pca: no direction left to complete the basis"); // unreachable for basis.length < d
}

/** A symmetric d x d matrix, given by its product with a vector, and its trace. */
interface Operator {
  apply(x: Float64Array): Float64Array;
  trace: number;
}

/**
 * The (unnormalised) covariance of `points` around `mean`, after dividing by the largest
 * |deviation| so that huge coordinates cannot overflow (directions are unchanged). Formed as a
 * d x d matrix when there are more points than dimensions, else applied as sum_p (p.x) p.
 */
function covariance(points: Float64Array[], mean: Float64Array): Operator {
  const d = mean.length;
  let scale = 0;
  for (const p of points) for (let i = 0; i < d; i++) scale = Math.max(scale, Math.abs(p[i] - mean[i]));
  if (!(scale > 0) || !Number.isFinite(scale)) return { apply: () => new Float64Array(d), trace: 0 };
  const X = points.map((p) => p.map((x, i) => (x - mean[i]) / scale));
  const trace = X.reduce((t, x) => t + dot(x, x), 0);
  if (X.length <= d) {
    return {
      trace,
      apply(v) {
        const y = new Float64Array(d);
        for (const x of X) {
          const c = dot(x, v);
          for (let i = 0; i < d; i++) y[i] += c * x[i];
        }
        return y;
      },
    };
  }
  const C = new Float64Array(d * d);
  for (const x of X) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) C[i * d + j] += x[i] * x[j];
  return {
    trace,
    apply(v) {
      const y = new Float64Array(d);
      for (let i = 0; i < d; i++) y[i] = dot(C.subarray(i * d, (i + 1) * d), v);
      return y;
    },
  };
}

/** Deterministic pseudo-random start vectors (a fixed LCG), generic enough for power iteration. */
function startVector(d: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const x = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  return x;
}

/**
 * The top `want` (<= 2) eigenvectors of the symmetric C restricted to the complement of `fixed`,
 * with eigenvalue > RELATIVE_TOL * trace: orthogonal (block power) iteration on two vectors,
 * then Rayleigh-Ritz on the 2x2 projection to order them.
 */
function topDirections(C: Operator, d: number, fixed: Float64Array[], want: number): Float64Array[] {
  const trace = C.trace;
  const room = d - fixed.length;
  if (!(trace > 0) || want <= 0 || room <= 0) return [];
  const k = Math.min(2, room);
  const basis = (vs: Float64Array[]): Float64Array[] => {
    const out: Float64Array[] = [];
    for (const v of vs) out.push(orthonormalise(v, [...fixed, ...out]) ?? completion(d, [...fixed, ...out]));
    return out;
  };
  let X = basis(Array.from({ length: k }, (_, i) => startVector(d, 12345 + 7919 * i)));
  for (let it = 0; it < 500; it++) {
    const Y = basis(X.map((x) => C.apply(x)));
    let moved = 0; // how far span(Y) is from span(X)
    for (const y of Y) {
      const r = Float64Array.from(y);
      for (const x of X) {
        const c = dot(r, x);
        for (let i = 0; i < d; i++) r[i] -= c * x[i];
      }
      moved = Math.max(moved, Math.sqrt(dot(r, r)));
    }
    X = Y;
    if (moved < 1e-12) break;
  }
  // Rayleigh-Ritz: rotate within span(X) to the eigenvectors of H = X^T C X.
  let vecs = X;
  let vals = X.map((x) => dot(x, C.apply(x)));
  if (k === 2) {
    const [a, c] = vals;
    const b = dot(X[0], C.apply(X[1]));
    const theta = 0.5 * Math.atan2(2 * b, a - c);
    const [cs, sn] = [Math.cos(theta), Math.sin(theta)];
    const u = X[0].map((x, i) => cs * x + sn * X[1][i]);
    const w = X[0].map((x, i) => -sn * x + cs * X[1][i]);
    vecs = [u, w];
    vals = [dot(u, C.apply(u)), dot(w, C.apply(w))];
    if (vals[1] > vals[0]) {
      vecs.reverse();
      vals.reverse();
    }
  }
  return vecs.filter((_, i) => vals[i] > RELATIVE_TOL * trace).slice(0, want).map(fixSign);
}

function rowsOf(m: Matrix): Float64Array[] {
  return Array.from({ length: m.rows }, (_, i) => m.data.slice(i * m.cols, (i + 1) * m.cols));
}

function meanOf(points: Float64Array[], d: number): Float64Array {
  const mean = new Float64Array(d);
  for (const p of points) for (let i = 0; i < d; i++) mean[i] += p[i] / points.length;
  return mean;
}

/**
 * The editing plane for points of R^d, d = K.cols. For d > 2 it passes through the mean of the
 * keys; its axes are their top two principal components (sign: largest-|entry| positive). If the
 * keys do not span two directions (fewer than 2 keys, identical or collinear keys), the missing
 * axes come from the queries and keys together (Q is used only when Q.cols == K.cols), then from
 * the coordinate axes, so the axes are always orthonormal. Deterministic.
 */
export function planeFor(K: Matrix, Q?: Matrix): Plane {
  const d = K.cols;
  if (!Number.isInteger(d) || d < 1) throw new Error(`planeFor: keys must have width >= 1, got ${d}`);
  if (d === 1) return { d, mean: new Float64Array(1), axes: [unit(1, 0), new Float64Array(1)] };
  if (d === 2) return { d, mean: new Float64Array(2), axes: [unit(2, 0), unit(2, 1)] };

  const keys = rowsOf(K);
  const all = Q && Q.cols === d ? [...keys, ...rowsOf(Q)] : keys;
  const mean = keys.length ? meanOf(keys, d) : meanOf(all, d);
  const axes: Float64Array[] = [];
  if (keys.length >= 2) axes.push(...topDirections(covariance(keys, mean), d, [], 2));
  if (axes.length < 2 && all.length > keys.length && all.length >= 2) {
    axes.push(...topDirections(covariance(all, meanOf(all, d)), d, axes, 2 - axes.length));
  }
  while (axes.length < 2) axes.push(fixSign(completion(d, axes)));
  return { d, mean, axes: [axes[0], axes[1]] };
}

function checkWidth(p: Plane, x: ArrayLike<number>): void {
  if (x.length !== p.d) throw new Error(`point has ${x.length} coordinates, the plane is in R^${p.d}`);
}

/** Plane coordinates (x, y) of the orthogonal projection of a point onto the plane. */
export function project(p: Plane, x: ArrayLike<number>): [number, number] {
  checkWidth(p, x);
  let u = 0;
  let v = 0;
  for (let i = 0; i < p.d; i++) {
    const c = x[i] - p.mean[i];
    u += c * p.axes[0][i];
    v += c * p.axes[1][i];
  }
  return [u, v];
}

/** The point x moved by (dx, dy) in plane coordinates: x + dx * axes[0] + dy * axes[1]. */
export function moveAlongPlane(p: Plane, x: ArrayLike<number>, dx: number, dy: number): Float64Array {
  checkWidth(p, x);
  const out = new Float64Array(p.d);
  for (let i = 0; i < p.d; i++) out[i] = x[i] + dx * p.axes[0][i] + dy * p.axes[1][i];
  return out;
}
