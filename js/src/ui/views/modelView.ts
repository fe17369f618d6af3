// The model view: every layer x head as a thumbnail button (as bertviz's model_view), to pick a
// head from. Each is a <button> named "layer L, head H" (Enter and Space press it); the selected
// one is aria-pressed. Thumbnails are painted once per new set of them, each scaled by its max.

import type { Matrix } from "../../core/matrix";
import { attr, attrOf, clear, h, listen } from "../dom";
import { seqIndex, sequentialLut } from "../lut";
import { paintGrid, sizeCanvas } from "../paint";

export interface ModelView {
  el: HTMLElement;
  /** Draw L x H thumbnails (`thumb(l, k)`, null: left blank) when `key` is new. */
  draw(key: unknown, L: number, H: number, thumb: (l: number, k: number) => Matrix | null): void;
  press(layer: number, head: number): void;
  destroy(): void;
}

export function modelView(pick: (layer: number, head: number) => void): ModelView {
  const el = h("div", { class: "aw-model-view", role: "group", "aria-label": "Every head (layer x head): pick one" });
  let drawn: unknown = null;
  let buttons: HTMLElement[] = [];
  let cols = 0;
  const off = listen<MouseEvent>(el, "click", (e) => {
    const b = (e.target as Element).closest("[data-head]");
    if (b) pick(Number(attrOf(b, "data-layer")), Number(attrOf(b, "data-head")));
  });
  return {
    el,
    draw(key, L, H, thumb) {
      if (key === drawn) return;
      drawn = key;
      clear(el);
      cols = H;
      const side = Math.max(14, Math.min(48, Math.floor(576 / H)));
      el.style.gridTemplateColumns = `auto repeat(${H}, ${side + 4}px)`;
      const lut = sequentialLut();
      buttons = [];
      for (let l = 0; l < L; l++) {
        el.append(h("span", { class: "aw-model-row", "aria-hidden": "true" }, `L${l}`));
        for (let k = 0; k < H; k++) {
          const canvas = h("canvas", { "aria-hidden": "true" });
          const b = h("button", { type: "button", class: "aw-thumb", "data-layer": l, "data-head": k, "aria-label": `layer ${l}, head ${k}`, title: `layer ${l}, head ${k}`, "aria-pressed": "false" }, canvas);
          buttons.push(b);
          el.append(b);
          const m = thumb(l, k);
          const { ctx, W, H: ch } = sizeCanvas(canvas, side, side);
          if (!ctx || !m) continue;
          let max = 0;
          for (const v of m.data) if (v > max) max = v;
          paintGrid(ctx, W, ch, m, (v) => seqIndex(v, max), lut, "max");
        }
      }
    },
    press(layer, head) {
      buttons.forEach((b, i) => attr(b, "aria-pressed", String(Math.floor(i / cols) === layer && i % cols === head)));
    },
    destroy: off,
  };
}
