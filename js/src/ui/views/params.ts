// Parameters of the score function (W, U, v as small diverging heatmaps), Resample, temperature.

import { precise, short } from "../../core/format";
import type { Matrix } from "../../core/matrix";
import { parseNumber } from "../../core/parse";
import type { Snapshot } from "../../live/store";
import { attr, attrOf, clear, h, listen, setText } from "../dom";
import { divergingLut, divIndex, fillLegend } from "../lut";
import { paintGrid, sizeCanvas } from "../paint";
import { fieldError } from "./fieldError";
import { runAll, type Actions, type Topic, type View } from "./view";

const T_MIN = 0.05;
const T_MAX = 20;
const SLIDER_STEPS = 1000;
const PARAM_W = 300; // max CSS width of a parameter heatmap

export const tToSlider = (t: number) =>
  Math.round((Math.log(Math.min(T_MAX, Math.max(T_MIN, t)) / T_MIN) / Math.log(T_MAX / T_MIN)) * SLIDER_STEPS);
export const sliderToT = (v: number) => Number((T_MIN * Math.pow(T_MAX / T_MIN, v / SLIDER_STEPS)).toPrecision(3));

interface ParamMap {
  name: string;
  m: Matrix;
  shape: string;
}

function paramMaps(p: Snapshot["params"]): ParamMap[] {
  const out: ParamMap[] = [];
  if (p.W) out.push({ name: "W", m: p.W, shape: `${p.W.rows}\u00d7${p.W.cols}` });
  if (p.U) out.push({ name: "U", m: p.U, shape: `${p.U.rows}\u00d7${p.U.cols}` });
  if (p.v) out.push({ name: "v", m: { rows: 1, cols: p.v.length, data: p.v }, shape: `${p.v.length}` });
  return out;
}

const SHAPE_HINT: Record<string, Record<string, string>> = {
  general: { W: "d_q\u00d7d_k" },
  concat: { W: "h\u00d7(d_q+d_k)", v: "h" },
  additive: { W: "h\u00d7d_q", U: "h\u00d7d_k", v: "h" },
};

