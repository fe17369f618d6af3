// Builds the widget's DOM inside `el`, wires the model to the views, returns the cleanup.

import { h } from "./dom";
import { Store, encodeEdit, type EditValues, type Snapshot } from "./store";
import { Coalescer, modelSink, type Traits } from "./sync";
import type { AnyModel } from "./types";
import { editorView } from "./views/editor";
import { heatmapView } from "./views/heatmap";
import { messageView } from "./views/message";
import { outputVisualView } from "./views/outputVisual";
import { paramsView } from "./views/params";
import { planeView } from "./views/plane";
import { scoreView } from "./views/scores";
import { stepsView } from "./views/steps";
import { tablesView } from "./views/tables";
import type { Actions, Topic, View } from "./views/view";

/** Which views a model trait concerns. */
const TRAIT_TOPICS: Record<string, Topic[]> = {
  Q: ["Q"],
  K: ["K"],
  V: ["V"],
  query_tokens: ["tokens"],
  key_tokens: ["tokens"],
  score: ["score", "params"],
  params: ["params"],
  param_sets: ["params"],
  mask: ["mask"],
  temperature: ["temperature"],
  scores: ["result"],
  weights: ["result"],
  output: ["result"],
  selected_query: ["selected"],
  error: ["error"],
  result_id: ["state"],
  _static: ["state"],
};
const INPUT_TRAITS = new Set(["Q", "K", "V", "score", "params", "param_sets", "mask", "temperature"]);
const ALL_TOPICS: Topic[] = [
  "Q", "K", "V", "tokens", "score", "params", "mask", "temperature", "result", "selected", "error", "state",
];

type Frame = (cb: () => void) => number;

function frameFns(): { request: Frame; cancel: (id: number) => void } {
  const g = globalThis as { requestAnimationFrame?: Frame; cancelAnimationFrame?: (id: number) => void };
  if (typeof g.requestAnimationFrame === "function" && typeof g.cancelAnimationFrame === "function") {
    return { request: g.requestAnimationFrame.bind(globalThis), cancel: g.cancelAnimationFrame.bind(globalThis) };
  }
  return {
    request: (cb) => setTimeout(cb, 16) as unknown as number,
    cancel: (id) => clearTimeout(id),
  };
}

function card(title: string, body: Element, extra?: Element): HTMLElement {
  return h(
    "section",
    { class: "aw-card", "aria-label": title },
    h("div", { class: "aw-card-head" }, h("h3", undefined, title), extra ?? null),
    body,
  );
}

