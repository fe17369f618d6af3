// The heatmap's colour scale: fixed 0 to 1 (the default: colours mean the same weight under
// every score function, so near-uniform weights look pale) or 0 to the largest weight shown.

import { short } from "../../core/format";
import { attr, attrOf, h, listen } from "../dom";
import { runAll } from "./view";

export type ScaleMode = "fixed" | "max";

const LABELS: Record<ScaleMode, string> = { fixed: "0 to 1", max: "0 to max" };

/** The weight drawn in the scale's top colour: 1, or the largest weight (1 when there is none). */
export function scaleTop(mode: ScaleMode, maxWeight: number): number {
  return mode === "fixed" || !(maxWeight > 0) ? 1 : maxWeight;
}

/** The legend's ticks (0, middle, top) and its label, which says which scale is on. */
export function scaleLegend(mode: ScaleMode, maxWeight: number): { label: string; ticks: string[] } {
  const top = scaleTop(mode, maxWeight);
  return {
    label: mode === "fixed" ? "weight, fixed scale" : "weight, scaled to max",
    ticks: ["0", short(top / 2), short(top)],
  };
}

export interface ScaleSwitch {
  readonly el: HTMLElement;
  mode(): ScaleMode;
}

/** Two toggle buttons; `changed` runs after the user picks the other scale. */
export function scaleSwitch(changed: () => void): ScaleSwitch & { destroy(): void } {
  let mode: ScaleMode = "fixed";
  const buttons = (Object.keys(LABELS) as ScaleMode[]).map((m) =>
    h("button", { type: "button", "data-scale": m, "aria-pressed": String(m === mode) }, LABELS[m]),
  );
  const el = h(
    "div",
    { class: "aw-scale", "data-role": "colour-scale", "data-scale": mode },
    h("span", { class: "aw-scale-label" }, "colour scale"),
    h("div", { class: "aw-toggle aw-toggle-small", role: "group", "aria-label": "Colour scale" }, ...buttons),
  );
  const off = buttons.map((b) =>
    listen(b, "click", () => {
      const m = attrOf(b, "data-scale") as ScaleMode;
      if (m === mode) return;
      mode = m;
      attr(el, "data-scale", m);
      for (const x of buttons) attr(x, "aria-pressed", x === b);
      changed();
    }),
  );
  return {
    el,
    mode: () => mode,
    destroy: () => runAll(off),
  };
}
