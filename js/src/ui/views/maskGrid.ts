// The weights table as a grid that edits the mask: role=grid with a roving tabindex (arrows,
// Home and End move), a cell toggles its mask bit on click, Space or Enter; masked cells carry
// data-masked="true" and say "masked" in their accessible name. Rows with no key left are named
// in a note (the engine gives them zero weights and a zero output).

import { tokenAt } from "../../core/format";
import type { Snapshot } from "../../live/store";
import { attr, attrOf, h, listen, setText } from "../dom";
import { isMasked, toggleMask } from "./maskEdit";
import { runAll, type Actions } from "./view";

/** What the grid needs of a number table (tables.ts's NumberTable). */
interface GridTable {
  table: HTMLTableElement;
  cell(i: number, j: number): HTMLTableCellElement | undefined;
  shown(): [number, number];
}

const MOVES: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

export function maskGrid(t: GridTable, actions: Actions): { note: HTMLElement; update(s: Snapshot, M: number, N: number): void; destroy(): void } {
  attr(t.table, "role", "grid");
  const note = h("p", { class: "aw-note", "data-role": "masked-rows", hidden: true });
  let at: [number, number] = [0, 0]; // the cell in the tab order
  let first: Element | undefined;

  const indexOf = (e: Event): [number, number] | null => {
    const td = (e.target as Element).closest?.("td[data-query]");
    return td ? [Number(attrOf(td, "data-query")), Number(attrOf(td, "data-key"))] : null;
  };
  function moveTo(i: number, j: number, focus: boolean): void {
    const [R, C] = t.shown();
    const next = t.cell(Math.max(0, Math.min(R - 1, i)), Math.max(0, Math.min(C - 1, j)));
    if (!next) return;
    t.cell(...at)?.setAttribute("tabindex", "-1");
    at = [Number(attrOf(next, "data-query")), Number(attrOf(next, "data-key"))];
    attr(next, "tabindex", "0");
    if (focus) next.focus();
  }
  const off = [
    listen<MouseEvent>(t.table, "click", (e) => {
      const c = indexOf(e);
      if (!c) return;
      moveTo(c[0], c[1], true);
      toggleMask(actions, c[0], c[1]);
    }),
    listen<KeyboardEvent>(t.table, "keydown", (e) => {
      const c = indexOf(e);
      if (!c || e.altKey || e.ctrlKey || e.metaKey) return;
      const d = MOVES[e.key];
      if (d) moveTo(c[0] + d[0], c[1] + d[1], true);
      else if (e.key === "Home" || e.key === "End") moveTo(c[0], e.key === "Home" ? 0 : t.shown()[1] - 1, true);
      else if (e.key === " " || e.key === "Enter") toggleMask(actions, c[0], c[1]);
      else return;
      e.preventDefault();
    }),
  ];

  return {
    note,
    update(s, M, N) {
      const [R, C] = t.shown();
      const mask = s.mask;
      if (t.cell(0, 0) !== first) {
        first = t.cell(0, 0); // (the table was built anew: every cell out of the tab order)
        for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) t.cell(i, j)!.setAttribute("tabindex", "-1");
        moveTo(at[0], at[1], false);
      }
      const empty: string[] = [];
      for (let i = 0; i < R; i++) {
        let any = false;
        for (let j = 0; j < C; j++) {
          const td = t.cell(i, j)!;
          const masked = isMasked(mask, M, N, i, j);
          any ||= !masked;
          if ((attrOf(td, "data-masked") === "true") !== masked) {
            if (masked) attr(td, "data-masked", "true");
            else td.removeAttribute("data-masked");
          }
          const label = masked ? `${td.textContent}, masked` : null;
          if (attrOf(td, "aria-label") !== label) {
            if (label) attr(td, "aria-label", label);
            else td.removeAttribute("aria-label");
          }
        }
        if (!any && C === N) empty.push(tokenAt(s.qTokens, i, "q"));
      }
      note.hidden = empty.length === 0;
      setText(note, empty.length ? `Every key is masked for ${empty.join(", ")}: the weights and the output of that query are 0.` : "");
    },
    destroy: () => runAll(off),
  };
}
