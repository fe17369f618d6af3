// The weights heatmap: queries down, keys across, with labels, legend and a hover tooltip.

import { precise, tokenAt, truncate } from "../../core/format";
import type { Snapshot } from "../../live/store";
import { attr, attrOf, clear, devicePixelRatioOf, h, listen, setText } from "../dom";
import { fillLegend, seqIndex, sequentialLut } from "../lut";
import { cssVar, paintGrid, sizeCanvas } from "../paint";
import { scaleLegend, scaleSwitch, scaleTop } from "./scale";
import { runAll, type Actions, type Topic, type View } from "./view";

const CELL_MAX = 52;
const ROW_LABEL_W = 84; // the row labels' width, narrower down to ROW_LABEL_MIN in a narrow panel
const ROW_LABEL_MIN = 64;
const COL_BAND_V = 64; // height of the band of vertical column labels
const LABEL_MIN = 14; // smallest spacing of labels (CSS px)
const CHAR_W = 7;

interface Layout {
  M: number;
  N: number;
  cellW: number;
  cellH: number;
  cssW: number;
  cssH: number;
  rowW: number;
  verticalCols: boolean;
}

const DIFF_MAX = 1 << 20; // cells: above, every repaint is whole (no copy kept)

/** The one row where `a` and `b` differ, -1 if none, -2 if several (row-major, `cols` wide). */
export function changedRow(a: Float64Array, b: Float64Array, cols: number): number {
  if (a.length !== b.length) return -2;
  let row = -1;
  for (let k = 0; k < a.length; k++) {
    if (a[k] !== b[k] && !(a[k] !== a[k] && b[k] !== b[k])) {
      const r = Math.floor(k / cols);
      if (row >= 0 && r !== row) return -2;
      row = r;
      k = (r + 1) * cols - 1; // the rest of this row does not matter
    }
  }
  return row;
}

/**
 * `scores: false`: there are no scores to show (precomputed weights). `toggle`: shift-click on
 * a cell toggles its mask bit.
 */
