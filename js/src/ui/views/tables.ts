// The numbers: weights (queries x keys) and output (queries x d_v) as tables.

import { tokenAt } from "../../core/format";
import type { Matrix } from "../../core/matrix";
import type { Snapshot } from "../../live/store";
import { attr, attrOf, clear, h, listen, setText } from "../dom";
import { maskGrid } from "./maskGrid";
import { runAll, type Actions, type Topic, type View } from "./view";

export const TABLE_MAX = 64;

export interface NumberTable {
  el: HTMLElement;
  /** The table's caption (its text may be changed). */
  caption: HTMLElement;
  table: HTMLTableElement;
  /** The td of row i, column j (undefined when not shown). */
  cell(i: number, j: number): HTMLTableCellElement | undefined;
  /** Rows and columns shown. */
  shown(): [number, number];
  update(m: Matrix | null, rowLabels: string[], colLabels: string[], digits: number): void;
}

/**
 * A table of `m` (at most TABLE_MAX x TABLE_MAX shown): th = labels as text, td[data-value] =
 * the full-precision number, text = toFixed(digits); [data-role="truncated"] says what is cut.
 * `keyed`: each td carries data-query=i and data-key=j (the weights of queries and keys).
 */
export function numberTable(view: string, caption: string, what: [string, string], keyed = false): NumberTable {
  const table = h("table", { class: "aw-table", "data-view": view });
  const cap = h("caption", undefined, caption);
  const thead = h("thead");
  const tbody = h("tbody");
  table.append(cap, thead, tbody);
  const more = h("p", { class: "aw-note", "data-role": "truncated", hidden: true });
  const el = h("div", { class: "aw-table-wrap" }, h("div", { class: "aw-scroll" }, table), more);
  let shapeKey = "";
  let cells: HTMLTableCellElement[] = [];

  let R = 0;
  let C = 0;
  return {
    el,
    caption: cap,
    table,
    cell: (i, j) => (i < R && j < C ? cells[i * C + j] : undefined),
    shown: () => [R, C],
    update(m, rowLabels, colLabels, digits) {
      R = m ? Math.min(m.rows, TABLE_MAX) : 0;
      C = m ? Math.min(m.cols, TABLE_MAX) : 0;
      const key = [R, C, rowLabels.slice(0, R).join("\u0000"), colLabels.slice(0, C).join("\u0000")].join("|");
      if (key !== shapeKey) {
        shapeKey = key;
        clear(thead);
        clear(tbody);
        cells = [];
        const hr = h("tr", undefined, h("th", { scope: "col", class: "aw-corner" }));
        for (let j = 0; j < C; j++) hr.append(h("th", { scope: "col", title: colLabels[j] }, colLabels[j]));
        thead.append(hr);
        for (let i = 0; i < R; i++) {
          const tr = h("tr", undefined, h("th", { scope: "row", title: rowLabels[i] }, rowLabels[i]));
          for (let j = 0; j < C; j++) {
            const td = h("td", keyed ? { "data-query": i, "data-key": j } : undefined);
            cells.push(td);
            tr.append(td);
          }
          tbody.append(tr);
        }
      }
      if (m) {
        for (let i = 0; i < R; i++) {
          for (let j = 0; j < C; j++) {
            const v = m.data[i * m.cols + j];
            const td = cells[i * C + j];
            const dv = String(v);
            if (attrOf(td, "data-value") !== dv) {
              attr(td, "data-value", dv);
              setText(td, v.toFixed(digits));
            }
          }
        }
      }
      const parts: string[] = [];
      if (m && m.rows > TABLE_MAX) parts.push(`showing ${TABLE_MAX} of ${m.rows} rows (${what[0]})`);
      if (m && m.cols > TABLE_MAX) parts.push(`showing ${TABLE_MAX} of ${m.cols} columns (${what[1]})`);
      more.hidden = parts.length === 0;
      setText(more, parts.length ? parts.join("; ") + "." : "");
    },
  };
}

export function tablesView(actions: Actions): View {
  const weights = numberTable("weights", "Weights \u03b1 (query \u00d7 key): click a cell or press Space to mask or unmask it", ["queries", "keys"], true);
  const grid = maskGrid(weights, actions);
  const output = numberTable("output", "Output (query \u00d7 dim of v)", ["queries", "dimensions"]);
  const body = h("div", { class: "aw-numbers-body" }, h("div", { class: "aw-weights-wrap" }, weights.el, grid.note), output.el);
  const el = h("details", { class: "aw-numbers", open: true }, h("summary", undefined, "Numbers"), body);
  // Small results: open and always current. Larger: closed at first, filled only while open.
  let big = false;
  let last: Snapshot | null = null;
  let stale = false;
  const off = [
    grid.destroy,
    listen(el, "toggle", () => {
      if (el.open && stale && last) fill(last);
    }),
  ];
  function fill(s: Snapshot): void {
    stale = false;
    const r = s.result;
      const M = r ? r.weights.rows : 0;
      const qt = Array.from({ length: Math.min(M, TABLE_MAX) }, (_, i) => tokenAt(s.qTokens, i, "q"));
      const N = r ? r.weights.cols : 0;
      const kt = Array.from({ length: Math.min(N, TABLE_MAX) }, (_, j) => tokenAt(s.kTokens, j, "k"));
      const dv = r ? r.output.cols : 0;
      const dims = Array.from({ length: Math.min(dv, TABLE_MAX) }, (_, j) => String(j));
      weights.update(r ? r.weights : null, qt, kt, 3);
      output.update(r ? r.output : null, qt, dims, 3);
      grid.update(s, M, N);
  }
  return {
    el,
    deps: ["result", "tokens", "mask"] satisfies Topic[],
    update(s: Snapshot) {
      const r = s.result;
      const b = !!r && r.weights.rows * r.weights.cols > 256;
      if (b !== big) el.open = !(big = b);
      last = s;
      stale = true;
      if (el.open) fill(s);
    },
    destroy: () => runAll(off),
  };
}
