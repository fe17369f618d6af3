// The keys-and-values editor: K and V as editable tables (the query editor's matrixEditor).
// V may be null ("the values are the keys"): the V table then shows K, and typing a value
// makes V an explicit copy of K first (then edits it), as the note under it says. Many keys:
// the tables start folded (a <details>), so the card takes one line until it is opened.

import type { Snapshot } from "../../live/store";
import { h, setText } from "../dom";
import { matrixEditor } from "./editor";
import { runAll, type Actions, type Topic, type View } from "./view";

/** Above this many entries of K and V, the tables start folded. */
const FOLD_ABOVE = 128;

export function keysEditorView(actions: Actions): View {
  const keys = matrixEditor(actions, {
    matrix: (s) => s.K,
    tokens: (s) => s.kTokens,
    prefix: "k",
    what: "Key",
    rowAttr: "data-key",
    edit: (K) => actions.edit({ K }, { typed: true }),
    centre: () => -1,
    deps: ["K", "tokens"],
    view: "key-editor",
  });
  const values = matrixEditor(actions, {
    matrix: (s) => s.values,
    tokens: (s) => s.kTokens,
    prefix: "k",
    what: "Value",
    rowAttr: "data-value-row",
    // (with V null, `next` is a copy of K with the entry typed: V becomes K's copy, then edited)
    edit: (V) => actions.edit({ V }, { typed: true }),
    centre: () => -1,
    deps: ["K", "V", "tokens"],
    view: "value-editor",
  });
  const note = h("p", { class: "aw-note", "data-role": "values-note" });
  const summary = h("summary", undefined, "");
  const el = h("details", { class: "aw-kv" }, summary, h("h4", undefined, "K"), keys.el, h("h4", undefined, "V"), note, values.el);
  const views = [keys, values];
  let first = true;
  return {
    el,
    deps: ["K", "V", "tokens"] satisfies Topic[],
    update(s: Snapshot, changed) {
      const n = s.K.rows * (s.K.cols + s.values.cols);
      if (first) el.open = n <= FOLD_ABOVE;
      first = false;
      setText(summary, `${s.K.rows} keys`);
      setText(note, s.V === null ? "V is None: the values are the keys. A value typed makes V a copy of K first." : "");
      note.hidden = s.V !== null;
      for (const v of views) v.update(s, changed);
    },
    destroy: () => runAll(views.map((v) => () => v.destroy())),
  };
}
