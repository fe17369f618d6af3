// Matrices as the engine holds them: row-major float64 (and a boolean mask of the same layout).

/** A row-major float64 matrix: entry (i, j) is `data[i * cols + j]`. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** A row-major boolean matrix: 1 = the query (row) may attend to the key (column). */
export interface Mask {
  rows: number;
  cols: number;
  data: Uint8Array;
}

/** A rows x cols matrix: zeros, or a copy of `values` (row-major, length rows * cols). */
export function matrix(rows: number, cols: number, values?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`matrix: rows and cols must be non-negative integers, got (${rows}, ${cols})`);
  }
  const m = { rows, cols, data: new Float64Array(rows * cols) };
  if (values !== undefined) {
    if (values.length !== rows * cols) {
      throw new Error(`matrix: ${values.length} values given, shape (${rows}, ${cols}) needs ${rows * cols}`);
    }
    m.data.set(values);
  }
  return m;
}

/** Entry (i, j) of a matrix (no bounds check). */
export function get(m: Matrix, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

/** A copy of `m` (its own data). */
export function copyMatrix(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: new Float64Array(m.data) };
}

/** The rows in which `a` and `b` (of the same shape) differ, in order (exactly: -0 differs from 0). */
export function changedRows(a: Matrix, b: Matrix): number[] {
  const rows: number[] = [];
  for (let i = 0; i < a.rows; i++) {
    for (let k = i * a.cols, end = k + a.cols; k < end; k++) {
      if (!Object.is(a.data[k], b.data[k])) {
        rows.push(i);
        break;
      }
    }
  }
  return rows;
}

/** The rows `rows` of `m` (a matrix or a mask), gathered into a new one. */
export function pickRows<T extends Matrix | Mask>(m: T, rows: readonly number[]): T {
  const c = m.cols;
  const data = m.data instanceof Uint8Array ? new Uint8Array(rows.length * c) : new Float64Array(rows.length * c);
  rows.forEach((i, k) => data.set(m.data.subarray(i * c, (i + 1) * c), k * c));
  return { rows: rows.length, cols: c, data } as T;
}

/** Write row k of `from` into row `rows[k]` of `into` (of the same width), in place. */
export function putRows(into: Matrix, rows: readonly number[], from: Matrix): void {
  const c = from.cols;
  rows.forEach((i, k) => into.data.set(from.data.subarray(k * c, (k + 1) * c), i * c));
}
