// esbuild's options for the two files the Python package ships (attnwidget/static/): build.mjs
// writes them, and the size tests (tests/bundle.test.ts, tests/loader.test.ts) build the same in
// memory.
import { fileURLToPath } from "node:url";
import path from "node:path";
import { readFile } from "node:fs/promises";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * protocol.json without its prose: the top-level "about" texts and each trait's "wire" (what
 * crosses, in words) are documentation for readers of the file, never read by the frontend.
 */
const protocolWithoutProse = {
  name: "protocol-without-prose",
  setup(b) {
    b.onLoad({ filter: /[\\/]wire[\\/]protocol\.json$/ }, async (args) => {
      const protocol = JSON.parse(await readFile(args.path, "utf8"));
      for (const key of Object.keys(protocol)) if (key.endsWith("about")) delete protocol[key];
      for (const widget of [protocol.attention, protocol.heads]) {
        for (const spec of Object.values(widget.traits)) delete spec.wire;
      }
      return { contents: JSON.stringify(protocol), loader: "json" };
    });
  },
};

/**
 * `Math.max` -> `M_max` etc.: every export of build-globals.mjs named `X_name` stands for
 * `Owner.name` (M Math, N Number, A Array, O Object; G a global itself).
 */
const OWNERS = { M: "Math", N: "Number", A: "Array", O: "Object", G: "" };
const GLOBAL_ALIASES = Object.fromEntries(
  Object.keys(await import("./build-globals.mjs")).map((alias) => {
    const [owner, name] = [alias.slice(0, 1), alias.slice(2)];
    return [OWNERS[owner] ? `${OWNERS[owner]}.${name}` : name, alias];
  }),
);

/** The widget: what anywidget loads in every notebook, and every exported page embeds. */
export const WIDGET = {
  entryPoints: { widget: path.join(here, "src", "index.ts") },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: false,
  loader: { ".css": "css" },
  plugins: [protocolWithoutProse],
  inject: [path.join(here, "build-globals.mjs")],
  define: GLOBAL_ALIASES,
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
