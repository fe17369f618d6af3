// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { matrix } from "../src/core/matrix";
import * as entry from "../src/index";
import widget, { createLocalModel, mountStatic } from "../src/index";
import { encodeMatrix } from "../src/wire/codec";
import { mountLocal, onUnmount, renderModel, stubCanvas, unmountAll } from "./helpers/mount";
import { HOSTILE, widgetState } from "./helpers/states";

const render = widget.render;

stubCanvas();

function state(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const h = 3;
  const W = matrix(h, 4, Array.from({ length: h * 4 }, (_, i) => Math.sin(i)));
  const U = matrix(h, 2, Array.from({ length: h * 2 }, (_, i) => Math.cos(i)));
  const v = { dtype: "float64", shape: [h], buffer: new DataView(new Float64Array([0.5, -1, 0.25]).buffer) };
  return widgetState(matrix(2, 2, [1, 0, 0.5, 2]), matrix(3, 2, [1, 0, 0, 1, -1, 1]), {
    query_tokens: [HOSTILE, "q1"],
    key_tokens: ["x", HOSTILE, "z"],
    param_sets: {
      dot: {},
      scaled_dot: {},
      general: { W: encodeMatrix(matrix(2, 2, [1, 0.5, -0.5, 1])) },
      concat: { W: encodeMatrix(W), v },
      additive: { W: encodeMatrix(matrix(h, 2, [1, 2, 3, 4, 5, 6])), U: encodeMatrix(U), v },
    },
    edit_id: 0,
    result_id: 0,
    ...extra,
  });
}

afterEach(unmountAll);

/** The state above, on a local model, rendered. */
const mountState = () => mountLocal(state());