export function heatmapView(actions: Pick<Actions, "select">, opts: { scores?: boolean; toggle?: (i: number, j: number) => void } = {}): View {
  const off: Array<() => void> = [];
  const canvas = h("canvas", {
    "data-view": "heatmap",
    role: "img",
    "aria-label": "Attention weights: one row per query, one column per key" + (opts.toggle ? "; shift-click a cell to mask it (masked cells are hatched)" : ""),
  });
  const tooltip = h("div", { class: "aw-tooltip", "data-role": "tooltip", role: "status", hidden: true });
  // the selected row's outline: its own canvas, so a selection change keeps the pooled image
  const over = h("canvas", { "aria-hidden": "true", style: "position:absolute;left:0;top:0;pointer-events:none" });
  const plot = h("div", { class: "aw-hm-plot" }, canvas, over, tooltip);
  const rowLabels = h("div", { class: "aw-hm-rows", "aria-hidden": "true" });
  const colLabels = h("div", { class: "aw-hm-cols", "aria-hidden": "true" });
  const corner = h("div", { class: "aw-hm-corner" }, h("span", undefined, "query \\ key"));
  const grid = h("div", { class: "aw-hm" }, corner, colLabels, rowLabels, plot);
  const legend = h("div", { class: "aw-legend", "data-role": "legend" });
  // the preview marker is shown and hidden by visibility: no layout each time it flips
  const noteText = h("span");
  const notePreview = h("span", { class: "aw-hm-preview" }, " (JS preview)");
  const note = h("p", { class: "aw-note aw-hm-note" }, noteText, notePreview);
  // colours span 0 to 1 by default, or 0 to the largest weight (the switch says which)
  const scale = scaleSwitch(() => render());
  off.push(scale.destroy);
  const el = h("div", { class: "aw-heatmap" }, grid, h("div", { class: "aw-legend-row" }, legend, scale.el), note);

  let snap: Snapshot | null = null;
  let layout: Layout | null = null;
  // what the canvas shows (weights up to DIFF_MAX cells): to repaint only a changed row
  let drawn: { key: string; mask: Uint8Array | null; data: Float64Array } | null = null;
  let labelKey = "";
  let hover: { row: number; col: number; x: number; y: number } | null = null;
  let maxW = 0;
  let lastWidth = 0;

  function computeLayout(s: Snapshot): Layout | null {
    const w = s.result?.weights;
    if (!w || w.rows === 0 || w.cols === 0) return null;
    const M = w.rows;
    const N = w.cols;
    // the width the ResizeObserver last saw: no layout read while painting (once at first)
    const host = lastWidth || el.clientWidth;
    const rowW = host > 0 ? Math.max(ROW_LABEL_MIN, Math.min(ROW_LABEL_W, Math.round(host * 0.3))) : ROW_LABEL_W;
    const avail = host > 0 ? Math.max(64, Math.min(480, host - rowW - 12)) : 400;
    const cw = Math.min(CELL_MAX, avail / N);
    const chh = Math.min(CELL_MAX, avail / M);
    // cells stay roughly square unless a side is long
    const cellW = Math.min(cw, Math.max(chh, 28));
    const ch = Math.min(chh, Math.max(cw, 28));
    return {
      M,
      N,
      cellW,
      cellH: ch,
      cssW: Math.round(cellW * N * 100) / 100,
      cssH: Math.round(ch * M * 100) / 100,
      rowW,
      verticalCols: s.kTokens.slice(0, N).some((t) => Array.from(t).length * CHAR_W > cellW - 6),
    };
  }

  function drawLabels(s: Snapshot, L: Layout): void {
    for (const e of rowLabels.children) e.classList.toggle("is-selected", attrOf(e, "data-query") === String(s.selected));
    const key = [L.M, L.N, L.cellW, L.cellH, L.rowW, L.verticalCols, s.qTokens.join("\u0000"), s.kTokens.join("\u0000")].join("|");
    if (key === labelKey) return;
    labelKey = key;
    clear(rowLabels);
    clear(colLabels);
    rowLabels.style.height = `${L.cssH}px`;
    rowLabels.style.width = corner.style.width = `${L.rowW}px`;
    const rowStep = Math.max(1, Math.ceil(LABEL_MIN / L.cellH));
    for (let i = 0; i < L.M; i += rowStep) {
      const t = tokenAt(s.qTokens, i, "q");
      const span = h("span", { class: "aw-hm-rowlabel" + (i === s.selected ? " is-selected" : ""), "data-query": i }, truncate(t, Math.floor((L.rowW - 8) / CHAR_W)));
      attr(span, "title", t);
      const hh = Math.max(L.cellH, LABEL_MIN);
      span.style.top = `${(i + 0.5) * L.cellH - hh / 2}px`;
      span.style.height = `${hh}px`;
      span.style.lineHeight = `${hh}px`;
      rowLabels.append(span);
    }
    colLabels.style.width = `${L.cssW}px`;
    colLabels.style.height = L.verticalCols ? `${COL_BAND_V}px` : "20px";
    colLabels.classList.toggle("is-vertical", L.verticalCols);
    const colStep = Math.max(1, Math.ceil(LABEL_MIN / L.cellW));
    for (let j = 0; j < L.N; j += colStep) {
      const t = tokenAt(s.kTokens, j, "k");
      const max = L.verticalCols ? Math.floor((COL_BAND_V - 4) / CHAR_W) : Math.max(1, Math.floor((L.cellW - 4) / CHAR_W));
      const span = h("span", { class: "aw-hm-collabel", "data-key": j }, truncate(t, max));
      attr(span, "title", t);
      if (L.verticalCols) {
        const ww = Math.max(Math.min(L.cellW, 18), LABEL_MIN);
        span.style.left = `${(j + 0.5) * L.cellW - ww / 2}px`;
        span.style.width = `${ww}px`;
      } else {
        span.style.left = `${j * L.cellW}px`;
        span.style.width = `${L.cellW}px`;
      }
      colLabels.append(span);
    }
  }

  function drawCanvas(s: Snapshot, L: Layout): void {
    const r = s.result;
    if (!r) return;
    const w = r.weights;
    const mask = s.mask && s.mask.rows === w.rows && s.mask.cols === w.cols ? s.mask.data : null;
    maxW = 0;
    for (let k = 0; k < w.data.length; k++) {
      if (mask && !mask[k]) continue;
      if (w.data[k] > maxW) maxW = w.data[k];
    }
    const { ctx, W, H, dpr } = sizeCanvas(canvas, L.cssW, L.cssH);
    drawLegend(maxW);
    if (!ctx) return;
    const top = scaleTop(scale.mode(), maxW);
    attr(canvas, "data-scale-top", top);
    const lut = sequentialLut();
    const grid = { rows: w.rows, cols: w.cols, data: w.data, mask };
    const lines = L.cellW * dpr >= 8 && L.cellH * dpr >= 8;
    const bg = cssVar(el, "--aw-bg", "#fff");
    // One row changed (a drag, a typed edit) with the same scale, size, mask and colours:
    // repaint its pixel rows only. Small cells only (no grid lines or numbers drawn over them).
    const key = `${W}|${H}|${w.rows}|${w.cols}|${top}|${bg}`;
    const one = !lines && drawn && drawn.key === key && drawn.mask === mask ? changedRow(drawn.data, w.data, w.cols) : -2;
    if (w.data.length <= DIFF_MAX) drawn = { key, mask, data: drawn && drawn.data.length === w.data.length ? (drawn.data.set(w.data), drawn.data) : w.data.slice() };
    else drawn = null;
    if (one === -1) return; // nothing changed
    if (one >= 0) {
      paintGrid(ctx, W, H, grid, (v) => seqIndex(v, top), lut, "max", [one, one + 1]);
      return;
    }
    ctx.clearRect(0, 0, W, H);
    paintGrid(ctx, W, H, grid, (v) => seqIndex(v, top), lut, "max");
    // grid lines between cells when they are big enough to see
    if (lines) {
      ctx.strokeStyle = bg;
      ctx.lineWidth = Math.max(1, Math.round(dpr));
      ctx.beginPath();
      for (let j = 1; j < L.N; j++) {
        const x = Math.round((j * W) / L.N) + 0.5 * (ctx.lineWidth % 2);
        ctx.moveTo(x, 0);
        ctx.lineTo(x, H);
      }
      for (let i = 1; i < L.M; i++) {
        const y = Math.round((i * H) / L.M) + 0.5 * (ctx.lineWidth % 2);
        ctx.moveTo(0, y);
        ctx.lineTo(W, y);
      }
      ctx.stroke();
    }
    // numbers in big cells
    if (L.cellW >= 34 && L.cellH >= 18 && L.M * L.N <= 400) {
      ctx.font = `${Math.round(10.5 * dpr)}px ${cssVar(el, "--aw-mono", "ui-monospace, monospace")}`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      for (let i = 0; i < L.M; i++) {
        for (let j = 0; j < L.N; j++) {
          const k = i * L.N + j;
          if (mask && !mask[k]) continue;
          const v = w.data[k];
          ctx.fillStyle = lut.text(seqIndex(v, top));
          ctx.fillText(v.toFixed(2), ((j + 0.5) * W) / L.N, ((i + 0.5) * H) / L.M);
        }
      }
    }
  }

  let selKey = "";
  function drawSel(s: Snapshot, L: Layout): void {
    // unchanged selection, size and colours: the outline stays as drawn
    const k = `${s.selected}|${L.M}|${L.cssW}|${L.cssH}|${devicePixelRatioOf(over)}|${cssVar(el, "--aw-query", "")}|${cssVar(el, "--aw-bg", "")}`;
    if (k === selKey && over.width > 0) return;
    selKey = k;
    const { ctx, W, H, dpr } = sizeCanvas(over, L.cssW, L.cssH);
    if (!ctx) return;
    ctx.clearRect(0, 0, W, H);
    // the selected query's row
    if (s.selected < L.M) {
      const lw = Math.max(2, Math.round(2 * dpr));
      const y0 = Math.round((s.selected * H) / L.M);
      const y1 = Math.round(((s.selected + 1) * H) / L.M);
      // two tones: readable on the darkest and the lightest colours of the scale
      const rect = (w: number) => ctx.strokeRect(w / 2, y0 + w / 2, W - w, Math.max(w, y1 - y0 - w));
      ctx.strokeStyle = cssVar(el, "--aw-bg", "#fff");
      ctx.lineWidth = lw * 2;
      rect(lw * 2);
      ctx.strokeStyle = cssVar(el, "--aw-query", "#c2410c");
      ctx.lineWidth = lw;
      rect(lw);
    }
  }

  let legendKey = "";
  function drawLegend(max: number): void {
    const { label, ticks } = scaleLegend(scale.mode(), max);
    const k = label + "|" + ticks.join("|");
    if (k === legendKey) return;
    legendKey = k;
    fillLegend(legend, label, sequentialLut(), ticks);
  }

  function cellAt(e: MouseEvent): { row: number; col: number; x: number; y: number } | null {
    if (!layout) return null;
    const rect = canvas.getBoundingClientRect();
    if (rect.width <= 0 || rect.height <= 0) return null;
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const col = Math.floor((x / rect.width) * layout.N);
    const row = Math.floor((y / rect.height) * layout.M);
    if (row < 0 || col < 0 || row >= layout.M || col >= layout.N) return null;
    return { row, col, x, y };
  }

  function showTooltip(): void {
    const s = snap;
    if (!hover || !s || !s.result || !layout) {
      tooltip.hidden = true;
      return;
    }
    const { row, col } = hover;
    const k = row * layout.N + col;
    const masked = !!(s.mask && s.mask.rows === layout.M && s.mask.cols === layout.N && !s.mask.data[k]);
    clear(tooltip);
    const line = (label: string, value: string, field: string) =>
      h("div", { class: "aw-tt-line", "data-field": field }, h("span", { class: "aw-tt-k" }, label), h("span", { class: "aw-tt-v" }, value));
    const lines = [
      line("query", tokenAt(s.qTokens, row, "q"), "query"),
      line("key", tokenAt(s.kTokens, col, "k"), "key"),
      opts.scores === false ? null : line("score", precise(s.result.scores.data[k]), "score"),
      line("weight", precise(s.result.weights.data[k]) + (masked ? " (masked)" : ""), "weight"),
    ];
    for (const l of lines) if (l) tooltip.append(l);
    tooltip.hidden = false;
    const pw = plot.clientWidth || layout.cssW;
    const tw = tooltip.offsetWidth || 160;
    const th = tooltip.offsetHeight || 70;
    let left = hover.x + 14;
    if (left + tw > pw + 90) left = Math.max(0, hover.x - tw - 10);
    let top = hover.y + 14;
    if (top + th > layout.cssH + 40) top = Math.max(0, hover.y - th - 10);
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${top}px`;
  }

  off.push(
    listen<PointerEvent>(canvas, "pointermove", (e) => {
      hover = cellAt(e);
      showTooltip();
    }),
    listen(canvas, "pointerleave", () => {
      hover = null;
      tooltip.hidden = true;
    }),
    listen<MouseEvent>(canvas, "click", (e) => {
      const c = cellAt(e);
      if (c && e.shiftKey && opts.toggle) opts.toggle(c.row, c.col);
      else if (c) actions.select(c.row);
    }),
    listen<MouseEvent>(rowLabels, "click", (e) => {
      const t = (e.target as Element).closest("[data-query]");
      if (t) actions.select(Number(attrOf(t, "data-query")));
    }),
  );

  function render(onlySel = false): void {
    const s = snap;
    if (!s) return;
    if (onlySel && layout) {
      drawLabels(s, layout);
      drawSel(s, layout);
      return;
    }
    layout = computeLayout(s);
    if (!layout) {
      setText(noteText, "No weights to show.");
      notePreview.classList.remove("is-on");
      canvas.hidden = over.hidden = true;
      return;
    }
    canvas.hidden = over.hidden = false;
    drawLabels(s, layout);
    drawCanvas(s, layout);
    drawSel(s, layout);
    const big = layout.M > Math.floor(layout.cssH / LABEL_MIN) || layout.N > Math.floor(layout.cssW / LABEL_MIN);
    setText(noteText, `${layout.M} queries \u00d7 ${layout.N} keys` + (big ? "; each pixel shows the largest weight it covers" : ""));
    notePreview.classList.toggle("is-on", s.preview);
    if (hover) showTooltip();
  }

  const RO = (globalThis as { ResizeObserver?: typeof ResizeObserver }).ResizeObserver;
  if (RO) {
    const ro = new RO(() => {
      const w = el.clientWidth; // layout is clean in a ResizeObserver callback
      const moved = Math.abs(w - lastWidth) > 4;
      lastWidth = w;
      if (moved) render();
    });
    ro.observe(el);
    off.push(() => ro.disconnect());
  }

  return {
    el,
    deps: ["result", "tokens", "selected", "mask", "theme"] satisfies Topic[],
    update(s: Snapshot, changed: ReadonlySet<Topic>) {
      snap = s;
      render(changed.size === 1 && changed.has("selected"));
    },
    destroy: () => runAll(off),
  };
}
