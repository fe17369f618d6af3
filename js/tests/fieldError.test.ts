// @vitest-environment jsdom
// Said where it happens (issue 14, item 10): an input's error beside its field, cleared when
// Escape reverts the value; the disabled causal switch says why beside it.
import { afterEach, describe, expect, it } from "vitest";
import { matrix } from "../src/core/matrix";
import { mountLocal, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();
afterEach(unmountAll);

const key = (el: HTMLElement, k: string) => el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));

function typeIn(input: HTMLInputElement, text: string): void {
  input.focus();
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  key(input, "Enter");
}

function mount(M = 2) {
  return mountLocal(widgetState(sinMatrix(M, 2, 1), matrix(2, 2, [1, 0, 0, 1])));
}

describe("an input's error", () => {
  it.each([
    ['[data-view="editor"]', 'input[data-query="1"][data-dim="0"]', /Query q1, dim 0: .*not a number/],
    ['[data-view="params"]', 'input[data-role="temperature"]', /temperature: .*not a number/],
  ])("in %s: shown beside the field, not at the top; Escape reverts and clears it", (view, sel, message) => {
    const { root, model } = mount();
    const input = root.querySelector(sel) as HTMLInputElement;
    const before = input.value;
    typeIn(input, "abc");
    const err = root.querySelector(`${view} [data-role="input-error"]`) as HTMLElement;
    expect(err.hidden).toBe(false);
    expect(err.getAttribute("role")).toBe("alert");
    expect(err.textContent).toMatch(message);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe(err.id);
    expect((root.querySelector('[data-role="error"]') as HTMLElement).hidden).toBe(true);
    expect(model.get("edit_id")).toBe(0);
    key(input, "Escape");
    expect(input.value).toBe(before);
    expect(err.hidden).toBe(true);
    expect(err.textContent).toBe("");
    expect(input.hasAttribute("aria-invalid")).toBe(false);
    expect(input.hasAttribute("aria-describedby")).toBe(false);
  });

  it("a good value typed afterwards clears it and is sent", () => {
    const { root, model } = mount();
    const input = root.querySelector('input[data-query="0"][data-dim="1"]') as HTMLInputElement;
    typeIn(input, "1,5");
    const err = root.querySelector('[data-view="editor"] [data-role="input-error"]') as HTMLElement;
    expect(err.hidden).toBe(false);
    typeIn(input, "1.5");
    expect(err.hidden).toBe(true);
    expect(model.get("edit_id")).toBe(1);
  });
});

describe("the causal switch", () => {
  it("says why it is disabled beside it, and nothing when it is enabled", () => {
    const off = mount(3).root;
    const why = off.querySelector('[data-role="causal-why"]') as HTMLElement;
    expect((off.querySelector('input[data-role="causal-mask"]') as HTMLInputElement).disabled).toBe(true);
    expect(why.hidden).toBe(false);
    expect(why.textContent).toBe("needs as many queries as keys (3 \u2260 2)");
    const on = mount(2).root.querySelector('[data-role="causal-why"]') as HTMLElement;
    expect(on.hidden).toBe(true);
  });
});
