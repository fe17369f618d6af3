// Per-query valid lengths (d2l's valid_lens, padding) beside the causal switch, in a small
// closed section: input[data-valid-len=i] shows how many keys query i sees when they are the
// first ones (empty, "mixed", when its row of the mask is not a prefix) and sets that row.

import { tokenAt } from "../../core/format";
import type { Snapshot } from "../../live/store";
import { attrOf, clear, h, listen } from "../dom";
import { fieldError } from "./fieldError";
import { setValidLen, validLen } from "./maskEdit";
import { TABLE_MAX } from "./tables";
import { runAll, type Actions, type Topic, type View } from "./view";

export function validLensView(actions: Actions): View {
  const list = h("div", { class: "aw-valid-lens" });
  const error = fieldError();
  const el = h(
    "details",
    { class: "aw-valid-lens-box", "data-role": "valid-lens" },
    h("summary", { title: "Query i attends to keys 0 to length - 1 only (the rest is padding)" }, "valid lengths"),
    list,
    error.el,
  );
  let inputs: HTMLInputElement[] = [];
  let shape = "";
  let seen: Snapshot["mask"] | undefined;

  const off = [
    listen(list, "input", (e) => {
      const input = e.target as HTMLInputElement;
      const i = Number(attrOf(input, "data-valid-len"));
      const s = actions.current();
      const n = s.K.rows;
      const text = input.value.trim();
      const len = Number(text);
      if (text === "") return error.clear(); // (nothing to set yet)
      if (!/^\d+$/.test(text) || len > n) {
        const why = /^-?\d+$/.test(text) ? "out of range" : "not a whole number";
        return error.show(input, `valid length of ${tokenAt(s.qTokens, i, "q")}: ${why}, must be 0 to ${n} (keys), got "${text.slice(0, 20)}"`);
      }
      error.clear();
      setValidLen(actions, i, len);
    }),
  ];

  return {
    el,
    deps: ["mask", "Q", "K", "tokens"] satisfies Topic[],
    update(s: Snapshot) {
      const M = Math.min(s.Q.rows, TABLE_MAX);
      const N = s.K.rows;
      const key = `${M}|${N}|${s.qTokens.slice(0, M).join("\u0000")}`;
      if (key === shape && s.mask === seen) return; // (every frame of a drag comes here)
      if (key !== shape) {
        shape = key;
        error.clear();
        clear(list);
        inputs = [];
        for (let i = 0; i < M; i++) {
          const t = tokenAt(s.qTokens, i, "q");
          const input = h("input", { type: "text", inputmode: "numeric", size: 3, "data-valid-len": i, "aria-label": `valid length of ${t}`, placeholder: "mixed" });
          inputs.push(input);
          list.append(h("label", { title: t }, h("span", undefined, t), input));
        }
        if (s.Q.rows > M) list.append(h("span", { class: "aw-note" }, `first ${M} of ${s.Q.rows} queries`));
      }
      seen = s.mask;
      inputs.forEach((input, i) => {
        if (input === error.input) return; // (the user's bad value stays until corrected)
        const len = validLen(s.mask, i, N);
        const v = len < 0 ? "" : String(len);
        if (input.value !== v && !(document.activeElement === input && Number(input.value) === len)) input.value = v;
      });
    },
    destroy: () => runAll(off),
  };
}
