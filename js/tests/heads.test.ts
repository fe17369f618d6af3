// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { PRECISION_NOTE } from "../src/ui/heads";
import { decodeHeads, headMatrix } from "../src/wire/heads";
import { mountLocal, stubCanvas, unmountAll } from "./helpers/mount";
import { HOSTILE } from "./helpers/states";

stubCanvas();

function headsState(L: number, H: number, M: number, N: number, extra: Record<string, unknown> = {}) {
  const codes = new Uint8Array(L * H * M * N).map((_, i) => (i * 37 + 11) % 256);
  const scale = new Float32Array(L * H * M).map((_, i) => (0.3 + (i % 7) * 0.1) / 255);
  return {
    codes,
    scale,
    state: {
      _kind: "heads",
      weights: { dtype: "uint8-rows", shape: [L, H, M, N], buffer: new DataView(codes.buffer), scale: new DataView(scale.buffer) },
      query_tokens: Array.from({ length: M }, (_, i) => (i === 1 ? HOSTILE : `q-token-${i}`)),
      key_tokens: Array.from({ length: N }, (_, j) => (j === 0 ? HOSTILE : `key-token-number-${j}`)),
      layer: 0,
      head: 0,
      shape: [L, H, M, N],
      ...extra,
    },
  };
}

afterEach(unmountAll);

function mountHeadsLocal(st: Record<string, unknown>) {
  const { model, root } = mountLocal(st);
  return { model, root };
}

/** Dequantised weight (l, h, i, j): code * float32 scale, in float64 (as numpy does). */
function expected(codes: Uint8Array, scale: Float32Array, dims: number[], l: number, hd: number, i: number, j: number): number {
  const [, H, M, N] = dims;
  const row = (l * H + hd) * M + i;
  return codes[row * N + j] * scale[row];
}

function tableValues(root: HTMLElement): number[][] {
  return [...root.querySelectorAll('table[data-view="weights"] tbody tr')].map((tr) =>
    [...tr.querySelectorAll("td[data-value]")].map((td) => Number(td.getAttribute("data-value"))),
  );
}

