// The exported page's loader (src/page/loader.ts): its pure part (the embedded state read back,
// buffers decoded and put at their paths, and what it says when they are not right), and its
// build (build.mjs's options, in memory). tests/browser/test_export_page.py runs it for real.
// Node's environment, not jsdom's: the pure part uses no DOM (Node has atob, Blob, Response and
// DecompressionStream), and esbuild does not run under jsdom.
import { build } from "esbuild";
import { LOADER } from "../build-options.mjs";
import { describe, expect, it } from "vitest";
import { decodeBuffer, embeddedState, type EmbeddedBuffer, type PageBundle } from "../src/page/embedded";

// The loader calls the bundle's mountStatic through PageBundle: index.ts must fit it (tsc checks).
const fits: (bundle: typeof import("../src/index")) => PageBundle = (bundle) => bundle;
void fits;

const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const bytesOf = (view: DataView): number[] => Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const RAW = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);

describe("decodeBuffer", () => {
  it("decodes base64, and gzip-compressed base64", async () => {
    expect(bytesOf(await decodeBuffer({ path: ["x"], data: b64(RAW) }))).toEqual(Array.from(RAW));
    const packed = await gzip(RAW);
    expect(bytesOf(await decodeBuffer({ path: ["x"], data: b64(packed), encoding: "gzip" }))).toEqual(Array.from(RAW));
    expect((await decodeBuffer({ path: ["x"], data: "" })).byteLength).toBe(0);
  });
});

describe("embeddedState", () => {
  it("puts each buffer at its path, in lists too, and returns the state", async () => {
    const state = {
      Q: { dtype: "float64", shape: [1, 2] },
      param_sets: { general: { W: { shape: [2, 2] } } },
      items: [{ a: 1 }, { b: 2 }],
    };
    const W = Uint8Array.from([1, 2, 3, 4]);
    const buffers: EmbeddedBuffer[] = [
      { path: ["Q", "buffer"], data: b64(RAW) },
      { path: ["param_sets", "general", "W", "buffer"], data: b64(await gzip(W)), encoding: "gzip" },
      { path: ["items", 1, "c"], data: b64(W) },
    ];
    const out = await embeddedState({ state, buffers });
    expect(out).toBe(state);
    expect(bytesOf((state.Q as unknown as { buffer: DataView }).buffer)).toEqual(Array.from(RAW));
    const general = state.param_sets.general.W as unknown as { buffer: DataView; shape: number[] };
    expect(bytesOf(general.buffer)).toEqual([1, 2, 3, 4]);
    expect(general.shape).toEqual([2, 2]);
    expect(bytesOf((state.items[1] as unknown as { c: DataView }).c)).toEqual([1, 2, 3, 4]);
    expect(await embeddedState({ state: { a: 1 }, buffers: [] })).toEqual({ a: 1 });
  });

  it("says what is wrong with a document of another shape", async () => {
    for (const doc of [null, 1, "x", {}, { state: 1, buffers: [] }, { state: {}, buffers: {} }, { state: {} }]) {
      await expect(embeddedState(doc)).rejects.toThrow("the embedded state has an unexpected shape");
    }
  });

  it("says which array has no place in the state", async () => {
    const data = b64(RAW);
    await expect(embeddedState({ state: {}, buffers: [{ path: ["Q", "buffer"], data }] })).rejects.toThrow(
      "the embedded array Q.buffer has no place in the state",
    );
    await expect(
      embeddedState({ state: { Q: "text" }, buffers: [{ path: ["Q", "buffer"], data }] }),
    ).rejects.toThrow("the embedded array Q.buffer has no place in the state");
    await expect(
      embeddedState({ state: null, buffers: [{ path: ["a", "b", "c"], data }] }),
    ).rejects.toThrow("the embedded array a.b.c has no place in the state");
  });

  it("says which array is damaged: bad base64, a bad gzip stream", async () => {
    await expect(
      embeddedState({ state: { Q: {} }, buffers: [{ path: ["Q", "buffer"], data: "!!not base64!!" }] }),
    ).rejects.toThrow("the embedded array Q.buffer is damaged");
    const packed = await gzip(RAW);
    const cut = b64(packed.slice(0, packed.length - 9));
    await expect(
      embeddedState({ state: { K: {} }, buffers: [{ path: ["K", "buffer"], data: cut, encoding: "gzip" }] }),
    ).rejects.toThrow("the embedded array K.buffer is damaged");
    await expect(
      embeddedState({ state: { K: {} }, buffers: [{ path: ["K", "buffer"], data: b64(RAW), encoding: "gzip" }] }),
    ).rejects.toThrow("the embedded array K.buffer is damaged");
  });
});

describe("loader.js", () => {
  it("is small, ASCII, self-contained and safe to inline in a <script>", async () => {
    const r = await build({ ...LOADER, write: false, outdir: "/tmp/attnwidget-loader-test", logLevel: "silent" });
    const js = r.outputFiles.find((f) => f.path.endsWith(".js"))!;
    expect(js.contents.length).toBeLessThan(2048);
    expect(js.contents.every((b) => b < 0x80)).toBe(true);
    expect(js.text.toLowerCase()).not.toContain("</script");
    expect(js.text).not.toContain("<!--");
    // none of the bundle in it, no import but the bundle's own (from its blob: URL)
    expect(js.text).not.toMatch(/\bimport\s*[{*"'\w]/);
    expect(js.text.match(/\bimport\(/g)).toHaveLength(1);
    expect(js.text).not.toContain("mountHeads");
  });
});
