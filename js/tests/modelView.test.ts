// @vitest-environment jsdom
// The heads widget at scale: a model view of every head's thumbnail, the selected head carried
// alone (as the kernel sends it live), a picked head shown as its upscaled thumbnail until the
// kernel's head arrives.
import { afterEach, describe, expect, it } from "vitest";
import { decodeHeads, findHead, upscale } from "../src/wire/heads";
import { mountLocal, stubCanvas, unmountAll } from "./helpers/mount";

stubCanvas();
afterEach(unmountAll);

const L = 2, H = 3, M = 6, N = 5, T = 2;

/** Head (l, k) as uint8 codes (row i, key j) with scale 1/255 per row: weight = code / 255. */
const code = (l: number, k: number, i: number, j: number) => (l * 50 + k * 20 + i * 7 + j * 3) % 256;

function carried(layers: number[], heads: number[], rows: number, cols: number, f: (l: number, k: number, i: number, j: number) => number) {
  const codes = new Uint8Array(layers.length * heads.length * rows * cols);
  let p = 0;
  for (const l of layers) for (const k of heads) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) codes[p++] = f(l, k, i, j);
  const scale = new Float32Array(layers.length * heads.length * rows).fill(1 / 255);
  return { dtype: "uint8-rows", shape: [layers.length, heads.length, rows, cols], buffer: new DataView(codes.buffer), scale: new DataView(scale.buffer), layers, heads };
}

/** Thumbnails: head (l, k) max-pooled to T x T here just a recognisable code per block. */
const thumbCode = (l: number, k: number, a: number, b: number) => 10 + l * 40 + k * 10 + a * 2 + b;
const all = (n: number) => Array.from({ length: n }, (_, i) => i);

function liveState(layer = 0, head = 0) {
  return {
    _kind: "heads",
    weights: carried([layer], [head], M, N, code),
    thumbnails: { ...carried(all(L), all(H), T, T, thumbCode), layers: undefined, heads: undefined },
    query_tokens: all(M).map((i) => `q${i}`),
    key_tokens: all(N).map((j) => `k${j}`),
    layer,
    head,
    shape: [L, H, M, N],
  };
}

const tableValues = (root: HTMLElement) =>
  [...root.querySelectorAll('table[data-view="weights"] tbody tr')].map((tr) => [...tr.querySelectorAll("td[data-value]")].map((td) => Number(td.getAttribute("data-value"))));

describe("model view", () => {
  it("shows every layer x head as a button named 'layer L, head H', the selected one pressed", () => {
    const { root } = mountLocal(liveState(1, 2));
    const buttons = [...root.querySelectorAll<HTMLButtonElement>(".aw-model-view button")];
    expect(buttons.map((b) => b.getAttribute("aria-label"))).toEqual(all(L).flatMap((l) => all(H).map((k) => `layer ${l}, head ${k}`)));
    expect(buttons.every((b) => b.type === "button" && b.querySelector("canvas") !== null)).toBe(true);
    expect(buttons.filter((b) => b.getAttribute("aria-pressed") === "true").map((b) => b.getAttribute("aria-label"))).toEqual(["layer 1, head 2"]);
  });

  it("a click picks layer and head at once; the thumbnail stands in until the head arrives", () => {
    const { model, root } = mountLocal(liveState(0, 0));
    const saved: string[] = [];
    const save = model.save_changes.bind(model);
    model.save_changes = () => {
      saved.push(`${model.get("layer")},${model.get("head")}`);
      save();
    };
    expect(root.hasAttribute("data-pending")).toBe(false);
    expect(tableValues(root)[2][3]).toBeCloseTo(code(0, 0, 2, 3) / 255, 6);
    (root.querySelector('button[aria-label="layer 1, head 2"]') as HTMLButtonElement).click();
    expect(saved).toEqual(["1,2"]);
    expect(root.hasAttribute("data-pending")).toBe(true);
    expect((root.querySelector('[data-role="pending"]') as HTMLElement).hidden).toBe(false);
    // the numbers stay the previous head's, and the caption says so
    expect(root.querySelector('table[data-view="weights"] caption')!.textContent).toMatch(/^Layer 1, head 2: not on this page; these numbers are of the head shown before/);
    expect(tableValues(root)[2][3]).toBeCloseTo(code(0, 0, 2, 3) / 255, 6);
    expect(root.querySelector("h3")!.textContent).toBe("Layer 1, head 2");
    // the kernel answers with that head
    model.set("weights", carried([1], [2], M, N, code));
    expect(root.hasAttribute("data-pending")).toBe(false);
    expect((root.querySelector('[data-role="pending"]') as HTMLElement).hidden).toBe(true);
    const vals = tableValues(root);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) expect(vals[i][j]).toBeCloseTo(code(1, 2, i, j) / 255, 6);
    expect(root.querySelector('button[aria-label="layer 1, head 2"]')!.getAttribute("aria-pressed")).toBe("true");
    expect(root.querySelector('button[aria-label="layer 0, head 0"]')!.getAttribute("aria-pressed")).toBe("false");
  });
});

describe("carried heads and thumbnails on the wire", () => {
  it("finds a carried head by its model indices, null for one not carried", () => {
    const d = decodeHeads(carried([1], [0, 2], M, N, code));
    if (typeof d === "string") throw new Error(d);
    expect(findHead(d, 1, 2)!.data[3 * N + 4]).toBeCloseTo(code(1, 2, 3, 4) / 255, 6);
    expect(findHead(d, 0, 2)).toBeNull();
    expect(findHead(d, 1, 1)).toBeNull();
    expect(decodeHeads({ ...carried([1], [0], 2, 2, code), heads: [0, 1] })).toMatch(/layers and heads/);
  });

  it("upscales a thumbnail with the kernel's block edges floor(k M / T)", () => {
    const t = { rows: 2, cols: 3, data: Float64Array.from([1, 2, 3, 4, 5, 6]) };
    const u = upscale(t, 5, 4); // rows: blocks start 0, 2 (5*1/2 = 2.5 -> 2); cols: 0, 1, 2
    const row = (i: number) => [...u.data.subarray(i * 4, i * 4 + 4)];
    expect(row(0)).toEqual([1, 2, 3, 3]);
    expect(row(1)).toEqual([1, 2, 3, 3]);
    expect(row(2)).toEqual([4, 5, 6, 6]);
    expect(row(4)).toEqual([4, 5, 6, 6]);
  });
});
