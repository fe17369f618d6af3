// A host's model that no kernel answers (wire/host.ts), turned into what a to_html page runs:
// the local model (./localModel.ts) over the state the host stored, so that the same JS engine
// answers every edit. One local model per host model, shared by all its views (display(w)
// twice on a static page: both views follow each other's edits, as with a kernel).

import type { AnyModel } from "../wire/model";
import { ATTENTION_TRAITS, HEADS_TRAITS } from "../wire/protocol";
import { createLocalModel } from "./localModel";

/** What an exported page carries of a widget (attnwidget/export.py's page_state): no edit, no error. */
const FRESH: Readonly<Record<string, unknown>> = { edit_id: 0, result_id: 0, error: "" };

/** The traits a page carries, read from the host's model (a to_html page's state, rebuilt). */
export function storedState(model: AnyModel): Record<string, unknown> {
  const heads = model.get("_kind") === "heads";
  const traits = heads ? HEADS_TRAITS : ATTENTION_TRAITS;
  const state: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(traits)) {
    if (spec.page === false) continue;
    const v = model.get(name);
    if (v !== undefined) state[name] = v;
  }
  for (const [name, v] of Object.entries(FRESH)) if (name in traits) state[name] = v;
  return state;
}

// Keyed by an array the host decoded once for its model: anywidget hands each view its own
// proxy of the model, but every proxy reads the very same objects.
const locals = new WeakMap<object, AnyModel>();

/** The local model standing in for `model`'s kernel (made once per host model). */
export function localModelFor(model: AnyModel): AnyModel {
  const key = model.get(model.get("_kind") === "heads" ? "weights" : "Q");
  const keyed = key !== null && typeof key === "object";
  let local = keyed ? locals.get(key) : undefined;
  if (!local) {
    local = createLocalModel(storedState(model));
    if (keyed) locals.set(key, local);
  }
  return local;
}
