// Which query point an event is on: an SVG point (the event's target), or in canvas mode a
// query drawn on the canvas, the nearest one under the pointer.

import { SIZE, type Points } from "./geometry";
import type { PlaneScene } from "./scene";

const HIT_RADIUS = 9; // viewBox units: a pointer this near a canvas query picks it

/** The index of the point nearest (x, y) within `radius`, or -1. */
export function nearestPoint(pts: Points, x: number, y: number, radius: number, skip = -1): number {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; 2 * i + 1 < pts.length; i++) {
    if (i === skip) continue;
    const dx = pts[2 * i] - x;
    const dy = pts[2 * i + 1] - y;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** The SVG query point an event's target is in, or null. */
export const pointFrom = (e: Event) => (e.target as Element).closest?.("[data-query-point]") ?? null;

/** The query under a pointer: its index, the SVG point that stands for it, viewBox units per pixel. */
export interface QueryHit {
  i: number;
  g: SVGGElement;
  vbPerPx: number;
}

/** The query `e` is on, or null. */
export function queryUnder(scene: PlaneScene, e: PointerEvent): QueryHit | null {
  let g = pointFrom(e) as SVGGElement | null;
  let i: number;
  const rect = scene.root.getBoundingClientRect();
  const vbPerPx = rect.width > 0 ? SIZE / rect.width : 1;
  if (g) i = Number(g.getAttribute("data-query-point"));
  else if (scene.onCanvas && rect.width > 0 && scene.queryEls[0]) {
    // a query drawn on the canvas: the nearest one under the pointer
    i = nearestPoint(scene.qScreen, (e.clientX - rect.left) * vbPerPx, (e.clientY - rect.top) * vbPerPx, HIT_RADIUS);
    if (i < 0) return null;
    g = scene.queryEls[0];
  } else return null;
  return { i, g, vbPerPx };
}
