// The plane's many points on one canvas (keys, unselected queries, the selected query's lines):
// above a few hundred points one SVG group per point costs more to lay out, paint and layerize
// than the whole canvas costs to redraw. Below that, the canvas holds the background, the lines
// and the keys' marks only: what changes in every frame of a drag.

import { css, keyColour } from "../../../core/colour";
import type { Snapshot } from "../../../live/store";
import { context2d, devicePixelRatioOf } from "../../dom";
import { cssVar } from "../../paint";
import { QUERY_DOT, SIZE, X0, X1, Y0, Y1, type Points } from "./geometry";
import type { PlaneScene } from "./scene";

const LINES_MAX = 120;
const KEY_SHADE_MAX = 300; // beyond this many keys, marks are not shaded by weight

export interface PlaneDraw {
  size: number; // viewBox width = height
  plot: [number, number, number, number]; // background rect x0, y0, x1, y1 (viewBox units)
  keys: Points;
  /** Opacity of each key's fill in [0, 1], or null: all the same. */
  keyShade: Float64Array | null;
  queries: Points;
  selected: number;
  /** Lines from the selected query to keys: key index and weight. */
  lines: Array<[number, number]>;
  /** Besides the background and the lines: the keys ("keys"), and the unselected queries ("all"). */
  points: "keys" | "all";
  colours: { bg: string; border: string; key: string; query: string };
  /** The attention field is drawn under this canvas: no background fill, keys in their colours. */
  fieldUnder?: boolean;
}

const keyFills: string[] = [];
/** The CSS colour of key j (core/colour.ts keyColour), kept. */
const keyFill = (j: number) => (keyFills[j] ??= css(keyColour(j)));

/** Draw `p` over the whole W x H (device pixels) canvas. */
export function drawPlane(ctx: CanvasRenderingContext2D, W: number, H: number, p: PlaneDraw, cacheKey?: string): void {
  const k = W / p.size;
  ctx.setTransform(k, 0, 0, H / p.size, 0, 0);
  ctx.clearRect(0, 0, p.size, p.size);
  const [x0, y0, x1, y1] = p.plot;
  ctx.fillStyle = p.colours.bg;
  ctx.strokeStyle = p.colours.border;
  ctx.lineWidth = 1;
  ctx.beginPath();
  if (typeof ctx.roundRect === "function") ctx.roundRect(x0 + 0.5, y0 + 0.5, x1 - x0 - 1, y1 - y0 - 1, 4);
  else ctx.rect(x0 + 0.5, y0 + 0.5, x1 - x0 - 1, y1 - y0 - 1);
  if (!p.fieldUnder) ctx.fill();
  ctx.stroke();
  const { keys, queries, selected } = p;
  // lines from the selected query, opacity and width by weight
  const sx = queries[2 * selected];
  const sy = queries[2 * selected + 1];
  if (Number.isFinite(sx) && Number.isFinite(sy)) {
    ctx.strokeStyle = p.colours.query;
    ctx.lineCap = "round";
    for (const [j, a] of p.lines) {
      const kx = keys[2 * j];
      const ky = keys[2 * j + 1];
      if (!Number.isFinite(kx) || !Number.isFinite(ky)) continue;
      ctx.globalAlpha = Math.min(1, a);
      ctx.lineWidth = 1 + 3 * a;
      ctx.beginPath();
      ctx.moveTo(sx, sy);
      ctx.lineTo(kx, ky);
      ctx.stroke();
    }
  }
  ctx.globalAlpha = 1;
  // Many unshaded keys and all queries: the same picture whatever the selection (the selected
  // query's SVG point covers its dot), drawn once into a layer kept for `cacheKey`.
  if (p.points === "all" && !p.keyShade && cacheKey !== undefined && typeof document !== "undefined") {
    let layer = layers.get(ctx);
    if (!layer || layer.key !== cacheKey || layer.canvas.width !== W || layer.canvas.height !== H) {
      const canvas = document.createElement("canvas");
      canvas.width = W;
      canvas.height = H;
      const lctx = canvas.getContext("2d");
      if (lctx) {
        lctx.setTransform(W / p.size, 0, 0, H / p.size, 0, 0);
        drawPoints(lctx, p, -1);
      }
      layers.set(ctx, (layer = { key: cacheKey, canvas }));
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(layer.canvas, 0, 0);
    return;
  }
  drawPoints(ctx, p, p.selected);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
}

const layers = new WeakMap<CanvasRenderingContext2D, { key: string; canvas: HTMLCanvasElement }>();

/** The keys' squares and (p.points "all") the queries' dots but `skip`, in viewBox units. */
function drawPoints(ctx: CanvasRenderingContext2D, p: PlaneDraw, skip: number): void {
  const { keys, queries } = p;
  // keys: squares (shaded by weight when given)
  ctx.lineWidth = 1;
  ctx.strokeStyle = p.colours.key;
  ctx.fillStyle = p.colours.key;
  const square = (j: number) => {
    const x = keys[2 * j];
    const y = keys[2 * j + 1];
    if (Number.isFinite(x) && Number.isFinite(y)) ctx.rect(x - 4, y - 4, 8, 8);
  };
  const n = keys.length / 2;
  if (p.keyShade) {
    for (let j = 0; j < n; j++) {
      ctx.beginPath();
      square(j);
      if (p.fieldUnder) ctx.fillStyle = ctx.strokeStyle = keyFill(j);
      ctx.globalAlpha = 0.35 + 0.65 * (p.keyShade[j] || 0);
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.stroke();
    }
  } else {
    ctx.beginPath();
    for (let j = 0; j < n; j++) square(j);
    ctx.globalAlpha = 0.35;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.stroke();
  }
  if (p.points === "keys") return;
  // unselected queries: small dots (the selected one is an SVG point above the canvas)
  ctx.beginPath();
  for (let i = 0; 2 * i + 1 < queries.length; i++) {
    if (i === skip) continue;
    const x = queries[2 * i];
    const y = queries[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    ctx.moveTo(x + QUERY_DOT.many, y);
    ctx.arc(x, y, QUERY_DOT.many, 0, 2 * Math.PI);
  }
  ctx.fillStyle = p.colours.query;
  ctx.globalAlpha = 0.45;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = p.colours.bg;
  ctx.lineWidth = 0.5;
  ctx.stroke();
}

/** Indices of the `k` largest entries of `row` (all of them, in order, when k >= length). */
function strongest(row: ArrayLike<number> | null, k: number): number[] {
  if (!row) return [];
  const idx = Array.from({ length: row.length }, (_, j) => j);
  if (row.length <= k) return idx;
  return idx.sort((a, b) => row[b] - row[a]).slice(0, k);
}

const ids = new WeakMap<object, number>();
let nextId = 0;
/** A number for an object's identity (a cache key part). */
const idOf = (o: object): number => {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = ++nextId));
  return id;
};