describe("AttentionHeads view: numbers table", () => {
  it("shows the selected head's dequantised weights, tokens as text, precision in the caption", () => {
    const dims = [2, 3, 4, 5];
    const { codes, scale, state } = headsState(2, 3, 4, 5, { layer: 1, head: 2 });
    const { root } = mountHeadsLocal(state);
    const table = root.querySelector('table[data-view="weights"]')!;
    expect([...table.querySelectorAll("thead th")].map((t) => t.textContent)).toEqual(["", ...(state.key_tokens as string[])]);
    expect([...table.querySelectorAll("tbody th")].map((t) => t.textContent)).toEqual(state.query_tokens);
    expect(table.querySelectorAll("tbody tr")).toHaveLength(4);
    const vals = tableValues(root);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) expect(vals[i][j]).toBe(expected(codes, scale, dims, 1, 2, i, j));
    const td = table.querySelector("td[data-value]")!;
    expect(td.textContent).toBe(Number(td.getAttribute("data-value")).toFixed(3));
    expect(table.querySelector("caption")!.textContent).toContain("weights stored at 8-bit precision per row (error \u2264 row max / 510)");
    expect(table.querySelector("caption")!.textContent).toContain(PRECISION_NOTE);
    expect((root.querySelector('[data-role="truncated"]') as HTMLElement).hidden).toBe(true);
    expect(root.querySelector("img")).toBeNull();
  });

  it("layer and head selectors, and thumbnails, update the table and the model", () => {
    const dims = [2, 3, 4, 5];
    const { codes, scale, state } = headsState(2, 3, 4, 5);
    const { model, root } = mountHeadsLocal(state);
    const saved: string[] = [];
    const save = model.save_changes.bind(model);
    model.save_changes = () => {
      saved.push(`${model.get("layer")},${model.get("head")}`);
      save();
    };
    const layer = root.querySelector('select[data-role="layer"]') as HTMLSelectElement;
    const head = root.querySelector('select[data-role="head"]') as HTMLSelectElement;
    layer.value = "1";
    layer.dispatchEvent(new Event("change", { bubbles: true }));
    expect(model.get("layer")).toBe(1);
    head.value = "2";
    head.dispatchEvent(new Event("change", { bubbles: true }));
    expect(model.get("head")).toBe(2);
    expect(tableValues(root)[3][4]).toBe(expected(codes, scale, dims, 1, 2, 3, 4));
    (root.querySelector('button[data-layer="1"][data-head="1"]') as HTMLButtonElement).click();
    expect(model.get("head")).toBe(1);
    expect(saved).toEqual(["1,0", "1,2", "1,1"]);
    expect(head.value).toBe("1");
    expect(root.querySelector('button[data-layer="1"][data-head="1"]')!.getAttribute("aria-pressed")).toBe("true");
    expect(root.querySelector('button[data-layer="1"][data-head="2"]')!.getAttribute("aria-pressed")).toBe("false");
    expect(tableValues(root)[0][0]).toBe(expected(codes, scale, dims, 1, 1, 0, 0));
    expect(root.querySelector("h3")!.textContent).toBe("Layer 1, head 1");
  });

  it("follows layer/head changes made on the model (the kernel)", () => {
    const dims = [2, 3, 4, 5];
    const { codes, scale, state } = headsState(2, 3, 4, 5);
    const { model, root } = mountHeadsLocal(state);
    model.set("layer", 1);
    model.set("head", 2);
    expect((root.querySelector('select[data-role="layer"]') as HTMLSelectElement).value).toBe("1");
    expect((root.querySelector('select[data-role="head"]') as HTMLSelectElement).value).toBe("2");
    expect(tableValues(root)[2][3]).toBe(expected(codes, scale, dims, 1, 2, 2, 3));
    expect(root.querySelector('table[data-view="weights"] caption')!.textContent).toMatch(/^Layer 1, head 2/);
  });

  it("truncates beyond 64 x 64 and says so", () => {
    const { state } = headsState(1, 1, 70, 66);
    const { root } = mountHeadsLocal(state);
    const numbers = root.querySelector("details.aw-numbers") as HTMLDetailsElement;
    expect(numbers.open).toBe(false); // (larger than it shows: updated only once opened)
    expect(root.querySelectorAll('table[data-view="weights"] tbody tr')).toHaveLength(0);
    numbers.open = true;
    numbers.dispatchEvent(new Event("toggle"));
    expect(root.querySelectorAll('table[data-view="weights"] tbody tr')).toHaveLength(64);
    expect(root.querySelectorAll('table[data-view="weights"] thead th')).toHaveLength(65);
    const more = root.querySelector('[data-role="truncated"]') as HTMLElement;
    expect(more.hidden).toBe(false);
    expect(more.textContent).toBe("showing 64 of 70 rows (queries); showing 64 of 66 columns (keys).");
  });

  it("decodes the wire format; refuses a mismatched one", () => {
    const { codes, scale, state } = headsState(1, 2, 2, 3);
    const d = decodeHeads(state.weights);
    expect(typeof d).not.toBe("string");
    const m = headMatrix(d as Exclude<typeof d, string>, 0, 1);
    expect(m.data[5]).toBe(codes[11] * scale[3]);
    expect(decodeHeads({ ...(state.weights as object), shape: [1, 2, 2, 4] })).toMatch(/do not match/);
  });
});

describe("AttentionHeads view: the kernel's error", () => {
  it("shows a refused selection's message as text, and hides it when cleared", () => {
    const { state } = headsState(1, 2, 3, 3);
    const { model, root } = mountHeadsLocal(state);
    const error = root.querySelector('[data-role="error"]') as HTMLElement;
    expect(error.textContent).toBe("");
    expect(error.hidden).toBe(true);
    model.set("error", `a view cannot set weights: ${HOSTILE}`);
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe(`a view cannot set weights: ${HOSTILE}`);
    expect(error.querySelector("img")).toBeNull();
    model.set("error", "");
    expect(error.hidden).toBe(true);
  });
});
