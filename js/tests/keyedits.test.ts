// Edits of keys and values on the wire (issue 16, item 3): up as `_key_patch` {rows, K?, V?},
// down as `_col_patch` {keys, scores?: their columns, K?, V?: their rows}.
import { describe, expect, it } from "vitest";
import { matrix, type Matrix } from "../src/core/matrix";
import { decodeMatrix, encodeMatrix } from "../src/wire/codec";
import { encodeEditFor, KEY_ROWS, keysWithRows } from "../src/wire/edit";
import { plainModel } from "./helpers/fakes";
import { applyColPatch } from "../src/wire/patch";

const model = plainModel;

const values = (w: unknown) => Array.from(decodeMatrix(w as never).data);
const K0 = () => matrix(4, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
const V0 = () => matrix(4, 1, [10, 20, 30, 40]);
const withRow = (m: Matrix, i: number, row: number[]): Matrix => {
  const out = matrix(m.rows, m.cols, m.data);
  out.data.set(row, i * m.cols);
  return out;
};

describe("encodeEditFor: keys and values", () => {
  it("an edit of one key goes up as that row only", () => {
    const m = model({ K: encodeMatrix(K0()), V: encodeMatrix(V0()) });
    const { wire, keyRows, queryRows } = encodeEditFor(m, { K: withRow(K0(), 2, [-1, -2]) });
    expect(keyRows).toBe(true);
    expect(queryRows).toBe(false);
    expect(Object.keys(wire)).toEqual([KEY_ROWS]);
    const p = wire[KEY_ROWS] as { rows: number[]; K: unknown };
    expect(p.rows).toEqual([2]);
    expect(values(p.K)).toEqual([-1, -2]);
  });

  it("K and V together: the rows either changed, both sent for each", () => {
    const m = model({ K: encodeMatrix(K0()), V: encodeMatrix(V0()) });
    const { wire } = encodeEditFor(m, { K: withRow(K0(), 0, [0, 0]), V: withRow(V0(), 3, [-4]) });
    const p = wire[KEY_ROWS] as { rows: number[]; K: unknown; V: unknown };
    expect(p.rows).toEqual([0, 3]);
    expect(values(p.K)).toEqual([0, 0, 7, 8]);
    expect(values(p.V)).toEqual([10, -4]);
  });

  it("V when the model's is null (the values are the keys) goes whole; so do many rows", () => {
    const m = model({ K: encodeMatrix(K0()), V: null });
    const V = withRow(K0(), 1, [9, 9]);
    const a = encodeEditFor(m, { V });
    expect(a.keyRows).toBe(false);
    expect(values(a.wire.V)).toEqual(Array.from(V.data));
    const K = matrix(4, 2, [0, 0, 0, 0, 0, 0, 7, 8]); // 3 of 4 rows
    const b = encodeEditFor(model({ K: encodeMatrix(K0()), V: null }), { K });
    expect(b.keyRows).toBe(false);
    expect(values(b.wire.K)).toEqual(Array.from(K.data));
  });
});

describe("keysWithRows: a key patch as the kernel applies it", () => {
  it("replaces the rows, in new matrices", () => {
    const K = K0();
    const r = keysWithRows(K, V0(), { rows: [1], K: encodeMatrix(matrix(1, 2, [0, 1])), V: encodeMatrix(matrix(1, 1, [5])) });
    expect(Array.from(r.K!.data)).toEqual([1, 2, 0, 1, 5, 6, 7, 8]);
    expect(Array.from(r.V!.data)).toEqual([10, 5, 30, 40]);
    expect(Array.from(K.data)).toEqual(Array.from(K0().data));
  });

  it.each([
    [{ rows: [0] }, "must be {rows, K and/or V}"],
    [{ rows: [0], Q: null }, "must be {rows, K and/or V}"],
    [{ rows: [4], K: encodeMatrix(matrix(1, 2)) }, "distinct key indices in [0, 3]"],
    [{ rows: [1, 1], K: encodeMatrix(matrix(2, 2)) }, "distinct key indices"],
    [{ rows: [1], K: encodeMatrix(matrix(1, 3)) }, "['K'] must have shape (1, 2)"],
  ])("refuses %j", (patch, message) => {
    expect(() => keysWithRows(K0(), V0(), patch)).toThrow(message);
  });

  it("refuses V's rows when V is null", () => {
    expect(() => keysWithRows(K0(), null, { rows: [0], V: encodeMatrix(matrix(1, 2)) })).toThrow("send V whole");
  });
});

describe("applyColPatch: the kernel's answer to a key edit", () => {
  it("writes the scores columns and K's rows in place", () => {
    const scores = encodeMatrix(matrix(3, 4, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    const K = encodeMatrix(K0());
    const m = model({ scores, K, V: null });
    const p = { keys: [3, 1], scores: encodeMatrix(matrix(3, 2, [-3, -1, -7, -5, -11, -9])), K: encodeMatrix(matrix(2, 2, [0, 0, 1, 1])) };
    expect(applyColPatch(m, p)).toBe(true);
    expect(m.get("scores")).toBe(scores);
    expect(values(scores)).toEqual([0, -1, 2, -3, 4, -5, 6, -7, 8, -9, 10, -11]);
    expect(values(K)).toEqual([1, 2, 1, 1, 5, 6, 0, 0]);
    expect(applyColPatch(m, p)).toBe(true); // once per patch
  });

  it("refuses, writing nothing, a patch that does not fit", () => {
    const scores = encodeMatrix(matrix(2, 2, [1, 2, 3, 4]));
    const m = model({ scores, K: encodeMatrix(matrix(2, 1, [1, 2])) });
    expect(applyColPatch(m, { keys: [2], scores: encodeMatrix(matrix(2, 1)) })).toBe(false);
    expect(applyColPatch(m, { keys: [0], scores: encodeMatrix(matrix(2, 1)), K: encodeMatrix(matrix(1, 2)) })).toBe(false);
    expect(values(scores)).toEqual([1, 2, 3, 4]);
  });
});
