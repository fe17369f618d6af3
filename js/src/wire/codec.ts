// Arrays on the wire: {dtype, shape, buffer}, little-endian, C order (twin of attnwidget/codec.py).

import type { Params } from "../core/engine";
import type { Mask, Matrix } from "../core/matrix";

export type Dtype = "float64" | "bool";

/** An array as it crosses between kernel and view. */
export interface WireArray {
  dtype: Dtype;
  shape: number[];
  buffer: DataView | ArrayBuffer | ArrayBufferView;
}

const ITEMSIZE: Record<Dtype, number> = { float64: 8, bool: 1 };

/** The bytes of a buffer, as a view (no copy); accepts DataView, ArrayBuffer or any typed array. */
function bytesOf(buffer: unknown, what: string): Uint8Array {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new Error(`${what}: buffer must be binary (DataView, ArrayBuffer or typed array), got ${kind(buffer)}`);
}

function kind(x: unknown): string {
  if (x === null) return "null";
  if (typeof x !== "object") return typeof x;
  return (x as object).constructor?.name ?? "object";
}

/**
 * Check the header of a wire array and return its shape and bytes (a view on the wire buffer:
 * writing them writes the array).
 */
export function wireBytes(w: unknown, dtype: Dtype, ndim: number, what: string): { shape: number[]; bytes: Uint8Array } {
  if (w === null || typeof w !== "object" || !("dtype" in w) || !("shape" in w) || !("buffer" in w)) {
    throw new Error(`${what}: expected an array as {dtype, shape, buffer}, got ${kind(w)}`);
  }
  const { dtype: got, shape, buffer } = w as WireArray;
  if (got !== dtype) throw new Error(`${what}: dtype must be '${dtype}', got ${JSON.stringify(got)}`);
  if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new Error(`${what}: shape must be a list of sizes, got ${JSON.stringify(shape)}`);
  }
  if (shape.length !== ndim) {
    throw new Error(`${what}: expected a ${ndim}-D array, got shape [${shape.join(", ")}]`);
  }
  const bytes = bytesOf(buffer, what);
  const expected = shape.reduce((a, b) => a * b, 1) * ITEMSIZE[dtype];
  if (bytes.byteLength !== expected) {
    throw new Error(
      `${what}: buffer has ${bytes.byteLength} bytes, shape [${shape.join(", ")}] of ${dtype} needs ${expected}`,
    );
  }
  return { shape, bytes };
}

export const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** Little-endian float64 bytes to a new Float64Array (copied, so any byteOffset works). */
function floats(bytes: Uint8Array): Float64Array {
  const copy = bytes.slice().buffer; // aligned, owned
  if (LITTLE_ENDIAN) return new Float64Array(copy);
  const dv = new DataView(copy);
  const out = new Float64Array(bytes.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat64(8 * i, true);
  return out;
}

/** Decode a 2-D float64 wire array. Throws on a wrong dtype, ndim or byte length. */
export function decodeMatrix(w: WireArray): Matrix {
  const { shape, bytes } = wireBytes(w, "float64", 2, "matrix");
  return { rows: shape[0], cols: shape[1], data: floats(bytes) };
}

/** Decode a 1-D float64 wire array. */
export function decodeVector(w: WireArray): Float64Array {
  return floats(wireBytes(w, "float64", 1, "vector").bytes);
}

/** Decode a 2-D bool wire array (null/undefined = no mask). Any non-zero byte counts as 1. */
export function decodeMask(w: WireArray | null | undefined): Mask | null {
  if (w === null || w === undefined) return null;
  const { shape, bytes } = wireBytes(w, "bool", 2, "mask");
  const data = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) data[i] = bytes[i] ? 1 : 0;
  return { rows: shape[0], cols: shape[1], data };
}

/** Decode `{name: array}`: W and U must be 2-D, v 1-D; other names are refused. */
export function decodeParams(p: Record<string, WireArray> | null | undefined): Params {
  const out: Params = {};
  if (p === null || p === undefined) return out;
  for (const [name, w] of Object.entries(p)) {
    const what = `params.${name}`;
    if (name === "W" || name === "U") out[name] = relabel(what, () => decodeMatrix(w));
    else if (name === "v") out.v = relabel(what, () => decodeVector(w));
    else throw new Error(`params: unknown parameter '${name}' (expected W, U or v)`);
  }
  return out;
}

function relabel<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message.replace(/^\w+: /, "")}`);
  }
}

/** Encode a matrix as a float64 wire array (a fresh little-endian buffer). */
export function encodeMatrix(m: Matrix): { dtype: "float64"; shape: [number, number]; buffer: DataView } {
  checkSize(m, "matrix");
  const dv = new DataView(new ArrayBuffer(m.rows * m.cols * 8));
  for (let i = 0; i < m.rows * m.cols; i++) dv.setFloat64(8 * i, m.data[i], true);
  return { dtype: "float64", shape: [m.rows, m.cols], buffer: dv };
}

/** Encode a mask as a bool wire array (one byte per entry, 0 or 1). */
export function encodeMask(m: Mask): { dtype: "bool"; shape: [number, number]; buffer: DataView } {
  checkSize(m, "mask");
  const bytes = new Uint8Array(m.rows * m.cols);
  for (let i = 0; i < bytes.length; i++) bytes[i] = m.data[i] ? 1 : 0;
  return { dtype: "bool", shape: [m.rows, m.cols], buffer: new DataView(bytes.buffer) };
}

function checkSize(m: { rows: number; cols: number; data: ArrayLike<number> }, what: string): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0) {
    throw new Error(`${what}: rows and cols must be non-negative integers, got (${m.rows}, ${m.cols})`);
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new Error(`${what}: data has ${m.data.length} entries, shape (${m.rows}, ${m.cols}) needs ${m.rows * m.cols}`);
  }
}
