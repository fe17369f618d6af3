// @vitest-environment jsdom
// The causal-mask switch: checked = the lower-triangular mask, sent as an edit; the weights
// above the diagonal become 0 (a static page recomputes them with the JS engine).
import { afterEach, describe, expect, it } from "vitest";
import { causalMask } from "../src/ui/views/causal";
import { decodeMask, decodeMatrix, encodeMask } from "../src/wire/codec";
import { mountLocal, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();

afterEach(unmountAll);

function mount(M: number, N: number, mask: unknown = null) {
  const { model, el } = mountLocal(widgetState(sinMatrix(M, 3, 1), sinMatrix(N, 3, 2), { mask }));
  const box = el.querySelector('input[data-role="causal-mask"]') as HTMLInputElement;
  return { model, box };
}

const weights = (model: { get(n: string): unknown }) => decodeMatrix(model.get("weights") as never);

describe("causal mask switch", () => {
  it("checking it masks the keys after each query; unchecking removes the mask", () => {
    const { model, box } = mount(4, 4);
    expect(box.disabled).toBe(false);
    expect(box.checked).toBe(false);
    box.click();
    const mask = decodeMask(model.get("mask") as never)!;
    expect(Array.from(mask.data)).toEqual(Array.from(causalMask(4).data));
    const w = weights(model);
    for (let i = 0; i < 4; i++) {
      let sum = 0;
      for (let j = 0; j < 4; j++) {
        const a = w.data[i * 4 + j];
        if (j > i) expect(a).toBe(0);
        else expect(a).toBeGreaterThan(0);
        sum += a;
      }
      expect(sum).toBeCloseTo(1, 12);
    }
    expect(box.checked).toBe(true);
    box.click();
    expect(model.get("mask")).toBeNull();
    expect(Array.from(weights(model).data).every((a) => a > 0)).toBe(true);
    expect(box.checked).toBe(false);
  });

  it("is disabled, with the reason, when queries and keys differ in number", () => {
    const { box } = mount(3, 5);
    expect(box.disabled).toBe(true);
    expect(box.closest("label")!.title).toMatch(/as many queries as keys \(here 3 and 5\)/);
  });

  it("shows a mask set from Python that is not causal as mixed", () => {
    const other = { rows: 3, cols: 3, data: new Uint8Array([1, 1, 0, 0, 1, 1, 1, 0, 1]) };
    const { box } = mount(3, 3, encodeMask(other));
    expect(box.checked).toBe(false);
    expect(box.indeterminate).toBe(true);
  });

  it("shows a causal mask set from Python as checked", () => {
    const { box } = mount(3, 3, encodeMask(causalMask(3)));
    expect(box.checked).toBe(true);
    expect(box.indeterminate).toBe(false);
  });
});
