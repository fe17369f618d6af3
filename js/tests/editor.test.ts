// @vitest-environment jsdom
// The query editor (issue 14, item 8): every value readable in its input (a compact text that
// fits, the full value on focus and in the title), edits compared with what was shown.
import { afterEach, describe, expect, it } from "vitest";
import { cellText, fitText } from "../src/core/format";
import { matrix } from "../src/core/matrix";
import { decodeMatrix } from "../src/wire/codec";
import { mountLocal, stubCanvas, unmountAll } from "./helpers/mount";
import { widgetState } from "./helpers/states";

stubCanvas();
afterEach(unmountAll);

describe("fitText", () => {
  const cases: Array<[number, string]> = [
    [0.5, "0.5"],
    [-0.0602671234, "-0.060267"],
    [-0.000012345678, "-1.235e-5"],
    [1.23456789e-7, "1.2346e-7"],
    [-123456789, "-1.235e+8"],
    [-12345.678, "-12345.7"],
    [-0.000123457, "-1.235e-4"],
    [0, "0"],
    [-1e-300, "-1e-300"],
    [-1.5e-300, "-1.5e-300"],
  ];
  it.each(cases)("%s in 9 characters: %s", (v, want) => {
    expect(fitText(v, 9)).toBe(want);
  });

  it("is never longer than asked, and as close as it can", () => {
    for (let k = 0; k < 2000; k++) {
      const v = (k % 2 ? -1 : 1) * Math.exp(Math.sin(k) * 40) * Math.cos(k * 7);
      const t = fitText(v, 9);
      expect(t.length).toBeLessThanOrEqual(9);
      if (cellText(v).length <= 9) expect(t).toBe(cellText(v));
      expect(Math.abs(Number(t) - v)).toBeLessThanOrEqual(Math.abs(v) * 0.5);
    }
  });
});

function mountEditor(Q: number[][]) {
  const q = matrix(Q.length, Q[0].length, Q.flat());
  const { root, model } = mountLocal(widgetState(q, q));
  const input = (i: number, j: number) =>
    root.querySelector(`input[data-query="${i}"][data-dim="${j}"]`) as HTMLInputElement;
  return { root, model, input };
}

describe("the query editor's inputs", () => {
  it("show a compact value, the full one in the title and on focus, and back on blur", () => {
    const { input } = mountEditor([
      [-0.0602671234, 0.5],
      [2, -1.2345678e-5],
    ]);
    const a = input(0, 0);
    expect(a.value).toBe("-0.060267");
    expect(a.title).toBe("-0.0602671234");
    expect(a.getAttribute("data-value")).toBe("-0.0602671234");
    a.focus();
    expect(a.value).toBe("-0.0602671");
    a.blur();
    expect(a.value).toBe("-0.060267");
    expect(input(1, 1).value).toBe("-1.235e-5");
    expect(input(0, 1).value).toBe("0.5");
  });

  it("Enter on a focused, unchanged value sends nothing (the full text is not an edit)", () => {
    const { input, model } = mountEditor([
      [-0.0602671234, 0.5],
      [2, 1],
    ]);
    const a = input(0, 0);
    a.focus();
    a.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(model.get("edit_id")).toBe(0);
    a.value = "-0.25";
    a.dispatchEvent(new Event("input", { bubbles: true }));
    a.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(model.get("edit_id")).toBe(1);
    expect(decodeMatrix(model.get("Q")).data[0]).toBe(-0.25);
  });
});
