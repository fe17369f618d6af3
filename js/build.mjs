// Bundle the frontend into the Python package: attnwidget/static/widget.{js,css}.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, "..", "attnwidget", "static");

await build({
  entryPoints: { widget: path.join(here, "src", "index.ts") },
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: process.env.ATTNWIDGET_DEV ? false : true,
  sourcemap: false,
  outdir,
  loader: { ".css": "css" },
  logLevel: "info",
});
