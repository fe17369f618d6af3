// The local model of a static (exported) page: the model the view talks to, with the JS engine
// in place of the kernel. Mounting the view on it is index.ts's `mountStatic`.

import { INPUTS as PROTOCOL_INPUTS, ROW_PATCH } from "../wire/protocol";
import { attention, attentionRows, setRows, type Params, type ScoreName } from "../core/engine";
import { changedRows, type Mask, type Matrix } from "../core/matrix";
import { decodeMask, decodeMatrix, decodeParams, encodeMatrix, type WireArray } from "../wire/codec";
import { KEY_ROWS, keysWithRows, QUERY_ROWS, queriesWithRows } from "../wire/edit";
import type { AnyModel, Listener } from "../wire/model";
import { knownMatrix, wireOf } from "../wire/wirecache";

// What the results depend on (the protocol's inputs); this model reads each score's
// parameters from param_sets, which the kernel sent with the page.
const INPUTS = [...PROTOCOL_INPUTS.filter((k) => k !== "params"), "param_sets"];

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

// An edit of these alone changes the rows of the results it changes only (Q's, the mask's).
const ROW_EDIT = new Set([...ROW_PATCH.edits, ...ROW_PATCH.alongside]);

/** The rows where masks `a` and `b` (of `m` rows; null allows every key) differ. */
function maskRows(a: Mask | null, b: Mask | null, m: number): number[] {
  const rows: number[] = [];
  const n = (a ?? b)?.cols ?? 0;
  for (let i = 0; i < m; i++) {
    for (let k = i * n; k < (i + 1) * n; k++) {
      if ((a ? a.data[k] : 1) !== (b ? b.data[k] : 1)) {
        rows.push(i);
        break;
      }
    }
  }
  return rows;
}

const masks = new WeakMap<object, Mask | null>();
function maskOf(w: WireArray): Mask | null {
  let m = masks.get(w);
  if (m === undefined) masks.set(w, (m = decodeMask(w)));
  return m;
}

/** The state's inputs, decoded (throws on a damaged array). */
function inputsOf(traits: Record<string, unknown>): Inputs {
  const score = traits.score as ScoreName;
  const sets = (traits.param_sets ?? {}) as Record<string, unknown>;
  const rawParams = sets[score as string] ?? traits.params ?? null;
  const Q = knownMatrix(traits.Q) ?? decodeMatrix(traits.Q as WireArray);
  const K = knownMatrix(traits.K) ?? decodeMatrix(traits.K as WireArray);
  const V = traits.V ? knownMatrix(traits.V) ?? decodeMatrix(traits.V as WireArray) : undefined;
  const mask = traits.mask ? maskOf(traits.mask as WireArray) : null;
  const temperature = traits.temperature as number; // the engine checks it, and the mask's shape
  const params = decodeParams((rawParams ?? null) as Parameters<typeof decodeParams>[0]);
  return { Q, K, V, score, params, rawParams: rawParams ?? {}, mask, temperature };
}

function compute(x: Inputs): Results {
  const r = attention(x);
  return { scores: r.scores, weights: r.weights, output: r.output, params: x.rawParams };
}

