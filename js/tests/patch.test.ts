// Row patches from the kernel (the `_row_patch` trait) written into the model's result arrays.
import { describe, expect, it } from "vitest";
import { matrix } from "../src/core/matrix";
import { decodeMatrix, encodeMatrix } from "../src/wire/codec";
import type { AnyModel } from "../src/wire/model";
import { plainModel } from "./helpers/fakes";
import { applyRowPatch } from "../src/wire/patch";

const model = plainModel;

const arrays = () => ({
  scores: encodeMatrix(matrix(3, 2, [1, 2, 3, 4, 5, 6])),
  weights: encodeMatrix(matrix(3, 2, [0.5, 0.5, 0.1, 0.9, 0.3, 0.7])),
  output: encodeMatrix(matrix(3, 1, [7, 8, 9])),
});

const patchOf = (rows: number[], s: number[], w: number[], o: number[], cols = 2) => ({
  rows,
  scores: encodeMatrix(matrix(rows.length, cols, s)),
  weights: encodeMatrix(matrix(rows.length, cols, w)),
  output: encodeMatrix(matrix(rows.length, 1, o)),
});

const values = (m: AnyModel, n: string) => Array.from(decodeMatrix(m.get(n)).data);

describe("applyRowPatch", () => {
  it("writes the rows into the arrays in place and leaves the others", () => {
    const a = arrays();
    const m = model({ ...a });
    const p = patchOf([2, 0], [-1, -2, -3, -4], [0.9, 0.1, 0.2, 0.8], [-7, -8]);
    expect(applyRowPatch(m, p)).toBe(true);
    expect(m.get("weights")).toBe(a.weights); // the same object, patched
    expect(values(m, "scores")).toEqual([-3, -4, 3, 4, -1, -2]);
    expect(values(m, "weights")).toEqual([0.2, 0.8, 0.1, 0.9, 0.9, 0.1]);
    expect(values(m, "output")).toEqual([-8, 8, -7]);
    expect(applyRowPatch(m, p)).toBe(true); // again: the same numbers
    expect(values(m, "output")).toEqual([-8, 8, -7]);
  });

  it("no patch (null) is nothing to do", () => {
    const m = model({ ...arrays() });
    expect(applyRowPatch(m, null)).toBe(true);
    expect(values(m, "output")).toEqual([7, 8, 9]);
  });

  it.each([
    ["a row out of range", patchOf([3], [0, 0], [0, 0], [0])],
    ["a row that is not an integer", patchOf([0.5], [0, 0], [0, 0], [0])],
    ["rows and data of different lengths", { ...patchOf([0], [0, 0], [0, 0], [0]), rows: [0, 1] }],
    ["a wrong width", patchOf([0], [0, 0, 0], [0, 0, 0], [0], 3)],
    ["no rows", { scores: null }],
    ["not an object", 42],
  ])("refuses %s and writes nothing", (_what, p) => {
    const m = model({ ...arrays() });
    expect(applyRowPatch(m, p)).toBe(false); // (and does not throw)
    expect(values(m, "scores")).toEqual([1, 2, 3, 4, 5, 6]);
    expect(values(m, "weights")).toEqual([0.5, 0.5, 0.1, 0.9, 0.3, 0.7]);
    expect(values(m, "output")).toEqual([7, 8, 9]);
  });
});
