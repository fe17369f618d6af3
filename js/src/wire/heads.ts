// AttentionHeads' weights on the wire: {dtype: "uint8-rows", shape: (layers, heads, M, N),
// buffer: uint8 codes, scale: float32 per row} (see attnwidget/heads.py), and one head of them
// as a float matrix.

import type { Matrix } from "../core/matrix";

export interface Heads {
  L: number;
  H: number;
  M: number;
  N: number;
  codes: Uint8Array;
  scale: Float32Array;
}

function bytes(b: unknown): Uint8Array | null {
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return null;
}

/** Decode the quantised weights; the reason (a string) when they are not in that format. */
export function decodeHeads(w: unknown): Heads | string {
  const o = w as { dtype?: unknown; shape?: unknown; buffer?: unknown; scale?: unknown } | null;
  if (!o || o.dtype !== "uint8-rows" || !Array.isArray(o.shape) || o.shape.length !== 4) return "weights: expected (layers, heads, M, N)";
  const [L, H, M, N] = o.shape as number[];
  const codes = bytes(o.buffer);
  const sb = bytes(o.scale);
  if (!codes || !sb || codes.length !== L * H * M * N || sb.length !== L * H * M * 4) return "weights: buffers do not match the shape";
  const scale = new Float32Array(sb.slice().buffer);
  return { L, H, M, N, codes, scale };
}

/** Head (l, h) as a float matrix. */
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
