// @vitest-environment jsdom
// Editing keys and values in the views (issue 16, item 3): key points on the plane (arrow
// keys) and the "Keys K and values V" editor, on a page's local model (the JS engine).
import { afterEach, describe, expect, it } from "vitest";
import { attention } from "../src/core/engine";
import { decodeMatrix } from "../src/wire/codec";
import type { AnyModel } from "../src/wire/model";
import { mountLocal, nextFrame, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();
afterEach(unmountAll);

const state = (extra: Record<string, unknown> = {}) => widgetState(sinMatrix(3, 2, 0.9), sinMatrix(4, 2, 1.7, 0.2), extra);
const M = (model: AnyModel, n: string) => decodeMatrix(model.get(n) as never);

/** The model's weights are the JS engine's for its inputs. */
function expectEngineWeights(model: AnyModel): void {
  const V = model.get("V") ? M(model, "V") : undefined;
  const r = attention({ Q: M(model, "Q"), K: M(model, "K"), V, score: "scaled_dot", params: {}, mask: null, temperature: 1 });
  expect(Array.from(M(model, "weights").data)).toEqual(Array.from(r.weights.data));
  expect(Array.from(M(model, "output").data)).toEqual(Array.from(r.output.data));
}

const type = (input: HTMLInputElement, text: string) => {
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
};

describe("key points on the plane", () => {
  it("are focusable sliders; an arrow key moves that key only and the weights follow", async () => {
    const { root, model } = mountLocal(state());
    await nextFrame(); // (the first paint after attaching)
    const point = root.querySelector('[data-key-point="2"]') as unknown as HTMLElement;
    expect(point.getAttribute("tabindex")).toBe("0");
    expect(point.getAttribute("role")).toBe("slider");
    const where = point.getAttribute("aria-valuetext");
    expect(where).toMatch(/^dim 0 .*, dim 1 /);
    const before = M(model, "K");
    const weights = Array.from(M(model, "weights").data);
    point.focus();
    point.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    await nextFrame();
    const after = M(model, "K");
    expect(after.data[4]).toBeGreaterThan(before.data[4]);
    expect(after.data[5]).toBeCloseTo(before.data[5], 12);
    for (const j of [0, 1, 3]) expect([after.data[2 * j], after.data[2 * j + 1]]).toEqual([before.data[2 * j], before.data[2 * j + 1]]);
    expect(Array.from(M(model, "weights").data)).not.toEqual(weights);
    expectEngineWeights(model);
    expect(model.get("error")).toBe("");
    expect(point.getAttribute("aria-valuetext")).not.toBe(where); // (it says where the key is now)
    expect(point.isConnected && document.activeElement === point).toBe(true); // (and keeps the focus)
  });
});

describe("the keys and values editor", () => {
  it("typing a key changes K; typing a value with V None makes V a copy of K, then edits it", async () => {
    const { root, model } = mountLocal(state());
    const card = root.querySelector('[data-card="keys"]') as HTMLElement;
    expect(card.textContent).toContain("Keys K and values V");
    expect(card.querySelector('[data-role="values-note"]')!.textContent).toMatch(/values are the keys/);
    const K0 = M(model, "K");
    type(card.querySelector('input[data-key="1"][data-dim="0"]') as HTMLInputElement, "2.5");
    await nextFrame();
    expect(M(model, "K").data[2]).toBe(2.5);
    expect(model.get("V")).toBeNull();
    expectEngineWeights(model);
    const valueInput = card.querySelector('input[data-value-row="3"][data-dim="1"]') as HTMLInputElement;
    expect(Number(valueInput.getAttribute("data-value"))).toBe(K0.data[7]); // shows the keys
    type(valueInput, "-4");
    await nextFrame();
    const V = M(model, "V");
    const K = M(model, "K");
    expect(Array.from(V.data)).toEqual(Array.from(K.data).map((x, k) => (k === 7 ? -4 : x)));
    expectEngineWeights(model);
    expect((card.querySelector('[data-role="values-note"]') as HTMLElement).hidden).toBe(true);
    // and then as rows: one more value
    type(card.querySelector('input[data-value-row="0"][data-dim="0"]') as HTMLInputElement, "7");
    await nextFrame();
    expect(M(model, "V").data[0]).toBe(7);
    expectEngineWeights(model);
  });

  it("bad text gets the query editor's inline error and changes nothing", () => {
    const { root, model } = mountLocal(state());
    const input = root.querySelector('input[data-key="0"][data-dim="1"]') as HTMLInputElement;
    const K = Array.from(M(model, "K").data);
    type(input, "1,5");
    const err = root.querySelector('[data-view="key-editor"] [data-role="input-error"]') as HTMLElement;
    expect(err.hidden).toBe(false);
    expect(err.textContent).toMatch(/^Key k0, dim 1: .*not a number/);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(model.get("edit_id")).toBe(0);
    expect(Array.from(M(model, "K").data)).toEqual(K);
  });

  it("starts open for a few keys, folded (one line) for many", () => {
    const open = mountLocal(state()).root.querySelector('[data-card="keys"] details') as HTMLDetailsElement;
    expect(open.open).toBe(true);
    const many = mountLocal(widgetState(sinMatrix(3, 8, 0.9), sinMatrix(40, 8, 1.7)));
    const folded = many.root.querySelector('[data-card="keys"] details') as HTMLDetailsElement;
    expect(folded.open).toBe(false);
    expect(folded.querySelector("summary")!.textContent).toBe("40 keys");
  });
});
