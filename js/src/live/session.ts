// What every view of one widget shares: the edit queue and its edit_id counter.
//
// `display(w); display(w)` renders the same model twice. With a queue per view, view B would
// send its own edit while A's is in flight, and A's queued (whole-matrix) Q would then clobber
// B's edit. One queue per model avoids both: an edit from either view joins the same queue,
// both views show the same pending state, and each view is told to preview and repaint.
//
// anywidget hands each view its own model proxy, so the proxies differ; two proxies belong to
// one model when they read the very same (deserialised, per-model) array objects.

import type { Matrix } from "../core/matrix";
import { encodeEditFor } from "../wire/edit";
import type { AnyModel } from "../wire/model";
import { createCoalescer, modelSink, type Coalescer, type Traits } from "./sync";

export interface Member {
  /**
   * An edit was made in some view (it is queued or sent): preview and repaint. `deferred`:
   * a typed edit with a live kernel, previewed only if the kernel is slow to answer.
   */
  edited(topics: readonly string[], row: number | undefined, wasPending: boolean, deferred?: boolean): void;
  /** The wire value `wire` of an edit decodes to `value` (a decoding cache). */
  remember(wire: unknown, value: unknown): void;
  /** Sending to the model threw. */
  sendFailed(err: unknown): void;
}

/** Traits whose (object) values are decoded once per model: equal identity = one model. */
const PROBES = ["Q", "K", "param_sets", "weights"];

function sameModel(a: AnyModel, b: AnyModel): boolean {
  if (a === b) return true;
  const ma = (a as { widget_manager?: unknown }).widget_manager;
  if (!ma || ma !== (b as { widget_manager?: unknown }).widget_manager) return false;
  let seen = 0;
  for (const n of PROBES) {
    const x = a.get(n);
    if (x !== b.get(n)) return false;
    if (x && typeof x === "object") seen++;
  }
  return seen > 0;
}

export interface Session {
  readonly model: AnyModel;
  readonly coalescer: Coalescer;
  /** The session is writing an edit to the model: the change events it fires are the edit's own. */
  readonly writing: boolean;
  /** An edit is in flight or queued. */
  readonly pending: boolean;
  /** Edits made and not answered yet (a drag of one query counts once). */
  readonly waiting: number;
  join(m: Member): void;
  leave(m: Member): void;
  /** An edit from a view: queued (or sent), then every view previews and repaints. */
  edit(values: Traits, topics: readonly string[], row?: number, deferred?: boolean): void;
  resample(): void;
  /** The kernel answered up to `resultId` (each view reports it; repeats are no-ops). */
  ack(resultId: number): void;
  /** The edit values the views show over the model's: sent and not answered, then queued. */
  overlay(): Traits;
}

const sessions = new Set<Session>();

function createSession(model: AnyModel): Session {
  const members = new Set<Member>();
  let writing = false;
  let edits = 0;
  let lastEdit = "";
  // A Q sent as its changed rows only: the model's Q is the kernel's until the kernel answers
  // (with those rows in its row patch, or Q whole), so the views show this one until then.
  // The same for K and V sent as their changed rows.
  let sentQ: { id: number; Q: Matrix } | null = null;
  let sentKV: { id: number; values: Traits } | null = null;
  const sink = modelSink(model, (traits, id) => {
    const { wire, queryRows, keyRows } = encodeEditFor(model, traits);
    sentQ = queryRows ? { id, Q: traits.Q as Matrix } : null;
    sentKV = keyRows ? { id, values: Object.fromEntries(["K", "V"].filter((n) => n in traits).map((n) => [n, traits[n]])) } : null;
    for (const [name, value] of Object.entries(wire)) {
      if (name in traits) for (const m of members) m.remember(value, traits[name]);
    }
    return wire;
  });
  const guard = <A extends unknown[]>(send: (...a: A) => void) => (...a: A) => {
    try {
      send(...a);
    } catch (err) {
      console.error("attnwidget: could not send an edit", err);
      for (const m of members) m.sendFailed(err);
    }
  };
  const coalescer = createCoalescer(
    { sendTraits: guard(sink.sendTraits), sendResample: guard(sink.sendResample), usedId: sink.usedId },
    { editId: Number(model.get("edit_id")) || 0, resultId: Number(model.get("result_id")) || 0 },
  );
  const write = (f: () => void): void => {
    const was = writing;
    writing = true;
    try {
      f();
    } finally {
      writing = was;
    }
  };
  /** Count an edit (`key`: what it changes; the same key again is the same edit going on). */
  const count = (key: string): boolean => {
    const wasPending = coalescer.pending;
    if (!wasPending) edits = 0;
    if (key !== lastEdit || edits === 0) edits++;
    lastEdit = key;
    return wasPending;
  };
  const notifyMembers = (topics: readonly string[], row: number | undefined, wasPending: boolean, deferred = false): void => {
    for (const m of [...members]) m.edited(topics, row, wasPending, deferred);
  };
  const session: Session = {
    model,
    coalescer,
    get writing() {
      return writing;
    },
    get pending() {
      return coalescer.pending;
    },
    get waiting() {
      return coalescer.pending ? edits : 0;
    },
    join(m) {
      members.add(m);
      sessions.add(session);
    },
    leave(m) {
      members.delete(m);
      if (members.size === 0) sessions.delete(session);
    },
    edit(values, topics, row, deferred) {
      if (Object.keys(values).length === 0) return;
      const wasPending = count(Object.keys(values).sort().join() + ":" + (row ?? ""));
      write(() => coalescer.edit(values));
      notifyMembers(topics, row, wasPending, deferred);
    },
    resample() {
      const wasPending = count("resample");
      write(() => coalescer.resample());
      notifyMembers(["state", "error"], undefined, wasPending);
    },
    ack(resultId) {
      if (sentQ && resultId >= sentQ.id) sentQ = null;
      if (sentKV && resultId >= sentKV.id) sentKV = null;
      write(() => coalescer.ack(resultId));
    },
    overlay() {
      const queued = coalescer.queued();
      const sent = { ...sentKV?.values, ...(sentQ ? { Q: sentQ.Q } : {}) };
      return { ...sent, ...queued };
    },
  };
  return session;
}

/** The session of `model`'s widget: shared with the other views of the same model. */
export function sessionFor(model: AnyModel): Session {
  for (const s of sessions) if (sameModel(s.model, model)) return s;
  return createSession(model);
}
