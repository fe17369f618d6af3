// The attention field behind the plane's points: a canvas over the plot, each pixel coloured by
// the key a query placed there would attend to most (core/field.ts, fieldRaster.ts), its switch
// and its legend. Kept while nothing it depends on changes (a query dragged within the plane
// changes nothing); otherwise painted coarse at once and refined in idle time.

import { keyColour, type RGB } from "../../../core/colour";
import { scorer, type FieldSpec } from "../../../core/field";
import { parseCssColour, tokenAt, truncate } from "../../../core/format";
import { project } from "../../../core/pca";
import type { Snapshot } from "../../../live/store";
import { attr, attrOf, clear, context2d, devicePixelRatioOf, h, listen, setText } from "../../dom";
import { cssVar } from "../../paint";
import { runAll } from "../view";
import { rowOf, X0, X1, Y0, Y1 } from "./geometry";
import { ALPHA, cellCount, coarseStep, paintCells, unitsPerCell, type Raster, type Strength } from "./fieldRaster";
import type { PlaneScene } from "./scene";

/** The coarse pass's share of a frame (ms), and an idle chunk's when there is no idle callback. */
const COARSE_MS = 4;
const CHUNK_MS = 4;
/** The finest level is left out when it would cost more than this (ms; thousands of keys). */
const REFINE_MS = 4000;

/** Measured cost of one work unit (ms) per score function, shared by every field on the page. */
const msPerUnit: Record<string, number> = { concat: 6e-5, additive: 6e-5 };
const unitCost = (score: string) => msPerUnit[score] ?? 3e-6;

const legendText = (m: Strength) =>
  `Background: the colour of the key a query there would attend to most; deeper = ${m === "max" ? "a larger weight" : "more focused (1 − normalised entropy)"}.`;

export interface FieldLayer {
  canvas: HTMLCanvasElement;
  /** The switch and the strength choice (the plane card's head). */
  controls: HTMLElement;
  /** What the colours mean (in the plane's note). */
  legend: HTMLElement;
  /** The field is shown (the plane's own background is left out). */
  on(): boolean;
  paint(scene: PlaneScene, s: Snapshot): void;
  destroy(): void;
}

type Part = number | string | ArrayLike<number> | null | undefined;

/** Same values (numbers within 1e-12 relative: a query moved within the plane keeps its origin). */
function same(a: Part, b: Part): boolean {
  if (a === b) return true;
  if (a == null || b == null || typeof a !== "object" || typeof b !== "object" || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-12 * (1 + Math.abs(a[i])))) return false;
  return true;
}

/**
 * Run `f` when the page is idle (or after 500 ms: headless Chromium may not give idle time
 * while nothing is drawn), with the time it may take: the idle period's, else CHUNK_MS.
 */
const idle = (f: (left: () => number) => void): void => {
  const w = globalThis as { requestIdleCallback?: (cb: (d: IdleDeadline) => void, o: { timeout: number }) => number };
  const run = (d?: IdleDeadline) => {
    const end = performance.now() + (d && !d.didTimeout ? d.timeRemaining() - 1 : CHUNK_MS);
    f(() => end - performance.now());
  };
  if (w.requestIdleCallback) w.requestIdleCallback(run, { timeout: 500 });
  else setTimeout(run, 16);
};

