// The anywidget entry point: `export default { render }`, plus the static-page helpers.
// `render` is deliberately not a named export: anywidget warns about a direct export of
// `render` ("will likely be deprecated") in every view.

import "./style.css";
import { mount } from "./app";
import { mountHeads } from "./heads";
import type { AnyModel } from "./wire/model";
import { watchRowPatches } from "./wire/patch";

export { createLocalModel, mountStatic } from "./static";
export type { AnyModel } from "./wire/model";

/** Build the view of `model` in `el`; returns the cleanup (removes listeners and DOM). */
function render({ model, el }: { model: AnyModel; el: HTMLElement }): () => void {
  return model.get("_kind") === "heads" ? mountHeads(model, el) : mount(model, el);
}

/** Once per model, before any view: keep its arrays whole as row patches arrive. */
function initialize({ model }: { model: AnyModel }): () => void {
  return watchRowPatches(model);
}

export default { initialize, render };
