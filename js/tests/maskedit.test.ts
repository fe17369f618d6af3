// @vitest-environment jsdom
// The mask editor: weights-table cells toggle their mask bit (click, Space, Enter; a grid with a
// roving tabindex), masked cells say so, valid lengths set a row to a prefix, bad lengths get
// an inline error and change nothing; a static page recomputes with the JS engine.
import { afterEach, describe, expect, it } from "vitest";
import { attention } from "../src/core/engine";
import type { Mask } from "../src/core/matrix";
import { validLen } from "../src/ui/views/maskEdit";
import { decodeMask, decodeMatrix, encodeMask } from "../src/wire/codec";
import { mountLocal, nextFrame, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();

afterEach(unmountAll);

const Q = sinMatrix(3, 4, 1);
const K = sinMatrix(5, 4, 2);

function mount(mask: Mask | null = null) {
  const { model, el } = mountLocal(widgetState(Q, K, { mask: mask && encodeMask(mask) }));
  const cell = (i: number, j: number) => el.querySelector(`td[data-query="${i}"][data-key="${j}"]`) as HTMLTableCellElement;
  const lenInput = (i: number) => el.querySelector(`input[data-valid-len="${i}"]`) as HTMLInputElement;
  return { model, el, cell, lenInput };
}

const maskOf = (model: { get(n: string): unknown }) => decodeMask(model.get("mask") as never);
const weightsOf = (model: { get(n: string): unknown }) => decodeMatrix(model.get("weights") as never);

/** The engine's weights for the model's inputs and mask. */
function expected(model: { get(n: string): unknown }) {
  return attention({ Q, K, score: "scaled_dot", params: {}, mask: maskOf(model), temperature: 1 }).weights;
}

function key(target: Element, k: string) {
  target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
}

describe("mask cells of the weights table", () => {
  it("a click masks the cell: its weight is exactly 0, the row renormalised; a second click unmasks", async () => {
    const { model, cell } = mount();
    cell(1, 2).click();
    const m = maskOf(model)!;
    expect(Array.from(m.data).map((v, k) => (v ? -1 : k))).toEqual([...Array(15)].map((_, k) => (k === 7 ? 7 : -1)));
    const w = weightsOf(model);
    expect(w.data[7]).toBe(0);
    const want = expected(model);
    for (let k = 0; k < 15; k++) expect(Math.abs(w.data[k] - want.data[k])).toBeLessThan(1e-12);
    await nextFrame();
    expect(cell(1, 2).getAttribute("data-masked")).toBe("true");
    expect(cell(1, 2).getAttribute("aria-label")).toMatch(/masked$/);
    expect(cell(1, 3).hasAttribute("data-masked")).toBe(false);
    cell(1, 2).click();
    expect(model.get("mask")).toBeNull(); // every key allowed again: no mask
    await nextFrame();
    expect(cell(1, 2).hasAttribute("data-masked")).toBe(false);
  });

  it("is a grid with one cell in the tab order; arrows move it, Space and Enter toggle", async () => {
    const { model, el, cell } = mount();
    await nextFrame();
    expect(el.querySelector('table[data-view="weights"]')!.getAttribute("role")).toBe("grid");
    expect(el.querySelectorAll('td[data-query][tabindex="0"]').length).toBe(1);
    expect(cell(0, 0).tabIndex).toBe(0);
    cell(0, 0).focus();
    key(cell(0, 0), "ArrowRight");
    key(cell(0, 1), "ArrowDown");
    expect(document.activeElement).toBe(cell(1, 1));
    expect(cell(1, 1).tabIndex).toBe(0);
    expect(cell(0, 0).tabIndex).toBe(-1);
    key(cell(1, 1), " ");
    expect(maskOf(model)!.data[1 * 5 + 1]).toBe(0);
    key(cell(1, 1), "End");
    key(cell(1, 4), "Enter");
    expect(maskOf(model)!.data[1 * 5 + 4]).toBe(0);
    expect(weightsOf(model).data[1 * 5 + 4]).toBe(0);
  });

  it("a row with every key masked shows zero weights and a note, not NaN", async () => {
    const { model, el, lenInput } = mount();
    lenInput(2).value = "0";
    lenInput(2).dispatchEvent(new Event("input", { bubbles: true }));
    const w = weightsOf(model);
    expect(Array.from(w.data.subarray(10, 15))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(w.data).every(Number.isFinite)).toBe(true);
    await nextFrame();
    const note = el.querySelector('[data-role="masked-rows"]') as HTMLElement;
    expect(note.hidden).toBe(false);
    expect(note.textContent).toMatch(/Every key is masked for q2/);
  });
});

describe("valid lengths", () => {
  it("show each row's length, empty when the row is not a prefix", async () => {
    const mixed: Mask = { rows: 3, cols: 5, data: new Uint8Array([1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1]) };
    const { lenInput } = mount(mixed);
    await nextFrame();
    expect([0, 1, 2].map((i) => lenInput(i).value)).toEqual(["2", "", "5"]);
    expect(validLen(mixed, 1, 5)).toBe(-1);
    expect(validLen(null, 0, 5)).toBe(5);
  });

  it("set the row to keys 0..len-1, as the engine's valid_lens", async () => {
    const { model, lenInput } = mount();
    lenInput(1).value = "3";
    lenInput(1).dispatchEvent(new Event("input", { bubbles: true }));
    expect(Array.from(maskOf(model)!.data)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    const w = weightsOf(model);
    const want = expected(model);
    for (let k = 0; k < 15; k++) expect(Math.abs(w.data[k] - want.data[k])).toBeLessThan(1e-12);
    expect(w.data[8]).toBe(0);
    await nextFrame();
    expect(lenInput(1).value).toBe("3");
  });

  it.each([["9", "out of range"], ["-1", "out of range"], ["1.5", "not a whole number"], ["abc", "not a whole number"]])(
    "refuse %s inline (%s) and keep the mask",
    async (text, why) => {
      const { model, el, lenInput } = mount();
      lenInput(0).value = text;
      lenInput(0).dispatchEvent(new Event("input", { bubbles: true }));
      expect(model.get("mask")).toBeNull();
      const err = el.querySelector('[data-role="valid-lens"] [data-role="input-error"]') as HTMLElement;
      expect(err.hidden).toBe(false);
      expect(err.textContent).toContain(why);
      expect(err.textContent).toContain("0 to 5");
      expect(lenInput(0).getAttribute("aria-invalid")).toBe("true");
      lenInput(0).value = "4";
      lenInput(0).dispatchEvent(new Event("input", { bubbles: true }));
      expect(err.hidden).toBe(true);
      expect(validLen(maskOf(model), 0, 5)).toBe(4);
    },
  );
});
