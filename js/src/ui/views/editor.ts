// The query editor: one text input per entry of Q. Commit on change or Enter. The same table
// edits K and V (keysEditor.ts): `matrixEditor` with another spec.

import { cellText, fitText, tokenAt } from "../../core/format";
import { copyMatrix, type Matrix } from "../../core/matrix";
import { parseNumber } from "../../core/parse";
import type { Snapshot } from "../../live/store";
import { attr, attrOf, clear, h, listen, setText } from "../dom";
import { fieldError } from "./fieldError";
import { runAll, type Actions, type Topic, type View } from "./view";

const ROWS_MAX = 64;
const DIMS_MAX = 64;
const WINDOW_ROWS = 8; // rows of the window shown for a large Q ...
const INPUTS_MAX = 128; // ... and at most this many inputs (2 rows at d = 64)
/** Characters an input shows unfocused (its CSS width is 9ch): the full value on focus. */
const FIT = 9;

interface Cell {
  input: HTMLInputElement;
  i: number;
  j: number;
  /** The value as shown unfocused (at most FIT characters). */
  shown: string;
  /** The value as edited (6 significant digits), shown on focus. */
  full: string;
  dirty: boolean;
}

/** What a matrix editor edits: the matrix, its rows' labels, and the edit of one entry. */
export interface EditorSpec {
  /** The matrix shown. */
  matrix(s: Snapshot): Matrix;
  tokens(s: Snapshot): string[];
  /** Token prefix ("q") and the rows' name ("query", "key", "value"): labels and messages. */
  prefix: string;
  what: string;
  /** The inputs' attribute naming their row ("data-query"). */
  rowAttr: string;
  /** `next` (a copy of the matrix shown, one entry changed at row `i`) as an edit. */
  edit(next: Matrix, i: number, s: Snapshot): void;
  /** The row a window of a large matrix is centred on. */
  centre(s: Snapshot): number;
  deps: Topic[];
  /** The view's data-view (default "editor"). */
  view?: string;
}

export function editorView(actions: Actions): View {
  return matrixEditor(actions, {
    matrix: (s) => s.Q,
    tokens: (s) => s.qTokens,
    prefix: "q",
    what: "Query",
    rowAttr: "data-query",
    edit: (Q, i) => actions.edit({ Q }, { row: i, typed: true }),
    centre: (s) => s.selected,
    deps: ["Q", "tokens", "selected"],
  });
}

