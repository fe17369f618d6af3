// Builds the widget's DOM inside `el`, wires the model to the views, returns the cleanup.

import { bannerText, statusText, watchConnection, type Connection } from "../live/connection";
import { sessionFor, type Member } from "../live/session";
import { createStore, type EditValues, type Snapshot } from "../live/store";
import type { Traits } from "../live/sync";
import type { AnyModel } from "../wire/model";
import { attr, h, setText } from "./dom";
import { columns } from "./layout";
import { watchTheme } from "./theme";
import { causalView } from "./views/causal";
import { compareView } from "./views/compare";
import { editorView } from "./views/editor";
import { heatmapView } from "./views/heatmap";
import { keysEditorView } from "./views/keysEditor";
import { messageView } from "./views/message";
import { outputVisualView } from "./views/outputVisual";
import { paramsView } from "./views/params";
import { planeView } from "./views/plane/planeView";
import { scoreView } from "./views/scores";
import { stepsView } from "./views/steps";
import { tablesView } from "./views/tables";
import { toggleMask } from "./views/maskEdit";
import { validLensView } from "./views/validLens";
import type { Actions, Topic, View } from "./views/view";

/** Which views a model trait concerns: every trait of the protocol but the edit_id a view sets. */
export const TRAIT_TOPICS: Readonly<Record<string, Topic[]>> = {
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
  _row_patch: ["result", "Q"], // (Q's rows when the view sent only those)
  _query_patch: ["Q"], // (set back to null when the kernel refuses the rows a view sent)
  _col_patch: ["result", "K", "V"], // (a key edit's scores columns, and K's or V's rows)
  _key_patch: ["K", "V"],
  result_id: ["state"],
  _static: ["state"],
};
const INPUT_TRAITS = new Set(["Q", "K", "V", "score", "params", "param_sets", "mask", "temperature"]);
const ALL_TOPICS: Topic[] = [
  "Q", "K", "V", "tokens", "score", "params", "mask", "temperature", "result", "selected", "error", "state", "theme",
];

type Frame = (cb: () => void) => number;

/** How long a typed edit waits for the kernel before the JS engine's preview is shown. */
const PREVIEW_DELAY_MS = 100;

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

