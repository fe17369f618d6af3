// Is there a kernel behind this model at all? A host that renders the widget from stored state
// (a static page) gives the view a model nothing answers: edits sent there are never computed.
// The view must know it at once, from the model it is given, to run on the JS engine instead
// (index.ts) rather than wait for an answer that cannot come.
//
// What the hosts show (read in their sources, and tested in js/tests/host.test.ts):
// - ipywidgets' widget managers build a model from a comm or from stored state. One made from
//   stored state (@jupyter-widgets/html-manager on an `nbconvert --to html` page, Sphinx or
//   MkDocs page; JupyterLab reopening a notebook whose kernel does not hold the widget) has no
//   `comm` and `comm_live === false` from its creation. anywidget's model proxy hides the model
//   itself, but the widget's `layout` trait is deserialised to the Layout model, created by the
//   same manager in the same way: its `comm` and `comm_live` say the same. A model whose comm
//   was lost later (a kernel restart) keeps its `comm` object: that is a disconnected kernel
//   (live/connection.ts), not a static page. No host whose edits reach Python can show
//   `comm_live === false`: ipywidgets' save_changes sends nothing while it is.
// - marimo's static export (`marimo export html`) defines `window.__MARIMO_STATIC__` (its
//   cells' outputs and widget models); its models have no kernel and refuse every update.
// Anything else (a host that shows nothing of this) is taken as live: nothing changes there.

import type { AnyModel } from "./model";

/** Why no kernel can answer this model ("" when one can, or when the host does not say). */
export type NoKernel = "" | "stored widget state" | "marimo static page";

interface CommHolder {
  comm?: unknown;
  comm_live?: unknown;
}

/** A widget model created without a comm (from stored state): true; with one, or unknown: false. */
function madeWithoutComm(m: unknown): boolean {
  if (!m || typeof m !== "object") return false;
  try {
    const { comm, comm_live } = m as CommHolder;
    return comm_live === false && (comm === undefined || comm === null);
  } catch {
    return false;
  }
}

/** The host's model of the widget's layout (ipywidgets' DOMWidget), if the host has one. */
function layoutModel(model: AnyModel): unknown {
  try {
    return model.get("layout");
  } catch {
    return undefined;
  }
}

/** Why nothing can answer `model`'s edits (see above), or "" when a kernel may. Never throws. */
export function noKernel(model: AnyModel, global: object = globalThis): NoKernel {
  const marimo = (global as { __MARIMO_STATIC__?: unknown }).__MARIMO_STATIC__;
  if (marimo !== undefined && marimo !== null) return "marimo static page";
  // the model itself, where the host hands it over whole (not through anywidget's proxy)
  if (madeWithoutComm(model) || madeWithoutComm(layoutModel(model))) return "stored widget state";
  return "";
}
