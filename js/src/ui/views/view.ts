// What every view module implements, and what it may ask the widget to do.

import type { Matrix } from "../../core/matrix";
import type { EditValues, Snapshot } from "../../live/store";

export type Topic =
  | "Q"
  | "K"
  | "V"
  | "tokens"
  | "score"
  | "params"
  | "mask"
  | "temperature"
  | "result"
  | "selected"
  | "error"
  | "state"
  /** The host's theme changed (or the widget was attached): canvases repaint in its colours. */
  | "theme";

export interface Actions {
  /**
   * A local edit: previewed at once, sent to the kernel (coalesced). `row`: only that query
   * changed. `typed`: one committed value (not a drag); with a live kernel it is previewed only
   * if the kernel has not answered within 100 ms (its answer usually comes sooner, and painting
   * a preview first would delay it).
   */
  edit(values: EditValues, hint?: { row?: number; typed?: boolean }): void;
  /** Select a query (UI state: saved to the model, no edit_id). */
  select(i: number): void;
  /** Ask the kernel for new parameters of the current score. */
  resample(): void;
  /** The up-to-date snapshot (local edits included), for event handlers. */
  current(): Snapshot;
  /** The up-to-date Q alone (local edits included): cheaper than current() per pointermove. */
  Q(): Matrix;
}

export interface View {
  readonly el: Element;
  /** The topics whose change needs an update. */
  readonly deps: readonly Topic[];
  update(s: Snapshot, changed: ReadonlySet<Topic>): void;
  destroy(): void;
}

/** Run `fns` (listener removers). */
export function runAll(fns: Array<() => void>): void {
  for (const f of fns.splice(0)) f();
}