describe("render (jsdom)", () => {
  it("exports render in the default export only (no named render: anywidget warns), and mountStatic", () => {
    expect(typeof widget.render).toBe("function");
    expect("render" in entry).toBe(false);
    expect(Object.keys(entry).sort()).toEqual(["createLocalModel", "default", "mountStatic"]);
    expect(typeof mountStatic).toBe("function");
  });

  it("builds every view with the DOM hooks, tokens as text", () => {
    const { root } = mountState();
    expect(root.dataset.mode).toBe("static");
    expect(root.dataset.state).toBe("ready");
    const buttons = [...root.querySelectorAll("button[data-score]")];
    expect(buttons.map((b) => b.textContent)).toEqual(["dot", "general", "scaled dot", "concat", "additive"]);
    expect(buttons.map((b) => b.getAttribute("aria-pressed"))).toEqual(["false", "false", "true", "false", "false"]);
    expect(root.querySelector('[data-role="formula"] math')?.namespaceURI).toBe("http://www.w3.org/1998/Math/MathML");
    expect(root.querySelector('[data-role="formula"] msqrt')).not.toBeNull();
    for (const sel of [
      'canvas[data-view="heatmap"]',
      'table[data-view="weights"]',
      'table[data-view="output"]',
      '[data-view="steps"]',
      'select[data-role="query-select"]',
      '[data-view="output-visual"]',
      '[data-view="editor"]',
      'svg[data-view="plane"]',
      '[data-view="params"]',
      'button[data-role="resample"]',
      'input[data-role="temperature"]',
      '[data-role="error"][role="alert"]',
      '[data-role="tooltip"]',
      '[data-query-point="1"]',
    ]) {
      expect(root.querySelector(sel), sel).not.toBeNull();
    }
    // no element was created from a token
    expect(root.querySelector("img")).toBeNull();
    expect((globalThis as { __pwned?: number }).__pwned).toBeUndefined();
    const weights = root.querySelector('table[data-view="weights"]')!;
    const heads = [...weights.querySelectorAll("thead th")].map((t) => t.textContent);
    expect(heads).toEqual(["", "x", HOSTILE, "z"]);
    expect(weights.querySelector("tbody th")?.textContent).toBe(HOSTILE);
    const tds = [...weights.querySelectorAll("tbody tr:first-child td")];
    const sum = tds.reduce((s, td) => s + Number(td.getAttribute("data-value")), 0);
    expect(sum).toBeCloseTo(1, 12);
    expect(tds[0].textContent).toBe(Number(tds[0].getAttribute("data-value")).toFixed(3));
    const out = root.querySelector('table[data-view="output"]')!;
    expect([...out.querySelectorAll("thead th")].map((t) => t.textContent)).toEqual(["", "0", "1"]);
    const input = root.querySelector('input[data-query="0"][data-dim="1"]') as HTMLInputElement;
    expect(input.value).toBe("0");
    expect(input.getAttribute("aria-label")).toBe(`q${HOSTILE} dim 1`);
    expect((root.querySelector('button[data-role="resample"]') as HTMLButtonElement).disabled).toBe(true);
    expect((root.querySelector('[data-role="error"]') as HTMLElement).hidden).toBe(true);
  });

  it("a score click is an edit answered by the local model", () => {
    const { root, model } = mountState();
    const before = root.querySelector('table[data-view="weights"] td')!.getAttribute("data-value");
    (root.querySelector('button[data-score="dot"]') as HTMLButtonElement).click();
    expect(model.get("score")).toBe("dot");
    expect(model.get("edit_id")).toBe(1);
    expect(model.get("result_id")).toBe(1);
    expect(root.dataset.state).toBe("ready");
    expect(root.querySelector('button[data-score="dot"]')!.getAttribute("aria-pressed")).toBe("true");
    expect(root.querySelector('[data-role="formula"] msqrt')).toBeNull();
    const after = root.querySelector('table[data-view="weights"] td')!.getAttribute("data-value");
    expect(after).not.toBe(before);
  });

  it("a bad cell shows the reason beside the editor and sends nothing; a good one edits Q", () => {
    const { root, model } = mountState();
    const input = root.querySelector('input[data-query="1"][data-dim="0"]') as HTMLInputElement;
    input.value = "1,5";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    const err = root.querySelector('[data-view="editor"] [data-role="input-error"]') as HTMLElement;
    expect(err.hidden).toBe(false);
    expect(err.textContent).toMatch(/not a number/);
    expect((root.querySelector('[data-role="error"]') as HTMLElement).hidden).toBe(true); // (the kernel's)
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(model.get("edit_id")).toBe(0);
    input.value = "-2.5";
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(model.get("edit_id")).toBe(1);
    expect(err.hidden).toBe(true);
    expect(input.hasAttribute("aria-invalid")).toBe(false);
    const q = new Float64Array(model.get("Q").buffer.buffer.slice(0));
    expect(Array.from(q)).toEqual([1, 0, -2.5, 2]);
  });

  it("temperature refuses <= 0 and non-numbers", () => {
    const { root, model } = mountState();
    const t = root.querySelector('input[data-role="temperature"]') as HTMLInputElement;
    for (const bad of ["0", "-1", "hot"]) {
      t.value = bad;
      t.dispatchEvent(new Event("change", { bubbles: true }));
      expect(t.getAttribute("aria-invalid")).toBe("true");
      expect((root.querySelector('[data-view="params"] [data-role="input-error"]') as HTMLElement).hidden).toBe(false);
    }
    expect(model.get("edit_id")).toBe(0);
    t.value = "2";
    t.dispatchEvent(new Event("change", { bubbles: true }));
    expect(model.get("temperature")).toBe(2);
    expect(model.get("result_id")).toBe(1);
  });

  it("selecting a query is UI state, not an edit", () => {
    const { root, model } = mountState();
    const sel = root.querySelector('select[data-role="query-select"]') as HTMLSelectElement;
    expect([...sel.options].map((o) => o.textContent)).toEqual([`0: ${HOSTILE.slice(0, 39)}\u2026`, "1: q1"]);
    sel.value = "1";
    sel.dispatchEvent(new Event("change", { bubbles: true }));
    expect(model.get("selected_query")).toBe(1);
    expect(model.get("edit_id")).toBe(0);
  });

  it("shows the parameters of general, concat and additive", () => {
    const { root } = mountState();
    for (const [score, names] of [["general", ["W"]], ["concat", ["W", "v"]], ["additive", ["W", "U", "v"]], ["dot", []]] as const) {
      (root.querySelector(`button[data-score="${score}"]`) as HTMLButtonElement).click();
      const got = [...root.querySelectorAll("[data-view=params] canvas")].map((c) => c.getAttribute("data-param"));
      expect(got, score).toEqual(names);
    }
    expect(root.querySelector('[data-role="no-params"]')?.textContent).toMatch(/no parameters/);
  });

  it("cleanup removes the DOM and the model listeners", async () => {
    const el = document.createElement("div");
    document.body.appendChild(el);
    const model = createLocalModel(state());
    const cleanup = await mountStatic(el, state());
    cleanup();
    expect(el.querySelector(".attnwidget")).toBeNull();
    // a model we rendered and cleaned up has no listeners left
    const c2 = render({ model, el });
    c2();
    model.set("score", "dot");
    model.set("edit_id", 1);
    expect(() => model.save_changes()).not.toThrow();
  });
});

