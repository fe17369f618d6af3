// The output vectors, one small bar row per query (shared scale, zero line in the middle).

import { short, tokenAt, truncate } from "../../core/format";
import type { Snapshot } from "../../live/store";
import { clear, devicePixelRatioOf, h, listen, setText } from "../dom";
import { cssVar, sizeCanvas } from "../paint";
import { runAll, type Actions, type Topic, type View } from "./view";

const ROWS_MAX = 64;
const DIMS_MAX = 64;
const ROW_H = 22;

export function outputVisualView(actions: Actions): View {
  const list = h("div", { class: "aw-ov-list" });
  const scale = h("p", { class: "aw-note" });
  const el = h("div", { class: "aw-ov", "data-view": "output-visual" }, list, scale);
  let key = "";
  // per row, the values last drawn (null: to draw); scale: what they were drawn at
  let rows: Array<{ row: HTMLElement; canvas: HTMLCanvasElement; drawn: Float64Array | null }> = [];
  let scaleKey = "";
  const off: Array<() => void> = [
    listen<MouseEvent>(list, "click", (e) => {
      const r = (e.target as Element).closest("[data-query]");
      if (r) actions.select(Number(r.getAttribute("data-query")));
    }),
  ];

  return {
    el,
    deps: ["result", "tokens", "selected", "theme"] satisfies Topic[],
    update(s: Snapshot, changed: ReadonlySet<Topic>) {
      if (changed.size === 1 && changed.has("selected") && rows.length) {
        rows.forEach((r, i) => r.row.classList.toggle("is-selected", i === s.selected));
        return;
      }
      const out = s.result?.output;
      const M = out ? Math.min(out.rows, ROWS_MAX) : 0;
      const dv = out ? Math.min(out.cols, DIMS_MAX) : 0;
      const k = `${M}|${dv}|` + s.qTokens.slice(0, M).join("\u0000");
      if (k !== key) {
        key = k;
        clear(list);
        rows = [];
        for (let i = 0; i < M; i++) {
          const t = tokenAt(s.qTokens, i, "q");
          const label = h("span", { class: "aw-ov-label" }, truncate(t, 12));
          label.setAttribute("title", t);
          const canvas = h("canvas", { class: "aw-ov-canvas", role: "img", "aria-label": `output of ${t}` });
          const row = h("div", { class: "aw-ov-row", "data-query": i }, label, canvas);
          rows.push({ row, canvas, drawn: null });
          list.appendChild(row);
        }
      }
      if (!out) return;
      let max = 0;
      for (let i = 0; i < M; i++) for (let j = 0; j < dv; j++) max = Math.max(max, Math.abs(out.data[i * out.cols + j]));
      const pos = cssVar(el, "--aw-pos", "#1c7ed6");
      const neg = cssVar(el, "--aw-neg", "#e8590c");
      const axis = cssVar(el, "--aw-border", "#ccc");
      const cw = Math.max(3, Math.min(40, Math.floor(240 / Math.max(dv, 1))));
      // only the rows whose values (or the shared scale) changed are drawn again
      const sk = `${max}|${cw}|${dv}|${pos}|${neg}|${axis}|${devicePixelRatioOf(el)}`;
      const redrawAll = sk !== scaleKey;
      scaleKey = sk;
      for (let i = 0; i < M; i++) {
        const r = rows[i];
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
      const notes = [`bars share one scale: full height = ${short(max)}`];
      if (out.rows > ROWS_MAX) notes.push(`showing ${ROWS_MAX} of ${out.rows} rows`);
      if (out.cols > DIMS_MAX) notes.push(`showing ${DIMS_MAX} of ${out.cols} dimensions`);
      setText(scale, notes.join("; "));
    },
    destroy: () => runAll(off),
  };
}
