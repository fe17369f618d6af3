// AttentionHeads: precomputed weights (layers, heads, M, N) with a layer and a head selector,
// the selected head as a heatmap, and small multiples of every head of the layer (the weights'
// wire format is read by wire/heads.ts).

import { tokenAt } from "../core/format";
import { bannerText, watchConnection, type Connection } from "../live/connection";
import type { Snapshot } from "../live/store";
import { decodeHeads, headMatrix, type Heads } from "../wire/heads";
import type { AnyModel } from "../wire/model";
import { clear, h, listen, setText } from "./dom";
import { seqIndex, sequentialLut } from "./lut";
import { paintGrid, sizeCanvas } from "./paint";
import { watchTheme } from "./theme";
import { heatmapView } from "./views/heatmap";
import { numberTable, TABLE_MAX } from "./views/tables";
import type { Topic } from "./views/view";

const clamp = (v: unknown, n: number) => {
  const i = Number(v);
  return Number.isInteger(i) && i >= 0 && i < n ? i : 0;
};

/** What the table's caption says about the quantisation (see attnwidget/heads.py). */
export const PRECISION_NOTE = "weights stored at 8-bit precision per row (error \u2264 row max / 510)";

export function mountHeads(model: AnyModel, el: HTMLElement): () => void {
  const isStatic = model.get("_static") === true;
  const root = h("div", { class: "attnwidget", "data-kind": "heads", "data-state": "ready", "data-mode": isStatic ? "static" : "live" });
  const layerSel = h("select", { "data-role": "layer", "aria-label": "Layer" });
  const headSel = h("select", { "data-role": "head", "aria-label": "Head" });
  const error = h("div", { class: "aw-error", "data-role": "error", role: "alert", hidden: true });
  const banner = h("div", { class: "aw-connection", "data-role": "connection", role: "status", hidden: true });
  let selectedRow = 0;
  const heatmap = heatmapView({ select: (i) => { selectedRow = i; paint(); } }, { scores: false });
  const title = h("h3");
  const multiples = h("div", { class: "aw-multiples", role: "group", "aria-label": "Heads of this layer" });
  const table = numberTable("weights", "", ["queries", "keys"]);
  root.append(
    h("div", { class: "aw-header" }, h("div", { class: "aw-heads-pick" },
      h("label", undefined, "Layer ", layerSel), h("label", undefined, "Head ", headSel))),
    banner,
    error,
    h("div", { class: "aw-grid" },
      h("section", { class: "aw-card" }, h("div", { class: "aw-card-head" }, title), heatmap.el),
      h("section", { class: "aw-card" }, h("div", { class: "aw-card-head" }, h("h3", undefined, "All heads of the layer")), multiples)),
    h("details", { class: "aw-numbers", open: true }, h("summary", undefined, "Numbers"), h("div", { class: "aw-numbers-body" }, table.el)),
  );
  el.appendChild(root);

  let heads: Heads | null = null;
  let headsOf: unknown = null;
  let optionsKey = "";
  let multiplesKey = "";

  /** A selection made here: the model (and the kernel) follow; the change event repaints. */
  function choose(name: "layer" | "head", v: number): void {
    if (!heads || !Number.isInteger(v) || v < 0 || v >= (name === "layer" ? heads.L : heads.H)) return;
    if (model.get(name) === v) return;
    model.set(name, v);
    model.save_changes();
    paint(); // a no-op if the change event painted already
  }

  const off = [
    listen(layerSel, "change", () => choose("layer", Number(layerSel.value))),
    listen(headSel, "change", () => choose("head", Number(headSel.value))),
    listen<MouseEvent>(multiples, "click", (e) => {
      const b = (e.target as Element).closest("[data-head]");
      if (b) choose("head", Number(b.getAttribute("data-head")));
    }),
  ];

  let painted = "";
  let decodeError = "";
  let themed = false; // the theme changed since the heatmap was painted
  function paint(): void {
    const w = model.get("weights");
    if (w !== headsOf) {
      headsOf = w;
      const d = decodeHeads(w);
      heads = typeof d === "string" ? null : d;
      decodeError = typeof d === "string" ? d : "";
      painted = multiplesKey = "";
    }
    // a weights tensor that cannot be read, else the kernel's word on a refused selection
    const message = decodeError || String(model.get("error") ?? "");
    setText(error, message);
    error.hidden = message === "";
    if (!heads) return;
    const { L, H, M, N } = heads;
    const layer = clamp(model.get("layer"), L);
    const head = clamp(model.get("head"), H);
    const tokens = (n: string) => (Array.isArray(model.get(n)) ? (model.get(n) as unknown[]).map(String) : []);
    const qTokens = tokens("query_tokens");
    const kTokens = tokens("key_tokens");
    selectedRow = Math.min(selectedRow, M - 1);
    const key = [layer, head, selectedRow, qTokens.join("\u0000"), kTokens.join("\u0000")].join("|");
    if (key === painted) return;
    painted = key;
    const selectorSizes = `${L}|${H}`;
    if (selectorSizes !== optionsKey) {
      optionsKey = selectorSizes;
      clear(layerSel);
      clear(headSel);
      for (let i = 0; i < L; i++) layerSel.appendChild(h("option", { value: i }, String(i)));
      for (let i = 0; i < H; i++) headSel.appendChild(h("option", { value: i }, String(i)));
    }
    layerSel.value = String(layer);
    headSel.value = String(head);
    setText(title, `Layer ${layer}, head ${head}`);
    const W = headMatrix(heads, layer, head);
    const snap = {
      result: { scores: W, weights: W, output: W },
      mask: null,
      qTokens,
      kTokens,
      selected: selectedRow,
      preview: false,
    } as unknown as Snapshot;
    heatmap.update(snap, new Set<Topic>(["result", "tokens", "selected", ...(themed ? ["theme" as const] : [])]));
    themed = false;
    setText(table.caption, `Layer ${layer}, head ${head} (query \u00d7 key): ${PRECISION_NOTE}`);
    const labels = (t: string[], n: number, p: string) => Array.from({ length: Math.min(n, TABLE_MAX) }, (_, i) => tokenAt(t, i, p));
    table.update(W, labels(qTokens, M, "q"), labels(kTokens, N, "k"), 3);
    // small multiples: redrawn for a new layer, only re-pressed for a new head
    if (multiplesKey !== `${layer}`) {
      multiplesKey = `${layer}`;
      clear(multiples);
      const lut = sequentialLut();
      const side = Math.max(40, Math.min(96, Math.floor(400 / Math.ceil(Math.sqrt(H)))));
      for (let k = 0; k < H; k++) {
        const m = k === head ? W : headMatrix(heads, layer, k);
        let max = 0;
        for (const v of m.data) if (v > max) max = v;
        const canvas = h("canvas", { "aria-hidden": "true" });
        multiples.appendChild(h("button", { type: "button", class: "aw-multiple", "data-head": k, "aria-label": `head ${k}` }, canvas, h("span", undefined, `head ${k}`)));
        const { ctx, W: cw, H: ch } = sizeCanvas(canvas, side, Math.max(8, Math.round((side * M) / N)));
        if (ctx) paintGrid(ctx, cw, ch, m, (v) => seqIndex(v, max), lut, "max");
      }
    }
    for (const b of multiples.children) b.setAttribute("aria-pressed", String(b.getAttribute("data-head") === String(head)));
  }

  const names = ["weights", "layer", "head", "query_tokens", "key_tokens", "error"];
  const onChange = () => paint();
  for (const n of names) model.on(`change:${n}`, onChange);
  paint();
  const unwatchTheme = watchTheme(root, () => {
    themed = true;
    painted = "";
    paint();
  });

  // Live only: say when the kernel is gone (a selection made then is not sent to Python).
  let conn: Connection | null = null;
  const paintConnection = () => {
    const c = conn?.state();
    if (!c) return;
    const text = bannerText(c, 0, true);
    setText(banner, text);
    banner.hidden = text === "";
    banner.setAttribute("data-phase", c.phase);
    root.setAttribute("data-state", c.phase === "disconnected" ? "disconnected" : "ready");
  };
  if (!isStatic) conn = watchConnection(model, () => false, paintConnection);
  paintConnection();

  return () => {
    conn?.destroy();
    unwatchTheme();
    for (const n of names) model.off(`change:${n}`, onChange);
    for (const f of off) f();
    heatmap.destroy();
    root.remove();
  };
}
