// A local model for static pages: the same view, with the JS engine in place of the kernel.

import { decodeMask, decodeMatrix, decodeParams, encodeMatrix, type WireArray } from "./codec";
import { attention } from "./engine";
import { mount } from "./app";
import type { AnyModel, Listener } from "./types";

const ARRAY_TRAITS = ["Q", "K", "V", "mask", "scores", "weights", "output"];
const INPUTS = ["Q", "K", "V", "score", "mask", "temperature", "param_sets"];

/** Any binary-ish buffer (or base64 text) as a DataView. */
function toDataView(b: unknown): unknown {
  if (b instanceof DataView) return b;
  if (b instanceof ArrayBuffer) return new DataView(b);
  if (ArrayBuffer.isView(b)) return new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (typeof b === "string" && typeof atob === "function") {
    const bin = atob(b);
    const u = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
    return new DataView(u.buffer);
  }
  return b;
}

function normWire(w: unknown): unknown {
  if (w && typeof w === "object" && "buffer" in (w as Record<string, unknown>)) {
    const o = w as Record<string, unknown>;
    return { ...o, buffer: toDataView(o.buffer) };
  }
  return w;
}

function normDict(d: unknown): unknown {
  if (!d || typeof d !== "object") return d;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d as Record<string, unknown>)) out[k] = normWire(v);
  return out;
}

interface Results {
  scores: WireArray;
  weights: WireArray;
  output: WireArray;
  params: unknown;
}

/** Recompute from the state's inputs (throws the engine's error). */
function compute(st: Record<string, unknown>): Results {
  const score = st.score as Parameters<typeof attention>[0]["score"];
  const sets = (st.param_sets ?? {}) as Record<string, unknown>;
  const rawParams = sets[score as string] ?? st.params ?? null;
  const Q = decodeMatrix(st.Q as WireArray);
  const K = decodeMatrix(st.K as WireArray);
  const V = st.V ? decodeMatrix(st.V as WireArray) : undefined;
  const mask = st.mask ? decodeMask(st.mask as WireArray) : null;
  if (mask && (mask.rows !== Q.rows || mask.cols !== K.rows)) {
    throw new Error(`mask must have shape (M, N) = (${Q.rows}, ${K.rows}), got (${mask.rows}, ${mask.cols})`);
  }
  const temperature = Number(st.temperature);
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`temperature must be a positive finite number, got ${String(st.temperature)}`);
  }
  const r = attention({
    Q,
    K,
    V,
    score,
    params: decodeParams((rawParams ?? null) as Parameters<typeof decodeParams>[0]),
    mask,
    temperature,
  });
  return {
    scores: encodeMatrix(r.scores) as WireArray,
    weights: encodeMatrix(r.weights) as WireArray,
    output: encodeMatrix(r.output) as WireArray,
    params: rawParams ?? {},
  };
}

/**
 * A model holding `state` (arrays as {dtype, shape, buffer: DataView}) whose save_changes()
 * recomputes with the JS engine, like the kernel would: results, params, error, result_id.
 * A refused edit puts the last good inputs back and sets `error`.
 */
export function createLocalModel(state: Record<string, unknown>): AnyModel {
  const st: Record<string, unknown> = { ...state, _static: true };
  for (const k of ARRAY_TRAITS) if (k in st) st[k] = normWire(st[k]);
  if (st.params) st.params = normDict(st.params);
  if (st.param_sets && typeof st.param_sets === "object") {
    const sets: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(st.param_sets as Record<string, unknown>)) sets[k] = normDict(v);
    st.param_sets = sets;
  }
  st.edit_id = Number(st.edit_id) || 0;
  st.result_id = Number(st.result_id) || 0;
  if (typeof st.error !== "string") st.error = "";
  if (typeof st.selected_query !== "number") st.selected_query = 0;
  if (typeof st.temperature !== "number") st.temperature = 1;
  if (!st.weights || !st.scores || !st.output) {
    try {
      const r = compute(st);
      Object.assign(st, { scores: r.scores, weights: r.weights, output: r.output, params: r.params });
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

  function recompute(): void {
    try {
      const r = compute(st);
      put("params", r.params);
      put("scores", r.scores);
      put("weights", r.weights);
      put("output", r.output);
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
      if (keys.some((k) => k === "edit_id" || INPUTS.includes(k))) recompute();
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

/** Mount the widget on a static page: a local model over `state`, then the view. */
export async function mountStatic(el: HTMLElement, state: Record<string, unknown>): Promise<() => void> {
  const model = createLocalModel(state);
  return mount(model, el);
}
