// The three steps for the selected query: score each key, softmax, weighted sum of values.

import { short, tokenAt, truncate } from "../../core/format";
import type { Snapshot } from "../../live/store";
import { attr, attrOf, clear, h, listen, setText } from "../dom";
import { bars } from "./bars";
import { runAll, type Actions, type Topic, type View } from "./view";

/** Above this many queries the picker is a number input (a <select> lays out every option). */
export const SELECT_MAX = 200;
/** Up to this many keys, the bars show every key in key order; above, the top TOP_KEYS. */
export const KEYS_ALL = 16;
export const TOP_KEYS = 12;
/** Keys listed at most by "show all" (one canvas of bars: 19 px a key). */
export const KEYS_LIST_MAX = 512;

/** The indices of the `k` largest weights, largest first (ties: the lower index first). */
export function topKeys(weights: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: weights.length }, (_, j) => j);
  const w = (j: number) => (Number.isFinite(weights[j]) ? weights[j] : -Infinity);
  idx.sort((a, b) => w(b) - w(a) || a - b);
  return idx.slice(0, k);
}

/**
 * The query picker: a <select> of every query, or above SELECT_MAX queries a number input
 * (commit on change or Enter) with the selected query's token shown beside it.
 */
export function querySelect(actions: Actions): { el: HTMLElement; update(s: Snapshot): void; destroy(): void } {
  const select = h("select", { "data-role": "query-select", "aria-label": "Query whose steps are shown" });
  const input = h("input", {
    type: "number",
    min: 0,
    step: 1,
    "data-role": "query-number",
    "aria-label": "Query whose steps are shown (index)",
  });
  const token = h("span", { class: "aw-query-token", "data-role": "query-token" });
  const el = h("span", { class: "aw-query-pick" });
  let key = "";
  let mode: "select" | "number" | "" = "";
  let rows = 0;
  const pick = (text: string) => {
    const i = Number(text);
    if (text.trim() !== "" && Number.isInteger(i) && i >= 0 && i < rows) actions.select(i);
    else input.value = String(actions.current().selected);
  };
  const off = [
    listen(select, "change", () => actions.select(Number(select.value))),
    listen(input, "change", () => pick(input.value)),
    listen<KeyboardEvent>(input, "keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        pick(input.value);
      }
    }),
  ];
  return {
    el,
    update(s) {
      rows = s.Q.rows;
      const m = rows > SELECT_MAX ? "number" : "select";
      if (m !== mode) {
        mode = m;
        key = "";
        clear(el);
        if (m === "select") el.append(select);
        else el.append(input, token);
      }
      if (m === "number") {
        clear(select);
        const max = String(rows - 1);
        if (input.max !== max) input.max = max;
        const v = String(s.selected);
        if (input.value !== v && el.ownerDocument.activeElement !== input) input.value = v;
        const t = tokenAt(s.qTokens, s.selected, "q");
        setText(token, truncate(t, 40));
        if (attrOf(token, "title") !== t) attr(token, "title", t);
        return;
      }
      const k = s.qTokens.join("\u0000") + "|" + rows;
      if (k !== key) {
        key = k;
        clear(select);
        for (let i = 0; i < rows; i++) {
          const t = tokenAt(s.qTokens, i, "q");
          select.append(h("option", { value: i }, `${i}: ${truncate(t, 40)}`));
        }
      }
      if (select.value !== String(s.selected)) select.value = String(s.selected);
    },
    destroy: () => runAll(off),
  };
}

