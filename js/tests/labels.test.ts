// The plane's labels (issue 14, item 10): placed beside their points, no label over another or
// over a point, in the default example ("the cat sat on the mat", three questions: "who?" and
// "did what?" land close, the two "the" on one point, "mat" near "on").
import { describe, expect, it } from "vitest";
import { matrix } from "../src/core/matrix";
import { adapterFor, fit, pointsOf, toScreen, Y1, type Box } from "../src/ui/views/plane/geometry";
import { LABEL_BOUNDS, placeLabels, type LabelSpec } from "../src/ui/views/plane/labels";

// attnwidget/core/examples.py
const K = matrix(6, 4, [0.1, 0, 0, 1, 1, 0.1, 0.2, 0, 0.2, 0.1, 1, 0, 0, 0.5, 0.1, 0.7, 0.1, 0, 0, 1, 0.1, 1, 0, 0]);
const Q = matrix(3, 4, [2, 0, 0.5, 0, 0, 2, 0, 0.5, 0.5, 0, 2, 0]);
const KEYS = ["the", "cat", "sat", "on", "the", "mat"];
const QUERIES = ["who?", "where?", "did what?"];
const BOUNDS = LABEL_BOUNDS;

/** A label of `text` at its font size: widths as a bold sans-serif font draws them, or wider. */
const spec = (text: string, x: number, y: number, r: number, size: number): LabelSpec => ({
  x, y, r, w: text.length * 0.68 * size, up: 0.95 * size, down: 0.25 * size,
});

const around = (x: number, y: number, r: number): Box => [x - r, y - r, x + r, y + r];
const overlap = (a: Box, b: Box) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

/** The default example's points in viewBox units, as the plane draws them. */
function defaultPlane(): { keys: Float64Array; queries: Float64Array } {
  const a = adapterFor(K, Q)!;
  const kp = pointsOf(a, K);
  const qp = pointsOf(a, Q);
  const v = fit([...kp, ...qp]);
  return { keys: toScreen(v, kp), queries: toScreen(v, qp) };
}

describe("placeLabels", () => {
  it.each([0, 1, 2])("the default example, query %i selected: no label over another or over a point, all in bounds", (sel) => {
    const { keys, queries } = defaultPlane();
    const points: Box[] = [];
    for (let j = 0; j < 6; j++) points.push(around(keys[2 * j], keys[2 * j + 1], 5));
    for (let i = 0; i < 3; i++) points.push(around(queries[2 * i], queries[2 * i + 1], i === sel ? 11 : 6.75));
    // as svgLayer.ts: the keys' labels first, then the queries' (the selected one first)
    const taken = [...points];
    const keyLabels = placeLabels(KEYS.map((t, j) => spec(t, keys[2 * j], keys[2 * j + 1], 6.4, 11)), taken, BOUNDS);
    const order = [sel, ...[0, 1, 2].filter((i) => i !== sel)];
    const queryLabels = placeLabels(order.map((i) => spec(QUERIES[i], queries[2 * i], queries[2 * i + 1], i === sel ? 11 : 6.75, 12)), taken, BOUNDS);
    const boxes = [...keyLabels, ...queryLabels].map((p) => p.box);
    expect(taken).toEqual([...points, ...boxes]);
    boxes.forEach((a, k) => {
      expect(a[0] >= BOUNDS[0] && a[2] <= BOUNDS[2] && a[1] >= BOUNDS[1] && a[3] <= BOUNDS[3]).toBe(true);
      for (const b of boxes.slice(k + 1)) expect(overlap(a, b)).toBe(false);
      for (const p of points) expect(overlap(a, p)).toBe(false);
    });
    // each label beside its own point: on its near ring of spots (r + 1.5 out) or the far one (9 more)
    const gap = (b: Box, x: number, y: number) => Math.hypot(Math.max(b[0] - x, x - b[2], 0), Math.max(b[1] - y, y - b[3], 0));
    keyLabels.forEach((p, j) => expect(gap(p.box, keys[2 * j], keys[2 * j + 1])).toBeLessThanOrEqual(6.4 + 10.5 + 1e-9));
    queryLabels.forEach((p, k) => {
      const i = order[k];
      expect(gap(p.box, queries[2 * i], queries[2 * i + 1])).toBeLessThanOrEqual((i === sel ? 11 : 6.75) + 10.5 + 1e-9);
    });
  });

  it("tries right of the point first, then left, above, below", () => {
    const l = spec("abc", 100, 100, 5, 10);
    const [right] = placeLabels([l], [], BOUNDS);
    expect(right.box[0]).toBeGreaterThan(105);
    expect((right.box[1] + right.box[3]) / 2).toBeCloseTo(100, 6);
    const [left] = placeLabels([l], [right.box], BOUNDS);
    expect(left.box[2]).toBeLessThan(95);
    const [above] = placeLabels([l], [right.box, left.box], BOUNDS);
    expect(above.box[3]).toBeLessThan(95);
    const [below] = placeLabels([l], [right.box, left.box, above.box], BOUNDS);
    expect(below.box[1]).toBeGreaterThan(105);
    // the text's start and baseline, from the point: inside its box
    expect(100 + right.dx).toBeGreaterThan(right.box[0]);
    expect(100 + right.dy).toBeLessThan(right.box[3]);
    expect(100 + right.dy).toBeGreaterThan(right.box[1]);
  });

  it("keeps labels in bounds (not over the ticks below the plot): at the edges, on the inner side", () => {
    expect(BOUNDS[0]).toBeGreaterThan(0);
    expect(BOUNDS[3]).toBe(Y1);
    const [right] = placeLabels([spec("edge", BOUNDS[2] - 3, 100, 5, 12)], [], BOUNDS);
    expect(right.box[2]).toBeLessThanOrEqual(BOUNDS[2]);
    expect(right.box[0]).toBeLessThan(BOUNDS[2] - 3);
    const [bottom] = placeLabels([spec("edge", 150, Y1 - 2, 5, 12), spec("edge", 150, Y1 - 2, 5, 12)], [], BOUNDS);
    expect(bottom.box[3]).toBeLessThanOrEqual(Y1);
  });

  it("when every spot meets something, the one that overlaps least; a point not drawn takes no room", () => {
    const l = spec("x", 100, 100, 3, 10);
    const wall: Box[] = [[0, 0, 300, 99], [0, 101, 300, 300], [0, 0, 99, 300]];
    const taken = [...wall];
    const [p] = placeLabels([l], taken, [0, 0, 300, 300]);
    expect(p.box[0]).toBeGreaterThan(100); // right of the point: only the strips above and below
    const [q] = placeLabels([spec("y", NaN, NaN, 3, 10)], taken, BOUNDS);
    expect(Number.isFinite(q.dx) && Number.isFinite(q.dy)).toBe(true);
    expect(taken.length).toBe(4);
  });
});
