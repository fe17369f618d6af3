import { describe, expect, it } from "vitest";
import { get, matrix } from "../src/core/matrix";
import {
  decodeMask,
  decodeMatrix,
  decodeParams,
  decodeVector,
  encodeMask,
  encodeMatrix,
  type WireArray,
} from "../src/wire/codec";

/** Little-endian float64 bytes of `values`, placed at `offset` inside a larger buffer. */
function f64Bytes(values: number[], offset = 0): DataView {
  const buf = new ArrayBuffer(offset + values.length * 8 + 3);
  const dv = new DataView(buf, offset, values.length * 8);
  values.forEach((x, i) => dv.setFloat64(8 * i, x, true));
  return dv;
}

describe("matrix and get", () => {
  it("builds row-major matrices", () => {
    const m = matrix(2, 3, [1, 2, 3, 4, 5, 6]);
    expect(get(m, 0, 2)).toBe(3);
    expect(get(m, 1, 0)).toBe(4);
    expect(Array.from(matrix(2, 2).data)).toEqual([0, 0, 0, 0]);
  });

  it("copies the values", () => {
    const src = new Float64Array([1, 2]);
    const m = matrix(1, 2, src);
    src[0] = 9;
    expect(get(m, 0, 0)).toBe(1);
  });

  it("refuses a wrong number of values and bad sizes", () => {
    expect(() => matrix(2, 2, [1, 2, 3])).toThrow(/3 values given, shape \(2, 2\) needs 4/);
    expect(() => matrix(-1, 2)).toThrow(/non-negative integers/);
    expect(() => matrix(1.5, 2)).toThrow(/non-negative integers/);
  });
});

describe("decodeMatrix", () => {
  const values = [1.5, -2, 3e-300, 4e300, Math.PI, -0];

  it.each([0, 1, 3, 5, 8])("decodes a DataView at byteOffset %i", (offset) => {
    const m = decodeMatrix({ dtype: "float64", shape: [2, 3], buffer: f64Bytes(values, offset) });
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(3);
    expect(Array.from(m.data)).toEqual(values);
  });

  it("accepts an ArrayBuffer and a Uint8Array", () => {
    const dv = f64Bytes(values, 0);
    const ab = (dv.buffer as ArrayBuffer).slice(0, 48);
    expect(Array.from(decodeMatrix({ dtype: "float64", shape: [3, 2], buffer: ab }).data)).toEqual(values);
    const u8 = new Uint8Array(f64Bytes(values, 5).buffer, 5, 48);
    expect(Array.from(decodeMatrix({ dtype: "float64", shape: [3, 2], buffer: u8 }).data)).toEqual(values);
  });

  it("copies, so the wire buffer can be reused", () => {
    const dv = f64Bytes([1, 2], 0);
    const m = decodeMatrix({ dtype: "float64", shape: [1, 2], buffer: dv });
    dv.setFloat64(0, 42, true);
    expect(m.data[0]).toBe(1);
  });

  it("decodes empty matrices", () => {
    const m = decodeMatrix({ dtype: "float64", shape: [0, 3], buffer: new ArrayBuffer(0) });
    expect([m.rows, m.cols, m.data.length]).toEqual([0, 3, 0]);
  });

  it("refuses a wrong dtype, ndim, byte length or buffer with clear errors", () => {
    const buf = f64Bytes([1, 2, 3, 4]);
    expect(() => decodeMatrix({ dtype: "bool", shape: [2, 2], buffer: buf })).toThrow(
      "matrix: dtype must be 'float64', got \"bool\"",
    );
    expect(() => decodeMatrix({ dtype: "float64", shape: [4], buffer: buf })).toThrow(
      "matrix: expected a 2-D array, got shape [4]",
    );
    expect(() => decodeMatrix({ dtype: "float64", shape: [2, 3], buffer: buf })).toThrow(
      "matrix: buffer has 32 bytes, shape [2, 3] of float64 needs 48",
    );
    expect(() => decodeMatrix({ dtype: "float64", shape: [2, -2], buffer: buf })).toThrow(/shape must be a list of sizes/);
    expect(() => decodeMatrix({ dtype: "float64", shape: [1, 1], buffer: [1] as never })).toThrow(
      /buffer must be binary.*got Array/,
    );
    expect(() => decodeMatrix(null as never)).toThrow(/expected an array as \{dtype, shape, buffer\}, got null/);
  });
});

