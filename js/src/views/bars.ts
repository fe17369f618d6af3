// A labelled list of horizontal bars drawn from a zero line (values may be negative).
// Labels and numbers are text; the bars are drawn on one canvas beside them, so a new value
// repaints that canvas and changes no layout.

import { clear, h, setText } from "../dom";
import { short, truncate } from "../format";
import { cssVar, sizeCanvas } from "./paint";

export const BARS_MAX = 64;
/** Row height and the widths of the label and number columns (CSS px; style.css agrees). */
export const BAR_ROW_H = 19;
const SIDE_W = 64 + 6 + 60 + 6;

export interface Bars {
  el: HTMLElement;
  /** `domain`: fixed [lo, hi] (e.g. [0, 1] for weights); default from the values. */
  update(labels: string[], values: ArrayLike<number>, opts?: { domain?: [number, number]; digits?: number; dim?: boolean[] }): void;
  destroy(): void;
}

interface Row {
  row: HTMLElement;
  num: HTMLElement;
  value: string;
  dim: boolean;
}

export function bars(kind: string): Bars {
  const canvas = h("canvas", { class: "aw-bars-canvas", "aria-hidden": "true" });
  const list = h("div", { class: "aw-bars", "data-bars": kind }, canvas);
  const more = h("p", { class: "aw-note", hidden: true });
  const el = h("div", { class: "aw-bars-wrap" }, list, more);
  let key = "";
  let rows: Row[] = [];
  let width = 0; // of the bars' column, from a ResizeObserver (no layout read while painting)
  let shown: { values: Float64Array; lo: number; hi: number } = { values: new Float64Array(0), lo: 0, hi: 0 };

  function draw(): void {
    const n = shown.values.length;
    if (!(width > 0) || n === 0) return;
    const { ctx, W, H, dpr } = sizeCanvas(canvas, width, n * BAR_ROW_H);
    if (!ctx) return;
    ctx.clearRect(0, 0, W, H);
    const { lo, hi, values } = shown;
    const span = hi - lo || 1;
    const x = (v: number) => Math.round(((v - lo) / span) * W);
    const track = cssVar(el, "--aw-track", "rgba(128,128,128,0.13)");
    const pos = cssVar(el, "--aw-pos", "#3b82c4");
    const neg = cssVar(el, "--aw-neg", "#d9723a");
    const zeroC = cssVar(el, "--aw-fg2", "#59636e");
    const rowH = BAR_ROW_H * dpr;
    const barH = Math.round(12 * dpr);
    const z = x(0);
    for (let i = 0; i < n; i++) {
      const y = Math.round(i * rowH + (rowH - barH) / 2);
      ctx.globalAlpha = rows[i]?.dim ? 0.45 : 1;
      ctx.fillStyle = track;
      ctx.fillRect(0, y, W, barH);
      const v = values[i];
      if (Number.isFinite(v) && v !== 0) {
        const a = x(Math.min(v, 0));
        const b = x(Math.max(v, 0));
        ctx.fillStyle = v < 0 ? neg : pos;
        ctx.fillRect(a, y, Math.max(1, b - a), barH);
      }
      ctx.globalAlpha = 0.6;
      ctx.fillStyle = zeroC;
      ctx.fillRect(Math.min(W - 1, Math.max(0, z - Math.floor(dpr / 2))), y - 2 * dpr, Math.max(1, Math.round(dpr)), barH + 4 * dpr);
    }
    ctx.globalAlpha = 1;
  }

  const RO = (globalThis as { ResizeObserver?: typeof ResizeObserver }).ResizeObserver;
  const ro = RO
    ? new RO((entries) => {
        const w = Math.max(0, Math.floor((entries[entries.length - 1]?.contentRect.width ?? 0) - SIDE_W));
        if (w !== width) {
          width = w;
          draw();
        }
      })
    : null;
  ro?.observe(list);

  return {
    el,
    update(labels, values, opts = {}) {
      const n = Math.min(values.length, BARS_MAX);
      const k = labels.slice(0, n).join("\u0000") + "|" + n;
      if (k !== key) {
        key = k;
        clear(list);
        list.appendChild(canvas);
        rows = [];
        for (let i = 0; i < n; i++) {
          const label = h("span", { class: "aw-bar-label" }, truncate(labels[i], 9));
          label.setAttribute("title", labels[i]);
          const num = h("span", { class: "aw-bar-num" });
          const row = h("div", { class: "aw-bar-row", "data-index": i }, label, h("span", { class: "aw-bar-track" }), num);
          rows.push({ row, num, value: "", dim: false });
          list.appendChild(row);
        }
      }
      let lo = 0;
      let hi = 0;
      if (opts.domain) [lo, hi] = opts.domain;
      else {
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      const vals = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        const r = rows[i];
        vals[i] = v;
        const dim = !!opts.dim?.[i];
        if (dim !== r.dim) {
          r.dim = dim;
          r.row.classList.toggle("is-dim", dim);
        }
        const dv = String(v);
        if (dv !== r.value) {
          r.value = dv;
          setText(r.num, opts.digits !== undefined ? v.toFixed(opts.digits) : short(v, 4));
          r.num.setAttribute("data-value", dv);
        }
      }
      shown = { values: vals, lo, hi };
      draw();
      more.hidden = values.length <= BARS_MAX;
      setText(more, values.length > BARS_MAX ? `showing ${BARS_MAX} of ${values.length}` : "");
    },
    destroy: () => ro?.disconnect(),
  };
}
