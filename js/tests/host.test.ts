// @vitest-environment jsdom
// No kernel, no wait: a host that renders the widget from stored state (a static page's widget
// manager, marimo's static export) is noticed at once, and the views run on the JS engine as a
// to_html page does; with a kernel nothing changes.
import { afterEach, describe, expect, it, vi } from "vitest";
import { attention, type ScoreName } from "../src/core/engine";
import { matrix, type Matrix } from "../src/core/matrix";
import { storedState } from "../src/page/stored";
import { decodeMatrix, encodeMatrix } from "../src/wire/codec";
import { noKernel } from "../src/wire/host";
import type { AnyModel } from "../src/wire/model";
import {
  FakeMarimoModel,
  kernelModel,
  MARIMO_STATIC,
  renderHost,
  restoredInLabModel,
  staticPageModel,
} from "./helpers/hosts";
import { proxy } from "./helpers/live";
import { nextFrame, stubCanvas, unmountAll } from "./helpers/mount";
import { widgetState } from "./helpers/states";

stubCanvas();

const Q = matrix(2, 2, [1, 0, 0.5, 2]);
const K = matrix(3, 2, [1, 0, 0, 1, -1, 1]);
const W = matrix(2, 2, [0.5, -1, 2, 0.25]);

/** A widget's state as a kernel stored it: results included (scaled_dot), one edit answered. */
function stored(): Record<string, unknown> {
  const r = attention({ Q, K, score: "scaled_dot" });
  return widgetState(Q, K, {
    query_tokens: ["a", "b"],
    key_tokens: ["x", "y", "z"],
    param_sets: { dot: {}, scaled_dot: {}, general: { W: encodeMatrix(W) } },
    scores: encodeMatrix(r.scores),
    weights: encodeMatrix(r.weights),
    output: encodeMatrix(r.output),
    edit_id: 3,
    result_id: 3,
    _static: false,
    _row_patch: null,
    _esm: "(the bundle)",
  });
}

const weightsShown = (root: HTMLElement) =>
  [...root.querySelectorAll('table[data-view="weights"] td[data-value]')].map((td) => Number(td.getAttribute("data-value")));
const status = (root: HTMLElement) => root.querySelector(".aw-status")!.textContent;
const click = (root: HTMLElement, score: ScoreName) =>
  (root.querySelector(`button[data-score="${score}"]`) as HTMLButtonElement).click();
const want = (score: ScoreName, params = {}) => Array.from(attention({ Q, K, score, params }).weights.data);

function expectClose(got: number[], expected: number[]) {
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
}

afterEach(() => {
  unmountAll();
  vi.useRealTimers();
  delete (globalThis as { __MARIMO_STATIC__?: unknown }).__MARIMO_STATIC__;
});

describe("noKernel: what each host's model says", () => {
  const view = (m: Parameters<typeof proxy>[0]) => proxy(m, { model: m });

  it("a static page's widget manager (html-manager, stored state): no comm, anywhere", () => {
    expect(noKernel(view(staticPageModel(stored())))).toBe("stored widget state");
  });

  it("JupyterLab reopening stored state its kernel does not hold: no comm, though a kernel runs", () => {
    expect(noKernel(view(restoredInLabModel(stored())))).toBe("stored widget state");
  });

  it("a kernel's widget (JupyterLab, Notebook 7, Voila): a comm, live", () => {
    expect(noKernel(view(kernelModel(stored()).model))).toBe("");
  });

  it("a kernel's widget after a restart keeps its comm object: disconnected, not static", () => {
    const { model } = kernelModel(stored());
    model.disconnect();
    (model.get("layout") as { disconnect(): void }).disconnect();
    expect(noKernel(view(model))).toBe("");
  });

  it("a host that hands over the model itself (no proxy): its own comm says it", () => {
    expect(noKernel(staticPageModel(stored()) as unknown as AnyModel)).toBe("stored widget state");
    expect(noKernel(kernelModel(stored()).model as unknown as AnyModel)).toBe("");
  });

  it("marimo: live under marimo run, static on an exported page (window.__MARIMO_STATIC__)", () => {
    const m = new FakeMarimoModel(stored());
    expect(noKernel(m, {})).toBe("");
    expect(noKernel(m, { __MARIMO_STATIC__: MARIMO_STATIC })).toBe("marimo static page");
  });

  it("a host that shows nothing of this (no layout model, getters that throw) is taken as live", () => {
    const bare = { get: () => undefined, set() {}, save_changes() {}, send() {}, on() {}, off() {} };
    expect(noKernel(bare, {})).toBe("");
    const hostile = { ...bare, get: () => ({ get comm_live(): boolean { throw new Error("no"); } }) };
    expect(noKernel(hostile, {})).toBe("");
  });
});