export function matrixEditor(actions: Actions, spec: EditorSpec): View {
  const table = h("table", { class: "aw-editor-table" });
  const more = h("p", { class: "aw-note", hidden: true });
  const win = h("p", { class: "aw-note", "data-role": "editor-window", hidden: true });
  const error = fieldError(); // a value that is not a number: said under the table
  const el = h(
    "div",
    { class: "aw-editor", "data-view": spec.view ?? "editor" },
    win,
    h("div", { class: "aw-scroll" }, table),
    error.el,
    more,
  );
  let key = "";
  let cells: Cell[] = [];
  const byInput = new Map<EventTarget, Cell>();

  function commit(c: Cell): void {
    const s = actions.current();
    const token = tokenAt(spec.tokens(s), c.i, spec.prefix);
    const r = parseNumber(c.input.value);
    if (!r.ok) {
      error.show(c.input, `${spec.what} ${token}, dim ${c.j}: ${r.reason}`);
      return;
    }
    if (error.input === c.input) error.clear();
    c.dirty = false;
    const Q = spec.matrix(s);
    if (c.i >= Q.rows || c.j >= Q.cols) return;
    const old = Q.data[c.i * Q.cols + c.j];
    if (r.value === old || c.input.value === c.shown || c.input.value === c.full) {
      // nothing changed (the text may be the rounded display of the full value)
      c.input.value = textOf(c);
      return;
    }
    const next = copyMatrix(Q);
    next.data[c.i * Q.cols + c.j] = r.value;
    spec.edit(next, c.i, s);
  }

  /** What an untouched input shows: the full value while it has the focus. */
  const textOf = (c: Cell): string => (c.input === el.ownerDocument.activeElement ? c.full : c.shown);

  const off: Array<() => void> = [
    listen(table, "input", (e) => {
      const c = byInput.get(e.target as EventTarget);
      if (c) c.dirty = true;
    }),
    listen(table, "change", (e) => {
      const c = byInput.get(e.target as EventTarget);
      if (c) commit(c);
    }),
    listen<KeyboardEvent>(table, "keydown", (e) => {
      const c = byInput.get(e.target as EventTarget);
      if (!c) return;
      if (e.key === "Enter") {
        e.preventDefault();
        commit(c);
      } else if (e.key === "Escape") {
        // revert: the value shown before, and no error about it
        c.dirty = false;
        c.input.value = textOf(c);
        if (error.input === c.input) error.clear();
      }
    }),
    // untouched, an input shows its full value while focused, a compact one otherwise
    listen(table, "focusin", (e) => {
      const c = byInput.get(e.target as EventTarget);
      if (c && !c.dirty && c.input.value === c.shown) c.input.value = c.full;
    }),
    listen(table, "focusout", (e) => {
      const c = byInput.get(e.target as EventTarget);
      if (c && !c.dirty && c.input.value === c.full) c.input.value = c.shown;
    }),
  ];

  function build(s: Snapshot, lo: number, R: number, D: number): void {
    error.clear();
    clear(table);
    cells = [];
    byInput.clear();
    const head = h("tr", undefined, h("th", { scope: "col", class: "aw-corner" }, spec.what.toLowerCase()));
    for (let j = 0; j < D; j++) head.append(h("th", { scope: "col" }, `dim ${j}`));
    const tbody = h("tbody");
    for (let i = lo; i < R; i++) {
      const token = tokenAt(spec.tokens(s), i, spec.prefix);
      const th = h("th", { scope: "row" }, token);
      attr(th, "title", token);
      const tr = h("tr", undefined, th);
      for (let j = 0; j < D; j++) {
        const input = h("input", {
          type: "text",
          inputmode: "decimal",
          autocomplete: "off",
          spellcheck: "false",
          [spec.rowAttr]: i,
          "data-dim": j,
          "aria-label": `${spec.prefix}${token} dim ${j}`,
        });
        const cell: Cell = { input, i, j, shown: "", full: "", dirty: false };
        cells.push(cell);
        byInput.set(input, cell);
        tr.append(h("td", undefined, input));
      }
      tbody.append(tr);
    }
    table.append(h("thead", undefined, head), tbody);
  }

  return {
    el,
    deps: spec.deps,
    update(s: Snapshot) {
      const M = spec.matrix(s);
      const tokens = spec.tokens(s);
      const R = Math.min(M.rows, ROWS_MAX);
      const D = Math.min(M.cols, DIMS_MAX);
      // Large Q: only a window of rows around the selected query, at most INPUTS_MAX inputs
      // (every input costs layout, paint and compositing work in each frame, even unchanged).
      let lo = 0;
      let hi = R;
      if (R * D > 256) {
        const n = Math.max(1, Math.min(WINDOW_ROWS, Math.floor(INPUTS_MAX / Math.max(1, D))));
        lo = Math.max(0, Math.min(spec.centre(s) - Math.floor((n - 1) / 2), R - n));
        hi = Math.min(R, lo + n);
      }
      win.hidden = hi - lo === R;
      setText(win, win.hidden ? "" : `showing rows ${lo}\u2013${hi - 1} of ${M.rows}; select a ${spec.what.toLowerCase()} to edit it`);
      const k = `${lo}|${hi}|${D}|` + tokens.slice(lo, hi).join("\u0000");
      if (k !== key) {
        key = k;
        build(s, lo, hi, D);
      }
      const active = el.ownerDocument.activeElement;
      for (const c of cells) {
        const v = M.data[c.i * M.cols + c.j];
        const full = cellText(v);
        if (c.input === active && c.dirty) continue;
        if (full !== c.full) {
          c.full = full;
          c.shown = fitText(v, FIT);
          c.input.value = textOf(c);
          c.input.title = String(v);
          attr(c.input, "data-value", v);
          if (error.input === c.input) error.clear(); // a new value replaces the refused text
          c.dirty = false;
        } else if (!c.dirty && c.input.value !== textOf(c) && attrOf(c.input, "aria-invalid") !== "true") {
          c.input.value = textOf(c);
        }
        c.input.closest("tr")?.classList.toggle("is-selected", c.i === spec.centre(s));
      }
      const notes: string[] = [];
      if (M.rows > ROWS_MAX) notes.push(`showing ${ROWS_MAX} of ${M.rows} rows`);
      if (M.cols > DIMS_MAX) notes.push(`showing ${DIMS_MAX} of ${M.cols} dimensions`);
      more.hidden = notes.length === 0;
      setText(more, notes.join("; "));
    },
    destroy: () => runAll(off),
  };
}
