// The score-function toggle and the active formula.

import { SCORES, type ScoreName } from "../../core/engine";
import type { Snapshot } from "../../live/store";
import { attr, attrOf, clear, h, listen } from "../dom";
import { FORMULA_TEXT, formulaFor } from "./formula";
import { runAll, type Actions, type Topic, type View } from "./view";

export const SCORE_LABELS: Record<ScoreName, string> = {
  dot: "dot",
  general: "general",
  scaled_dot: "scaled dot",
  concat: "concat",
  additive: "additive",
};

export function scoreView(actions: Actions): View {
  const off: Array<() => void> = [];
  const group = h("div", { class: "aw-toggle", role: "group", "aria-label": "Score function" });
  const buttons = new Map<ScoreName, HTMLButtonElement>();
  for (const name of SCORES) {
    const b = h("button", { type: "button", "data-score": name, "aria-pressed": "false" }, SCORE_LABELS[name]);
    off.push(listen(b, "click", () => {
      if (attrOf(b, "aria-pressed") !== "true") actions.edit({ score: name }, { typed: true });
    }));
    buttons.set(name, b);
    group.append(b);
  }
  const formula = h("div", { class: "aw-formula", "data-role": "formula" });
  const el = h("div", { class: "aw-scores" }, group, formula);
  let shown: ScoreName | null = null;

  return {
    el,
    deps: ["score"] satisfies Topic[],
    update(s: Snapshot) {
      for (const [name, b] of buttons) attr(b, "aria-pressed", name === s.score);
      if (shown !== s.score) {
        shown = s.score;
        clear(formula);
        attr(formula, "aria-label", FORMULA_TEXT[s.score]);
        attr(formula, "data-score", s.score);
        formula.append(formulaFor(s.score));
      }
    },
    destroy: () => runAll(off),
  };
}
