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

/**
 * Paint cells [c0, c1) of side `step` px, numbered row by row (cellCount(r, step) in all).
 * Returns the cells computed.
 */
export function paintCells(r: Raster, step: number, c0: number, c1: number): number {
  const { W, H, buf, bg, colours, scratch, pt } = r;
  const cols = Math.ceil(W / step);
  const da = (r.a1 - r.a0) / W;
  const db = (r.b1 - r.b0) / H;
  const [lo, hi] = ALPHA;
  for (let c = c0; c < c1; c++) {
    const y0 = Math.floor(c / cols) * step;
    const y1 = Math.min(H, y0 + step);
    const x0 = (c % cols) * step;
    const x1 = Math.min(W, x0 + step);
    r.scorer(r.a0 + ((x0 + x1) / 2) * da, r.b0 + ((y0 + y1) / 2) * db, scratch);
    pointOf(scratch, r.allowed, r.T, pt);
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
  return Math.max(0, c1 - c0);
}

/** Cells at `step`. */
export const cellCount = (r: { W: number; H: number }, step: number) => Math.ceil(r.W / step) * Math.ceil(r.H / step);

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
