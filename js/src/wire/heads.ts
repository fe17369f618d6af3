// AttentionHeads' weights on the wire: {dtype: "uint8-rows", shape: (layers', heads', M, N),
// buffer: uint8 codes, scale: float32 per row, layers?, heads?} (see attnwidget/widgets/heads.py):
// the heads carried (live, the selected one; on a page, all or the chosen ones), `layers` and
// `heads` naming which (all when absent). The thumbnails use the same format.

import type { Matrix } from "../core/matrix";

export interface Heads {
  L: number;
  H: number;
  M: number;
  N: number;
  codes: Uint8Array;
  scale: Float32Array;
  /** The model's layer and head index of each carried layer and head. */
  layers: number[];
  heads: number[];
}

function bytes(b: unknown): Uint8Array | null {
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return null;
}

const indices = (v: unknown, n: number): number[] | null =>
  v === undefined ? Array.from({ length: n }, (_, i) => i) : Array.isArray(v) && v.length === n && v.every((i) => Number.isInteger(i) && i >= 0) ? (v as number[]) : null;

/** Decode the quantised weights; the reason (a string) when they are not in that format. */
export function decodeHeads(w: unknown): Heads | string {
  const o = w as { dtype?: unknown; shape?: unknown; buffer?: unknown; scale?: unknown; layers?: unknown; heads?: unknown } | null;
  if (!o || o.dtype !== "uint8-rows" || !Array.isArray(o.shape) || o.shape.length !== 4) return "weights: expected (layers, heads, M, N)";
  const [L, H, M, N] = o.shape as number[];
  const codes = bytes(o.buffer);
  const sb = bytes(o.scale);
  if (!codes || !sb || codes.length !== L * H * M * N || sb.length !== L * H * M * 4) return "weights: buffers do not match the shape";
  const layers = indices(o.layers, L);
  const heads = indices(o.heads, H);
  if (!layers || !heads) return "weights: layers and heads must name each carried one";
  const scale = new Float32Array(sb.slice().buffer);
  return { L, H, M, N, codes, scale, layers, heads };
}

/** Carried head (l, hd) (positions in the carried arrays) as a float matrix. */
export function headMatrix(x: Heads, l: number, hd: number): Matrix {
  const { M, N } = x;
  const data = new Float64Array(M * N);
  const base = (l * x.H + hd) * M;
  for (let i = 0; i < M; i++) {
    const s = x.scale[base + i];
    const off = (base + i) * N;
    for (let j = 0; j < N; j++) data[i * N + j] = x.codes[off + j] * s;
  }
  return { rows: M, cols: N, data };
}

/** The model's layer `l`, head `hd` if `x` carries it, else null. */
export function findHead(x: Heads | null, l: number, hd: number): Matrix | null {
  const i = x ? x.layers.indexOf(l) : -1;
  const k = x ? x.heads.indexOf(hd) : -1;
  return x && i >= 0 && k >= 0 ? headMatrix(x, i, k) : null;
}

/** A thumbnail shown at M x N (each cell the max of its block: block k starts at floor(k M / T)). */
export function upscale(t: Matrix, M: number, N: number): Matrix {
  const edge = (n: number, T: number) => {
    const of = new Int32Array(n);
    for (let k = 0; k < T; k++) for (let i = Math.floor((k * n) / T); i < n; i++) of[i] = k;
    return of;
  };
  const r = edge(M, t.rows);
  const c = edge(N, t.cols);
  const data = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) data[i * N + j] = t.data[r[i] * t.cols + c[j]];
  return { rows: M, cols: N, data };
}