describe("render: more", () => {
  it("two views of one model stay in step", () => {
    const model = createLocalModel(state());
    const a = document.createElement("div");
    const b = document.createElement("div");
    document.body.append(a, b);
    onUnmount(render({ model, el: a }), render({ model, el: b }));
    (a.querySelector('button[data-score="general"]') as HTMLButtonElement).click();
    expect(b.querySelector('button[data-score="general"]')!.getAttribute("aria-pressed")).toBe("true");
    const wa = a.querySelector('table[data-view="weights"] td')!.getAttribute("data-value");
    expect(b.querySelector('table[data-view="weights"] td')!.getAttribute("data-value")).toBe(wa);
    // the second view's edit gets a new edit_id
    (b.querySelector('button[data-score="dot"]') as HTMLButtonElement).click();
    expect(model.get("edit_id")).toBe(2);
  });

  it("a value being typed is not overwritten by a change of Q; others are", () => {
    const { root, model } = mountState();
    const typing = root.querySelector('input[data-query="0"][data-dim="0"]') as HTMLInputElement;
    const other = root.querySelector('input[data-query="1"][data-dim="1"]') as HTMLInputElement;
    typing.focus();
    typing.value = "0.12";
    typing.dispatchEvent(new Event("input", { bubbles: true }));
    model.set("Q", encodeMatrix(matrix(2, 2, [5, 6, 7, 8])));
    return new Promise<void>((done) =>
      setTimeout(() => {
        expect(typing.value).toBe("0.12");
        expect(other.value).toBe("8");
        done();
      }, 40),
    );
  });

  it("renders AttentionHeads (_kind = heads) with layer and head selectors", () => {
    const L = 2, H = 3, M = 2, N = 3;
    const codes = new Uint8Array(L * H * M * N).map((_, i) => (i * 37) % 256);
    const scale = new Float32Array(L * H * M).fill(1 / 255);
    const model = createLocalModel({
      _kind: "heads",
      weights: { dtype: "uint8-rows", shape: [L, H, M, N], buffer: new DataView(codes.buffer), scale: new DataView(scale.buffer) },
      query_tokens: ["a", HOSTILE],
      key_tokens: ["x", "y", "z"],
      layer: 1,
      head: 2,
      shape: [L, H, M, N],
    });
    const { root } = renderModel(model);
    expect(root.dataset.kind).toBe("heads");
    expect((root.querySelector('select[data-role="layer"]') as HTMLSelectElement).value).toBe("1");
    expect(root.querySelectorAll("button[data-head]")).toHaveLength(L * H); // (the model view)
    expect(root.querySelector('button[data-layer="1"][data-head="2"]')!.getAttribute("aria-pressed")).toBe("true");
    (root.querySelector('button[data-layer="1"][data-head="0"]') as HTMLButtonElement).click();
    expect(model.get("head")).toBe(0);
    expect((root.querySelector('select[data-role="head"]') as HTMLSelectElement).value).toBe("0");
    expect(root.querySelector("img")).toBeNull();
  });
});