/**
 * What the canvas's points depend on: Q, K (its plane) and the viewport only (a selection keeps
 * them), and the canvas's pixel ratio.
 */
export function pointsKey(scene: PlaneScene, s: Snapshot): string {
  return `${idOf(s.Q)}|${idOf(s.K)}|${idOf(scene.viewport!)}|${devicePixelRatioOf(scene.canvas)}`;
}

/**
 * The canvas under the SVG: the plot's background and the lines from the selected query to
 * the keys (opacity and width by weight), the keys' marks (shaded by weight), and with "all"
 * the unselected queries.
 */
export function paintCanvas(scene: PlaneScene, s: Snapshot, queries: Points, keys: Points, points: "keys" | "all", cacheKey?: string): void {
  const { canvas, el } = scene;
  const sel = s.selected;
  const w = s.result?.weights;
  const row = w && sel < w.rows ? w.data.subarray(sel * w.cols, (sel + 1) * w.cols) : null;
  const lines: Array<[number, number]> = [];
  for (const j of strongest(row, LINES_MAX)) if (row && row[j] > 0.005) lines.push([j, row[j]]);
  const ctx = context2d(canvas);
  if (!ctx) return;
  const colours = {
    bg: cssVar(el, "--aw-bg", "#fff"),
    border: cssVar(el, "--aw-border", "#d8dde3"),
    key: cssVar(el, "--aw-key", "#3b82c4"),
    query: cssVar(el, "--aw-query", "#c2410c"),
  };
  const dpr = devicePixelRatioOf(canvas);
  const W = Math.round(SIZE * dpr);
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== W) canvas.height = W;
  drawPlane(ctx, W, W, {
    size: SIZE,
    plot: [X0, Y0, X1, Y1],
    keys,
    keyShade: row && scene.keyPts.length <= KEY_SHADE_MAX ? row : null,
    queries,
    selected: sel,
    lines,
    points,
    colours,
    fieldUnder: scene.fieldOn,
  }, cacheKey === undefined ? undefined : `${cacheKey}|${Object.values(colours).join("|")}`);
}
