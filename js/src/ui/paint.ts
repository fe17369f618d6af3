// Painting a matrix into a canvas pixel by pixel (one putImageData, whatever the size).

import { context2d, devicePixelRatioOf } from "./dom";
import type { Lut } from "./lut";
import { themeGeneration, themeWatched } from "./theme";

export interface Grid {
  rows: number;
  cols: number;
  data: Float64Array;
  /** 1 = allowed; 0 = masked (drawn hatched). */
  mask?: Uint8Array | null;
}

/** Block boundaries: pixel p covers cells [start[p], end[p]). */
function blocks(pixels: number, cells: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(pixels);
  const end = new Int32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const a = Math.min(cells - 1, Math.floor((p * cells) / pixels));
    const b = Math.max(a + 1, Math.min(cells, Math.floor(((p + 1) * cells) / pixels)));
    start[p] = a;
    end[p] = b;
  }
  return { start, end };
}

const images = new WeakMap<CanvasRenderingContext2D, ImageData>();

/**
 * Paint `g` over the whole W x H (device pixels) canvas. When several cells fall in one pixel,
 * the pixel shows the largest value (`pool = "max"`) or the value of largest magnitude
 * (`"absmax"`), so a sharp peak never disappears in a large matrix.
 */
export function paintGrid(
  ctx: CanvasRenderingContext2D,
  W: number,
  H: number,
  g: Grid,
  index: (v: number) => number,
  lut: Lut,
  pool: "max" | "absmax" = "max",
  rows?: [number, number],
): void {
  if (W <= 0 || H <= 0 || g.rows === 0 || g.cols === 0) return;
  // one image per canvas and size, reused (every pixel is written below): no garbage per paint
  let img = images.get(ctx);
  if (!img || img.width !== W || img.height !== H) {
    images.set(ctx, (img = ctx.createImageData(W, H)));
    rows = undefined; // a new image: paint it whole
  }
  const px = img.data;
  const xs = blocks(W, g.cols);
  const ys = blocks(H, g.rows);
  const { data, mask, cols } = g;
  const rgb = lut.rgb;
  // Cache per column-block when a pixel row covers the same cell rows as the previous one.
  const rowIdx = new Int16Array(W);
  let prevR0 = -1;
  let prevR1 = -1;
  // `rows` [a, b): only the pixel rows showing cells of rows a..b-1 (the rest of the image is
  // as last painted, with the same scale)
  let yFrom = 0;
  let yTo = H;
  if (rows) {
    while (yFrom < H && ys.end[yFrom] <= rows[0]) yFrom++;
    yTo = yFrom;
    while (yTo < H && ys.start[yTo] < rows[1]) yTo++;
    if (yTo <= yFrom) return;
  }
  for (let y = yFrom; y < yTo; y++) {
    const r0 = ys.start[y];
    const r1 = ys.end[y];
    if (r0 !== prevR0 || r1 !== prevR1) {
      for (let x = 0; x < W; x++) {
        const c0 = xs.start[x];
        const c1 = xs.end[x];
        let best = NaN;
        for (let r = r0; r < r1; r++) {
          const base = r * cols;
          for (let c = c0; c < c1; c++) {
            if (mask && !mask[base + c]) continue;
            const v = data[base + c];
            if (best !== best) best = v;
            else if (pool === "max" ? v > best : Math.abs(v) > Math.abs(best)) best = v;
          }
        }
        rowIdx[x] = best !== best ? -1 : index(best);
      }
      prevR0 = r0;
      prevR1 = r1;
    }
    let o = y * W * 4;
    for (let x = 0; x < W; x++, o += 4) {
      const i = rowIdx[x];
      if (i < 0) {
        // masked: diagonal hatch over transparent
        const on = ((x + y) & 7) < 2;
        px[o] = 128;
        px[o + 1] = 128;
        px[o + 2] = 128;
        px[o + 3] = on ? 150 : 30;
      } else {
        px[o] = rgb[i * 3];
        px[o + 1] = rgb[i * 3 + 1];
        px[o + 2] = rgb[i * 3 + 2];
        px[o + 3] = 255;
      }
    }
  }
  if (rows) ctx.putImageData(img, 0, 0, 0, yFrom, W, yTo - yFrom);
  else ctx.putImageData(img, 0, 0);
}

/** Size `canvas` to cssW x cssH CSS pixels at the device pixel ratio; its 2-D context or null. */
export function sizeCanvas(
  canvas: HTMLCanvasElement,
  cssW: number,
  cssH: number,
): { ctx: CanvasRenderingContext2D | null; W: number; H: number; dpr: number } {
  const dpr = devicePixelRatioOf(canvas);
  const W = Math.max(1, Math.round(cssW * dpr));
  const H = Math.max(1, Math.round(cssH * dpr));
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== H) canvas.height = H;
  const w = `${cssW}px`;
  const hh = `${cssH}px`;
  if (canvas.style.width !== w) canvas.style.width = w;
  if (canvas.style.height !== hh) canvas.style.height = hh;
  const ctx = context2d(canvas);
  return { ctx, W, H, dpr };
}

let varCache = new WeakMap<Element, Map<string, string>>();
let cachedFor = -1;

/**
 * The value of a CSS custom property on `el` (resolved), or `fallback`. While the theme is
 * watched (theme.ts), read once and kept until it changes: getComputedStyle forces a style
 * recalculation, too slow to do while painting.
 */
export function cssVar(el: Element, name: string, fallback: string): string {
  const keep = themeWatched() && el.isConnected;
  if (cachedFor !== themeGeneration()) {
    varCache = new WeakMap();
    cachedFor = themeGeneration();
  }
  let map = varCache.get(el);
  let value = keep ? map?.get(name) : undefined;
  if (value !== undefined) return value;
  value = fallback;
  try {
    value = getComputedStyle(el).getPropertyValue(name).trim() || fallback;
  } catch {
    /* no computed style (detached) */
  }
  if (keep) {
    if (!map) varCache.set(el, (map = new Map()));
    map.set(name, value);
  }
  return value;
}
