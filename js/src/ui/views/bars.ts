// A labelled list of horizontal bars drawn from a zero line (values may be negative).
// The labels are text; the bars and their numbers are drawn on one canvas beside them, so new
// values repaint that canvas and change no layout (in JupyterLab, 192 number texts changing
// cost 6-13 ms of rendering per frame). Each row says its label and number to assistive
// technology (aria-label) and keeps the exact number in data-value; `keys` name the rows'
// indices (data-key) when they show a selection (the top keys by weight).

import { short, truncate } from "../../core/format";
import { attr, clear, h, setText } from "../dom";
import { cssVar, sizeCanvas } from "../paint";

/** Rows shown at most, by default. */
export const BARS_MAX = 64;
/** Row height and the widths of the label and number columns (CSS px; style.css agrees). */
export const BAR_ROW_H = 19;
const LABEL_W = 64 + 6;
const NUM_W = 60 + 6;

export interface Bars {
  el: HTMLElement;
  /** `domain`: fixed [lo, hi] (e.g. [0, 1] for weights); default from the values. */
  update(
    labels: string[],
    values: ArrayLike<number>,
    opts?: { domain?: [number, number]; digits?: number; dim?: boolean[]; keys?: ArrayLike<number> },
  ): void;
  destroy(): void;
}

interface Row {
  row: HTMLElement;
  /** Holds the exact number in data-value (the number is drawn on the canvas). */
  num: HTMLElement;
  label: string;
  value: string;
  text: string;
  /** The row's aria-label. */
  said: string;
  dim: boolean;
}