export function fieldLayer(changed: () => void): FieldLayer {
  let enabled = true;
  let strength: Strength = "max";
  let sig: Part[] = [];
  let job = 0;
  let paints = 0;
  const canvas = h("canvas", { "data-view": "field", class: "aw-field-canvas", "aria-hidden": "true", "data-state": "off" });
  const toggle = h("button", { type: "button", "data-role": "field-toggle", "aria-pressed": "true" }, "Field");
  const choices = (["max", "entropy"] as Strength[]).map((m) =>
    h("button", { type: "button", "data-strength": m, "aria-pressed": String(m === strength) }, m === "max" ? "max weight" : "1 − entropy"),
  );
  const legend = h("span", { class: "aw-field-legend", "data-role": "field-legend" }, legendText("max"));
  const controls = h(
    "div",
    { class: "aw-field", role: "group", "aria-label": "Attention field" },
    h("div", { class: "aw-toggle aw-toggle-small" }, toggle),
    h("div", { class: "aw-toggle aw-toggle-small", role: "group", "aria-label": "Field shade", "data-role": "field-strength" }, ...choices),
  );

  /**
   * Cells [c, ...) at `step` in idle chunks (each shown when done), then the next finer level
   * while a level costs at most REFINE_MS.
   */
  function refine(r: Raster, ctx: CanvasRenderingContext2D, img: ImageData, cost: [string, number], id: number, step: number, c: number): void {
    idle((left) => {
      if (id !== job) return;
      const n = cellCount(r, step);
      const cols = Math.ceil(r.W / step);
      const perCell = cost[1] * unitCost(cost[0]);
      const batch = Math.max(1, Math.floor(0.5 / perCell));
      const from = c;
      const t0 = performance.now();
      while (c < n && left() > 0) c += paintCells(r, step, c, Math.min(n, c + batch));
      const ms = performance.now() - t0;
      if (c - from > 64 && ms > 1) msPerUnit[cost[0]] = ms / (c - from) / cost[1];
      const y0 = Math.floor(from / cols) * step;
      const y1 = Math.min(r.H, Math.ceil(c / cols) * step);
      if (y1 > y0) ctx.putImageData(img, 0, 0, 0, y0, r.W, y1 - y0);
      if (c < n) return refine(r, ctx, img, cost, id, step, c);
      attr(canvas, "data-cell", step);
      if (step > 1 && cellCount(r, step / 2) * cost[1] * unitCost(cost[0]) <= REFINE_MS) refine(r, ctx, img, cost, id, step / 2, 0);
      else attr(canvas, "data-state", "done");
    });
  }

  function paint(scene: PlaneScene, s: Snapshot): void {
    const plane = scene.adapter?.plane;
    const vp = scene.viewport;
    const sel = s.selected;
    const shown = enabled && !!plane && !!vp && sel < s.Q.rows && s.K.rows > 0 && s.Q.cols === s.K.cols;
    legend.hidden = canvas.hidden = !shown;
    if (!shown) {
      job++;
      sig = [];
      attr(canvas, "data-state", "off");
      return;
    }
    const q = rowOf(s.Q, sel);
    const [pa, pb] = project(plane, q);
    const [u, v] = plane.axes;
    const origin = q.map((x, i) => x - pa * u[i] - pb * v[i]);
    const cx = (X0 + X1) / 2;
    const cy = (Y0 + Y1) / 2;
    const edges = [(X0 - cx) / vp.scale + vp.mx, (X1 - cx) / vp.scale + vp.mx, -(Y0 - cy) / vp.scale + vp.my, -(Y1 - cy) / vp.scale + vp.my];
    const dpr = devicePixelRatioOf(canvas);
    const W = Math.round((X1 - X0) * dpr);
    const H = Math.round((Y1 - Y0) * dpr);
    const bg = toRgb(cssVar(scene.el, "--aw-bg", "#fff"));
    const { W: PW, U: PU, v: pv } = s.params;
    const allowed = s.mask && sel < s.mask.rows ? s.mask.data.subarray(sel * s.mask.cols, (sel + 1) * s.mask.cols) : null;
    const next: Part[] = [s.K.data, s.score, PW?.data, PU?.data, pv, s.temperature, allowed, origin, u, v, ...edges, W, H, bg, strength];
    if (next.length === sig.length && next.every((p, i) => same(p, sig[i]))) return;
    sig = next;
    const id = ++job;
    const spec: FieldSpec = { K: s.K, score: s.score, params: s.params, temperature: s.temperature, allowed, origin, u, v };
    let r: Raster;
    const img = typeof ImageData === "undefined" ? null : new ImageData(W, H);
    try {
      const N = s.K.rows;
      const colours = new Uint8Array(3 * N);
      for (let j = 0; j < N; j++) colours.set(keyColour(j), 3 * j);
      attr(canvas, "data-colours", Array.from({ length: N }, (_, j) => colours.subarray(3 * j, 3 * j + 3).join(",")).join(" "));
      r = {
        scorer: scorer(spec), allowed, T: s.temperature, W, H,
        a0: edges[0], a1: edges[1], b0: edges[2], b1: edges[3],
        strength, bg, colours, buf: img?.data ?? new Uint8ClampedArray(W * H * 4),
        scratch: new Float64Array(N), pt: { owner: -1, weight: 0, focus: 0 },
      };
    } catch {
      legend.hidden = canvas.hidden = true;
      attr(canvas, "data-state", "off");
      return;
    }
    const hidden = s.score === "concat" || s.score === "additive" ? (s.params.v?.length ?? 1) : 1;
    const units = unitsPerCell(s.K.rows, hidden);
    const step = coarseStep(W, H, units, unitCost(s.score), COARSE_MS);
    // too much for a frame even in the coarsest cells (thousands of keys): in idle time too
    const deferred = cellCount(r, step) * units * unitCost(s.score) > 3 * COARSE_MS;
    const t0 = performance.now();
    const cells = deferred ? 0 : paintCells(r, step, 0, cellCount(r, step));
    const ms = performance.now() - t0;
    if (cells > 64 && ms > 1) msPerUnit[s.score] = ms / cells / units;
    const attrs: Record<string, string> = {
      "data-state": deferred || step > 1 ? "refining" : "done",
      "data-cell": String(step),
      "data-edges": edges.join(" "),
      "data-origin": Array.from(origin).join(" "),
      "data-u": Array.from(u).join(" "),
      "data-v": Array.from(v).join(" "),
      "data-bg": bg.join(","),
      "data-alpha": ALPHA.join(" "),
      "data-strength": strength,
      "data-paints": String(++paints),
      "data-coarse": `${step} ${ms.toFixed(2)}`,
    };
    for (const [k, val] of Object.entries(attrs)) attr(canvas, k, val);
    if (canvas.width !== W) canvas.width = W;
    if (canvas.height !== H) canvas.height = H;
    const ctx = context2d(canvas);
    if (!ctx || !img) return;
    if (deferred) return refine(r, ctx, img, [s.score, units], id, step, 0);
    ctx.putImageData(img, 0, 0);
    if (step > 1) refine(r, ctx, img, [s.score, units], id, step / 2, 0);
  }

  const off = [
    listen(toggle, "click", () => {
      enabled = !enabled;
      attr(toggle, "aria-pressed", enabled);
      changed();
    }),
    ...choices.map((b) =>
      listen(b, "click", () => {
        strength = attrOf(b, "data-strength") as Strength;
        for (const x of choices) attr(x, "aria-pressed", x === b);
        setText(legend, legendText(strength));
        changed();
      }),
    ),
  ];
  return {
    canvas,
    controls,
    legend,
    on: () => enabled && !canvas.hidden,
    paint,
    destroy: () => {
      job++;
      runAll(off);
    },
  };
}

/** A CSS colour (any form) as r, g, b: the canvas parses it (the last one kept). */
let probe: CanvasRenderingContext2D | null | undefined;
let parsed: [string, RGB] = ["", [255, 255, 255]];
function toRgb(css: string): RGB {
  if (parsed[0] === css) return parsed[1];
  probe ??= typeof document === "undefined" ? null : context2d(document.createElement("canvas"));
  let c = css;
  if (probe) {
    probe.fillStyle = "#fff";
    probe.fillStyle = css;
    c = probe.fillStyle; // "#rrggbb" or "rgba(...)"
  }
  const rgb: RGB = c.startsWith("#") ? ([1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as RGB) : parseCssColour(c);
  parsed = [css, rgb];
  return rgb;
}
