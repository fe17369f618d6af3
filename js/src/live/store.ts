// The view's picture of the widget: the model's traits decoded, with queued local edits on top,
// and a JS-engine preview of the results while the kernel has not answered.

import { attention, attentionRows, SCORES, setRows, type Params, type ScoreName } from "../core/engine";
import { copyMatrix, type Mask, type Matrix } from "../core/matrix";
import { decodeMask, decodeMatrix, decodeParams } from "../wire/codec";
import type { AnyModel } from "../wire/model";
import { applyColPatch, applyRowPatch, colPatchedArrays, patchedArrays } from "../wire/patch";
import { KEY_PATCH, ROW_PATCH } from "../wire/protocol";
import { knownMatrix } from "../wire/wirecache";

export interface Result {
  scores: Matrix;
  weights: Matrix;
  output: Matrix;
}

export interface Snapshot {
  Q: Matrix;
  K: Matrix;
  /** V as set (null = V is K). */
  V: Matrix | null;
  /** The values actually summed: V, or K. */
  values: Matrix;
  qTokens: string[];
  kTokens: string[];
  score: ScoreName;
  params: Params;
  /** The parameter set of every score function (the active one's is `params`). */
  paramSets: Record<ScoreName, Params>;
  mask: Mask | null;
  temperature: number;
  result: Result | null;
  /** The result shown is the JS engine's preview, not the kernel's. */
  preview: boolean;
  selected: number;
  error: string;
  isStatic: boolean;
  pending: boolean;
}

/** What a local edit may change, as the view holds it. */
export interface EditValues {
  Q?: Matrix;
  K?: Matrix;
  /** null: the values are the keys. */
  V?: Matrix | null;
  score?: ScoreName;
  temperature?: number;
  mask?: Mask | null;
}

const EMPTY: Matrix = { rows: 0, cols: 0, data: new Float64Array(0) };

export function isScore(x: unknown): x is ScoreName {
  return typeof x === "string" && (SCORES as readonly string[]).includes(x);
}

export interface Store {
  /** Remember that wire value `wire` decodes to `value` (after encoding an edit). */
  remember(wire: unknown, value: unknown): void;
  Q(): Matrix;
  /** Drop the preview (the kernel answered). */
  dropPreview(): void;
  hasPreview(): boolean;
  /**
   * Recompute the preview from the effective inputs. With `row`, only that query changed
   * since the result shown: recompute its row alone (cheap for large matrices).
   * The caller passes `row` only when the result shown reflects every other edit.
   * Returns false (and drops the preview) when the engine refuses the inputs.
   */
  recompute(row?: number): boolean;
  snapshot(pending: boolean): Snapshot;
}