export function bars(kind: string, max = BARS_MAX): Bars {
  const canvas = h("canvas", { class: "aw-bars-canvas", "aria-hidden": "true" });
  const list = h("div", { class: "aw-bars", "data-bars": kind, role: "list" }, canvas);
  const more = h("p", { class: "aw-note", hidden: true });
  const el = h("div", { class: "aw-bars-wrap" }, list, more);
  let key = "";
  let rows: Row[] = [];
  let width = 0; // of the bars' and numbers' columns, from a ResizeObserver (no layout read while painting)
  let shown: { values: Float64Array; texts: string[]; lo: number; hi: number } = { values: new Float64Array(0), texts: [], lo: 0, hi: 0 };

  // Off screen (an IntersectionObserver says so), the canvas is drawn when it comes into view.
  let visible = true;
  let stale = false;
  let drawnSig = "";

  function draw(): void {
    if (!visible) {
      stale = true;
      return;
    }
    stale = false;
    const n = shown.values.length;
    if (!(width > NUM_W) || n === 0) return;
    const { ctx, W, H, dpr } = sizeCanvas(canvas, width, n * BAR_ROW_H);
    if (!ctx) return;
    const { lo, hi, values, texts } = shown;
    const span = hi - lo || 1;
    const BW = Math.round((width - NUM_W) * dpr); // the bars' width (device px)
    const x = (v: number) => Math.round(((v - lo) / span) * BW);
    // the same pixels as drawn last (e.g. the kernel's answer to a previewed edit): nothing to do
    let sig = `${W}|${H}|${x(0)}|${["--aw-pos", "--aw-neg", "--aw-fg", "--aw-fg2", "--aw-track"].map((v) => cssVar(el, v, "")).join("|")}`;
    for (let i = 0; i < n; i++) sig += `|${texts[i]}|${x(Math.min(values[i], 0))}|${x(Math.max(values[i], 0))}|${rows[i]?.dim}`;
    if (sig === drawnSig && canvas.width === W) return;
    drawnSig = sig;
    ctx.clearRect(0, 0, W, H);
    const track = cssVar(el, "--aw-track", "rgba(128,128,128,0.13)");
    const pos = cssVar(el, "--aw-pos", "#3b82c4");
    const neg = cssVar(el, "--aw-neg", "#d9723a");
    const fg = cssVar(el, "--aw-fg", "#1f2328");
    const fg2 = cssVar(el, "--aw-fg2", "#59636e");
    const rowH = BAR_ROW_H * dpr;
    const barH = Math.round(12 * dpr);
    const z = x(0);
    // one path per colour (few canvas state changes), then the numbers
    const rowsOf = (dim: boolean, f: (i: number, y: number) => void) => {
      ctx.beginPath();
      for (let i = 0; i < n; i++) if (!!rows[i]?.dim === dim) f(i, Math.round(i * rowH + (rowH - barH) / 2));
    };
    for (const dim of [false, true]) {
      ctx.globalAlpha = dim ? 0.45 : 1;
      rowsOf(dim, (_, y) => ctx.rect(0, y, BW, barH));
      ctx.fillStyle = track;
      ctx.fill();
      for (const negative of [false, true]) {
        rowsOf(dim, (i, y) => {
          const v = values[i];
          if (!Number.isFinite(v) || v === 0 || v < 0 !== negative) return;
          const a = x(Math.min(v, 0));
          ctx.rect(a, y, Math.max(1, x(Math.max(v, 0)) - a), barH);
        });
        ctx.fillStyle = negative ? neg : pos;
        ctx.fill();
      }
    }
    ctx.globalAlpha = 0.6;
    ctx.fillStyle = fg2;
    ctx.fillRect(Math.min(BW - 1, Math.max(0, z - Math.floor(dpr / 2))), 0, Math.max(1, Math.round(dpr)), H);
    ctx.globalAlpha = 1;
    ctx.font = `${11.5 * dpr}px ${cssVar(el, "--aw-mono", "ui-monospace, monospace")}`;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const dim of [false, true]) {
      ctx.fillStyle = dim ? fg2 : fg;
      for (let i = 0; i < n; i++) if (!!rows[i]?.dim === dim) ctx.fillText(texts[i] ?? "", W, i * rowH + rowH / 2);
    }
  }

  const RO = (globalThis as { ResizeObserver?: typeof ResizeObserver }).ResizeObserver;
  const ro = RO
    ? new RO((entries) => {
        const w = Math.max(0, Math.floor((entries[entries.length - 1]?.contentRect.width ?? 0) - LABEL_W));
        if (w !== width) {
          width = w;
          draw();
        }
      })
    : null;
  ro?.observe(list);
  const IO = (globalThis as { IntersectionObserver?: typeof IntersectionObserver }).IntersectionObserver;
  const io = IO
    ? new IO((entries) => {
        visible = entries[entries.length - 1]?.isIntersecting ?? true;
        if (visible && stale) draw();
      })
    : null;
  io?.observe(list);

  return {
    el,
    update(labels, values, opts = {}) {
      const n = Math.min(values.length, max);
      const at = (i: number) => (opts.keys ? opts.keys[i] : i);
      let k = labels.slice(0, n).join("\u0000") + "|" + n;
      if (opts.keys) k += "|" + Array.from(opts.keys).slice(0, n).join(",");
      if (k !== key) {
        key = k;
        clear(list);
        list.append(canvas);
        rows = [];
        for (let i = 0; i < n; i++) {
          const label = h("span", { class: "aw-bar-label" }, truncate(labels[i], 9));
          attr(label, "title", labels[i]);
          attr(label, "aria-hidden", "true");
          const num = h("span", { class: "aw-bar-num" });
          const row = h("div", { class: "aw-bar-row", "data-index": i, "data-key": at(i), role: "listitem" }, label, h("span", { class: "aw-bar-track" }), num);
          rows.push({ row, num, label: labels[i], value: "", text: "", said: "", dim: false });
          list.append(row);
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
      const texts: string[] = [];
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
          r.text = opts.digits !== undefined ? v.toFixed(opts.digits) : short(v, 4);
          attr(r.num, "data-value", dv);
        }
        const said = `${r.label}: ${r.text}${dim ? " (masked)" : ""}`;
        if (said !== r.said) {
          r.said = said;
          attr(r.row, "aria-label", said);
        }
        texts.push(r.text);
      }
      shown = { values: vals, texts, lo, hi };
      draw();
      more.hidden = values.length <= max;
      setText(more, values.length > max ? `showing ${max} of ${values.length}` : "");
    },
    destroy: () => {
      ro?.disconnect();
      io?.disconnect();
    },
  };
}
