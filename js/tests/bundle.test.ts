// The bundle anywidget loads in every notebook stays small (build.mjs's options, in memory).
// 100 KiB: about 35 KB gzipped, under a tenth of a 128-token from_weights page (raised from 80
// when upward row patches and the colour scale, focus and editor fixes of issue 14 came in; from
// 88 with the narrow layout, the big-input views, the theme watcher and the no-kernel switch;
// to 100 with the attention field of issue 16).
import { build } from "esbuild";
import { WIDGET } from "../build-options.mjs";
import { describe, expect, it } from "vitest";

const LIMIT = 100 * 1024;

describe("bundle", () => {
  it(`widget.js is under ${LIMIT / 1024} KB minified, and ASCII`, async () => {
    const r = await build({ ...WIDGET, write: false, outdir: "/tmp/attnwidget-bundle-test", logLevel: "silent" });
    const js = r.outputFiles.find((f) => f.path.endsWith(".js"))!;
    expect(js.contents.length).toBeLessThan(LIMIT);
    expect(js.contents.every((b) => b < 0x80)).toBe(true);
    // no named `render` export (anywidget warns about it in every view)
    expect(js.text).not.toMatch(/export\s*\{[^}]*\bas render\b/);
  });
});