describe("decodeVector", () => {
  it("decodes 1-D float64 at an unaligned offset", () => {
    expect(Array.from(decodeVector({ dtype: "float64", shape: [3], buffer: f64Bytes([1, 2, 3], 7) }))).toEqual([1, 2, 3]);
  });

  it("refuses 2-D", () => {
    expect(() => decodeVector({ dtype: "float64", shape: [1, 1], buffer: f64Bytes([1]) })).toThrow(
      "vector: expected a 1-D array, got shape [1, 1]",
    );
  });
});

describe("masks", () => {
  it("null and undefined are no mask", () => {
    expect(decodeMask(null)).toBeNull();
    expect(decodeMask(undefined)).toBeNull();
  });

  it("decodes one byte per entry at any offset", () => {
    const raw = new Uint8Array([9, 9, 1, 0, 0, 1, 1, 0]);
    const m = decodeMask({ dtype: "bool", shape: [2, 3], buffer: new DataView(raw.buffer, 2, 6) })!;
    expect([m.rows, m.cols]).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([1, 0, 0, 1, 1, 0]);
  });

  it("refuses float64 masks and a wrong byte length", () => {
    expect(() => decodeMask({ dtype: "float64", shape: [1, 1], buffer: f64Bytes([1]) })).toThrow(
      "mask: dtype must be 'bool'",
    );
    expect(() => decodeMask({ dtype: "bool", shape: [2, 2], buffer: new Uint8Array(3) })).toThrow(
      "mask: buffer has 3 bytes, shape [2, 2] of bool needs 4",
    );
  });

  it("round-trips through encodeMask", () => {
    const m = { rows: 2, cols: 2, data: new Uint8Array([1, 0, 0, 1]) };
    const w = encodeMask(m);
    expect(w.dtype).toBe("bool");
    expect(w.shape).toEqual([2, 2]);
    expect(w.buffer).toBeInstanceOf(DataView);
    expect(w.buffer.byteLength).toBe(4);
    expect(decodeMask(w)).toEqual(m);
  });
});

describe("encodeMatrix", () => {
  it("writes little-endian float64 in C order and round-trips", () => {
    const m = matrix(2, 2, [1, -2.5, 1e-310, 7]);
    const w = encodeMatrix(m);
    expect(w.dtype).toBe("float64");
    expect(w.shape).toEqual([2, 2]);
    expect(w.buffer.byteLength).toBe(32);
    expect(w.buffer.getFloat64(8, true)).toBe(-2.5);
    expect(decodeMatrix(w)).toEqual(m);
  });

  it("refuses inconsistent matrices", () => {
    expect(() => encodeMatrix({ rows: 2, cols: 2, data: new Float64Array(3) })).toThrow(/data has 3 entries/);
  });
});

describe("decodeParams", () => {
  const W: WireArray = { dtype: "float64", shape: [2, 3], buffer: f64Bytes([1, 2, 3, 4, 5, 6], 1) };
  const v: WireArray = { dtype: "float64", shape: [2], buffer: f64Bytes([7, 8], 3) };

  it("decodes 2-D to matrices and 1-D to vectors", () => {
    const p = decodeParams({ W, U: W, v });
    expect(p.W).toEqual(matrix(2, 3, [1, 2, 3, 4, 5, 6]));
    expect(p.U).toEqual(p.W);
    expect(Array.from(p.v!)).toEqual([7, 8]);
  });

  it("null, undefined and {} are no parameters", () => {
    expect(decodeParams(null)).toEqual({});
    expect(decodeParams(undefined)).toEqual({});
    expect(decodeParams({})).toEqual({});
  });

  it("names the parameter in errors", () => {
    expect(() => decodeParams({ W: v })).toThrow("params.W: expected a 2-D array, got shape [2]");
    expect(() => decodeParams({ v: W })).toThrow("params.v: expected a 1-D array, got shape [2, 3]");
    expect(() => decodeParams({ X: W })).toThrow("params: unknown parameter 'X'");
  });
});
