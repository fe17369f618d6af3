// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { attention } from "../src/core/engine";
import { matrix, type Matrix } from "../src/core/matrix";
import { createLocalModel } from "../src/page/localModel";
import { decodeMatrix, encodeMatrix } from "../src/wire/codec";

const Q = matrix(2, 2, [1, 0, 0, 1]);
const K = matrix(3, 2, [1, 0, 0, 1, 1, 1]);
const W = matrix(2, 2, [0.5, -1, 2, 0.25]);

function state(): Record<string, unknown> {
  return {
    Q: encodeMatrix(Q),
    K: encodeMatrix(K),
    V: null,
    query_tokens: ["a", "b"],
    key_tokens: ["x", "y", "z"],
    score: "dot",
    params: {},
    param_sets: { dot: {}, scaled_dot: {}, general: { W: encodeMatrix(W) } },
    mask: null,
    temperature: 1,
    selected_query: 0,
    edit_id: 0,
    result_id: 0,
    error: "",
  };
}

const close = (a: Matrix, b: Matrix) => {
  expect(a.rows).toBe(b.rows);
  expect(a.cols).toBe(b.cols);
  a.data.forEach((v, i) => expect(v).toBeCloseTo(b.data[i], 12));
};

describe("createLocalModel", () => {
  it("computes the results when the state has none, and marks itself static", () => {
    const m = createLocalModel(state());
    expect(m.get("_static")).toBe(true);
    close(decodeMatrix(m.get("weights")), attention({ Q, K, score: "dot" }).weights);
  });

  it("save_changes recomputes from the inputs, answers result_id and fires change events", () => {
    const m = createLocalModel(state());
    const seen: string[] = [];
    m.on("change:weights change:result_id change:params", () => seen.push("x"));
    let rid = -1;
    m.on("change:result_id", () => (rid = m.get("result_id")));
    m.set("score", "general");
    m.set("temperature", 2);
    m.set("edit_id", 1);
    expect(m.get("result_id")).toBe(0); // nothing until save_changes
    m.save_changes();
    expect(rid).toBe(1);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    const want = attention({ Q, K, score: "general", params: { W }, temperature: 2 });
    close(decodeMatrix(m.get("weights")), want.weights);
    close(decodeMatrix(m.get("scores")), want.scores);
    close(decodeMatrix(m.get("output")), want.output);
    expect(m.get("params")).toBe(m.get("param_sets").general);
    expect(m.get("error")).toBe("");
  });

  it("a refused edit sets error, keeps the results and puts the last good inputs back", () => {
    const m = createLocalModel(state());
    const before = m.get("weights");
    const goodQ = m.get("Q");
    m.set("Q", encodeMatrix(matrix(2, 3, [1, 2, 3, 4, 5, 6]))); // d_q != d_k for dot
    m.set("edit_id", 1);
    m.save_changes();
    expect(m.get("error")).toMatch(/width|d_q|d_k|same/i);
    expect(m.get("weights")).toBe(before);
    expect(m.get("Q")).toBe(goodQ);
    expect(m.get("result_id")).toBe(1);
    // the next good edit clears the error
    m.set("temperature", 0.5);
    m.set("edit_id", 2);
    m.save_changes();
    expect(m.get("error")).toBe("");
    expect(m.get("result_id")).toBe(2);
  });

  it("does not recompute for UI-only changes; off() removes listeners; send is a no-op", () => {
    const m = createLocalModel(state());
    let n = 0;
    const cb = () => n++;
    m.on("change:weights", cb);
    m.set("selected_query", 1);
    m.save_changes();
    expect(n).toBe(0);
    m.off("change:weights", cb);
    m.set("temperature", 3);
    m.set("edit_id", 1);
    m.save_changes();
    expect(n).toBe(0);
    expect(() => m.send({ type: "resample", edit_id: 2 })).not.toThrow();
  });

  it("accepts buffers as ArrayBuffer or typed arrays", () => {
    const s = state();
    const q = encodeMatrix(Q);
    s.Q = { ...q, buffer: new Uint8Array(q.buffer.buffer) };
    s.K = { ...encodeMatrix(K), buffer: encodeMatrix(K).buffer.buffer };
    const m = createLocalModel(s);
    close(decodeMatrix(m.get("weights")), attention({ Q, K, score: "dot" }).weights);
    m.set("temperature", 2);
    m.set("edit_id", 1);
    m.save_changes();
    expect(m.get("error")).toBe("");
  });
});
