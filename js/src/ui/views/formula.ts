// The active score function as native MathML.

import type { ScoreName } from "../../core/engine";
import { m } from "../dom";

// bold vectors and matrices (MathML Core has no mathvariant="bold": the CSS does it)
const B = { class: "aw-b" };
const mi = (x: string, attrs?: Record<string, string>) => m("mi", attrs, x);
const mo = (x: string) => m("mo", undefined, x);
const sup = (base: Element, e: Element) => m("msup", undefined, base, e);
const sub = (base: Element, i: Element) => m("msub", undefined, base, i);
const T = () => mi("T", { mathvariant: "normal" });
const q = () => mi("q", B);
const k = () => sub(mi("k", B), mi("i"));
const v = () => mi("v", B);
const W = () => mi("W", B);
const U = () => mi("U", B);
const tanh = (...inner: Element[]) => [mi("tanh"), mo("\u2061"), mo("("), ...inner, mo(")")];

function body(score: ScoreName): Element[] {
  switch (score) {
    case "dot":
      return [sup(q(), T()), k()];
    case "general":
      return [sup(q(), T()), W(), k()];
    case "scaled_dot":
      return [
        m(
          "mfrac",
          undefined,
          m("mrow", undefined, sup(q(), T()), k()),
          m("msqrt", undefined, sub(mi("d"), mi("k"))),
        ),
      ];
    case "concat":
      return [
        sup(v(), T()),
        ...tanh(W(), mo("["), q(), mo(";"), k(), mo("]")),
      ];
    case "additive":
      return [sup(v(), T()), ...tanh(W(), q(), mo("+"), U(), k())];
  }
}

/** `<math>` for score(q, k_i) = ... */
export function formulaFor(score: ScoreName): Element {
  const lhs = [mi("score"), mo("("), q(), mo(","), k(), mo(")"), mo("=")];
  return m("math", { display: "inline", displaystyle: "true" }, m("mrow", undefined, ...lhs, ...body(score)));
}

/** Plain-text reading of the formula (for aria-label and tests). */
export const FORMULA_TEXT: Record<ScoreName, string> = {
  dot: "score(q, k_i) = q^T k_i",
  general: "score(q, k_i) = q^T W k_i",
  scaled_dot: "score(q, k_i) = q^T k_i / sqrt(d_k)",
  concat: "score(q, k_i) = v^T tanh(W [q; k_i])",
  additive: "score(q, k_i) = v^T tanh(W q + U k_i)",
};
