// The local model of a static (exported) page: the model the view talks to, with the JS engine
// in place of the kernel. Mounting the view on it is index.ts's `mountStatic`.

import { attention, attentionRows, setRows, type Params, type ScoreName } from "../core/engine";
import type { Mask, Matrix } from "../core/matrix";
import { decodeMask, decodeMatrix, decodeParams, encodeMatrix, type WireArray } from "../wire/codec";
import type { AnyModel, Listener } from "../wire/model";
import { knownMatrix, wireOf } from "../wire/wirecache";

const INPUTS = ["Q", "K", "V", "score", "mask", "temperature", "param_sets"];

interface Results {
  scores: Matrix;
  weights: Matrix;
  output: Matrix;
  params: unknown;
}

interface Inputs {
  Q: Matrix;
  K: Matrix;
  V?: Matrix;
  score: ScoreName;
  params: Params;
  rawParams: unknown;
  mask: Mask | null;
  temperature: number;
}

const masks = new WeakMap<object, Mask | null>();
function maskOf(w: WireArray): Mask | null {
  let m = masks.get(w);
  if (m === undefined) masks.set(w, (m = decodeMask(w)));
  return m;
}

/** The state's inputs, decoded (throws on a damaged array). */
function inputsOf(st: Record<string, unknown>): Inputs {
  const score = st.score as ScoreName;
  const sets = (st.param_sets ?? {}) as Record<string, unknown>;
  const rawParams = sets[score as string] ?? st.params ?? null;
  const Q = knownMatrix(st.Q) ?? decodeMatrix(st.Q as WireArray);
  const K = knownMatrix(st.K) ?? decodeMatrix(st.K as WireArray);
  const V = st.V ? knownMatrix(st.V) ?? decodeMatrix(st.V as WireArray) : undefined;
  const mask = st.mask ? maskOf(st.mask as WireArray) : null;
  const temperature = st.temperature as number; // the engine checks it, and the mask's shape
  const params = decodeParams((rawParams ?? null) as Parameters<typeof decodeParams>[0]);
  return { Q, K, V, score, params, rawParams: rawParams ?? {}, mask, temperature };
}

function compute(x: Inputs): Results {
  const r = attention(x);
  return { scores: r.scores, weights: r.weights, output: r.output, params: x.rawParams };
}

/** Rows of `a` and `b` (same shape) that differ. */
function changedRows(a: Matrix, b: Matrix): number[] {
  const rows: number[] = [];
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      const k = i * a.cols + j;
      if (a.data[k] !== b.data[k]) {
        rows.push(i);
        break;
      }
    }
  }
  return rows;
}

/** `prev` (owned, changed in place) with the rows `rows` recomputed for the inputs `x` (only Q changed, in those rows). */
function computeRows(x: Inputs, prev: Results, rows: number[]): Results {
  // In place: these matrices belong to this model (the view only reads them), and copying
  // megabytes on every drag step is what makes large pages slow.
  setRows(prev, attentionRows(x, rows), rows);
  // new objects over the same memory: views that compare matrices by identity see a change
  const fresh = (m: Matrix): Matrix => ({ rows: m.rows, cols: m.cols, data: m.data });
  return { scores: fresh(prev.scores), weights: fresh(prev.weights), output: fresh(prev.output), params: x.rawParams };
}

/**
 * A model holding `state` (arrays as {dtype, shape, buffer: DataView}) whose save_changes()
 * recomputes with the JS engine, like the kernel would: results, params, error, result_id.
 * A refused edit puts the last good inputs back and sets `error`.
 */