/** `prev` (this model's own matrices, changed in place) with the rows `rows` recomputed for the inputs `x` (only Q changed, in those rows). */
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
  const traits: Record<string, unknown> = { ...state, _static: true };
  traits.edit_id = Number(traits.edit_id) || 0;
  traits.result_id = Number(traits.result_id) || 0;
  if (typeof traits.error !== "string") traits.error = "";
  if (typeof traits.selected_query !== "number") traits.selected_query = 0;
  if (typeof traits.temperature !== "number") traits.temperature = 1;
  const wires = new WeakMap<Matrix, object>();
  const wire = (m: Matrix): object => {
    let w = wires.get(m);
    if (!w) wires.set(m, (w = wireOf(m, encodeMatrix)));
    return w;
  };
  /** The results shown (decoded), for row-only recomputes. */
  let results: Results | null = null;
  // (an AttentionHeads state carries weights only: there is nothing to compute)
  if (traits._kind !== "heads" && (!traits.weights || !traits.scores || !traits.output)) {
    try {
      results = compute(inputsOf(traits));
      Object.assign(traits, {
        scores: wire(results.scores),
        weights: wire(results.weights),
        output: wire(results.output),
        params: results.params,
      });
    } catch (e) {
      traits.error = e instanceof Error ? e.message : String(e);
    }
  }

  const listeners = new Map<string, Set<Listener>>();
  const dirty = new Set<string>();
  let committed: Record<string, unknown> = Object.fromEntries(INPUTS.map((k) => [k, traits[k]]));

  function emit(name: string, ...args: unknown[]): void {
    const set = listeners.get(name);
    if (set) for (const cb of [...set]) cb(...args);
  }

  /** Set a value as the "kernel" does: change events, not dirty. */
  function setAsKernel(k: string, v: unknown): void {
    if (traits[k] === v) return;
    traits[k] = v;
    emit(`change:${k}`, model, v);
    emit("change", model);
  }

  /** The results shown, as matrices this model may change (decoded from the state once). */
  function writableResults(): Results | null {
    if (results) return results;
    try {
      const dec = (w: unknown) => decodeMatrix(w as WireArray); // a copy: ours to change
      return (results = { scores: dec(traits.scores), weights: dec(traits.weights), output: dec(traits.output), params: traits.params });
    } catch {
      return null;
    }
  }

  /** Put the last good inputs back and say why (the edit is answered all the same). */
  function refuse(e: unknown): void {
    for (const k of INPUTS) setAsKernel(k, committed[k]);
    setAsKernel("error", e instanceof Error ? e.message : String(e));
    setAsKernel("result_id", traits.edit_id);
  }

  /** A view's edit of a few queries (QUERY_ROWS) as the edit of Q it stands for. */
  function applyQueryRows(changed: string[]): string[] {
    const patch = traits[QUERY_ROWS];
    traits[QUERY_ROWS] = null; // (like the kernel's trait, never set itself)
    if (changed.includes("Q")) throw new Error(`a view's edit sets Q or ${QUERY_ROWS}, not both`);
    const Q = knownMatrix(committed.Q) ?? decodeMatrix(committed.Q as WireArray);
    setAsKernel("Q", wire(queriesWithRows(Q, patch)));
    return [...changed.filter((k) => k !== QUERY_ROWS), "Q"];
  }

  /** A view's edit of a few keys or values (KEY_ROWS) as the edit of K and V it stands for. */
  function applyKeyRows(changed: string[]): string[] {
    const patch = traits[KEY_ROWS];
    traits[KEY_ROWS] = null;
    if (changed.includes("K") || changed.includes("V")) throw new Error(`a view's edit sets K and V or ${KEY_ROWS}, not both`);
    const dec = (w: unknown) => knownMatrix(w) ?? decodeMatrix(w as WireArray);
    const edited = keysWithRows(dec(committed.K), committed.V ? dec(committed.V) : null, patch);
    for (const [n, m] of Object.entries(edited)) setAsKernel(n, wire(m));
    return [...changed.filter((k) => k !== KEY_ROWS), ...Object.keys(edited)];
  }

  /**
   * The rows of the results an edit of `changed` (Q or the mask, see ROW_EDIT) changes, when
   * few enough to recompute alone (as the kernel's row patch); null: recompute everything.
   */
  function rowsChanged(changed: string[], x: Inputs, prev: Results): number[] | null {
    const oldQ = committed.Q ? knownMatrix(committed.Q) ?? decodeMatrix(committed.Q as WireArray) : null;
    const m = x.Q.rows;
    if (!oldQ || !changed.every((k) => ROW_EDIT.has(k)) || oldQ.rows !== m || oldQ.cols !== x.Q.cols || prev.weights.rows !== m) return null;
    if (x.mask && (x.mask.rows !== m || x.mask.cols !== x.K.rows)) return null; // (refused by the engine)
    let rows = changedRows(oldQ, x.Q);
    if (changed.includes("mask")) {
      const more = maskRows(committed.mask ? maskOf(committed.mask as WireArray) : null, x.mask, m);
      rows = [...new Set([...rows, ...more])].sort((a, b) => a - b);
    }
    return rows.length <= ROW_PATCH.max_rows_fraction * m ? rows : null;
  }

  function recompute(changed: string[]): void {
    try {
      if (changed.includes(QUERY_ROWS)) changed = applyQueryRows(changed);
      if (changed.includes(KEY_ROWS)) changed = applyKeyRows(changed);
    } catch (e) {
      refuse(e);
      return;
    }
    try {
      const x = inputsOf(traits);
      let r: Results | null = null;
      const prev = writableResults();
      const rows = prev ? rowsChanged(changed, x, prev) : null;
      if (prev && rows) r = rows.length === 0 ? prev : computeRows(x, prev, rows);
      r ??= compute(x);
      results = r;
      setAsKernel("params", r.params);
      setAsKernel("scores", wire(r.scores));
      setAsKernel("weights", wire(r.weights));
      setAsKernel("output", wire(r.output));
      setAsKernel("error", "");
      committed = Object.fromEntries(INPUTS.map((k) => [k, traits[k]]));
    } catch (e) {
      refuse(e);
      return;
    }
    setAsKernel("result_id", traits.edit_id);
  }

  const model: AnyModel = {
    get: (k) => traits[k],
    set(k, v) {
      dirty.add(k);
      setAsKernel(k, v);
    },
    save_changes() {
      const keys = [...dirty];
      dirty.clear();
      if (keys.some((k) => k === "edit_id" || k === QUERY_ROWS || k === KEY_ROWS || INPUTS.includes(k))) recompute(keys);
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
