// The JS engine against the Python engine's answers in tests/fixtures/parity.json (written by
// tests/fixtures/make_parity.py). Override the fixture's path with ATTNWIDGET_PARITY.
// Within the fixture's tolerance, measured as make_parity.errors measures it: weights absolute,
// scores relative to max(1, |expected|), output relative to max(1, max|V|). The last bits of
// the Python numbers depend on the CPU's SIMD and BLAS kernels, and the output's rounding grows
// with |V| (one ulp at 1e6 is 1.2e-10: an absolute 1e-9 would ask for nearly the same bits).

import { describe, expect, it } from "vitest";
import { attention, type Params, type ScoreName } from "../src/core/engine";
import { matrix, type Mask, type Matrix } from "../src/core/matrix";

interface Case {
  name: string;
  score: ScoreName;
  Q: number[][];
  K: number[][];
  V: number[][] | null;
  params: { W?: number[][]; U?: number[][]; v?: number[] };
  mask: boolean[][] | null;
  temperature: number;
  expected: { scores: number[][]; weights: number[][]; output: number[][] };
}

interface Fixture {
  tolerance: number;
  cases: Case[];
}

// Node's types are not installed (no dependency for one test): reach fs and process untyped.
const nodeFs = "node:fs";
const fs: { readFileSync(path: string | URL, encoding: "utf8"): string } = await import(nodeFs);
const env: Record<string, string | undefined> = (globalThis as any).process?.env ?? {};

const DEFAULT = new URL("../../tests/fixtures/parity.json", import.meta.url);
const where: string | URL = env.ATTNWIDGET_PARITY || DEFAULT;
const shown = typeof where === "string" ? where : decodeURIComponent(where.pathname);

let fixture: Fixture | null = null;
let problem = "";
try {
  fixture = JSON.parse(fs.readFileSync(where, "utf8")) as Fixture;
} catch (e) {
  problem =
    `cannot read the parity fixture ${shown}: ${(e as Error).message}\n` +
    "Generate it with `python tests/fixtures/make_parity.py` (or point ATTNWIDGET_PARITY at one).";
}

function toMatrix(rows: number[][], width?: number): Matrix {
  const cols = rows.length ? rows[0].length : (width ?? 0);
  return matrix(rows.length, cols, rows.flat());
}

function toMask(rows: boolean[][]): Mask {
  return { rows: rows.length, cols: rows[0]?.length ?? 0, data: Uint8Array.from(rows.flat(), (b) => (b ? 1 : 0)) };
}

function toParams(p: Case["params"]): Params {
  const out: Params = {};
  if (p.W) out.W = toMatrix(p.W);
  if (p.U) out.U = toMatrix(p.U);
  if (p.v) out.v = Float64Array.from(p.v);
  return out;
}

/** Largest |got - want| / scale(want) over a matrix, after checking the shapes agree. */
function worst(got: Matrix, want: number[][], scale: (x: number) => number = () => 1): number {
  expect([got.rows, got.cols]).toEqual([want.length, want[0]?.length ?? got.cols]);
  let d = 0;
  want.forEach((row, i) => row.forEach((x, j) => (d = Math.max(d, Math.abs(got.data[i * got.cols + j] - x) / scale(x)))));
  return d;
}

describe("parity with the Python engine", () => {
  it("has a fixture with cases", () => {
    if (!fixture) throw new Error(problem);
    expect(fixture.tolerance).toBeGreaterThan(0);
    expect(fixture.cases.length).toBeGreaterThan(0);
  });

  it.each(fixture?.cases ?? [])("$name", (c) => {
    const tol = fixture!.tolerance;
    const r = attention({
      Q: toMatrix(c.Q),
      K: toMatrix(c.K),
      V: c.V ? toMatrix(c.V) : null,
      score: c.score,
      params: toParams(c.params),
      mask: c.mask ? toMask(c.mask) : null,
      temperature: c.temperature,
    });
    expect(worst(r.weights, c.expected.weights), "weights").toBeLessThanOrEqual(tol);
    const values = (c.V ?? c.K).flat();
    const valueScale = Math.max(1, ...values.map(Math.abs));
    expect(worst(r.output, c.expected.output, () => valueScale), "output (relative to max|V|)").toBeLessThanOrEqual(tol);
    expect(worst(r.scores, c.expected.scores, (x) => Math.max(1, Math.abs(x))), "scores (relative)").toBeLessThanOrEqual(tol);
  });
});
