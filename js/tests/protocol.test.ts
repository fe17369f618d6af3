// The protocol fixtures (tests/fixtures/protocol_cases.json, written from the Python widget)
// replayed on the local kernel of exported pages: the same edits get the same answers.
// tests/test_protocol_cases.py replays them on the Python widget.
import { describe, expect, it } from "vitest";
import { decodeMask, decodeMatrix, encodeMask, encodeMatrix, type WireArray } from "../src/wire/codec";
import { matrix } from "../src/core/matrix";
import { embeddedState } from "../src/page/embedded";
import { createLocalModel } from "../src/page/localModel";
import { TRAIT_TOPICS } from "../src/ui/app";
import { ATTENTION_TRAITS, INPUTS, KEY_PATCH, RESULTS, ROW_PATCH } from "../src/wire/protocol";

interface Step {
  edit: Record<string, unknown>;
  expect: Record<string, unknown>;
}
interface Case {
  name: string;
  page: { state: Record<string, unknown>; buffers: { path: (string | number)[]; data: string; encoding?: string }[] };
  steps: Step[];
}
const nodeFs = "node:fs"; // (a variable: no Node types in this project's TypeScript)
const fs: { readFileSync(path: URL, encoding: "utf8"): string } = await import(nodeFs);
const DOC = JSON.parse(fs.readFileSync(new URL("../../tests/fixtures/protocol_cases.json", import.meta.url), "utf8")) as {
  tolerance: number;
  cases: Case[];
};

function toWire(name: string, value: unknown): unknown {
  if (value === null) return null;
  const rows = value as number[][];
  if (name === "mask") return encodeMask({ rows: rows.length, cols: rows[0].length, data: Uint8Array.from(rows.flat().map(Number)) });
  if (name === "Q" || name === "K" || name === "V") return encodeMatrix(matrix(rows.length, rows[0].length, rows.flat()));
  if (name === ROW_PATCH.up && typeof value === "object" && "Q" in value) {
    // a view's edit of some queries: their rows (a damaged patch is sent as it is)
    return { ...value, Q: toWire("Q", (value as { Q: unknown }).Q) };
  }
  if (name === KEY_PATCH.up && typeof value === "object") {
    // a view's edit of some keys or values: their rows
    const p = value as Record<string, unknown>;
    return { ...p, ...Object.fromEntries(["K", "V"].filter((n) => n in p).map((n) => [n, toWire(n, p[n])])) };
  }
  return value;
}

function held(model: ReturnType<typeof createLocalModel>, name: string): unknown {
  const v = model.get(name);
  if (name === "mask") {
    const m = decodeMask(v as WireArray | null);
    return m && Array.from({ length: m.rows }, (_, i) => Array.from(m.data.slice(i * m.cols, (i + 1) * m.cols), Boolean));
  }
  if (["Q", "K", "V", ...RESULTS].includes(name)) {
    if (v === null || v === undefined) return null;
    const m = decodeMatrix(v as WireArray);
    return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.slice(i * m.cols, (i + 1) * m.cols)));
  }
  return v;
}

function expectClose(actual: unknown, expected: unknown, tol: number, what: string): void {
  if (!Array.isArray(expected)) {
    expect(actual, what).toEqual(expected);
    return;
  }
  const a = actual as unknown[][];
  expect(a?.length, what).toBe(expected.length);
  expected.forEach((row, i) =>
    (row as unknown[]).forEach((e, j) => {
      const x = a[i][j];
      if (typeof e === "number") expect(Math.abs((x as number) - e), `${what}[${i}][${j}]`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
      else expect(x, `${what}[${i}][${j}]`).toBe(e);
    }),
  );
}

describe("the local kernel answers the protocol fixtures as the Python widget does", () => {
  for (const c of DOC.cases) {
    it(c.name, async () => {
      const model = createLocalModel(await embeddedState(c.page)); // (as the page's loader reads it)
      c.steps.forEach((step, k) => {
        for (const [name, value] of Object.entries(step.edit)) model.set(name, toWire(name, value));
        model.set("edit_id", k + 1);
        model.save_changes();
        for (const [name, expected] of Object.entries(step.expect)) {
          if (name === "patch_rows" || name === "patch_keys") continue; // (how the kernel sends them: not a page's concern)
          const actual = name === "error" ? model.get("error") !== "" : held(model, name);
          expectClose(actual, expected, DOC.tolerance, `${c.name}, step ${k + 1}: ${name}`);
        }
      });
    });
  }
});

describe("the protocol source", () => {
  it("names the inputs and results the local kernel works with", () => {
    expect([...INPUTS]).toEqual(["Q", "K", "V", "score", "params", "mask", "temperature"]);
    expect([...RESULTS]).toEqual(["scores", "weights", "output"]);
    for (const name of [...INPUTS, ...RESULTS, ROW_PATCH.trait, ROW_PATCH.up]) expect(ATTENTION_TRAITS[name], name).toBeDefined();
    expect(ATTENTION_TRAITS[ROW_PATCH.up].set_by).toBe("view");
    expect(ROW_PATCH.max_rows_fraction).toBeGreaterThan(0);
  });

  it("names every trait the live view repaints on (all but the edit_id a view sets itself)", () => {
    const traits = Object.keys(ATTENTION_TRAITS).filter((n) => n !== "edit_id");
    expect(Object.keys(TRAIT_TOPICS).sort()).toEqual(traits.sort());
  });
});
