// The output vectors, one small bar row per query (shared scale, zero line in the middle).
// Many queries: the selected query's row and a strip of every output (a row of colours per
// query, click to select), or, at the press of a button, every row listed.

import { short, tokenAt, truncate } from "../../core/format";
import type { Matrix } from "../../core/matrix";
import type { Snapshot } from "../../live/store";
import { attr, attrOf, clear, devicePixelRatioOf, h, listen, setText } from "../dom";
import { divergingLut, divIndex } from "../lut";
import { cssVar, paintGrid, sizeCanvas } from "../paint";
import { runAll, type Actions, type Topic, type View } from "./view";

/** Up to this many queries every row is listed; above, the selected one and the strip. */
export const OUTPUTS_ALL = 16;
const ROWS_MAX = 64;
const DIMS_MAX = 64;
const ROW_H = 22;
/** The strip: 1 to 6 CSS px a query, at most STRIP_H tall (more queries share a pixel row). */
const STRIP_H = 160;

interface Row {
  q: number;
  row: HTMLElement;
  canvas: HTMLCanvasElement;
  drawn: Float64Array | null;
}

export function outputVisualView(actions: Actions): View {
  const list = h("div", { class: "aw-ov-list" });
  const strip = h("canvas", {
    class: "aw-ov-canvas",
    "data-role": "outputs-strip",
    role: "img",
    "aria-label": "every query's output: one row per query, blue positive, red negative",
  });
  const stripSel = h("div", { class: "aw-ov-strip-sel", "aria-hidden": "true" });
  const stripLabel = h("span", { class: "aw-ov-label" });
  const stripRow = h(
    "div",
    { class: "aw-ov-row aw-ov-strip", hidden: true },
    stripLabel,
    h("div", { class: "aw-ov-strip-plot" }, strip, stripSel),
  );
  const scale = h("span");
  const toggle = h("button", { type: "button", "data-role": "outputs-toggle", hidden: true });
  const el = h("div", { class: "aw-ov", "data-view": "output-visual" }, list, stripRow, h("p", { class: "aw-note aw-ov-foot" }, scale, toggle));
  let listAll = false;
  let key = "";
  // the rows listed (their values last drawn, null: to draw); scaleKey: what they were drawn at
  let rows: Row[] = [];
  let scaleKey = "";
  let stripKey = "";
  let stripVals: Float64Array | null = null;
  let stripRows = 0;
  let last: Snapshot | null = null;
  const off: Array<() => void> = [
    listen<MouseEvent>(list, "click", (e) => {
      const r = (e.target as Element).closest("[data-query]");
      if (r) actions.select(Number(attrOf(r, "data-query")));
    }),
    listen<MouseEvent>(strip, "click", (e) => {
      const b = strip.getBoundingClientRect();
      if (b.height > 0 && stripRows > 0) actions.select(Math.min(stripRows - 1, Math.floor(((e.clientY - b.top) / b.height) * stripRows)));
    }),
    listen(toggle, "click", () => {
      listAll = !listAll;
      if (last) update(last, new Set<Topic>(["result"]));
    }),
  ];

  function drawStrip(out: Matrix, dv: number, cw: number, max: number, selected: number): void {
    const M = out.rows;
    const rowPx = Math.max(1, Math.min(6, Math.floor(STRIP_H / M)));
    const cssH = Math.min(M * rowPx, STRIP_H);
    stripRows = M;
    // a mark beside the selected query's row
    const mark = Math.max(5, cssH / M);
    stripSel.style.top = `${((selected + 0.5) * cssH) / M - mark / 2}px`;
    stripSel.style.height = `${mark}px`;
    const { ctx, W, H } = sizeCanvas(strip, cw * dv, cssH);
    if (!ctx) return;
    // (the same values at the same size and scale: as drawn)
    const k = `${W}|${H}|${max}|${dv}`;
    if (k === stripKey && stripVals && stripVals.length === out.data.length && stripVals.every((v, i) => v === out.data[i])) return;
    stripKey = k;
    stripVals = out.data.slice();
    const data = dv === out.cols ? out.data : Float64Array.from({ length: M * dv }, (_, i) => out.data[Math.floor(i / dv) * out.cols + (i % dv)]);
    // blue positive, red negative, as the bars (the diverging scale runs the other way)
    paintGrid(ctx, W, H, { rows: M, cols: dv, data }, (v) => divIndex(-v, max), divergingLut(), "absmax");
  }

  function update(s: Snapshot, changed: ReadonlySet<Topic>): void {
    last = s;
    const out = s.result?.output;
    const M = out ? out.rows : 0;
    const many = M > OUTPUTS_ALL;
    const compact = many && !listAll;
    if (changed.size === 1 && changed.has("selected") && rows.length && !compact) {
      for (const r of rows) r.row.classList.toggle("is-selected", r.q === s.selected);
      return;
    }
    const dv = out ? Math.min(out.cols, DIMS_MAX) : 0;
    const wanted = compact ? [Math.min(s.selected, M - 1)] : Array.from({ length: Math.min(M, ROWS_MAX) }, (_, i) => i);
    const k = `${dv}|${wanted.join(",")}|` + wanted.map((i) => s.qTokens[i] ?? "").join("\u0000");
    if (k !== key) {
      key = k;
      clear(list);
      rows = [];
      for (const q of wanted) {
        const t = tokenAt(s.qTokens, q, "q");
        const label = h("span", { class: "aw-ov-label" }, truncate(t, 12));
        attr(label, "title", t);
        const canvas = h("canvas", { class: "aw-ov-canvas", role: "img", "aria-label": `output of ${t}` });
        const row = h("div", { class: "aw-ov-row", "data-query": q }, label, canvas);
        rows.push({ q, row, canvas, drawn: null });
        list.append(row);
      }
    }
    stripRow.hidden = !compact;
    toggle.hidden = !many;
    if (many) setText(toggle, listAll ? "show the selected one and a strip of all" : M <= ROWS_MAX ? `list all ${M} outputs` : `list the first ${ROWS_MAX} of ${M}`);
    if (!out) return;
    let max = 0;
    for (let i = 0; i < out.rows; i++) for (let j = 0; j < dv; j++) max = Math.max(max, Math.abs(out.data[i * out.cols + j]));
    const pos = cssVar(el, "--aw-pos", "#1c7ed6");
    const neg = cssVar(el, "--aw-neg", "#e8590c");
    const axis = cssVar(el, "--aw-border", "#ccc");
    const cw = Math.max(3, Math.min(40, Math.floor(240 / Math.max(dv, 1))));
    // only the rows whose values (or the shared scale) changed are drawn again
    const sk = `${max}|${cw}|${dv}|${pos}|${neg}|${axis}|${devicePixelRatioOf(el)}`;
    const redrawAll = sk !== scaleKey;
    scaleKey = sk;
    for (const r of rows) {
      const i = r.q;
      r.row.classList.toggle("is-selected", i === s.selected);
      const vals = out.data.subarray(i * out.cols, i * out.cols + dv);
      if (!redrawAll && r.drawn && r.drawn.every((v, j) => v === vals[j])) continue;
      r.drawn = vals.slice();
      const { ctx, W, H, dpr } = sizeCanvas(r.canvas, cw * dv, ROW_H);
      if (!ctx) continue;
      ctx.clearRect(0, 0, W, H);
      const mid = H / 2;
      ctx.fillStyle = axis;
      ctx.fillRect(0, Math.round(mid), W, Math.max(1, Math.round(dpr / 2)));
      for (let j = 0; j < dv; j++) {
        const v = vals[j];
        const hgt = max > 0 ? (Math.abs(v) / max) * (mid - dpr) : 0;
        ctx.fillStyle = v < 0 ? neg : pos;
        const x = j * cw * dpr + dpr;
        const w = Math.max(1, cw * dpr - 2 * dpr);
        if (v >= 0) ctx.fillRect(x, mid - hgt, w, hgt);
        else ctx.fillRect(x, mid, w, hgt);
      }
    }
    if (compact) {
      setText(stripLabel, `all ${M}`);
      drawStrip(out, dv, cw, max, s.selected);
    }
    const notes = [`bars share one scale: full height = ${short(max)}`];
    if (compact) notes.push("the strip: one row per query (click to select), blue +, red \u2212");
    else if (M > ROWS_MAX) notes.push(`showing ${ROWS_MAX} of ${M} rows`);
    if (out.cols > DIMS_MAX) notes.push(`showing ${DIMS_MAX} of ${out.cols} dimensions`);
    setText(scale, notes.join("; ") + (many ? " " : ""));
  }

  return {
    el,
    deps: ["result", "tokens", "selected", "theme"] satisfies Topic[],
    update,
    destroy: () => runAll(off),
  };
}