describe("the switch: no kernel, the JS engine answers at once", () => {
  it("a static page: static mode, the to_html status, an edit computed at once, nothing sent", () => {
    vi.useFakeTimers();
    const model = staticPageModel(stored());
    const [root] = renderHost(model);
    expect(root.getAttribute("data-mode")).toBe("static");
    expect(status(root)).toBe("static page \u00b7 JS engine");
    expectClose(weightsShown(root), want("scaled_dot"));
    click(root, "dot");
    expect(root.getAttribute("data-state")).toBe("ready");
    expectClose(weightsShown(root), want("dot"));
    click(root, "general");
    expectClose(weightsShown(root), want("general", { W }));
    vi.advanceTimersByTime(15_000); // past every wait a live view has (2 s, 10 s)
    expect(root.getAttribute("data-state")).toBe("ready");
    expect(status(root)).toBe("static page \u00b7 JS engine");
    expect((root.querySelector('[data-role="connection"]') as HTMLElement).hidden).toBe(true);
    // the host's model is left as stored: no edit was set on it, nothing was sent
    expect(model.diff).toEqual({});
    expect(model.sent).toEqual([]);
    expect(model.get("score")).toBe("scaled_dot");
  });

  it("two views of one stored widget share the local model: an edit in one shows in the other", () => {
    const [a, b] = renderHost(staticPageModel(stored()), 2);
    click(a, "dot");
    expect(b.querySelector('button[data-score="dot"]')!.getAttribute("aria-pressed")).toBe("true");
    expectClose(weightsShown(b), want("dot"));
  });

  it("the local model is a to_html page's: the page's traits, no edit pending, no stored error", () => {
    const m = staticPageModel({ ...stored(), edit_id: 7, result_id: 5, error: "stale" });
    const s = storedState(proxy(m, { model: m }));
    expect(Object.keys(s)).not.toContain("_row_patch");
    expect(Object.keys(s)).not.toContain("layout");
    expect(Object.keys(s)).not.toContain("_esm");
    expect(s).toMatchObject({ edit_id: 0, result_id: 0, error: "", score: "scaled_dot" });
    expect(s.Q).toBe(m.get("Q"));
  });

  it("marimo's exported page: static, and nothing is handed to marimo (it refuses updates there)", () => {
    (globalThis as { __MARIMO_STATIC__?: unknown }).__MARIMO_STATIC__ = MARIMO_STATIC;
    const model = new FakeMarimoModel(stored());
    const [root] = renderHost(model);
    expect(root.getAttribute("data-mode")).toBe("static");
    click(root, "dot");
    expectClose(weightsShown(root), want("dot"));
    expect(model.changes).toEqual([]);
  });

  it("an AttentionHeads from stored state: static, the picked head shown, nothing sent", () => {
    const codes = new Uint8Array(1 * 2 * 2 * 3).map((_, i) => (i * 37 + 11) % 256);
    const scale = new Float32Array(1 * 2 * 2).fill(1 / 255);
    const model = staticPageModel({
      _kind: "heads",
      weights: { dtype: "uint8-rows", shape: [1, 2, 2, 3], buffer: new DataView(codes.buffer), scale: new DataView(scale.buffer) },
      query_tokens: ["a", "b"],
      key_tokens: ["x", "y", "z"],
      layer: 0,
      head: 0,
      shape: [1, 2, 2, 3],
      error: "",
    });
    const [root] = renderHost(model);
    expect(root.getAttribute("data-mode")).toBe("static");
    (root.querySelector('button[data-head="1"]') as HTMLButtonElement).click();
    expect(weightsShown(root)[0]).toBeCloseTo(codes[6] / 255, 6);
    expect(model.sent).toEqual([]);
  });
});

describe("with a kernel nothing changes", () => {
  it("JupyterLab: live mode, the edit goes to the kernel and waits for its answer", async () => {
    const { model } = kernelModel(stored());
    const [root] = renderHost(model);
    expect(root.getAttribute("data-mode")).toBe("live");
    expect(status(root)).toBe("kernel \u00b7 up to date");
    click(root, "dot");
    expect(model.sent.map((d) => d.score)).toEqual(["dot"]);
    expect(root.getAttribute("data-state")).toBe("pending");
    model.answer();
    await nextFrame();
    expect(root.getAttribute("data-state")).toBe("ready");
  });

  it("marimo run: live mode, the edit is handed to marimo (its kernel answers)", () => {
    const model = new FakeMarimoModel(stored());
    const [root] = renderHost(model);
    expect(root.getAttribute("data-mode")).toBe("live");
    click(root, "dot");
    expect(model.changes.at(-1)).toMatchObject({ score: "dot" });
    expect(root.getAttribute("data-state")).toBe("pending");
  });

  it("row patches are watched only where a kernel sends them", () => {
    const { model } = kernelModel(stored());
    renderHost(model);
    const live = model.listeners.filter((l) => l.name === "change:_row_patch").length;
    const still = staticPageModel(stored());
    renderHost(still);
    expect(live).toBeGreaterThan(0);
    expect(still.listeners.filter((l) => l.name.startsWith("change:")).length).toBe(0);
    expect(decodeMatrix(still.get("weights") as never).rows).toBe(2);
  });
});
