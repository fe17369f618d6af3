// The selected query's weights under every score function at once: small multiples on one
// 0-1 scale, one row per score (SCORES order), the active one marked. The active row is the
// result shown (the kernel's, or its preview while an edit is in flight); the other rows are
// the JS engine's on the same Q, K, V, mask and temperature, each with its own parameter set.

import { attentionRows, SCORES, type ScoreName } from "../../core/engine";
import { precise, tokenAt } from "../../core/format";
import type { Snapshot } from "../../live/store";
import { attr, attrOf, clear, h, listen, setText } from "../dom";
import { SCORE_LABELS } from "./scores";
import { KEYS_ALL, TOP_KEYS, topKeys } from "./steps";
import { runAll, type Actions, type Topic, type View } from "./view";

/** The selected query's weights under each score, or why there are none. */
export type CompareRows = Record<ScoreName, Float64Array | string>;

export function compareRows(s: Snapshot): CompareRows {
  const i = s.selected;
  const rows = {} as CompareRows;
  for (const name of SCORES) {
    const r = s.result;
    if (name === s.score && r && i < r.weights.rows) {
      const N = r.weights.cols;
      rows[name] = r.weights.data.slice(i * N, (i + 1) * N);
      continue;
    }
    try {
      const input = { Q: s.Q, K: s.K, V: s.values, score: name, params: s.paramSets[name], mask: s.mask, temperature: s.temperature };
      rows[name] = attentionRows(input, [i]).weights.data;
    } catch (err) {
      rows[name] = err instanceof Error ? err.message : String(err);
    }
  }
  return rows;
}

/** The view; `note` (what is shown, the scale) goes in its card's head. */
export function compareView(actions: Actions): View & { note: HTMLElement } {
  const note = h("span", { class: "aw-cmp-note", "data-role": "compare-keys" });
  const keyLabels = h("span", { class: "aw-cmp-cells" });
  const body = h("div", { class: "aw-cmp-rows" });
  const el = h(
    "div",
    { class: "aw-compare", "data-view": "compare" },
    h("div", { class: "aw-cmp-row aw-cmp-keys", "aria-hidden": "true" }, h("span", undefined, "bars: 0 to 1"), keyLabels),
    body,
  );
  const rowEls = new Map<ScoreName, { row: HTMLElement; cells: HTMLElement }>();
  for (const name of SCORES) {
    const cells = h("span", { class: "aw-cmp-cells" });
    const row = h(
      "div",
      { class: "aw-cmp-row", role: "group", "data-compare-score": name },
      h("button", { type: "button", "aria-pressed": "false" }, SCORE_LABELS[name]),
      cells,
    );
    rowEls.set(name, { row, cells });
    body.append(row);
  }
  const off = [
    listen<MouseEvent>(body, "click", (e) => {
      const row = (e.target as Element).closest("[data-compare-score]");
      const name = row?.getAttribute("data-compare-score") as ScoreName | undefined;
      if (name && row?.getAttribute("aria-current") !== "true") actions.edit({ score: name }, { typed: true });
    }),
  ];

  function update(s: Snapshot): void {
    const rows = compareRows(s);
    const active = rows[s.score];
    const N = s.K.rows;
    // many keys: the active score's top keys (else the first ones), in key order
    const shown =
      N <= KEYS_ALL
        ? Array.from({ length: N }, (_, j) => j)
        : topKeys(typeof active === "string" ? new Float64Array(N) : active, TOP_KEYS).sort((a, b) => a - b);
    const q = tokenAt(s.qTokens, s.selected, "q");
    setText(
      note,
      `query ${q}` + (N <= KEYS_ALL ? "" : ` \u00b7 top ${TOP_KEYS} of ${N} keys by ${SCORE_LABELS[s.score]} weight`),
    );
    const labels = shown.map((j) => tokenAt(s.kTokens, j, "k"));
    const key = shown.join(",") + "|" + labels.join("\u0000"); // (a cell's name holds its token)
    if (attrOf(keyLabels, "data-keys") !== key) {
      attr(keyLabels, "data-keys", key);
      clear(keyLabels);
      for (const text of labels) keyLabels.append(h("span", { title: text }, text));
    }
    for (const name of SCORES) {
      const { row, cells } = rowEls.get(name)!;
      const w = rows[name];
      const isActive = name === s.score;
      if (isActive) attr(row, "aria-current", "true");
      else row.removeAttribute("aria-current");
      attr(row.firstElementChild!, "aria-pressed", isActive);
      attr(row, "aria-label", `${SCORE_LABELS[name]}${isActive ? " (active)" : ""}: weights of ${q}`);
      if (typeof w === "string") {
        attr(row, "title", w);
        clear(cells);
        cells.removeAttribute("data-keys");
        cells.append(h("span", { class: "aw-step-sub" }, "not defined for these inputs"));
        continue;
      }
      row.removeAttribute("title");
      if (attrOf(cells, "data-keys") !== key) {
        clear(cells);
        attr(cells, "data-keys", key);
        for (const j of shown) {
          cells.append(h("span", { class: "aw-cmp-cell", role: "img", "data-key": j }, h("span")));
        }
      }
      shown.forEach((j, k) => {
        const cell = cells.children[k] as HTMLElement;
        const v = w[j];
        const text = String(v);
        if (attrOf(cell, "data-value") === text) return;
        attr(cell, "data-value", text);
        const label = `${labels[k]}: ${precise(v)}`;
        attr(cell, "aria-label", label);
        cell.title = label;
        (cell.firstChild as HTMLElement).style.height = `${Math.min(Math.max(v, 0), 1) * 100}%`;
      });
    }
  }

  return {
    el,
    note,
    deps: ["Q", "K", "V", "tokens", "score", "params", "mask", "temperature", "result", "selected"] satisfies Topic[],
    update,
    destroy: () => runAll(off),
  };
}
