// The plane's labels beside their points, without overlaps: a greedy placer (no DOM). Each
// label, in the order given, takes the first spot around its point (right, left, above, below,
// then the corners, then the same farther out) whose box meets no point and no label placed
// before it and stays in the bounds; when every spot meets something, the one that overlaps least.

import { SIZE, X0, Y1, type Box } from "./geometry";

/**
 * Where labels may go: the plot, and the margins above it, right of it and left of it up to
 * the vertical axis's name (the ticks and the horizontal axis's name are below it).
 */
export const LABEL_BOUNDS: Box = [X0 - 10, 0, SIZE, Y1];

/**
 * A label to place: its point (x, y) and radius as drawn; its text's width, and its extent
 * above and below the baseline (the font's, as the browser lays the text out).
 */
export interface LabelSpec {
  x: number;
  y: number;
  r: number;
  w: number;
  up: number;
  down: number;
}

/** Where a label goes: its text's start x and baseline y from its point (text-anchor
 * "start"), and its box. */
export interface Placement {
  dx: number;
  dy: number;
  box: Box;
}

/** The halo around a label's text; the space between a point's edge and its label's halo;
 * the step out to the farther spots. */
const HALO = 1.5;
const GAP = 1.5;
const FARTHER = 9;

/** The area where two boxes overlap (0 for a box of a point not drawn, NaN). */
function area(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The spots around a label's point, best first. */
function spots(l: LabelSpec): Placement[] {
  const up = l.up + HALO; // baseline to the box's top
  const h = up + l.down + HALO;
  const w = l.w + 2 * HALO;
  const out: Placement[] = [];
  const at = (x0: number, top: number) => out.push({ dx: x0 + HALO - l.x, dy: top + up - l.y, box: [x0, top, x0 + w, top + h] });
  for (const g of [l.r + GAP, l.r + GAP + FARTHER]) {
    const c = g * Math.SQRT1_2; // the corners: diagonally out, as far from the point
    at(l.x + g, l.y - h / 2); // right
    at(l.x - g - w, l.y - h / 2); // left
    at(l.x - w / 2, l.y - g - h); // above
    at(l.x - w / 2, l.y + g); // below
    at(l.x + c, l.y + c); // below right
    at(l.x + c, l.y - c - h); // above right
    at(l.x - c - w, l.y + c); // below left
    at(l.x - c - w, l.y - c - h); // above left
  }
  return out;
}

/**
 * Place `labels` in order: each avoids the boxes in `taken` (the points, and every label
 * placed before it) and stays in `bounds`. Returns one placement per label; `taken` grows by
 * their boxes (but those of points not drawn).
 */
export function placeLabels(labels: LabelSpec[], taken: Box[], bounds: Box): Placement[] {
  return labels.map((l) => {
    // a point not drawn: its label's first spot, taking no room
    if (!Number.isFinite(l.x) || !Number.isFinite(l.y)) return spots({ ...l, x: 0, y: 0 })[0];
    let best: Placement | null = null;
    let bestCost = Infinity;
    for (const p of spots(l)) {
      const [x0, y0, x1, y1] = p.box;
      // outside the bounds counts as overlap: the area that sticks out
      let cost = (x1 - x0) * (y1 - y0) - area(p.box, bounds);
      for (let k = 0; k < taken.length && cost < bestCost; k++) cost += area(p.box, taken[k]);
      if (cost < bestCost) {
        best = p;
        bestCost = cost;
        if (cost === 0) break;
      }
    }
    taken.push(best!.box);
    return best!;
  });
}
