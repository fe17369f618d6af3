// Colour look-up tables built once from core/colour.ts, for per-pixel painting.

import { css, diverging, sequential, textColourOn } from "../core/colour";
import { parseCssColour } from "../core/format";
import { attr, attrOf, clear, h, setText } from "./dom";

export interface Lut {
  /** 256 entries of r, g, b. */
  rgb: Uint8Array;
  /** CSS colour of entry i. */
  css(i: number): string;
  /** Text colour readable on entry i. */
  text(i: number): string;
}

function build(colourAt: (i: number) => unknown): Lut {
  const rgb = new Uint8Array(256 * 3);
  const cssOf: string[] = [];
  const textOf: string[] = [];
  for (let i = 0; i < 256; i++) {
    const c = colourAt(i) as Parameters<typeof css>[0];
    const str = css(c);
    cssOf.push(str);
    const [r, g, b] = parseCssColour(str);
    rgb[i * 3] = r;
    rgb[i * 3 + 1] = g;
    rgb[i * 3 + 2] = b;
    const t = textColourOn(c as Parameters<typeof textColourOn>[0]);
    textOf.push(typeof t === "string" ? t : css(t));
  }
  return { rgb, css: (i) => cssOf[i], text: (i) => textOf[i] };
}

let seq: Lut | null = null;
let div: Lut | null = null;

/** Sequential scale: entry i is t = i / 255. */
export function sequentialLut(): Lut {
  return (seq ??= build((i) => sequential(i / 255)));
}

/** Diverging scale: entry i is t = i / 127.5 - 1. */
export function divergingLut(): Lut {
  return (div ??= build((i) => diverging(i / 127.5 - 1)));
}

/** Index into a sequential LUT of `v` in [0, max]. */
export function seqIndex(v: number, max: number): number {
  if (!(max > 0) || !(v > 0)) return 0;
  return Math.min(255, Math.floor((v / max) * 255.999));
}

/** Index into a diverging LUT of `v` in [-max, max]. */
export function divIndex(v: number, max: number): number {
  if (!(max > 0)) return 128;
  const t = Math.max(-1, Math.min(1, v / max));
  return Math.min(255, Math.max(0, Math.round((t + 1) * 127.5)));
}

/**
 * Fill `el` (a .aw-legend) with a label, the LUT as a gradient bar, and ticks at 0, 50, 100%.
 * Filled once per label and scale; later calls change the ticks' text only.
 */
export function fillLegend(el: HTMLElement, label: string, lut: Lut, ticks: string[]): void {
  const key = `${label}|${ticks.length}|${lut.css(0)}|${lut.css(255)}`;
  const spans = el.querySelectorAll<HTMLElement>(".aw-legend-ticks span");
  if (attrOf(el, "data-legend") === key && spans.length === ticks.length) {
    ticks.forEach((t, k) => setText(spans[k], t));
    return;
  }
  attr(el, "data-legend", key);
  clear(el);
  const bar = h("div", { class: "aw-legend-bar" });
  bar.style.background = gradient(lut);
  const tk = h("div", { class: "aw-legend-ticks" });
  ticks.forEach((t, k) => {
    const span = h("span", undefined, t);
    span.style.left = `${k * 50}%`;
    tk.append(span);
  });
  el.append(h("span", { class: "aw-legend-label" }, label), h("div", { class: "aw-legend-scale" }, bar, tk));
}

/** A CSS linear-gradient of a LUT. */
function gradient(lut: Lut, stops = 16): string {
  const parts: string[] = [];
  for (let k = 0; k <= stops; k++) {
    const i = Math.round((k / stops) * 255);
    parts.push(`${lut.css(i)} ${((k / stops) * 100).toFixed(1)}%`);
  }
  return `linear-gradient(to right, ${parts.join(", ")})`;
}
