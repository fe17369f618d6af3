// @vitest-environment jsdom
// The comparison view (issue 16, item 1): the selected query's weights under every score function.
import { afterEach, describe, expect, it } from "vitest";
import { attention, SCORES, type Params, type ScoreName } from "../src/core/engine";
import { matrix, type Mask } from "../src/core/matrix";
import { decodeMatrix, decodeParams, encodeMatrix } from "../src/wire/codec";
import { mountLocal, nextFrame, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();
afterEach(unmountAll);

const H = 3;
const vec = (xs: number[]) => ({ dtype: "float64", shape: [xs.length], buffer: new DataView(new Float64Array(xs).buffer) });
const SETS = {
  dot: {},
  scaled_dot: {},
  general: { W: encodeMatrix(sinMatrix(2, 2, 0.7, 0.3)) },
  concat: { W: encodeMatrix(sinMatrix(H, 4, 1.3)), v: vec([0.9, -1.2, 0.4]) },
  additive: { W: encodeMatrix(sinMatrix(H, 2, 0.5)), U: encodeMatrix(sinMatrix(H, 2, 2.1, 1)), v: vec([-0.3, 1.1, 0.8]) },
};

function state(n = 4, extra: Record<string, unknown> = {}) {
  const keys = Array.from({ length: n }, (_, j) => `key${j}`);
  return widgetState(sinMatrix(3, 2, 0.9), sinMatrix(n, 2, 1.7, 0.2), { param_sets: SETS, key_tokens: keys, edit_id: 0, result_id: 0, ...extra });
}

/** Each row's [data-value]s (as numbers) and [data-key]s. */
function rows(root: HTMLElement): Record<string, { values: number[]; keys: number[] }> {
  const view = root.querySelector('[data-view="compare"]')!;
  const out: Record<string, { values: number[]; keys: number[] }> = {};
  for (const row of view.querySelectorAll("[data-compare-score]")) {
    const cells = [...row.querySelectorAll("[data-value]")];
    out[row.getAttribute("data-compare-score")!] = {
      values: cells.map((c) => Number(c.getAttribute("data-value"))),
      keys: cells.map((c) => Number(c.getAttribute("data-key"))),
    };
  }
  return out;
}

/** The engine's weights of query i under every score, from the model's own inputs. */
function expected(model: { get(n: string): any }, i: number, mask: Mask | null = null): Record<ScoreName, number[]> {
  const Q = decodeMatrix(model.get("Q"));
  const K = decodeMatrix(model.get("K"));
  const out = {} as Record<ScoreName, number[]>;
  for (const s of SCORES) {
    const params: Params = decodeParams(SETS[s] as any);
    const w = attention({ Q, K, score: s, params, mask, temperature: model.get("temperature") }).weights;
    out[s] = Array.from(w.data.subarray(i * K.rows, (i + 1) * K.rows));
  }
  return out;
}

describe("compare view", () => {
  it("has one row per score, in SCORES order, each the engine's weights with its own parameters", () => {
    const { root, model } = mountLocal(state());
    const got = rows(root);
    expect(Object.keys(got)).toEqual([...SCORES]);
    const want = expected(model, 0);
    for (const s of SCORES) {
      expect(got[s].keys, s).toEqual([0, 1, 2, 3]);
      expect(got[s].values, s).toEqual(want[s]);
    }
    // five different rows: each score with its own parameters
    expect(new Set(SCORES.map((s) => got[s].values.join())).size).toBe(5);
    const cell = root.querySelector('[data-compare-score="general"] [data-key="2"]')!;
    expect(cell.getAttribute("aria-label")).toMatch(/^key2: 0\.\d+/);
    const row = root.querySelector('[data-compare-score="general"]')!;
    expect(row.getAttribute("role")).toBe("group");
    expect(row.getAttribute("aria-label")).toBe("general: weights of q0");
  });

  it("marks the active score, and a click on a row makes its score active", () => {
    const { root, model } = mountLocal(state());
    const current = () => [...root.querySelectorAll('[data-compare-score][aria-current="true"]')].map((r) => r.getAttribute("data-compare-score"));
    expect(current()).toEqual(["scaled_dot"]);
    (root.querySelector('[data-compare-score="additive"] button') as HTMLButtonElement).click();
    expect(model.get("score")).toBe("additive");
    expect(current()).toEqual(["additive"]);
    const pressed = [...root.querySelectorAll('[data-compare-score] button[aria-pressed="true"]')];
    expect(pressed.map((b) => b.closest("[data-compare-score]")!.getAttribute("data-compare-score"))).toEqual(["additive"]);
    expect(root.querySelector('button[data-score="additive"]')!.getAttribute("aria-pressed")).toBe("true");
    // the active row is the result shown, the same numbers as the weights table
    const td = root.querySelectorAll('table[data-view="weights"] tbody tr:first-child td');
    expect([...td].map((c) => Number(c.getAttribute("data-value")))).toEqual(rows(root).additive.values);
    expect(rows(root).additive.values).toEqual(expected(model, 0).additive);
  });

  it("follows the query: moved by the keyboard, or another one selected", async () => {
    const { root, model } = mountLocal(state());
    const before = rows(root);
    const point = root.querySelector('[data-query-point="0"]') as unknown as HTMLElement;
    point.focus();
    point.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    await nextFrame();
    const after = rows(root);
    const want = expected(model, 0);
    for (const s of SCORES) {
      expect(after[s].values, s).toEqual(want[s]);
      expect(after[s].values, s).not.toEqual(before[s].values);
    }
    model.set("selected_query", 2);
    await nextFrame();
    const third = expected(model, 2);
    for (const s of SCORES) expect(rows(root)[s].values, s).toEqual(third[s]);
    expect(root.querySelector('[data-compare-score="dot"]')!.getAttribute("aria-label")).toBe("dot: weights of q2");
    // new key tokens, the same numbers: the cells' names follow
    model.set("key_tokens", ["a", "b", "c", "d"]);
    await nextFrame();
    expect(root.querySelector('[data-compare-score="dot"] [data-key="3"]')!.getAttribute("aria-label")).toMatch(/^d: /);
  });

  it("honours the mask and the temperature", () => {
    const mask = { rows: 3, cols: 4, data: new Uint8Array([1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1]) };
    const wire = { dtype: "bool", shape: [3, 4], buffer: new DataView(mask.data.buffer) };
    const { root, model } = mountLocal(state(4, { mask: wire, temperature: 0.25 }));
    const got = rows(root);
    const want = expected(model, 0, mask);
    for (const s of SCORES) {
      expect(got[s].values, s).toEqual(want[s]);
      expect([got[s].values[1], got[s].values[3]], s).toEqual([0, 0]);
    }
    model.set("temperature", 1);
    const atOne = expected(model, 0, mask);
    for (const s of SCORES) expect(got[s].values, s).not.toEqual(atOne[s]);
  });

  it("many keys: the top keys of the active score, in key order, said so", () => {
    const N = 40;
    const { root, model } = mountLocal(state(N));
    const got = rows(root);
    const want = expected(model, 0);
    const active = want.scaled_dot;
    const top = [...active.keys()].sort((a, b) => active[b] - active[a] || a - b).slice(0, 12).sort((a, b) => a - b);
    for (const s of SCORES) {
      expect(got[s].keys, s).toEqual(top);
      expect(got[s].values, s).toEqual(top.map((j) => want[s][j]));
    }
    expect(root.querySelector('[data-role="compare-keys"]')!.textContent).toBe("query q0 \u00b7 top 12 of 40 keys by scaled dot weight");
  });

  it("says a score is not defined when d_q != d_k (no values)", () => {
    const st = widgetState(sinMatrix(2, 3, 0.4), sinMatrix(3, 2, 0.8), {
      score: "general",
      param_sets: { general: { W: encodeMatrix(matrix(3, 2, [1, 0, 0, 1, 1, 1])) } },
      edit_id: 0,
      result_id: 0,
    });
    const { root } = mountLocal(st);
    const got = rows(root);
    expect(got.dot.values).toEqual([]);
    expect(got.scaled_dot.values).toEqual([]);
    expect(got.general.values).toHaveLength(3);
    expect(root.querySelector('[data-compare-score="dot"]')!.textContent).toMatch(/not defined/);
  });
});
