// AttentionHeads: precomputed weights (layers, heads, M, N) with a layer and a head selector,
// the selected head as a heatmap, and a model view of every head's thumbnail to pick from (the
// wire format is read by wire/heads.ts). Live, the kernel sends the selected head only: until a
// newly picked head arrives its thumbnail is shown upscaled (data-pending); a page shows the
// heads it carries, and the thumbnail of any other.

import { tokenAt } from "../core/format";
import { bannerText, watchConnection, type Connection } from "../live/connection";
import type { Snapshot } from "../live/store";
import { decodeHeads, findHead, upscale, type Heads } from "../wire/heads";
import type { AnyModel } from "../wire/model";
import { attr, clear, h, listen, setText } from "./dom";
import { watchTheme } from "./theme";
import { heatmapView } from "./views/heatmap";
import { modelView } from "./views/modelView";
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
  const models = modelView((l, k) => choose({ layer: l, head: k }));
  const pending = h("p", { class: "aw-note", "data-role": "pending", hidden: true });
  const table = numberTable("weights", "", ["queries", "keys"]);
  // Updated only while open: rewriting the 64 x 64 table costs a switch ~200 ms of rendering,
  // so it starts closed for heads larger than it shows.
  const numbers = h("details", { class: "aw-numbers" }, h("summary", undefined, "Numbers"), h("div", { class: "aw-numbers-body" }, table.el));
  let numbersSet = false;
  root.append(
    h("div", { class: "aw-header" }, h("div", { class: "aw-heads-pick" },
      h("label", undefined, "Layer ", layerSel), h("label", undefined, "Head ", headSel))),
    banner,
    error,
    h("div", { class: "aw-grid" },
      h("section", { class: "aw-card" }, h("div", { class: "aw-card-head" }, title), pending, heatmap.el),
      h("section", { class: "aw-card" }, h("div", { class: "aw-card-head" }, h("h3", undefined, "Every head (model view)")), models.el)),
    numbers,
  );
  el.append(root);

  let heads: Heads | null = null;
  let headsOf: unknown = null;
  let thumbs: Heads | null = null;
  let thumbsOf: unknown = null;
  let dims = { L: 0, H: 0, M: 0, N: 0 };
  let optionsKey = "";

  /** A selection made here: the model (and the kernel) follow; the change event repaints. */
  function choose(pick: { layer?: number; head?: number }): void {
    const ok = (v: number | undefined, n: number) => v === undefined || (Number.isInteger(v) && v >= 0 && v < n);
    if (!heads || !ok(pick.layer, dims.L) || !ok(pick.head, dims.H)) return;
    const changed = Object.entries(pick).filter(([n, v]) => model.get(n) !== v);
    if (changed.length === 0) return;
    for (const [n, v] of changed) model.set(n, v);
    model.save_changes();
    paint(); // a no-op if the change event painted already
  }

  const off = [
    listen(layerSel, "change", () => choose({ layer: Number(layerSel.value) })),
    listen(headSel, "change", () => choose({ head: Number(headSel.value) })),
    listen(numbers, "toggle", () => {
      painted = "";
      paint();
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
      painted = "";
    }
    const t = model.get("thumbnails");
    if (t !== thumbsOf) {
      thumbsOf = t;
      const d = t ? decodeHeads(t) : null;
      thumbs = d && typeof d !== "string" ? d : null;
      painted = "";
    }
    // a weights tensor that cannot be read, else the kernel's word on a refused selection
    const message = decodeError || String(model.get("error") ?? "");
    setText(error, message);
    error.hidden = message === "";
    if (!heads) return;
    const shape = model.get("shape");
    const full = Array.isArray(shape) && shape.length === 4 ? (shape as number[]) : [heads.L, heads.H, heads.M, heads.N];
    const [L, H, M, N] = full;
    dims = { L, H, M, N };
    if (!numbersSet) {
      numbersSet = true;
      numbers.open = M <= TABLE_MAX && N <= TABLE_MAX;
    }
    const layer = clamp(model.get("layer"), L);
    const head = clamp(model.get("head"), H);
    const tokens = (n: string) => (Array.isArray(model.get(n)) ? (model.get(n) as unknown[]).map(String) : []);
    const qTokens = tokens("query_tokens");
    const kTokens = tokens("key_tokens");
    selectedRow = Math.min(selectedRow, M - 1);
    const exact = findHead(heads, layer, head);
    const key = [layer, head, selectedRow, exact !== null, numbers.open, qTokens.join("\u0000"), kTokens.join("\u0000")].join("|");
    if (key === painted) return;
    painted = key;
    const selectorSizes = `${L}|${H}`;
    if (selectorSizes !== optionsKey) {
      optionsKey = selectorSizes;
      clear(layerSel);
      clear(headSel);
      for (let i = 0; i < L; i++) layerSel.append(h("option", { value: i }, String(i)));
      for (let i = 0; i < H; i++) headSel.append(h("option", { value: i }, String(i)));
    }
    layerSel.value = String(layer);
    headSel.value = String(head);
    setText(title, `Layer ${layer}, head ${head}`);
    const thumb = (l: number, k: number) => (thumbs ? findHead(thumbs, l, k) : findHead(heads, l, k));
    const small = exact ? null : thumb(layer, head);
    const W = exact ?? (small ? upscale(small, M, N) : { rows: M, cols: N, data: new Float64Array(M * N) });
    const waiting = isStatic ? "not on this page: its thumbnail, upscaled (to_html(layers=..., heads=...) chooses the heads a page carries)" : "waiting for the kernel: its thumbnail, upscaled";
    setText(pending, exact ? "" : waiting);
    pending.hidden = exact !== null;
    root.toggleAttribute("data-pending", exact === null);
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
    // (a pending head leaves the numbers as they are: re-laying out the table costs a frame)
    table.el.toggleAttribute("data-stale", exact === null);
    setText(table.caption, exact ? `Layer ${layer}, head ${head} (query \u00d7 key): ${PRECISION_NOTE}` : `Layer ${layer}, head ${head}: ${isStatic ? "not on this page" : "waiting for the kernel"}; these numbers are of the head shown before`);
    const labels = (t: string[], n: number, p: string) => Array.from({ length: Math.min(n, TABLE_MAX) }, (_, i) => tokenAt(t, i, p));
    if (exact && numbers.open) table.update(W, labels(qTokens, M, "q"), labels(kTokens, N, "k"), 3);
    models.draw(thumbs ?? heads, L, H, thumb);
    models.press(layer, head);
  }

  const names = ["weights", "thumbnails", "shape", "layer", "head", "query_tokens", "key_tokens", "error"];
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
    attr(banner, "data-phase", c.phase);
    attr(root, "data-state", c.phase === "disconnected" ? "disconnected" : "ready");
  };
  if (!isStatic) conn = watchConnection(model, () => false, paintConnection);
  paintConnection();

  return () => {
    conn?.destroy();
    unwatchTheme();
    for (const n of names) model.off(`change:${n}`, onChange);
    for (const f of off) f();
    heatmap.destroy();
    models.destroy();
    root.remove();
  };
}