export function mount(model: AnyModel, el: HTMLElement): () => void {
  const isStatic = model.get("_static") === true;
  const root = h("div", {
    class: "attnwidget",
    "data-state": "ready",
    "data-mode": isStatic ? "static" : "live",
  });

  let localError = "";
  let inEdit = false;
  const { request, cancel } = frameFns();

  // eslint-disable-next-line prefer-const
  let coalescer: Coalescer;
  const store = new Store(model, () => coalescer.queued());
  const sink = modelSink(model, (name, value) => {
    const wire = encodeEdit(name, value);
    store.remember(wire, value);
    return wire;
  });
  coalescer = new Coalescer(sink, {
    editId: Number(model.get("edit_id")) || 0,
    resultId: Number(model.get("result_id")) || 0,
  });

  const actions: Actions = {
    edit(values: EditValues, hint?: { row?: number }) {
      const wasPending = coalescer.pending;
      const hadPreview = store.hasPreview();
      localError = "";
      inEdit = true;
      try {
        coalescer.edit(values as Traits);
      } finally {
        inEdit = false;
      }
      const topics: Topic[] = ["result", "state", "error"];
      if ("Q" in values) topics.push("Q");
      if ("score" in values) topics.push("score", "params");
      if ("temperature" in values) topics.push("temperature");
      if ("mask" in values) topics.push("mask");
      if (coalescer.pending) {
        const row = hint?.row !== undefined && (hadPreview || !wasPending) ? hint.row : undefined;
        store.recompute(row);
        root.setAttribute("data-state", "pending");
        schedule(topics);
      } else {
        // answered at once (static page): paint now
        store.dropPreview();
        mark(topics);
        paint();
      }
    },
    select(i: number) {
      const n = store.Q().rows;
      if (!Number.isInteger(i) || i < 0 || i >= n) return;
      if (model.get("selected_query") === i) return;
      model.set("selected_query", i);
      model.save_changes();
      schedule(["selected"]);
    },
    resample() {
      localError = "";
      coalescer.resample();
      root.setAttribute("data-state", coalescer.pending ? "pending" : "ready");
      schedule(["state", "error"]);
    },
    setLocalError(message: string) {
      localError = message;
      mark(["error"]);
      paint();
    },
    current(): Snapshot {
      return store.snapshot(coalescer.pending);
    },
  };

  // --- views and layout ---------------------------------------------------------------
  const scores = scoreView(actions);
  const message = messageView(() => localError);
  const heatmap = heatmapView(actions);
  const steps = stepsView(actions);
  const plane = planeView(actions);
  const editor = editorView(actions);
  const params = paramsView(actions);
  const outputs = outputVisualView(actions);
  const tables = tablesView();
  const views: View[] = [scores, message, heatmap, steps, plane, editor, params, outputs, tables];

  const status = h("span", { class: "aw-status", "aria-live": "polite" });
  root.append(
    h("div", { class: "aw-header" }, scores.el, status),
    message.el,
    h(
      "div",
      { class: "aw-grid" },
      h(
        "div",
        { class: "aw-col aw-col-main" },
        card("Attention weights", heatmap.el),
        card("Three steps for one query", steps.el),
        card("Outputs", outputs.el),
      ),
      h(
        "div",
        { class: "aw-col aw-col-side" },
        card("Queries and keys", plane.el),
        card("Queries Q", editor.el),
        card("Score parameters", params.el),
      ),
    ),
    tables.el,
  );
  el.appendChild(root);

  // --- painting -----------------------------------------------------------------------
  const dirty = new Set<Topic>();
  let frame: number | null = null;

  function mark(topics: Iterable<Topic>): void {
    for (const t of topics) dirty.add(t);
  }

  function schedule(topics: Iterable<Topic>): void {
    mark(topics);
    if (frame === null) frame = request(() => {
      frame = null;
      paint();
    });
  }

  function paint(): void {
    if (frame !== null) {
      cancel(frame);
      frame = null;
    }
    if (dirty.size === 0) return;
    const changed = new Set(dirty);
    dirty.clear();
    const snap = store.snapshot(coalescer.pending);
    for (const v of views) {
      if (v.deps.some((d) => changed.has(d))) {
        try {
          v.update(snap, changed);
        } catch (err) {
          console.error("attnwidget: a view failed to update", err);
        }
      }
    }
    root.setAttribute("data-state", snap.pending ? "pending" : "ready");
    status.textContent = snap.isStatic
      ? "static page \u00b7 JS engine"
      : snap.pending
        ? "computing\u2026"
        : "kernel \u00b7 up to date";
    status.setAttribute("data-pending", String(snap.pending));
  }

  // --- model events ---------------------------------------------------------------------
  const handlers: Array<[string, () => void]> = [];
  for (const name of Object.keys(TRAIT_TOPICS)) {
    const fn = () => onModelChange(name);
    model.on(`change:${name}`, fn);
    handlers.push([`change:${name}`, fn]);
  }

  function onModelChange(name: string): void {
    if (name === "result_id") {
      coalescer.ack(Number(model.get("result_id")));
      if (inEdit) return; // the edit in progress paints
      if (!coalescer.pending) store.dropPreview();
      mark(["state", "result", "Q", "score", "params", "temperature", "mask", "error"]);
      paint(); // ready and the kernel's numbers in the same frame
      return;
    }
    if (coalescer.pending && INPUT_TRAITS.has(name) && !inEdit) store.recompute();
    schedule(TRAIT_TOPICS[name]);
  }

  mark(ALL_TOPICS);
  paint();

  return () => {
    for (const [ev, fn] of handlers) model.off(ev, fn);
    if (frame !== null) cancel(frame);
    for (const v of views) v.destroy();
    root.remove();
  };
}
