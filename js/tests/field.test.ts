// @vitest-environment jsdom
// The attention field (issue 16, item 2): the key a query placed at a plane point attends to
// most, and how strongly, against the JS engine; the coarse and refined rasters; the cache.
import { afterEach, describe, expect, it } from "vitest";
import { keyColour } from "../src/core/colour";
import { attention, SCORES, type Params, type ScoreName } from "../src/core/engine";
import { fieldAt, pointOf, scorer, type FieldSpec } from "../src/core/field";
import { matrix, type Matrix } from "../src/core/matrix";
import { moveAlongPlane, planeFor, project } from "../src/core/pca";
import { ALPHA, cellCount, coarseStep, paintCells, type Raster } from "../src/ui/views/plane/fieldRaster";
import { encodeMatrix } from "../src/wire/codec";
import { mountLocal, nextFrame, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();
afterEach(unmountAll);

const H = 3;
function paramsFor(score: ScoreName, d: number): Params {
  const v = Float64Array.from([0.9, -1.2, 0.4]);
  if (score === "general") return { W: sinMatrix(d, d, 0.7, 0.3) };
  if (score === "concat") return { W: sinMatrix(H, 2 * d, 1.3), v };
  if (score === "additive") return { W: sinMatrix(H, d, 0.5), U: sinMatrix(H, d, 2.1, 1), v };
  return {};
}

/** The spec of the plane of K through query q (its off-plane coordinates held). */
function specFor(K: Matrix, q: Float64Array, score: ScoreName, extra: Partial<FieldSpec> = {}): FieldSpec {
  const plane = planeFor(K);
  const [a, b] = project(plane, q);
  const origin = moveAlongPlane(plane, q, -a, -b);
  return { K, score, params: paramsFor(score, K.cols), temperature: 0.8, allowed: null, origin, u: plane.axes[0], v: plane.axes[1], ...extra };
}

/** The engine's weights of the query at (a, b) of `spec`'s plane. */
function engineWeights(spec: FieldSpec, a: number, b: number): Float64Array {
  const d = spec.origin.length;
  const q = spec.origin.map((x, i) => x + a * spec.u[i] + b * spec.v[i]);
  const mask = spec.allowed ? { rows: 1, cols: spec.K.rows, data: spec.allowed } : null;
  return attention({ Q: matrix(1, d, Array.from(q)), K: spec.K, score: spec.score, params: spec.params, temperature: spec.temperature, mask }).weights.data;
}

const argmax = (w: Float64Array) => w.reduce((best, x, j) => (x > w[best] ? j : best), 0);

describe("the field at a point", () => {
  for (const d of [2, 5]) {
    for (const score of SCORES) {
      it(`d = ${d}, ${score}: the owner is the engine's largest weight, its weight and focus the engine's`, () => {
        const K = sinMatrix(6, d, 1.7, 0.2);
        const q = sinMatrix(1, d, 0.9, 0.4).data;
        const allowed = Uint8Array.from([1, 1, 0, 1, 1, 1]);
        for (const extra of [{}, { allowed }]) {
          const spec = specFor(K, q, score, extra);
          for (const [a, b] of [[0, 0], [0.7, -0.3], [-1.5, 1.1], [2.5, 2], [-0.2, -2.4]]) {
            const w = engineWeights(spec, a, b);
            const p = fieldAt(spec, a, b);
            expect(p.owner).toBe(argmax(w));
            expect(p.weight).toBeCloseTo(w[p.owner], 12);
            const live = Array.from(w).filter((_, j) => !spec.allowed || spec.allowed[j]);
            const entropy = -live.reduce((s, x) => s + (x > 0 ? x * Math.log(x) : 0), 0);
            expect(p.focus).toBeCloseTo(1 - entropy / Math.log(live.length), 12);
            if (spec.allowed) expect(p.owner).not.toBe(2);
          }
        }
      });
    }
  }

  it("a fully masked query has no owner; one allowed key is all focus", () => {
    const pt = { owner: 0, weight: 0, focus: 0 };
    expect(pointOf(Float64Array.from([1, 2]), Uint8Array.from([0, 0]), 1, pt).owner).toBe(-1);
    expect(pointOf(Float64Array.from([1, 2]), Uint8Array.from([0, 1]), 1, pt)).toEqual({ owner: 1, weight: 1, focus: 1 });
  });

  it("refuses parameters that do not fit, with the engine's message", () => {
    const K = sinMatrix(4, 3, 1.1);
    expect(() => scorer(specFor(K, K.data.slice(0, 3), "general", { params: { W: sinMatrix(2, 2, 1) } }))).toThrow(/params\.W must have shape/);
  });
});

/** A raster of the field of `spec` over [-2, 2] x [2, -2] at W x H px. */
function rasterOf(spec: FieldSpec, W: number, Hh: number, strength: "max" | "entropy" = "max"): Raster {
  const N = spec.K.rows;
  const colours = new Uint8Array(3 * N);
  for (let j = 0; j < N; j++) colours.set(keyColour(j), 3 * j);
  return {
    scorer: scorer(spec), allowed: spec.allowed, T: spec.temperature, W, H: Hh, a0: -2, a1: 2, b0: 2, b1: -2,
    strength, bg: [250, 250, 250], colours, buf: new Uint8ClampedArray(W * Hh * 4), scratch: new Float64Array(N), pt: { owner: -1, weight: 0, focus: 0 },
  };
}

/** The colour the raster paints for a point of the field. */
function colourOf(r: Raster, owner: number, strength: number): number[] {
  const al = ALPHA[0] + (ALPHA[1] - ALPHA[0]) * strength;
  return [0, 1, 2].map((c) => Math.round(r.bg[c] + (r.colours[3 * owner + c] - r.bg[c]) * al));
}

const pixel = (r: Raster, x: number, y: number) => Array.from(r.buf.subarray(4 * (y * r.W + x), 4 * (y * r.W + x) + 3));

describe("the raster", () => {
  const K = sinMatrix(5, 4, 1.3, 0.1);
  const spec = specFor(K, sinMatrix(1, 4, 0.6).data, "additive");

  it("at one pixel a cell, paints each pixel with the field at its centre (the engine's owner and weight)", () => {
    for (const strength of ["max", "entropy"] as const) {
      const r = rasterOf(spec, 23, 17, strength);
      expect(paintCells(r, 1, 0, cellCount(r, 1))).toBe(23 * 17);
      for (const [x, y] of [[0, 0], [22, 16], [7, 3], [15, 12], [11, 8]]) {
        const a = -2 + ((x + 0.5) / 23) * 4;
        const b = 2 - ((y + 0.5) / 17) * 4;
        const w = engineWeights(spec, a, b);
        const p = fieldAt(spec, a, b);
        expect(p.owner).toBe(argmax(w));
        expect(pixel(r, x, y)).toEqual(colourOf(r, argmax(w), strength === "max" ? w[p.owner] : p.focus));
      }
    }
  });

  it("coarse cells are uniform, painted with the field at their centre; refining changes them", () => {
    const fine = rasterOf(spec, 40, 40);
    paintCells(fine, 1, 0, cellCount(fine, 1));
    const r = rasterOf(spec, 40, 40);
    expect(paintCells(r, 8, 0, cellCount(r, 8))).toBe(25);
    for (const [ci, cj] of [[0, 0], [2, 3], [4, 4]]) {
      const p = fieldAt(spec, -2 + ((cj * 8 + 4) / 40) * 4, 2 - ((ci * 8 + 4) / 40) * 4);
      const want = colourOf(r, p.owner, p.weight);
      for (const [dx, dy] of [[0, 0], [7, 7], [3, 5]]) expect(pixel(r, cj * 8 + dx, ci * 8 + dy)).toEqual(want);
    }
    expect(Array.from(r.buf)).not.toEqual(Array.from(fine.buf));
    for (const step of [4, 2]) paintCells(r, step, 0, cellCount(r, step));
    // a level painted in pieces (idle chunks) is the same as at once
    for (let c = 0; c < 1600; c += 37) paintCells(r, 1, c, Math.min(1600, c + 37));
    expect(Array.from(r.buf)).toEqual(Array.from(fine.buf));
  });

  it("the coarse cell size keeps the measured cost within the budget", () => {
    const cost = (step: number, units: number, ms: number) => Math.ceil(262 / step) ** 2 * units * ms;
    for (const [units, ms] of [[100, 1e-7], [100, 1e-6], [100, 1e-5], [640, 1e-5], [640, 5e-5]]) {
      const step = coarseStep(262, 262, units, ms, 4);
      expect([1, 2, 4, 8, 16, 32]).toContain(step);
      expect(cost(step, units, ms)).toBeLessThanOrEqual(4);
      if (step > 1) expect(cost(step / 2, units, ms)).toBeGreaterThan(4); // the finest that fits
    }
    expect(coarseStep(262, 262, 100, 1e-7, 4)).toBe(1);
    expect(coarseStep(262, 262, 640, 1, 4)).toBe(32); // nothing fits: the coarsest
  });
});

describe("the field on the plane", () => {
  function state(d: number) {
    const sets = Object.fromEntries(SCORES.map((s) => {
      const p = paramsFor(s, d);
      return [s, Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v instanceof Float64Array ? { dtype: "float64", shape: [v.length], buffer: new DataView(v.buffer) } : encodeMatrix(v)]))];
    }));
    return widgetState(sinMatrix(3, d, 0.9), sinMatrix(6, d, 1.7, 0.2), { param_sets: sets, params: sets.scaled_dot });
  }
  const field = (root: HTMLElement) => root.querySelector('[data-view="field"]') as HTMLCanvasElement;
  const paints = (root: HTMLElement) => Number(field(root).getAttribute("data-paints"));

  for (const d of [2, 5]) {
    it(`d = ${d}: kept while a query moves within the plane, painted again for a new score, query or shade`, async () => {
      const { root, model } = mountLocal(state(d));
      await nextFrame();
      expect(field(root).hidden).toBe(false);
      const first = paints(root);
      expect(first).toBeGreaterThan(0);
      // the origin, axes and edges say where a pixel's query is
      const origin = field(root).getAttribute("data-origin")!.split(" ").map(Number);
      expect(origin).toHaveLength(d);
      expect(field(root).getAttribute("data-edges")!.split(" ")).toHaveLength(4);
      const point = root.querySelector('[data-query-point="0"]') as unknown as HTMLElement;
      point.focus();
      for (const key of ["ArrowRight", "ArrowUp", "ArrowLeft"]) {
        point.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
        await nextFrame();
      }
      expect(paints(root)).toBe(first);
      (root.querySelector('[data-score="additive"]') as HTMLButtonElement).click();
      await nextFrame();
      expect(paints(root)).toBe(first + 1);
      expect(model.get("score")).toBe("additive");
      (root.querySelector('[data-strength="entropy"]') as HTMLButtonElement).click();
      await nextFrame();
      expect(paints(root)).toBe(first + 2);
      expect(field(root).getAttribute("data-strength")).toBe("entropy");
      expect(root.querySelector('[data-role="field-legend"]')!.textContent).toMatch(/entropy/);
      model.set("selected_query", 2);
      await nextFrame();
      // d = 2: every query has the same plane, and no other coordinates
      expect(paints(root)).toBe(d === 2 ? first + 2 : first + 3);
    });
  }

  it("the toggle hides the field and its legend, and shows them again", async () => {
    const { root } = mountLocal(state(2));
    await nextFrame();
    const toggle = root.querySelector('[data-role="field-toggle"]') as HTMLButtonElement;
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    toggle.click();
    await nextFrame();
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    expect(field(root).hidden).toBe(true);
    expect(field(root).getAttribute("data-state")).toBe("off");
    expect((root.querySelector('[data-role="field-legend"]') as HTMLElement).hidden).toBe(true);
    toggle.click();
    await nextFrame();
    expect(field(root).hidden).toBe(false);
    expect((root.querySelector('[data-role="field-legend"]') as HTMLElement).hidden).toBe(false);
    // the switches are in the plane card's head; the keys' colours on the canvas
    expect(root.querySelector('[data-card="plane"] .aw-card-head [data-role="field-toggle"]')).not.toBeNull();
    const colours = field(root).getAttribute("data-colours")!.split(" ");
    expect(colours).toEqual([0, 1, 2, 3, 4, 5].map((j) => keyColour(j).join(",")));
  });
});