export function paramsView(actions: Actions): View {
  const maps = h("div", { class: "aw-params-maps" });
  const tooltip = h("div", { class: "aw-tooltip", "data-role": "param-tooltip", hidden: true });
  const resample = h("button", { type: "button", "data-role": "resample" }, "Resample");
  const none = h("p", { class: "aw-note", "data-role": "no-params", hidden: true });
  const legend = h("div", { class: "aw-legend aw-legend-div" });

  const slider = h("input", {
    type: "range",
    min: 0,
    max: SLIDER_STEPS,
    step: 1,
    "data-role": "temperature-slider",
    "aria-label": "temperature (logarithmic slider, 0.05 to 20)",
  });
  const tInput = h("input", {
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    spellcheck: "false",
    "data-role": "temperature",
    "aria-label": "temperature T",
    size: 6,
  });
  const tRow = h(
    "div",
    { class: "aw-temp" },
    h("label", { class: "aw-temp-label" }, "temperature T"),
    slider,
    tInput,
  );

  const tError = fieldError(); // a temperature refused: said under its row
  const el = h(
    "div",
    { class: "aw-params", "data-view": "params" },
    h("div", { class: "aw-params-head" }, h("span", { class: "aw-params-title" }, "Parameters"), resample),
    none,
    h("div", { class: "aw-params-plot" }, maps, tooltip),
    legend,
    tRow,
    tError.el,
  );

  let drawn: Array<{ canvas: HTMLCanvasElement; map: ParamMap; max: number }> = [];
  let tDirty = false;
  let tShown = "";

  function commitT(text: string): void {
    const r = parseNumber(text);
    if (!r.ok) {
      tError.show(tInput, `temperature: ${r.reason}`);
      return;
    }
    if (!(r.value > 0)) {
      tError.show(tInput, `temperature must be greater than 0, got ${r.value}`);
      return;
    }
    tError.clear();
    tDirty = false;
    if (r.value === actions.current().temperature) return;
    actions.edit({ temperature: r.value }, { typed: true });
  }

  const off: Array<() => void> = [
    listen(resample, "click", () => {
      if (!resample.disabled) actions.resample();
    }),
    listen(tInput, "input", () => (tDirty = true)),
    listen(tInput, "change", () => commitT(tInput.value)),
    listen<KeyboardEvent>(tInput, "keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        commitT(tInput.value);
      } else if (e.key === "Escape") {
        // revert: the temperature shown before, and no error about it
        tDirty = false;
        tInput.value = tShown;
        tError.clear();
      }
    }),
    listen(slider, "input", () => {
      const t = sliderToT(Number(slider.value));
      tInput.value = String(t);
      tError.clear();
      tDirty = false;
      if (t !== actions.current().temperature) actions.edit({ temperature: t });
    }),
    listen<PointerEvent>(maps, "pointermove", (e) => {
      const c = (e.target as Element).closest?.("canvas");
      const d = drawn.find((x) => x.canvas === c);
      if (!d) {
        tooltip.hidden = true;
        return;
      }
      const rect = d.canvas.getBoundingClientRect();
      const j = Math.min(d.map.m.cols - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * d.map.m.cols)));
      const i = Math.min(d.map.m.rows - 1, Math.max(0, Math.floor(((e.clientY - rect.top) / rect.height) * d.map.m.rows)));
      const v = d.map.m.data[i * d.map.m.cols + j];
      const where = d.map.name === "v" ? `v[${j}]` : `${d.map.name}[${i}, ${j}]`;
      setText(tooltip, `${where} = ${precise(v)}`);
      tooltip.hidden = false;
      const host = maps.getBoundingClientRect();
      tooltip.style.left = `${e.clientX - host.left + 12}px`;
      tooltip.style.top = `${e.clientY - host.top + 12}px`;
    }),
    listen(maps, "pointerleave", () => (tooltip.hidden = true)),
  ];

  function drawMaps(s: Snapshot): void {
    clear(maps);
    drawn = [];
    const list = paramMaps(s.params);
    let max = 0;
    for (const p of list) for (const v of p.m.data) max = Math.max(max, Math.abs(v));
    const widest = Math.max(1, ...list.map((p) => p.m.cols));
    const cell = Math.max(2, Math.min(20, Math.floor(PARAM_W / widest)));
    for (const p of list) {
      const canvas = h("canvas", {
        class: "aw-param-canvas",
        "data-param": p.name,
        role: "img",
        "aria-label": `${p.name}, ${p.shape}`,
      });
      const hint = SHAPE_HINT[s.score]?.[p.name];
      const label = h("div", { class: "aw-param-label" }, `${p.name} (${p.shape})`, hint ? h("span", { class: "aw-param-hint" }, ` ${hint}`) : null);
      maps.append(h("figure", { class: "aw-param" }, label, canvas));
      const cssH = p.name === "v" ? cell : Math.min(cell * p.m.rows, 160);
      const { ctx, W, H } = sizeCanvas(canvas, cell * p.m.cols, cssH);
      drawn.push({ canvas, map: p, max });
      if (ctx) paintGrid(ctx, W, H, p.m, (v) => divIndex(v, max), divergingLut(), "absmax");
    }
    fillLegend(legend, "value", divergingLut(), [short(-max), "0", short(max)]);
    legend.hidden = list.length === 0;
  }

  let paramsShown: unknown = null;
  let scoreShown = "";

  return {
    el,
    deps: ["score", "params", "temperature", "state"] satisfies Topic[],
    update(s: Snapshot) {
      // Every write is guarded: a kernel answer repaints this view ("state") on every edit.
      const hasParams = s.score !== "dot" && s.score !== "scaled_dot";
      if (none.hidden !== hasParams) none.hidden = hasParams;
      setText(none, hasParams ? "" : `${s.score === "dot" ? "dot" : "scaled dot"}: no parameters.`);
      if (s.params !== paramsShown || s.score !== scoreShown) {
        paramsShown = s.params;
        scoreShown = s.score;
        drawMaps(s);
      }
      const disabled = s.isStatic || !hasParams;
      if (resample.disabled !== disabled) resample.disabled = disabled;
      const title = s.isStatic
        ? "Resampling draws new parameters in the Python kernel; this static page has no kernel."
        : hasParams
          ? "Draw new random parameters for this score function"
          : "This score function has no parameters";
      if (attrOf(resample, "title") !== title) attr(resample, "title", title);
      const t = s.temperature;
      const text = String(t);
      const active = el.ownerDocument.activeElement;
      if (!(active === tInput && tDirty)) {
        if (text !== tShown) {
          tShown = text;
          tInput.value = text;
          tError.clear();
          tDirty = false;
        } else if (!tDirty && attrOf(tInput, "aria-invalid") !== "true" && tInput.value !== text) {
          tInput.value = text;
        }
      }
      const pos = String(tToSlider(t));
      if (active !== slider && slider.value !== pos) slider.value = pos;
    },
    destroy: () => runAll(off),
  };
}