function card(name: string, title: string, body: Element, extra?: Element): HTMLElement {
  return h(
    "section",
    { class: "aw-card", "data-card": name, "aria-label": title },
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

  const { request, cancel } = frameFns();

  // The edit queue is shared by every view of this model (display(w) twice).
  const session = sessionFor(model);
  const store = createStore(model, () => session.overlay());
  // Live only: is the kernel able to answer? (says so instead of freezing; made below)
  let conn: Connection | null = null;
  // A typed edit with a live kernel is neither previewed nor repainted at once: the kernel's
  // answer usually comes within a frame or two, and painting first would delay it. While
  // `awaitAnswer`, repaints are marked, not scheduled, and the edit is painted together with the
  // answer in one frame (only the root's data-state says "pending" at once). If the kernel has
  // not answered after PREVIEW_DELAY_MS, the JS engine's preview is shown meanwhile.
  let previewTimer: ReturnType<typeof setTimeout> | null = null;
  let awaitAnswer = false;
  const member: Member = {
    edited(topics, row, wasPending, deferred) {
      const hadPreview = store.hasPreview();
      if (session.pending) {
        // (a resample changes no input the view holds: nothing to preview)
        if (topics.includes("result")) {
          const r = row !== undefined && (hadPreview || !wasPending) ? row : undefined;
          if (deferred) {
            previewLater(r);
            topics = topics.filter((t) => t !== "result");
          } else {
            store.recompute(r);
          }
        }
        awaitAnswer = !!deferred;
        if (awaitAnswer) attr(root, "data-state", "pending");
        schedule(topics as Topic[]);
      } else {
        // answered at once (static page): paint now
        store.dropPreview();
        mark(topics as Topic[]);
        paint();
      }
      conn?.poke();
    },
    remember: (wire, value) => store.remember(wire, value),
    sendFailed: (err) => conn?.sendFailed(err),
  };

  function previewLater(row: number | undefined): void {
    if (previewTimer !== null) clearTimeout(previewTimer);
    previewTimer = setTimeout(() => {
      previewTimer = null;
      awaitAnswer = false;
      if (session.pending && !store.hasPreview()) {
        store.recompute(row);
        mark(["result"]);
      }
      schedule([]);
    }, PREVIEW_DELAY_MS);
  }
  session.join(member);

  const actions: Actions = {
    edit(values: EditValues, hint?: { row?: number; typed?: boolean }) {
      const topics: Topic[] = ["result", "state", "error"];
      if ("Q" in values) topics.push("Q");
      if ("K" in values) topics.push("K");
      if ("V" in values) topics.push("V");
      if ("score" in values) topics.push("score", "params");
      if ("temperature" in values) topics.push("temperature");
      if ("mask" in values) topics.push("mask");
      const deferred = !!hint?.typed && conn !== null && conn.state().phase !== "disconnected";
      session.edit(values as Traits, topics, hint?.row, deferred);
    },
    select(i: number) {
      const n = store.Q().rows;
      if (!Number.isInteger(i) || i < 0 || i >= n) return;
      if (model.get("selected_query") === i) return;
      awaitAnswer = false;
      model.set("selected_query", i);
      model.save_changes();
      schedule(["selected"]);
    },
    resample() {
      session.resample();
    },
    current(): Snapshot {
      return store.snapshot(session.pending);
    },
    Q: () => store.Q(),
  };

  // --- views and layout ---------------------------------------------------------------
  const scores = scoreView(actions);
  const message = messageView();
  const heatmap = heatmapView(actions, { toggle: (i, j) => toggleMask(actions, i, j) });
  const causal = causalView(actions);
  const validLens = validLensView(actions);
  const steps = stepsView(actions);
  // Drag end: the query editor catches up at once (it is held during a drag, see paint).
  const plane = planeView(actions, { dragEnd: () => editorBehind.size > 0 && paint() });
  const editor = editorView(actions);
  const kv = keysEditorView(actions);
  const params = paramsView(actions);
  const outputs = outputVisualView(actions);
  const tables = tablesView(actions);
  const compare = compareView(actions);
  const views: View[] = [scores, message, heatmap, causal, validLens, steps, plane, compare, editor, kv, params, outputs, tables];

  const cards = {
    weights: card("weights", "Attention weights", heatmap.el, h("div", { class: "aw-mask-tools" }, causal.el, validLens.el)),
    plane: card("plane", "Queries and keys", plane.el, plane.head),
    steps: card("steps", "Three steps for one query", steps.el),
    compare: card("compare", "All five scores", compare.el, compare.note),
    editor: card("editor", "Queries Q", editor.el),
    keys: card("keys", "Keys K and values V", kv.el),
    params: card("params", "Score parameters", params.el),
    outputs: card("outputs", "Outputs", outputs.el),
  };
  const { weights, plane: planeCard, steps: stepsCard, compare: compareCard, editor: editorCard, keys: keysCard, params: paramsCard, outputs: outputsCard } = cards;
  const layout = columns(
    [weights, stepsCard, keysCard],
    [planeCard, compareCard, editorCard, paramsCard, outputsCard],
    [weights, planeCard, compareCard, stepsCard, editorCard, keysCard, paramsCard, outputsCard],
  );

  const status = h("span", { class: "aw-status", "aria-live": "polite" });
  const banner = h("div", { class: "aw-connection", "data-role": "connection", role: "status", hidden: true });
  root.append(
    h("div", { class: "aw-header" }, scores.el, status),
    banner,
    message.el,
    layout.el,
    tables.el,
  );
  el.append(root);

  // --- painting -----------------------------------------------------------------------
  const dirty = new Set<Topic>();
  // Topics the query editor has not seen yet: while a query point is dragged, the editor is
  // not updated (its inputs cost more to build, lay out and paint than the rest of the frame;
  // the point's new place shows in the plane); it catches up when the drag ends.
  const editorBehind = new Set<Topic>();
  let frame: number | null = null;

  function mark(topics: Iterable<Topic>): void {
    for (const t of topics) dirty.add(t);
  }

  function schedule(topics: Iterable<Topic>): void {
    mark(topics);
    if (awaitAnswer || dirty.size === 0) return;
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
    if (dirty.size === 0 && (editorBehind.size === 0 || plane.dragging())) return;
    const changed = new Set(dirty);
    dirty.clear();
    const snap = store.snapshot(session.pending);
    const dragging = plane.dragging();
    for (const v of views) {
      let seen: ReadonlySet<Topic> = changed;
      if (v === editor) {
        if (dragging) {
          for (const d of v.deps) if (changed.has(d)) editorBehind.add(d);
          continue;
        }
        if (editorBehind.size) {
          seen = new Set([...changed, ...editorBehind]);
          editorBehind.clear();
        }
      }
      if (v.deps.some((d) => seen.has(d))) {
        try {
          v.update(snap, seen);
        } catch (err) {
          console.error("attnwidget: a view failed to update", err);
        }
      }
    }
    paintState(snap.pending);
  }

  /** data-state, the status text and the connection banner. */
  function paintState(pending: boolean): void {
    const c = conn?.state();
    const phase = c ? c.phase : pending ? "pending" : "ready";
    attr(root, "data-state", phase === "disconnected" ? "disconnected" : pending ? "pending" : "ready");
    setText(status, c ? statusText(c) : isStatic ? "static page \u00b7 JS engine" : pending ? "computing\u2026" : "kernel \u00b7 up to date");
    attr(status, "data-pending", pending);
    attr(status, "data-phase", phase);
    const text = c ? bannerText(c, session.waiting) : "";
    setText(banner, text);
    banner.hidden = text === "";
    attr(banner, "data-phase", phase);
    attr(banner, "data-edits", session.waiting);
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
      session.ack(Number(model.get("result_id")));
      if (session.writing) return; // the edit in progress paints
      awaitAnswer = false;
      conn?.poke(true);
      if (session.pending && store.hasPreview()) {
        // a newer edit is in flight and previewed: keep showing it, repaint the status only
        schedule(["state", "error"]);
        return;
      }
      store.dropPreview();
      // ready and the kernel's numbers in the same frame (the traits that changed are marked)
      mark(["state", "result", "error"]);
      paint();
      return;
    }
    if (session.writing) {
      mark(TRAIT_TOPICS[name]); // the edit in progress paints (or holds) it
      return;
    }
    if (session.pending && INPUT_TRAITS.has(name)) store.recompute();
    schedule(TRAIT_TOPICS[name]);
  }

  if (!isStatic) conn = watchConnection(model, () => session.pending, () => schedule(["state"]));
  // canvases repaint in the theme's colours when it changes (and once attached: see theme.ts)
  const unwatchTheme = watchTheme(root, () => schedule(["theme"]));
  mark(ALL_TOPICS);
  paint();

  return () => {
    session.leave(member);
    if (previewTimer !== null) clearTimeout(previewTimer);
    conn?.destroy();
    unwatchTheme();
    for (const [ev, fn] of handlers) model.off(ev, fn);
    if (frame !== null) cancel(frame);
    for (const v of views) v.destroy();
    layout.destroy();
    root.remove();
  };
}
