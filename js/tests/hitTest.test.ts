// Pressing a query point (issue 14, item 5): the press takes the point drawn under it. The
// selected query (highlighted, with many queries drawn again on top) wins over a neighbour
// drawn over its centre; otherwise the topmost dot, then the nearest point within reach.
import { describe, expect, it } from "vitest";
import { DRAWN, pickQuery, type Drawn } from "../src/ui/views/plane/hitTest";

const R: Drawn = { dot: 4, selectedDot: 6, reach: 8, selectedReach: 11 };
const pts = (...xy: number[]) => new Float64Array(xy);

describe("pickQuery", () => {
  it("the selected query wins where its dot is, even under a later query's dot", () => {
    // query 1 selected at (100, 100); query 2, drawn after it, 2 units away covers its centre
    const p = pts(50, 50, 100, 100, 102, 100);
    expect(pickQuery(p, 100, 100, 1, R)).toBe(1);
    expect(pickQuery(p, 101, 100, 1, R)).toBe(1); // nearer query 2, still in the selected dot
    // unselected, the topmost dot wins: query 2 over query 1
    expect(pickQuery(p, 100, 100, 0, R)).toBe(2);
    expect(pickQuery(p, 100, 100, -1, R)).toBe(2);
  });

  it("outside the selected dot, the topmost dot under the pointer, not the nearest centre", () => {
    // selected query 0 far away; queries 1 and 2 overlap; the pointer is in both dots
    const p = pts(0, 0, 100, 100, 105, 100);
    expect(pickQuery(p, 101.5, 100, 0, R)).toBe(2); // nearer to 1's centre, but 2 is on top
    expect(pickQuery(p, 108.5, 100, 0, R)).toBe(2); // only in 2's dot
    expect(pickQuery(p, 96.5, 100, 0, R)).toBe(1); // only in 1's dot
  });

  it("beside every dot: the nearest within reach, the selected query (then the later one) on a tie", () => {
    const p = pts(100, 100, 114, 100, 200, 200, 200, 214);
    expect(pickQuery(p, 107, 100, 0, R)).toBe(0); // a tie: the selected
    expect(pickQuery(p, 107, 100, 1, R)).toBe(1);
    expect(pickQuery(p, 107, 100, 2, R)).toBe(1); // a tie: the later (drawn on top)
    expect(pickQuery(p, 105.5, 100, 1, R)).toBe(0); // nearer 0, not in 1's dot
    expect(pickQuery(p, 200, 207, 0, R)).toBe(3);
    // the selected query's ring reaches further than a dot's reach
    expect(pickQuery(p, 200, 190, 2, R)).toBe(2);
    expect(pickQuery(p, 200, 190, 3, R)).toBe(-1);
    expect(pickQuery(p, 50, 50, 0, R)).toBe(-1); // far from every point
  });

  it("points not drawn (NaN) are never taken; a selection out of range is ignored", () => {
    const p = pts(NaN, NaN, 10, 10);
    expect(pickQuery(p, 10, 10, 0, R)).toBe(1);
    expect(pickQuery(p, 10, 10, 7, R)).toBe(1);
    expect(pickQuery(pts(NaN, NaN), 0, 0, 0, R)).toBe(-1);
  });

  it("the radii are those drawn: the selected dot of many queries is bigger than theirs, never smaller than a dot", () => {
    for (const r of Object.values(DRAWN)) {
      expect(r.selectedDot).toBeGreaterThanOrEqual(r.dot);
      expect(r.reach).toBeGreaterThanOrEqual(r.dot);
      expect(r.selectedReach).toBeGreaterThanOrEqual(r.selectedDot);
    }
    expect(DRAWN.many.selectedDot).toBeGreaterThan(DRAWN.many.dot);
  });
});
