// The anywidget entry point: `export default { initialize, render }`, plus the static-page
// helpers (`createLocalModel`, `mountStatic`, which attnwidget/export.py's pages call).
// Where the host gives a model no kernel answers (a static page built from stored widget
// state, marimo's static export: wire/host.ts), the views run on a local model over that state
// (page/stored.ts), exactly as on a to_html page: the JS engine answers, nothing waits.
// `render` is deliberately not a named export: anywidget warns about a direct export of
// `render` ("will likely be deprecated") in every view.

import "./ui/style.css";
import { createLocalModel } from "./page/localModel";
import { localModelFor } from "./page/stored";
import { mount } from "./ui/app";
import { mountHeads } from "./ui/heads";
import { noKernel } from "./wire/host";
import type { AnyModel } from "./wire/model";
import { watchRowPatches } from "./wire/patch";

export { createLocalModel } from "./page/localModel";
export type { AnyModel } from "./wire/model";

/** The widget's view of `model` in `el` (AttentionHeads or AttentionWidget); returns the cleanup. */
function mountWidget(model: AnyModel, el: HTMLElement): () => void {
  return model.get("_kind") === "heads" ? mountHeads(model, el) : mount(model, el);
}

/** Build the view of `model` in `el`; returns the cleanup (removes listeners and DOM). */
function render({ model, el }: { model: AnyModel; el: HTMLElement }): () => void {
  return mountWidget(noKernel(model) ? localModelFor(model) : model, el);
}

/** Once per model, before any view: keep its arrays whole as row patches arrive (from a kernel). */
function initialize({ model }: { model: AnyModel }): () => void {
  return noKernel(model) ? () => {} : watchRowPatches(model);
}

/** Mount the widget on a static page: a local model over `state`, then the view. */
export async function mountStatic(el: HTMLElement, state: Record<string, unknown>): Promise<() => void> {
  return mountWidget(createLocalModel(state), el);
}

export default { initialize, render };