/** The view's picture of `model`, with `overlay()` (queued, unsent edit values, decoded) on top. */
export function createStore(model: AnyModel, overlay: () => Record<string, unknown>): Store {
  const cache = new WeakMap<object, unknown>();
  let previewResult: Result | null = null;
  // the row patch the arrays include already (patches arriving later are applied once seen)
  let seenPatch: unknown = model.get(ROW_PATCH.trait);
  let seenCols: unknown = model.get(KEY_PATCH.trait);

  function decoded<T>(name: string, decode: (w: any) => T): T {
    const ov = overlay();
    if (name in ov) return ov[name] as T;
    const w = model.get(name);
    if (w && typeof w === "object") {
      const hit = cache.get(w) ?? knownMatrix(w);
      if (hit !== undefined) return hit as T;
      const value = decode(w);
      cache.set(w, value);
      return value;
    }
    return decode(w);
  }

  const orNull =
    <T>(decode: (w: any) => T) =>
    (w: unknown): T | null => {
      if (w === null || w === undefined) return null;
      try {
        return decode(w);
      } catch {
        return null;
      }
    };

  const matrixOrNull = (name: string): Matrix | null => decoded(name, orNull(decodeMatrix));

  function score(): ScoreName {
    const ov = overlay();
    const s = "score" in ov ? ov.score : model.get("score");
    return isScore(s) ? s : "scaled_dot";
  }

  function temperature(): number {
    const ov = overlay();
    const t = Number("temperature" in ov ? ov.temperature : model.get("temperature"));
    return Number.isFinite(t) && t > 0 ? t : 1;
  }

  const Q = (): Matrix => {
    syncPatch(); // (a patch may carry Q's rows)
    return matrixOrNull("Q") ?? EMPTY;
  };

  function cachedParams(raw: object): Params {
    const hit = cache.get(raw);
    if (hit !== undefined) return hit as Params;
    let p: Params = {};
    try {
      p = decodeParams(raw as any);
    } catch {
      p = {};
    }
    cache.set(raw, p);
    return p;
  }

  /** Parameters of `s`: the kernel's `params` when they are for it, else `param_sets[s]`. */
  function params(s: ScoreName = score()): Params {
    const raw = model.get("params");
    if (s === model.get("score") && raw && typeof raw === "object" && Object.keys(raw).length) {
      return cachedParams(raw);
    }
    const sets = model.get("param_sets");
    const forScore = sets && typeof sets === "object" ? sets[s] : null;
    return forScore ? cachedParams(forScore) : {};
  }

  const mask = (): Mask | null => decoded("mask", orNull(decodeMask));

  /** New row or column patches: write them into the arrays (once per model) and decode them again. */
  function syncPatch(): void {
    const p = model.get(ROW_PATCH.trait);
    const c = model.get(KEY_PATCH.trait);
    const ok = (p === seenPatch || patchWith(p, applyRowPatch, patchedArrays)) && (c === seenCols || patchWith(c, applyColPatch, colPatchedArrays));
    seenPatch = p;
    seenCols = c;
    if (ok) return;
    console.error("attnwidget: a row patch from the kernel does not fit its arrays; asking for them whole");
    try {
      model.send({ type: "resync" });
    } catch {
      /* no kernel: nothing to ask */
    }
  }

  function patchWith(p: unknown, apply: (m: AnyModel, p: unknown) => boolean, names: (p: object) => string[]): boolean {
    if (p === null || p === undefined) return true;
    if (!apply(model, p)) return false;
    for (const n of names(p as object)) {
      const w = model.get(n);
      if (w && typeof w === "object") cache.delete(w);
    }
    return true;
  }

  function kernelResult(): Result | null {
    syncPatch();
    const scores = matrixOrNull("scores");
    const weights = matrixOrNull("weights");
    const output = matrixOrNull("output");
    if (!scores || !weights || !output) return null;
    return { scores, weights, output };
  }

  return {
    remember(wire, value) {
      if (wire && typeof wire === "object") cache.set(wire as object, value);
    },
    Q,
    dropPreview() {
      previewResult = null;
    },
    hasPreview: () => previewResult !== null,
    recompute(row) {
      const Qm = Q();
      const K = matrixOrNull("K");
      if (!K) return false;
      const V = matrixOrNull("V");
      const sc = score();
      const p = params(sc);
      const m = mask();
      const t = temperature();
      const base = previewResult ?? kernelResult();
      const dv = (V ?? K).cols;
      try {
        if (
          row !== undefined &&
          base &&
          row >= 0 &&
          row < Qm.rows &&
          base.weights.rows === Qm.rows &&
          base.weights.cols === K.rows &&
          base.output.cols === dv
        ) {
          const r = attentionRows({ Q: Qm, K, V: V ?? undefined, score: sc, params: p, mask: m, temperature: t }, [row]);
          const writable = previewResult ?? {
            scores: copyMatrix(base.scores),
            weights: copyMatrix(base.weights),
            output: copyMatrix(base.output),
          };
          setRows(writable, r, [row]);
          previewResult = writable;
          return true;
        }
        const r = attention({ Q: Qm, K, V: V ?? undefined, score: sc, params: p, mask: m, temperature: t });
        previewResult = { scores: r.scores, weights: r.weights, output: r.output };
        return true;
      } catch {
        previewResult = null; // show the last good (kernel) numbers
        return false;
      }
    },
    snapshot(pending) {
      const Qm = Q();
      const K = matrixOrNull("K") ?? EMPTY;
      const V = matrixOrNull("V");
      const tokens = (name: string): string[] => {
        const t = model.get(name);
        return Array.isArray(t) ? t.map((x) => String(x)) : [];
      };
      const usePreview = pending && previewResult !== null;
      const sel = Number(model.get("selected_query"));
      const err = model.get("error");
      return {
        Q: Qm,
        K,
        V,
        values: V ?? K,
        qTokens: tokens("query_tokens"),
        kTokens: tokens("key_tokens"),
        score: score(),
        params: params(),
        paramSets: Object.fromEntries(SCORES.map((n) => [n, params(n)])) as Record<ScoreName, Params>,
        mask: mask(),
        temperature: temperature(),
        result: usePreview ? previewResult : kernelResult(),
        preview: usePreview,
        selected: Number.isInteger(sel) && sel >= 0 && sel < Math.max(Qm.rows, 1) ? sel : 0,
        error: typeof err === "string" ? err : "",
        isStatic: model.get("_static") === true,
        pending,
      };
    },
  };
}
