// The plane's geometry: a query or key vector as a point of the plane (the space itself for
// d <= 2, else the keys' top-2 principal components, core/pca.ts), and data units to the SVG's
// viewBox units (a viewport fitted to the points). No DOM.

import type { Matrix } from "../../../core/matrix";
import { moveAlongPlane, planeFor, project, type Plane } from "../../../core/pca";

export const SIZE = 300;
export const X0 = 30; // plot area: [X0, X1] x [Y0, Y1] (viewBox units)
export const X1 = 292;
export const Y0 = 8;
export const Y1 = 270;

/**
 * How a query point is drawn (viewBox units; svgLayer.ts, canvasLayer.ts and style.css agree):
 * its dot's radius with few queries or many (above QUERY_LABELS_MAX, and on the canvas), the
 * radius of the selected query's ring, and how far from its centre a press still takes it.
 */
export const QUERY_DOT = { few: 6, many: 3.5 };
export const QUERY_RING = 10;
export const QUERY_REACH = { few: 14, many: 8 };
/** The selected query drawn again on top of many (its dot's radius). */
export const SELECTED_DOT = 5;

/** A point of the plane in data units. */
export type Point = [number, number];

/** Points in viewBox units, x0 y0 x1 y1 ... (NaN: not drawn). */
export type Points = Float64Array;

/** A rectangle in viewBox units: x0, y0, x1, y1. */
export type Box = [number, number, number, number];

/** Vectors to the plane and back. */
export interface Adapter {
  axes: [string, string];
  plane: Plane;
  project(x: Float64Array): Point;
  move(x: Float64Array, dx: number, dy: number): Float64Array;
}

export function adapterFor(K: Matrix, Q: Matrix): Adapter | null {
  const d = K.cols;
  if (d === 0 || Q.cols !== d) return null;
  const plane = planeFor(K, Q);
  return {
    axes: d === 1 ? ["dim 0", ""] : d === 2 ? ["dim 0", "dim 1"] : ["PC 1", "PC 2"],
    plane,
    project: (x) => {
      const p = project(plane, x);
      return [p[0], p[1]];
    },
    move: (x, dx, dy) => moveAlongPlane(plane, x, dx, dy),
  };
}

/** Row `i` of `m` (a copy). */
export const rowOf = (m: Matrix, i: number) => m.data.slice(i * m.cols, (i + 1) * m.cols);

/** Every row of `m` as a point of the plane. */
export function pointsOf(adapter: Adapter, m: Matrix): Point[] {
  return Array.from({ length: m.rows }, (_, i) => adapter.project(rowOf(m, i)));
}

/** Data units to viewBox units: the data point (mx, my) at the plot's centre. */
export interface Viewport {
  mx: number;
  my: number;
  scale: number; // viewBox units per data unit
}

export const sx = (v: Viewport, x: number) => (X0 + X1) / 2 + (x - v.mx) * v.scale;
export const sy = (v: Viewport, y: number) => (Y0 + Y1) / 2 - (y - v.my) * v.scale;

/** Points in data units to viewBox units, as x0 y0 x1 y1 ... */
export function toScreen(v: Viewport, pts: Point[]): Points {
  const out = new Float64Array(pts.length * 2);
  pts.forEach(([x, y], i) => {
    out[2 * i] = sx(v, x);
    out[2 * i + 1] = sy(v, y);
  });
  return out;
}

/** The viewport showing every (finite) point, and the origin when it is near. */
export function fit(points: Point[]): Viewport {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x);
    y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  if (!Number.isFinite(x0)) return { mx: 0, my: 0, scale: 50 };
  // include the origin when it is near, so the axes help reading
  const span = Math.max(x1 - x0, y1 - y0, 1e-9);
  if (x0 > 0 && x0 < span * 0.5) x0 = 0;
  if (x1 < 0 && -x1 < span * 0.5) x1 = 0;
  if (y0 > 0 && y0 < span * 0.5) y0 = 0;
  if (y1 < 0 && -y1 < span * 0.5) y1 = 0;
  const w = Math.max(x1 - x0, y1 - y0, 1e-9) * 1.25;
  return { mx: (x0 + x1) / 2, my: (y0 + y1) / 2, scale: Math.min(X1 - X0, Y1 - Y0) / w };
}

/** Every point is inside the plot (with a 2-unit margin). */
export function inView(v: Viewport, pts: Point[]): boolean {
  return pts.every(([x, y]) => {
    const a = sx(v, x);
    const b = sy(v, y);
    return a >= X0 + 2 && a <= X1 - 2 && b >= Y0 + 2 && b <= Y1 - 2;
  });
}