export function stepsView(actions: Actions): View {
  const select = querySelect(actions);
  const scoreBars = bars("score", KEYS_LIST_MAX);
  const weightBars = bars("weight", KEYS_LIST_MAX);
  const outBars = bars("output");
  const tNote = h("span", { class: "aw-step-sub" });
  const scoreSub = h("span", { class: "aw-step-sub" });
  const group = (n: string, title: string, sub: HTMLElement, b: HTMLElement, role: string) =>
    h(
      "div",
      { class: "aw-step", "data-step": role },
      h("h4", undefined, h("span", { class: "aw-step-n" }, n), " ", title),
      sub,
      b,
    );
  // Many keys: the top ones by weight, or (a button) all of them in key order.
  let allKeys = false;
  const keysNote = h("span", { class: "aw-keys-note", "data-role": "keys-shown" });
  const keysButton = h("button", { type: "button", "data-role": "keys-toggle" });
  const keys = h("span", { class: "aw-keys", hidden: true }, keysNote, keysButton);
  const el = h(
    "div",
    { class: "aw-steps", "data-view": "steps" },
    h("div", { class: "aw-steps-head" }, h("label", undefined, "Query ", select.el), keys),
    h(
      "div",
      { class: "aw-steps-body" },
      group("1", "score", scoreSub, scoreBars.el, "score"),
      group("2", "softmax", tNote, weightBars.el, "softmax"),
      group("3", "weighted sum", h("span", { class: "aw-step-sub" }, "output = \u03a3\u1d62 \u03b1\u1d62 v\u1d62"), outBars.el, "sum"),
    ),
  );
  const off: Array<() => void> = [
    select.destroy,
    scoreBars.destroy,
    weightBars.destroy,
    outBars.destroy,
    listen(keysButton, "click", () => {
      allKeys = !allKeys;
      paint(actions.current());
    }),
  ];

  function paint(s: Snapshot): void {
    select.update(s);
    const r = s.result;
    setText(scoreSub, `score(q, k\u1d62) for each key`);
    setText(tNote, `\u03b1\u1d62 = exp(s\u1d62/T) / \u03a3\u2c7c exp(s\u2c7c/T), T = ${short(s.temperature, 4)}`);
    if (!r || s.selected >= r.weights.rows) {
      keys.hidden = true;
      scoreBars.update([], []);
      weightBars.update([], []);
      outBars.update([], []);
      return;
    }
    const i = s.selected;
    const N = r.weights.cols;
    const sc = r.scores.data.subarray(i * N, (i + 1) * N);
    const wt = r.weights.data.subarray(i * N, (i + 1) * N);
    const maskRow = s.mask && s.mask.rows === r.weights.rows && s.mask.cols === N ? s.mask.data.subarray(i * N, (i + 1) * N) : null;
    // which keys, in which order
    const many = N > KEYS_ALL;
    const shown = !many ? null : allKeys ? Array.from({ length: Math.min(N, KEYS_LIST_MAX) }, (_, j) => j) : topKeys(wt, TOP_KEYS);
    keys.hidden = !many;
    if (many) {
      const listed = Math.min(N, KEYS_LIST_MAX);
      const all = listed === N ? `all ${N} keys` : `the first ${listed} of ${N} keys`;
      setText(keysNote, allKeys ? `${all}, in key order` : `top ${TOP_KEYS} of ${N} keys by weight`);
      setText(keysButton, allKeys ? `show the top ${TOP_KEYS}` : `show ${all}`);
      attr(keys, "data-shown", allKeys ? "all" : "top");
    }
    const pick = <T,>(f: (j: number) => T): T[] => (shown ? shown.map(f) : Array.from({ length: N }, (_, j) => f(j)));
    const labels = pick((j) => tokenAt(s.kTokens, j, "k"));
    const masked = maskRow ? pick((j) => !maskRow[j]) : undefined;
    let lo = 0;
    let hi = 0;
    for (const v of sc) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const opts = { dim: masked, keys: shown ?? undefined };
    scoreBars.update(labels, pick((j) => sc[j]), { ...opts, domain: [lo, hi] });
    weightBars.update(labels, pick((j) => wt[j]), { ...opts, domain: [0, 1], digits: 3 });
    const dv = r.output.cols;
    const out = r.output.data.subarray(i * dv, (i + 1) * dv);
    outBars.update(Array.from({ length: dv }, (_, j) => String(j)), out);
  }

  return {
    el,
    deps: ["result", "selected", "tokens", "temperature", "Q", "score", "mask", "theme"] satisfies Topic[],
    update: paint,
    destroy: () => runAll(off),
  };
}
