// Bundle the frontend into the Python package: attnwidget/static/widget.{js,css}, and the
// exported page's loader (src/page/loader.ts), which attnwidget/export.py inlines in each page,
// to attnwidget/static/loader.js.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, "..", "attnwidget", "static");
const minify = process.env.ATTNWIDGET_DEV ? false : true;

await build({
  entryPoints: { widget: path.join(here, "src", "index.ts") },
  bundle: true,
  format: "esm",
  target: "es2020",
  minify,
  sourcemap: false,
  outdir,
  loader: { ".css": "css" },
  logLevel: "info",
});

// An inline <script type="module"> (top-level await): its own build, none of the bundle in it
// (it imports the bundle at run time, from the page's text).
await build({
  entryPoints: { loader: path.join(here, "src", "page", "loader.ts") },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify,
  sourcemap: false,
  outdir,
  logLevel: "info",
});
