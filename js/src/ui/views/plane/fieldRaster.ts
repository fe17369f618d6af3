// The attention field as pixels (no DOM): cells of `step` device pixels, each painted with the
// field at its centre — the owner's colour over the background, deeper with the strength.
// Coarse first (a cell size the frame budget allows, from the measured cost), then halved
// level by level down to one pixel.

import type { RGB } from "../../../core/colour";
import { pointOf, type FieldPoint, type Scorer } from "../../../core/field";

/** Opacity of the owner's colour at strength 0 and 1. */
export const ALPHA: readonly [number, number] = [0.1, 0.75];

export type Strength = "max" | "entropy";

export interface Raster {
  scorer: Scorer;
  allowed: Uint8Array | null;
  T: number;
  /** Device pixels. */
  W: number;
  H: number;
  /** Plane coordinates of the left, right, top and bottom edges. */
  a0: number;
  a1: number;
  b0: number;
  b1: number;
  strength: Strength;
  bg: RGB;
  /** r, g, b per key. */
  colours: Uint8Array;
  /** W x H x 4 (RGBA). */
  buf: Uint8ClampedArray;
  scratch: Float64Array;
  pt: FieldPoint;
}

/** Paint rows [r0, r1) of cells of side `step` px. Returns the cells computed. */
export function paintCells(r: Raster, step: number, r0: number, r1: number): number {
  const { W, H, buf, bg, colours, scratch, pt } = r;
  const cols = Math.ceil(W / step);
  const da = (r.a1 - r.a0) / W;
  const db = (r.b1 - r.b0) / H;
  const [lo, hi] = ALPHA;
  let n = 0;
  for (let ci = r0; ci < r1; ci++) {
    const y0 = ci * step;
    const y1 = Math.min(H, y0 + step);
    const b = r.b0 + ((y0 + y1) / 2) * db;
    for (let cj = 0; cj < cols; cj++) {
      const x0 = cj * step;
      const x1 = Math.min(W, x0 + step);
      r.scorer(r.a0 + ((x0 + x1) / 2) * da, b, scratch);
      pointOf(scratch, r.allowed, r.T, pt);
      n++;
      let R = bg[0], G = bg[1], B = bg[2];
      if (pt.owner >= 0) {
        const al = lo + (hi - lo) * (r.strength === "max" ? pt.weight : pt.focus);
        const o = 3 * pt.owner;
        R += (colours[o] - R) * al;
        G += (colours[o + 1] - G) * al;
        B += (colours[o + 2] - B) * al;
      }
      for (let y = y0; y < y1; y++) {
        for (let x = x0, p = 4 * (y * W + x0); x < x1; x++, p += 4) {
          buf[p] = R;
          buf[p + 1] = G;
          buf[p + 2] = B;
          buf[p + 3] = 255;
        }
      }
    }
  }
  return n;
}

/** Rows of cells at `step`. */
export const cellRows = (r: Raster, step: number) => Math.ceil(r.H / step);

/** Work units of one cell (for the cost model): keys x (h tanh, or 1) plus the softmax. */
export const unitsPerCell = (N: number, h: number) => N * (h + 2);

/**
 * The coarse cell size: the smallest power of two whose cells cost at most `budgetMs` at
 * `msPerUnit`, between 1 and 32 px.
 */
export function coarseStep(W: number, H: number, units: number, msPerUnit: number, budgetMs: number): number {
  let step = 1;
  while (step < 32 && Math.ceil(W / step) * Math.ceil(H / step) * units * msPerUnit > budgetMs) step *= 2;
  return step;
}
