// The layers of js/src, checked by `npm run lint:deps` (and `make lint`).
//
//   core/  the engine and its maths: matrices, PCA, parsing, formatting, colours (no DOM, no model)
//   wire/  arrays on the wire ({dtype, shape, buffer}), row patches, the model interface
//   live/  the edit pipeline to a model (queue, edit_id), the kernel connection, the view's store
//   page/  the local model of an exported page (the JS engine in place of the kernel)
//   ui/    the DOM: the widget's mounts and their views
//   index.ts  the anywidget entry point
//
// "A <- B": B may import A, never the reverse. live/ and page/ are siblings: neither imports
// the other. Every import is checked, type-only ones too. Tests are not cruised (the script
// cruises src/ only; the paths below are anchored at src/ in any case).

/** The layers, lowest first; a layer may import only layers of a lower rank. */
const LAYERS = [
  { name: "core", rank: 1, path: "^src/core/" },
  { name: "wire", rank: 2, path: "^src/wire/" },
  { name: "live", rank: 3, path: "^src/live/" },
  { name: "page", rank: 3, path: "^src/page/" },
  { name: "ui", rank: 4, path: "^src/ui/" },
  { name: "index", rank: 5, path: "^src/index\\.ts$" },
];

/** What build.mjs builds from: the bundle (widget.js) and the exported page's loader (loader.js). */
const ENTRY_POINTS = "^src/(index|page/loader)\\.ts$";

/** Files in src/ that belong to no layer. */
const OUTSIDE_LAYERS = "^src/css\\.d\\.ts$";
const IN_A_LAYER = LAYERS.map((l) => l.path).join("|");

/** One rule per (layer, layer it may not import): the failing rule's name says which. */
const upward = [];
for (const from of LAYERS) {
  for (const to of LAYERS) {
    if (to === from || to.rank < from.rank) continue;
    const sibling = to.rank === from.rank;
    upward.push({
      name: `${from.name}-not-to-${to.name}`,
      comment: sibling
        ? `${from.name}/ and ${to.name}/ are siblings: neither may import the other`
        : `${from.name}/ is below ${to.name}/: it may import only the layers below it`,
      severity: "error",
      from: { path: from.path },
      to: { path: to.path },
    });
  }
}

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No module may depend on itself through others (type-only imports count).",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-orphans",
      comment: "No module in src/ stands alone: neither imported nor importing (declarations excepted).",
      severity: "error",
      from: { orphan: true, pathNot: ["\\.d\\.ts$", "^src/index\\.ts$", "^tests/"] },
      to: {},
    },
    {
      name: "reached-from-index",
      comment:
        "Every module in src/ is built: index.ts (the bundle) or page/loader.ts (the exported page's " +
        "inline loader, built on its own) reaches it (declarations excepted).",
      severity: "error",
      from: { path: ENTRY_POINTS },
      to: { path: "^src/", pathNot: ["\\.d\\.ts$", ENTRY_POINTS], reachable: false },
    },
    {
      name: "in-a-layer",
      comment: "Every module in src/ lives in a layer folder (or is index.ts).",
      severity: "error",
      from: { path: "^src/", pathNot: [IN_A_LAYER, OUTSIDE_LAYERS] },
      to: {},
    },
    {
      name: "to-a-layer",
      comment: "Modules import modules of a layer folder only (or the css.d.ts declaration).",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/", pathNot: [IN_A_LAYER, OUTSIDE_LAYERS] },
    },
    ...upward,
    {
      name: "views-not-to-mounts",
      comment: "ui/views/ are the parts a mount (ui/app.ts, ui/heads.ts) builds with: they may not import a mount",
      severity: "error",
      from: { path: "^src/ui/views/" },
      to: { path: "^src/ui/(app|heads)\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^tests/" },
    // TypeScript 7 has no JavaScript API for dependency-cruiser: swc parses the sources
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
