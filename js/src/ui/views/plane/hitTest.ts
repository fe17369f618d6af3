// Which query point a press is on, as the points are drawn: the selected query's dot first (it
// is highlighted, and with many queries drawn again on top), then the topmost dot under the
// pointer (the later query is drawn over the earlier), then the nearest point within reach (a
// press beside a small dot still takes it), the selected one winning ties; else the query whose
// label is under the pointer.

import { QUERY_DOT, QUERY_REACH, QUERY_RING, SELECTED_DOT, SIZE, type Points } from "./geometry";
import type { PlaneScene } from "./scene";
import { attrOf } from "../../dom";

/** Radii of the drawn points (viewBox units), see pickQuery. */
export interface Drawn {
  /** An unselected query's dot, its outline included. */
  dot: number;
  /** The selected query's dot. */
  selectedDot: number;
  /** How far from its centre a press still takes a point: any query, and the selected one. */
  reach: number;
  selectedReach: number;
}

/**
 * How the points are drawn (style.css: a dot's outline is 1.5 wide, 0.5 for many unselected
 * ones; the ring's 2): few queries, each an SVG point; many, the selected one drawn again on
 * top, bigger; on the canvas, the selected one an SVG point over it. The selected query's
 * ring is part of it.
 */
export const DRAWN = {
  few: { dot: QUERY_DOT.few + 0.75, selectedDot: QUERY_DOT.few + 0.75, reach: QUERY_REACH.few, selectedReach: QUERY_REACH.few },
  many: { dot: QUERY_DOT.many + 0.25, selectedDot: SELECTED_DOT + 0.75, reach: QUERY_REACH.many, selectedReach: QUERY_RING + 1 },
  canvas: { dot: QUERY_DOT.many + 0.25, selectedDot: QUERY_DOT.many + 0.75, reach: QUERY_REACH.many, selectedReach: QUERY_RING + 1 },
} satisfies Record<string, Drawn>;

/**
 * The query a press at (x, y) takes among `pts` (x0 y0 x1 y1 ..., NaN: not drawn) drawn in
 * index order with `selected` highlighted, or -1: the selected query if its dot is under the
 * pointer, else the topmost dot under it, else the nearest point within reach (the selected
 * one, then the later one, on a tie).
 */
export function pickQuery(pts: Points, x: number, y: number, selected: number, r: Drawn): number {
  const n = pts.length >> 1;
  const d2 = (i: number) => (pts[2 * i] - x) ** 2 + (pts[2 * i + 1] - y) ** 2;
  const sel = selected >= 0 && selected < n ? d2(selected) : NaN;
  if (sel <= r.selectedDot ** 2) return selected;
  for (let i = n - 1; i >= 0; i--) if (i !== selected && d2(i) <= r.dot ** 2) return i;
  let best = sel <= r.selectedReach ** 2 ? selected : -1;
  let bestD = best >= 0 ? sel : r.reach ** 2;
  for (let i = n - 1; i >= 0; i--) {
    if (i === selected) continue;
    const d = d2(i);
    if (d < bestD || (best < 0 && d === bestD)) {
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

/**
 * The query `e` is on, or null: pickQuery on the points as drawn, else the SVG point the event
 * is on (its label: a query's name takes a press too).
 */
export function queryUnder(scene: PlaneScene, e: PointerEvent, selected: number): QueryHit | null {
  const rect = scene.root.getBoundingClientRect();
  const vbPerPx = rect.width > 0 ? SIZE / rect.width : 1;
  const first = scene.queryEls[0];
  let i = -1;
  if (rect.width > 0 && first) {
    const drawn = scene.onCanvas ? DRAWN.canvas : first.classList.contains("is-many") ? DRAWN.many : DRAWN.few;
    i = pickQuery(scene.qScreen, (e.clientX - rect.left) * vbPerPx, (e.clientY - rect.top) * vbPerPx, selected, drawn);
  }
  if (i < 0) {
    const g = pointFrom(e) as SVGGElement | null;
    return g ? { i: Number(attrOf(g, "data-query-point")), g, vbPerPx } : null;
  }
  // on the canvas, the one SVG point (the selected query's) stands for the query pressed
  const g = scene.onCanvas ? first : scene.queryEls[i];
  return g ? { i, g, vbPerPx } : null;
}
