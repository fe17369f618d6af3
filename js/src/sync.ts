// The edit pipeline: edit_id / result_id, coalescing, and the wiring to a model.
//
// An edit is a set of trait values sent with a new `edit_id` in ONE save_changes (or a
// "resample" custom message carrying its edit_id). At most one edit is in flight: edits made
// while the kernel has not answered (result_id < the last edit_id sent) are queued and merged,
// latest value wins, then sent together as soon as result_id catches up.

import type { AnyModel } from "./types";

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

export class Coalescer {
  private queue: Segment[] = [];
  private lastSent = 0;
  private resultId: number;
  private counter: number;

  constructor(private readonly sink: EditSink, opts: { editId?: number; resultId?: number } = {}) {
    this.resultId = opts.resultId ?? 0;
    this.counter = Math.max(opts.editId ?? 0, this.resultId);
  }

  /** Queue trait values; sent at once if nothing is in flight. */
  edit(traits: Traits): void {
    if (Object.keys(traits).length === 0) return;
    const last = this.queue[this.queue.length - 1];
    if (last && last.kind === "traits") {
      Object.assign(last.traits, traits);
    } else if (last && last.kind === "resample" && !("score" in traits) && this.queue.length >= 2) {
      // Only a new score changes what a resample draws: other values can go before it.
      const before = this.queue[this.queue.length - 2];
      if (before.kind === "traits") Object.assign(before.traits, traits);
      else this.queue.push({ kind: "traits", traits: { ...traits } });
    } else {
      this.queue.push({ kind: "traits", traits: { ...traits } });
    }
    this.pump();
  }

  /** Queue a resample of the current score's parameters. */
  resample(): void {
    const last = this.queue[this.queue.length - 1];
    if (!last || last.kind !== "resample") this.queue.push({ kind: "resample" });
    this.pump();
  }

  /** The kernel answered up to `resultId`. */
  ack(resultId: number): void {
    if (!Number.isFinite(resultId)) return;
    this.resultId = resultId;
    this.pump();
  }

  /** An edit has been sent and not answered yet. */
  get inFlight(): boolean {
    return this.lastSent > this.resultId;
  }

  /** An edit is in flight or queued: the view shows "pending". */
  get pending(): boolean {
    return this.inFlight || this.queue.length > 0;
  }

  /** The edit_id of the latest edit sent (0 if none). */
  get latestSent(): number {
    return this.lastSent;
  }

  /** Values queued but not sent yet, merged (latest wins): the view shows these over the model's. */
  queued(): Traits {
    const out: Traits = {};
    for (const seg of this.queue) if (seg.kind === "traits") Object.assign(out, seg.traits);
    return out;
  }

  private nextId(): number {
    this.counter = Math.max(this.counter, this.lastSent, this.resultId, this.sink.usedId?.() ?? 0) + 1;
    return this.counter;
  }

  private pump(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const segments = this.queue;
    this.queue = [];
    for (const seg of segments) {
      const id = this.nextId();
      this.lastSent = id; // before sending: a synchronous (static) model answers inside send
      if (seg.kind === "traits") this.sink.sendTraits(seg.traits, id);
      else this.sink.sendResample(id);
    }
  }
}

/** An EditSink writing to an anywidget model. `encode` turns a view value into its wire value. */
export function modelSink(model: AnyModel, encode: (name: string, value: unknown) => unknown): EditSink {
  return {
    sendTraits(traits, id) {
      for (const [name, value] of Object.entries(traits)) model.set(name, encode(name, value));
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