export function createLocalModel(state: Record<string, unknown>): AnyModel {
  // buffers may be DataView, ArrayBuffer or typed arrays: wire/codec.ts reads them all
  const st: Record<string, unknown> = { ...state, _static: true };
  st.edit_id = Number(st.edit_id) || 0;
  st.result_id = Number(st.result_id) || 0;
  if (typeof st.error !== "string") st.error = "";
  if (typeof st.selected_query !== "number") st.selected_query = 0;
  if (typeof st.temperature !== "number") st.temperature = 1;
  const wires = new WeakMap<Matrix, object>();
  const wire = (m: Matrix): object => {
    let w = wires.get(m);
    if (!w) wires.set(m, (w = wireOf(m, encodeMatrix)));
    return w;
  };
  /** The results shown (decoded), for row-only recomputes. */
  let results: Results | null = null;
  // (an AttentionHeads state carries weights only: there is nothing to compute)
  if (st._kind !== "heads" && (!st.weights || !st.scores || !st.output)) {
    try {
      results = compute(inputsOf(st));
      Object.assign(st, {
        scores: wire(results.scores),
        weights: wire(results.weights),
        output: wire(results.output),
        params: results.params,
      });
    } catch (e) {
      st.error = e instanceof Error ? e.message : String(e);
    }
  }

  const listeners = new Map<string, Set<Listener>>();
  const dirty = new Set<string>();
  let committed: Record<string, unknown> = Object.fromEntries(INPUTS.map((k) => [k, st[k]]));

  function emit(name: string, ...args: unknown[]): void {
    const set = listeners.get(name);
    if (set) for (const cb of [...set]) cb(...args);
  }

  /** Set a value as the "kernel" does: change events, not dirty. */
  function put(k: string, v: unknown): void {
    if (st[k] === v) return;
    st[k] = v;
    emit(`change:${k}`, model, v);
    emit("change", model);
  }

  /** The results shown, as matrices this model may change (decoded from the state once). */
  function owned(): Results | null {
    if (results) return results;
    try {
      const dec = (w: unknown) => decodeMatrix(w as WireArray); // a copy: ours to change
      return (results = { scores: dec(st.scores), weights: dec(st.weights), output: dec(st.output), params: st.params });
    } catch {
      return null;
    }
  }

  function recompute(changed: string[]): void {
    try {
      const x = inputsOf(st);
      let r: Results | null = null;
      const prev = owned();
      const oldQ = committed.Q ? knownMatrix(committed.Q) ?? decodeMatrix(committed.Q as WireArray) : null;
      if (prev && oldQ && changed.every((k) => k === "Q" || k === "edit_id" || k === "selected_query") && oldQ.rows === x.Q.rows && oldQ.cols === x.Q.cols && prev.weights.rows === x.Q.rows) {
        const rows = changedRows(oldQ, x.Q);
        if (rows.length === 0) r = prev;
        else if (rows.length <= Math.max(4, x.Q.rows / 8)) r = computeRows(x, prev, rows);
      }
      r ??= compute(x);
      results = r;
      put("params", r.params);
      put("scores", wire(r.scores));
      put("weights", wire(r.weights));
      put("output", wire(r.output));
      put("error", "");
      committed = Object.fromEntries(INPUTS.map((k) => [k, st[k]]));
    } catch (e) {
      for (const k of INPUTS) put(k, committed[k]);
      put("error", e instanceof Error ? e.message : String(e));
    }
    put("result_id", st.edit_id);
  }

  const model: AnyModel = {
    get: (k) => st[k],
    set(k, v) {
      dirty.add(k);
      put(k, v);
    },
    save_changes() {
      const keys = [...dirty];
      dirty.clear();
      if (keys.some((k) => k === "edit_id" || INPUTS.includes(k))) recompute(keys);
    },
    on(name, cb) {
      for (const n of name.split(/\s+/).filter(Boolean)) {
        if (!listeners.has(n)) listeners.set(n, new Set());
        listeners.get(n)!.add(cb);
      }
    },
    off(name, cb) {
      if (!name) {
        if (!cb) listeners.clear();
        else for (const set of listeners.values()) set.delete(cb);
        return;
      }
      for (const n of name.split(/\s+/).filter(Boolean)) {
        if (cb) listeners.get(n)?.delete(cb);
        else listeners.delete(n);
      }
    },
    send() {
      /* no kernel: custom messages go nowhere */
    },
  };
  return model;
}
