// The three steps for the selected query: score each key, softmax, weighted sum of values.

import { short, tokenAt, truncate } from "../../core/format";
import type { Snapshot } from "../../live/store";
import { clear, h, listen, setText } from "../dom";
import { bars } from "./bars";
import { runAll, type Actions, type Topic, type View } from "./view";

/** Above this many queries the picker is a number input (a <select> lays out every option). */
export const SELECT_MAX = 200;

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
        if (m === "select") el.appendChild(select);
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
        if (token.getAttribute("title") !== t) token.setAttribute("title", t);
        return;
      }
      const k = s.qTokens.join("\u0000") + "|" + rows;
      if (k !== key) {
        key = k;
        clear(select);
        for (let i = 0; i < rows; i++) {
          const t = tokenAt(s.qTokens, i, "q");
          select.appendChild(h("option", { value: i }, `${i}: ${truncate(t, 40)}`));
        }
      }
      if (select.value !== String(s.selected)) select.value = String(s.selected);
    },
    destroy: () => runAll(off),
  };
}

export function stepsView(actions: Actions): View {
  const select = querySelect(actions);
  const scoreBars = bars("score");
  const weightBars = bars("weight");
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
  const el = h(
    "div",
    { class: "aw-steps", "data-view": "steps" },
    h("div", { class: "aw-steps-head" }, h("label", undefined, "Query ", select.el)),
    h(
      "div",
      { class: "aw-steps-body" },
      group("1", "score", scoreSub, scoreBars.el, "score"),
      group("2", "softmax", tNote, weightBars.el, "softmax"),
      group("3", "weighted sum", h("span", { class: "aw-step-sub" }, "output = \u03a3\u1d62 \u03b1\u1d62 v\u1d62"), outBars.el, "sum"),
    ),
  );
  const off: Array<() => void> = [select.destroy, scoreBars.destroy, weightBars.destroy, outBars.destroy];

  return {
    el,
    deps: ["result", "selected", "tokens", "temperature", "Q", "score", "mask", "theme"] satisfies Topic[],
    update(s: Snapshot) {
      select.update(s);
      const r = s.result;
      setText(scoreSub, `score(q, k\u1d62) for each key`);
      setText(tNote, `\u03b1\u1d62 = exp(s\u1d62/T) / \u03a3\u2c7c exp(s\u2c7c/T), T = ${short(s.temperature, 4)}`);
      if (!r || s.selected >= r.weights.rows) {
        scoreBars.update([], []);
        weightBars.update([], []);
        outBars.update([], []);
        return;
      }
      const i = s.selected;
      const N = r.weights.cols;
      const keys = Array.from({ length: N }, (_, j) => tokenAt(s.kTokens, j, "k"));
      const sc = r.scores.data.subarray(i * N, (i + 1) * N);
      const wt = r.weights.data.subarray(i * N, (i + 1) * N);
      const masked = s.mask && s.mask.rows === r.weights.rows && s.mask.cols === N
        ? Array.from(s.mask.data.subarray(i * N, (i + 1) * N), (x) => !x)
        : undefined;
      scoreBars.update(keys, sc, { dim: masked });
      weightBars.update(keys, wt, { domain: [0, 1], digits: 3, dim: masked });
      const dv = r.output.cols;
      const out = r.output.data.subarray(i * dv, (i + 1) * dv);
      outBars.update(Array.from({ length: dv }, (_, j) => String(j)), out);
    },
    destroy: () => runAll(off),
  };
}
