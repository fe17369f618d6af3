// The view's picture of the widget: the model's traits decoded, with queued local edits on top,
// and a JS-engine preview of the results while the kernel has not answered.

import {
  decodeMask,
  decodeMatrix,
  decodeParams,
  encodeMask,
  encodeMatrix,
  type Mask,
  type Matrix,
  type Params,
} from "./codec";
import { attention, SCORES, type ScoreName } from "./engine";
import type { AnyModel } from "./types";
import { knownMatrix } from "./wirecache";

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
  score?: ScoreName;
  temperature?: number;
  mask?: Mask | null;
}

const EMPTY: Matrix = { rows: 0, cols: 0, data: new Float64Array(0) };

export function isScore(x: unknown): x is ScoreName {
  return typeof x === "string" && (SCORES as readonly string[]).includes(x);
}

/** Wire value of an edited trait. */
export function encodeEdit(name: string, value: unknown): unknown {
  if (name === "Q") return encodeMatrix(value as Matrix);
  if (name === "mask") return value === null ? null : encodeMask(value as Mask);
  return value;
}

export function copyMatrix(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: new Float64Array(m.data) };
}

export class Store {
  private cache = new WeakMap<object, unknown>();
  private previewResult: Result | null = null;

  constructor(
    private readonly model: AnyModel,
    /** Queued, unsent edit values (decoded). */
    private readonly overlay: () => Record<string, unknown>,
  ) {}

  /** Remember that wire value `wire` decodes to `value` (after encoding an edit). */
  remember(wire: unknown, value: unknown): void {
    if (wire && typeof wire === "object") this.cache.set(wire as object, value);
  }

  private decoded<T>(name: string, decode: (w: any) => T): T {
    const ov = this.overlay();
    if (name in ov) return ov[name] as T;
    const w = this.model.get(name);
    if (w && typeof w === "object") {
      const hit = this.cache.get(w) ?? knownMatrix(w);
      if (hit !== undefined) return hit as T;
      const value = decode(w);
      this.cache.set(w, value);
      return value;
    }
    return decode(w);
  }

  private matrixOrNull(name: string): Matrix | null {
    return this.decoded(name, (w) => {
      if (w === null || w === undefined) return null;
      try {
        return decodeMatrix(w);
      } catch {
        return null;
      }
    });
  }

  score(): ScoreName {
    const ov = this.overlay();
    const s = "score" in ov ? ov.score : this.model.get("score");
    return isScore(s) ? s : "scaled_dot";
  }

  temperature(): number {
    const ov = this.overlay();
    const t = Number("temperature" in ov ? ov.temperature : this.model.get("temperature"));
    return Number.isFinite(t) && t > 0 ? t : 1;
  }

  Q(): Matrix {
    return this.matrixOrNull("Q") ?? EMPTY;
  }

  /** Parameters of `score`: the kernel's `params` when they are for it, else `param_sets[score]`. */
  params(score: ScoreName = this.score()): Params {
    const raw = this.model.get("params");
    if (score === this.model.get("score") && raw && typeof raw === "object" && Object.keys(raw).length) {
      return this.cachedParams(raw);
    }
    const sets = this.model.get("param_sets");
    const forScore = sets && typeof sets === "object" ? sets[score] : null;
    return forScore ? this.cachedParams(forScore) : {};
  }

  private cachedParams(raw: object): Params {
    const hit = this.cache.get(raw);
    if (hit !== undefined) return hit as Params;
    let p: Params = {};
    try {
      p = decodeParams(raw as any);
    } catch {
      p = {};
    }
    this.cache.set(raw, p);
    return p;
  }

  mask(): Mask | null {
    return this.decoded("mask", (w) => {
      if (w === null || w === undefined) return null;
      try {
        return decodeMask(w);
      } catch {
        return null;
      }
    });
  }

  kernelResult(): Result | null {
    const scores = this.matrixOrNull("scores");
    const weights = this.matrixOrNull("weights");
    const output = this.matrixOrNull("output");
    if (!scores || !weights || !output) return null;
    return { scores, weights, output };
  }

  /** Drop the preview (the kernel answered). */
  dropPreview(): void {
    this.previewResult = null;
  }

  hasPreview(): boolean {
    return this.previewResult !== null;
  }

  /**
   * Recompute the preview from the effective inputs. With `row`, only that query changed
   * since the result shown: recompute its row alone (cheap for large matrices).
   * The caller passes `row` only when the result shown reflects every other edit.
   * Returns false (and drops the preview) when the engine refuses the inputs.
   */
  recompute(row?: number): boolean {
    const Q = this.Q();
    const K = this.matrixOrNull("K");
    if (!K) return false;
    const V = this.matrixOrNull("V");
    const score = this.score();
    const params = this.params(score);
    const mask = this.mask();
    const temperature = this.temperature();
    const base = this.previewResult ?? this.kernelResult();
    const dv = (V ?? K).cols;
    try {
      if (
        row !== undefined &&
        base &&
        row >= 0 &&
        row < Q.rows &&
        base.weights.rows === Q.rows &&
        base.weights.cols === K.rows &&
        base.output.cols === dv
      ) {
        const q1: Matrix = { rows: 1, cols: Q.cols, data: Q.data.slice(row * Q.cols, (row + 1) * Q.cols) };
        const m1: Mask | null = mask
          ? { rows: 1, cols: mask.cols, data: mask.data.slice(row * mask.cols, (row + 1) * mask.cols) }
          : null;
        const r = attention({ Q: q1, K, V: V ?? undefined, score, params, mask: m1, temperature });
        const own = this.previewResult ?? {
          scores: copyMatrix(base.scores),
          weights: copyMatrix(base.weights),
          output: copyMatrix(base.output),
        };
        own.scores.data.set(r.scores.data, row * own.scores.cols);
        own.weights.data.set(r.weights.data, row * own.weights.cols);
        own.output.data.set(r.output.data, row * own.output.cols);
        this.previewResult = own;
        return true;
      }
      const r = attention({ Q, K, V: V ?? undefined, score, params, mask, temperature });
      this.previewResult = { scores: r.scores, weights: r.weights, output: r.output };
      return true;
    } catch {
      this.previewResult = null; // show the last good (kernel) numbers
      return false;
    }
  }

  snapshot(pending: boolean): Snapshot {
    const Q = this.Q();
    const K = this.matrixOrNull("K") ?? EMPTY;
    const V = this.matrixOrNull("V");
    const tokens = (name: string): string[] => {
      const t = this.model.get(name);
      return Array.isArray(t) ? t.map((x) => String(x)) : [];
    };
    const kernel = this.kernelResult();
    const usePreview = pending && this.previewResult !== null;
    const sel = Number(this.model.get("selected_query"));
    const err = this.model.get("error");
    return {
      Q,
      K,
      V,
      values: V ?? K,
      qTokens: tokens("query_tokens"),
      kTokens: tokens("key_tokens"),
      score: this.score(),
      params: this.params(),
      mask: this.mask(),
      temperature: this.temperature(),
      result: usePreview ? this.previewResult : kernel,
      preview: usePreview,
      selected: Number.isInteger(sel) && sel >= 0 && sel < Math.max(Q.rows, 1) ? sel : 0,
      error: typeof err === "string" ? err : "",
      isStatic: this.model.get("_static") === true,
      pending,
    };
  }
}
