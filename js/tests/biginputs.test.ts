// @vitest-environment jsdom
// Many keys and many queries, said compactly: the steps show the top keys by weight (a button
// lists all of them), the outputs card the selected query's output and a strip of every output.
import { afterEach, describe, expect, it } from "vitest";
import { OUTPUTS_ALL } from "../src/ui/views/outputVisual";
import { KEYS_ALL, TOP_KEYS, topKeys } from "../src/ui/views/steps";
import { mountLocal, nextFrame, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();
afterEach(unmountAll);

function mount(M: number, N: number) {
  return mountLocal(widgetState(sinMatrix(M, 4, 1, 1), sinMatrix(N, 4, 2, 1)));
}

const rowsOf = (root: Element, kind: string) => [...root.querySelectorAll(`[data-bars="${kind}"] .aw-bar-row`)];
const keysOf = (root: Element, kind: string) => rowsOf(root, kind).map((r) => Number(r.getAttribute("data-key")));
const valuesOf = (root: Element, kind: string) => rowsOf(root, kind).map((r) => Number(r.querySelector("[data-value]")!.getAttribute("data-value")));

describe("topKeys", () => {
  it("the k largest, largest first; ties by index; NaN last", () => {
    expect(topKeys([0.1, 0.5, 0.2, 0.5, NaN, 0.3], 4)).toEqual([1, 3, 5, 2]);
    expect(topKeys([0.2, NaN, 0.1], 3)).toEqual([0, 2, 1]);
    expect(topKeys([1, 2], 5)).toEqual([1, 0]);
  });
});

describe("the steps of many keys", () => {
  it(`up to ${KEYS_ALL} keys: every key in key order, no button`, () => {
    const { root } = mount(3, KEYS_ALL);
    expect(keysOf(root, "weight")).toEqual(Array.from({ length: KEYS_ALL }, (_, j) => j));
    expect((root.querySelector(".aw-keys") as HTMLElement).hidden).toBe(true);
  });

  it(`above: the top ${TOP_KEYS} by weight, the same keys in both lists; a button lists all`, async () => {
    const N = 40;
    const { root } = mount(3, N);
    const weights = valuesOf(root, "weight");
    expect(weights.length).toBe(TOP_KEYS);
    for (let k = 1; k < weights.length; k++) expect(weights[k]).toBeLessThanOrEqual(weights[k - 1]);
    expect(keysOf(root, "score")).toEqual(keysOf(root, "weight"));
    expect(root.querySelector('[data-role="keys-shown"]')!.textContent).toBe(`top ${TOP_KEYS} of ${N} keys by weight`);
    const button = root.querySelector('[data-role="keys-toggle"]') as HTMLButtonElement;
    expect(button.tagName).toBe("BUTTON");
    expect(button.textContent).toBe(`show all ${N} keys`);
    button.click();
    const all = keysOf(root, "weight");
    expect(all).toEqual(Array.from({ length: N }, (_, j) => j));
    // the top ones are the largest of all
    const every = valuesOf(root, "weight");
    expect([...every].sort((a, b) => b - a).slice(0, TOP_KEYS)).toEqual(weights);
    expect(root.querySelector('[data-role="keys-shown"]')!.textContent).toBe(`all ${N} keys, in key order`);
    expect(button.textContent).toBe(`show the top ${TOP_KEYS}`);
    button.click();
    expect(rowsOf(root, "weight").length).toBe(TOP_KEYS);
  });
});

describe("the outputs of many queries", () => {
  it(`up to ${OUTPUTS_ALL} queries: one row each, no strip`, () => {
    const { root } = mount(OUTPUTS_ALL, 5);
    expect(root.querySelectorAll(".aw-ov-list [data-query]").length).toBe(OUTPUTS_ALL);
    expect((root.querySelector(".aw-ov-strip") as HTMLElement).hidden).toBe(true);
    expect((root.querySelector('[data-role="outputs-toggle"]') as HTMLElement).hidden).toBe(true);
  });

  it("above: the selected query's row and the strip; the button lists every row", async () => {
    const M = 40;
    const { model, root } = mount(M, 5);
    const listed = () => [...root.querySelectorAll(".aw-ov-list [data-query]")].map((r) => Number(r.getAttribute("data-query")));
    expect(listed()).toEqual([0]);
    expect((root.querySelector(".aw-ov-strip") as HTMLElement).hidden).toBe(false);
    model.set("selected_query", 7);
    await nextFrame();
    expect(listed()).toEqual([7]);
    const button = root.querySelector('[data-role="outputs-toggle"]') as HTMLButtonElement;
    expect(button.textContent).toBe(`list all ${M} outputs`);
    button.click();
    expect(listed()).toEqual(Array.from({ length: M }, (_, i) => i));
    expect((root.querySelector(".aw-ov-strip") as HTMLElement).hidden).toBe(true);
    expect(root.querySelector(".aw-ov-list .is-selected")!.getAttribute("data-query")).toBe("7");
  });
});
