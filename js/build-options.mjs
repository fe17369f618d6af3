// esbuild's options for the two files the Python package ships (attnwidget/static/): build.mjs
// writes them, and the size tests (tests/bundle.test.ts, tests/loader.test.ts) build the same in
// memory.
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));

/** The widget: what anywidget loads in every notebook, and every exported page embeds. */
export const WIDGET = {
  entryPoints: { widget: path.join(here, "src", "index.ts") },
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: false,
  loader: { ".css": "css" },
};

/**
 * The exported page's loader, inlined by attnwidget/export.py in a <script type="module">
 * (top-level await, hence es2022): its own build, none of the bundle in it (it imports the
 * bundle at run time, from the page's text).
 */
export const LOADER = {
  entryPoints: { loader: path.join(here, "src", "page", "loader.ts") },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: false,
};
