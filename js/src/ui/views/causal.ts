// The causal-mask switch in the weights card: query i attends to keys 0..i only (M = N).
// Checked when the mask is exactly that; "mixed" when another mask is set (from Python, or by
// editing cells or valid lengths).

import type { Mask } from "../../core/matrix";
import type { Snapshot } from "../../live/store";
import { h, listen, setText } from "../dom";
import { runAll, type Actions, type Topic, type View } from "./view";

/** The lower-triangular mask of n queries and n keys. */
export function causalMask(n: number): Mask {
  const data = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) data.fill(1, i * n, i * n + i + 1);
  return { rows: n, cols: n, data };
}

function isCausal(m: Mask): boolean {
  if (m.rows !== m.cols) return false;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) if ((m.data[i * m.cols + j] !== 0) !== j <= i) return false;
  }
  return true;
}

export function causalView(actions: Actions): View {
  const box = h("input", { type: "checkbox", "data-role": "causal-mask" });
  const label = h("label", { class: "aw-causal" }, box, " causal mask");
  // why the switch is disabled, said beside it (not only on hover)
  const why = h("span", { class: "aw-causal-why", "data-role": "causal-why", hidden: true });
  const el = h("span", { class: "aw-causal-wrap" }, label, why);
  let checked = false;
  let seen: Mask | null = null;
  let seenCausal = false;
  const off = [
    listen(box, "change", () => {
      const s = actions.current();
      if (s.Q.rows !== s.K.rows) return;
      actions.edit({ mask: box.checked ? causalMask(s.Q.rows) : null }, { typed: true });
    }),
  ];
  return {
    el,
    deps: ["mask", "Q", "K"] satisfies Topic[],
    update(s: Snapshot) {
      const square = s.Q.rows === s.K.rows && s.Q.rows > 0;
      if (s.mask !== seen) {
        seen = s.mask; // (checked once per mask: this runs on every frame of a drag)
        seenCausal = !!s.mask && isCausal(s.mask);
      }
      const causal = seenCausal;
      const other = !!s.mask && !causal;
      if (causal !== checked || box.checked !== causal) box.checked = checked = causal;
      const title = !square
        ? `A causal mask needs as many queries as keys (here ${s.Q.rows} and ${s.K.rows}).`
        : other
          ? "Another mask is applied (from Python, cells or valid lengths); check for the causal mask, uncheck for none."
          : "Query i attends to keys 0 to i only (the masked weights are 0).";
      if (label.title !== title) label.title = title;
      const reason = square ? "" : `needs as many queries as keys (${s.Q.rows} \u2260 ${s.K.rows})`;
      if (why.textContent !== reason) setText(why, reason);
      why.hidden = square;
      if (box.disabled === square) box.disabled = !square;
      if (box.indeterminate !== other) box.indeterminate = other;
    },
    destroy: () => runAll(off),
  };
}
