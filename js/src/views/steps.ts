// The three steps for the selected query: score each key, softmax, weighted sum of values.

import { clear, h, listen, setText } from "../dom";
import { short, tokenAt, truncate } from "../format";
import type { Snapshot } from "../store";
import { bars } from "./bars";
import { runAll, type Actions, type Topic, type View } from "./view";

export function querySelect(actions: Actions): { el: HTMLSelectElement; update(s: Snapshot): void; destroy(): void } {
  const el = h("select", { "data-role": "query-select", "aria-label": "Query whose steps are shown" });
  let key = "";
  const off = listen(el, "change", () => actions.select(Number(el.value)));
  return {
    el,
    update(s) {
      const k = s.qTokens.join("\u0000") + "|" + s.Q.rows;
      if (k !== key) {
        key = k;
        clear(el);
        for (let i = 0; i < s.Q.rows; i++) {
          const t = tokenAt(s.qTokens, i, "q");
          el.appendChild(h("option", { value: i }, `${i}: ${truncate(t, 40)}`));
        }
      }
      if (el.value !== String(s.selected)) el.value = String(s.selected);
    },
    destroy: off,
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
  const off: Array<() => void> = [select.destroy];

  return {
    el,
    deps: ["result", "selected", "tokens", "temperature", "Q", "score", "mask"] satisfies Topic[],
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
