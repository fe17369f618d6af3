// Bundle the frontend into the Python package: attnwidget/static/widget.{js,css}, and the
// exported page's loader (src/page/loader.ts), which attnwidget/export.py inlines in each page,
// to attnwidget/static/loader.js. The options are in build-options.mjs.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { LOADER, WIDGET } from "./build-options.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, "..", "attnwidget", "static");
const minify = process.env.ATTNWIDGET_DEV ? false : true;

for (const options of [WIDGET, LOADER]) {
  await build({ ...options, minify, outdir, logLevel: "info" });
}
