// The bundle anywidget loads in every notebook stays small (build.mjs's options, in memory).
// 96 KiB: about 34 KB gzipped, under a tenth of a 128-token from_weights page (raised from 80
// when upward row patches and the colour scale, focus and editor fixes of issue 14 came in; from
// 88 with the narrow layout, the big-input views, the theme watcher and the no-kernel switch).
// 110 KB (110,000 bytes) is issue 16's limit, with the comparison, the attention field and the
// key, value and mask editors in.
import { build } from "esbuild";
import { WIDGET } from "../build-options.mjs";
import { describe, expect, it } from "vitest";

const LIMIT = 110_000;

describe("bundle", () => {
  it(`widget.js is at most ${LIMIT} bytes minified, and ASCII`, async () => {
    const r = await build({ ...WIDGET, write: false, outdir: "/tmp/attnwidget-bundle-test", logLevel: "silent" });
    const js = r.outputFiles.find((f) => f.path.endsWith(".js"))!;
    expect(js.contents.length).toBeLessThanOrEqual(LIMIT);
    expect(js.contents.every((b) => b < 0x80)).toBe(true);
    // no named `render` export (anywidget warns about it in every view)
    expect(js.text).not.toMatch(/export\s*\{[^}]*\bas render\b/);
  });
});
