// The edit pipeline: edit_id / result_id, coalescing, and the wiring to a model.
//
// An edit is a set of trait values sent with a new `edit_id` in ONE save_changes (or a
// "resample" custom message carrying its edit_id). At most one edit is in flight: edits made
// while the kernel has not answered (result_id < the last edit_id sent) are queued and merged,
// latest value wins, then sent together as soon as result_id catches up.

import type { AnyModel } from "../wire/model";
import { KEY_PATCH, ROW_PATCH } from "../wire/protocol";

export type Traits = Record<string, unknown>;

type Segment = { kind: "traits"; traits: Traits } | { kind: "resample" };

export interface EditSink {
  /** Send `traits` with `edit_id = id` in one save_changes. */
  sendTraits(traits: Traits, id: number): void;
  /** Send the custom message {type: "resample", edit_id: id}. */
  sendResample(id: number): void;
  /** The highest edit_id known to be used already (e.g. the model's edit_id trait). */
  usedId?(): number;
}

export interface Coalescer {
  /** Queue trait values; sent at once if nothing is in flight. */
  edit(traits: Traits): void;
  /** Queue a resample of the current score's parameters. */
  resample(): void;
  /** The kernel answered up to `resultId`. */
  ack(resultId: number): void;
  /** An edit has been sent and not answered yet. */
  readonly inFlight: boolean;
  /** An edit is in flight or queued: the view shows "pending". */
  readonly pending: boolean;
  /** The edit_id of the latest edit sent (0 if none). */
  readonly latestSent: number;
  /** Values queued but not sent yet, merged (latest wins): the view shows these over the model's. */
  queued(): Traits;
}

export function createCoalescer(sink: EditSink, opts: { editId?: number; resultId?: number } = {}): Coalescer {
  let queue: Segment[] = [];
  let lastSent = 0;
  let resultId = opts.resultId ?? 0;
  let counter = Math.max(opts.editId ?? 0, resultId);

  const inFlight = () => lastSent > resultId;

  function pump(): void {
    if (inFlight() || queue.length === 0) return;
    const segments = queue;
    queue = [];
    for (const seg of segments) {
      counter = Math.max(counter, lastSent, resultId, sink.usedId?.() ?? 0) + 1;
      lastSent = counter; // before sending: a synchronous (static) model answers inside send
      if (seg.kind === "traits") sink.sendTraits(seg.traits, counter);
      else sink.sendResample(counter);
    }
  }

  return {
    edit(traits) {
      if (Object.keys(traits).length === 0) return;
      const last = queue[queue.length - 1];
      if (last && last.kind === "traits") {
        Object.assign(last.traits, traits);
      } else if (last && last.kind === "resample" && !("score" in traits) && queue.length >= 2) {
        // Only a new score changes what a resample draws: other values can go before it.
        const before = queue[queue.length - 2];
        if (before.kind === "traits") Object.assign(before.traits, traits);
        else queue.push({ kind: "traits", traits: { ...traits } });
      } else {
        queue.push({ kind: "traits", traits: { ...traits } });
      }
      pump();
    },
    resample() {
      const last = queue[queue.length - 1];
      if (!last || last.kind !== "resample") queue.push({ kind: "resample" });
      pump();
    },
    ack(id) {
      if (!Number.isFinite(id)) return;
      resultId = id;
      pump();
    },
    get inFlight() {
      return inFlight();
    },
    get pending() {
      return inFlight() || queue.length > 0;
    },
    get latestSent() {
      return lastSent;
    },
    queued() {
      const out: Traits = {};
      for (const seg of queue) if (seg.kind === "traits") Object.assign(out, seg.traits);
      return out;
    },
  };
}

/**
 * An EditSink writing to an anywidget model. `encode` turns the view values of an edit with
 * `edit_id = id` into the wire values to set (which may name other traits, e.g. a row patch).
 */
export function modelSink(model: AnyModel, encode: (traits: Traits, id: number) => Traits): EditSink {
  return {
    sendTraits(traits, id) {
      for (const [name, value] of Object.entries(encode(traits, id))) {
        // A model sends only values that differ from the ones it holds, and the kernel never
        // sends its row patch back: without this, rows equal to the last ones sent were dropped.
        if (name === ROW_PATCH.up || name === KEY_PATCH.up) model.set(name, null);
        model.set(name, value);
      }
      model.set("edit_id", id);
      model.save_changes();
    },
    sendResample(id) {
      model.send({ type: "resample", edit_id: id });
    },
    usedId() {
      const v = model.get("edit_id");
      return typeof v === "number" ? v : 0;
    },
  };
}
