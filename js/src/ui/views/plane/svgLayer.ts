// The plane's SVG: axes, the keys' points (titles and labels; their marks are on the canvas),
// and the queries as focusable, draggable points whose labels avoid each other. Above
// CANVAS_MIN points (planeView.ts) only the selected query is an SVG point.

import { short, tokenAt, truncate } from "../../../core/format";
import type { Snapshot } from "../../../live/store";
import { clear, context2d, s as svg, setText } from "../../dom";
import { QUERY_DOT, QUERY_REACH, QUERY_RING, SIZE, sx, sy, X0, X1, Y0, Y1, type Adapter, type Box, type Point } from "./geometry";
import { LABEL_BOUNDS, placeLabels } from "./labels";
import { setAttr, type PlaneScene } from "./scene";

const KEY_LABELS_MAX = 40;
const QUERY_LABELS_MAX = 40; // beyond: only the selected query is labelled, one tab stop (roving)

interface Metrics {
  w: number;
  up: number;
  down: number;
}
const measured = new WeakMap<SVGTextElement, { text: string; m: Metrics }>();
let ruler: CanvasRenderingContext2D | null = null;

/**
 * A label's text measured in its own font (viewBox units: its font size is in them), or
 * estimated while it is in no document. Kept per element and text.
 */
function measure(t: SVGTextElement): Metrics {
  const text = t.textContent ?? "";
  const kept = measured.get(t);
  if (kept && kept.text === text) return kept.m;
  const style = t.isConnected ? getComputedStyle(t) : null;
  const size = parseFloat(style?.fontSize ?? "") || 12;
  if (style && (ruler ??= context2d(document.createElement("canvas")))) {
    ruler.font = `${style.fontStyle} ${style.fontWeight} ${size}px ${style.fontFamily}`;
    const r = ruler.measureText(text);
    const m = { w: r.width, up: r.fontBoundingBoxAscent || 0.95 * size, down: r.fontBoundingBoxDescent || 0.25 * size };
    measured.set(t, { text, m });
    return m;
  }
  return { w: Array.from(text).length * 0.62 * size, up: 0.95 * size, down: 0.25 * size };
}

/** A square around (x, y) of half side `r`. */
const around = (x: number, y: number, r: number): Box => [x - r, y - r, x + r, y + r];

/** Place `texts` (each in a group translated to its point) by labels.ts; `taken` grows. */
function place(texts: Array<[SVGTextElement, number, number, number]>, taken: Box[]): void {
  const specs = texts.map(([t, x, y, r]) => ({ x, y, r, ...measure(t) }));
  placeLabels(specs, taken, LABEL_BOUNDS).forEach((p, k) => {
    const t = texts[k][0];
    setAttr(t, "x", String(Math.round(p.dx * 100) / 100));
    setAttr(t, "y", String(Math.round(p.dy * 100) / 100));
    setAttr(t, "text-anchor", "start");
  });
}

/** A key's mark, half its side and its outline; a query's dot with its outline. */
const KEY_R = 4.5;
const DOT_R = QUERY_DOT.few + 0.75;
/** The selected query's ring, with its outline. */
const RING_R = QUERY_RING + 1;

/**
 * The keys' labels, placed once per viewport (and again when their font may have changed):
 * they avoid the points (the queries where they are now) and each other; scene.keyBoxes holds
 * the keys' marks and labels, which the queries' labels avoid.
 */
export function placeKeyLabels(scene: PlaneScene): void {
  const v = scene.viewport;
  if (!v) return;
  const at = scene.keyPts.map(([x, y]) => [sx(v, x), sy(v, y)]);
  scene.keyBoxes = at.map(([x, y]) => around(x, y, KEY_R + 0.5));
  const texts: Array<[SVGTextElement, number, number, number]> = [];
  scene.keyEls.forEach((g, j) => {
    const t = g.querySelector("text");
    if (t) texts.push([t, at[j][0], at[j][1], KEY_R * Math.SQRT2]);
  });
  if (texts.length === 0) return;
  const queries: Box[] = [];
  for (let i = 0; 2 * i + 1 < scene.qScreen.length; i++) queries.push(around(scene.qScreen[2 * i], scene.qScreen[2 * i + 1], DOT_R));
  const taken = [...scene.keyBoxes, ...queries];
  place(texts, taken);
  scene.keyBoxes.push(...taken.slice(scene.keyBoxes.length + queries.length));
}

/** The axes through the origin (when in view), their names and the extent at the corners. */
export function drawAxes(scene: PlaneScene): void {
  const { gAxes } = scene;
  clear(gAxes);
  const a = scene.adapter!;
  const v = scene.viewport!;
  const ox = sx(v, 0);
  const oy = sy(v, 0);
  if (ox > X0 && ox < X1) gAxes.append(svg("line", { class: "aw-pl-axis", x1: ox, x2: ox, y1: Y0, y2: Y1 }));
  if (oy > Y0 && oy < Y1) gAxes.append(svg("line", { class: "aw-pl-axis", x1: X0, x2: X1, y1: oy, y2: oy }));
  gAxes.append(svg("text", { class: "aw-pl-axlabel", x: (X0 + X1) / 2, y: SIZE - 12, "text-anchor": "middle" }, a.axes[0]));
  if (a.axes[1]) {
    gAxes.append(
      svg("text", { class: "aw-pl-axlabel", x: 12, y: (Y0 + Y1) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${(Y0 + Y1) / 2})` }, a.axes[1]),
    );
  }
  // ticks: the extent in data units at the corners
  const lo = (X0 - (X0 + X1) / 2) / v.scale + v.mx;
  const hi = (X1 - (X0 + X1) / 2) / v.scale + v.mx;
  gAxes.append(
    svg("text", { class: "aw-pl-tick", x: X0 + 2, y: Y1 + 12 }, short(lo, 2)),
    svg("text", { class: "aw-pl-tick", x: X1 - 2, y: Y1 + 12, "text-anchor": "end" }, short(hi, 2)),
  );
}

/** A point's attributes as a draggable slider (focusable; assistive technology names it so). */
const SLIDER = { tabindex: 0, role: "slider", "aria-roledescription": "draggable point" };

/** SVG mode: a point per key (its label placed once per viewport) and per query. */
export function buildPoints(scene: PlaneScene, s: Snapshot): void {
  const { gKeys, gQueries, keyPts } = scene;
  clear(gKeys);
  clear(gQueries);
  scene.keyEls = [];
  scene.queryEls = [];
  const v = scene.viewport!;
  const N = s.K.rows;
  for (let j = 0; j < N; j++) {
    const [x, y] = keyPts[j];
    const t = tokenAt(s.kTokens, j, "k");
    const g = svg(
      "g",
      { class: "aw-pl-key", "data-key-point": j, transform: `translate(${sx(v, x)} ${sy(v, y)})`, ...SLIDER, "aria-label": `key ${t}` },
      svg("title", undefined, `key ${t}`),
      // the mark is drawn on the canvas (shaded by weight); this one takes the pointer (its title)
      svg("rect", { class: "aw-pl-keyhit", x: -4, y: -4, width: 8, height: 8 }),
      N <= KEY_LABELS_MAX && svg("text", { class: "aw-pl-keylabel", x: 7, y: -6 }, truncate(t, 10)),
    );
    scene.keyEls.push(g);
    gKeys.append(g);
  }
  placeKeyLabels(scene);
  for (let i = 0; i < s.Q.rows; i++) {
    const g = queryPoint(s, i, s.Q.rows > QUERY_LABELS_MAX);
    scene.queryEls.push(g);
    gQueries.append(g);
  }
}

/** A focusable, draggable query point (a slider for assistive technology). */
function queryPoint(s: Snapshot, i: number, many: boolean): SVGGElement {
  const t = tokenAt(s.qTokens, i, "q");
  const g = svg(
    "g",
    { class: "aw-pl-query", "data-query-point": i, ...SLIDER, "aria-label": `query ${t}` },
    svg("circle", { class: "aw-pl-hit", r: many ? QUERY_REACH.many : QUERY_REACH.few }),
    svg("circle", { class: "aw-pl-ring", r: QUERY_RING }),
    svg("circle", { class: "aw-pl-dot", r: many ? QUERY_DOT.many : QUERY_DOT.few }),
    svg("text", { class: "aw-pl-qlabel", x: 9, y: 14 }, truncate(t, 12)),
  );
  if (many) g.classList.add("is-many");
  return g;
}

/** A point's slider value for assistive technology: where it is on the plane's axes. */
function sliderAt(g: SVGGElement, a: Adapter, x: number, y: number): void {
  setAttr(g, "aria-valuenow", short(x, 4));
  setAttr(g, "aria-valuetext", `${a.axes[0]} ${short(x, 4)}` + (a.axes[1] ? `, ${a.axes[1]} ${short(y, 4)}` : ""));
}

/** Canvas mode: no SVG keys or lines, one SVG query point (the selected one). */
export function buildSelectedPoint(scene: PlaneScene, s: Snapshot): void {
  clear(scene.gKeys);
  clear(scene.gQueries);
  scene.keyEls = [];
  scene.keyBoxes = [];
  scene.queryEls = [queryPoint(s, Math.min(s.selected, Math.max(0, s.Q.rows - 1)), true)];
  scene.gQueries.append(scene.queryEls[0]);
}

/** Canvas mode: move the SVG point to the selected query (at scene.qScreen). */
export function placeSelectedPoint(scene: PlaneScene, s: Snapshot, qp: Point[]): void {
  const a = scene.adapter!;
  const { qScreen } = scene;
  const sel = s.selected;
  const g = scene.queryEls[0];
  setAttr(scene.gSel, "visibility", "hidden");
  if (g && qp[sel]) {
    const [x, y] = qp[sel];
    const t = tokenAt(s.qTokens, sel, "q");
    setAttr(g, "data-query-point", String(sel));
    setAttr(g, "aria-label", `query ${t}`);
    setAttr(g, "transform", `translate(${qScreen[2 * sel]} ${qScreen[2 * sel + 1]})`);
    g.classList.add("is-selected");
    sliderAt(g, a, x, y);
    const label = g.querySelector("text");
    if (label) setText(label, truncate(t, 12));
  }
}

/** SVG mode: move every query point to `qp`, place their labels, mark the selected one. */
export function placePoints(scene: PlaneScene, s: Snapshot, qp: Point[]): void {
  const { queryEls, gSel } = scene;
  const v = scene.viewport!;
  const a = scene.adapter!;
  scene.keyEls.forEach((g, j) => {
    const p = scene.keyPts[j];
    if (!p) return;
    setAttr(g, "transform", `translate(${sx(v, p[0])} ${sy(v, p[1])})`);
    sliderAt(g, a, p[0], p[1]);
  });
  for (let i = 0; i < queryEls.length; i++) {
    const g = queryEls[i];
    const [x, y] = qp[i];
    setAttr(g, "transform", `translate(${sx(v, x)} ${sy(v, y)})`);
    g.classList.toggle("is-selected", i === s.selected);
    if (queryEls.length > QUERY_LABELS_MAX) setAttr(g, "tabindex", i === s.selected ? "0" : "-1");
    sliderAt(g, a, x, y);
  }
  if (queryEls.length <= QUERY_LABELS_MAX) {
    // the labels avoid the keys' marks and labels and every query's dot (the selected one's ring)
    const at = qp.map(([x, y]) => [sx(v, x), sy(v, y)]);
    const r = (i: number) => (i === s.selected ? RING_R : DOT_R);
    const taken = [...scene.keyBoxes, ...at.map(([x, y], i) => around(x, y, r(i)))];
    // the selected query's label first: it gets the best spot
    const order = [s.selected, ...qp.map((_, i) => i).filter((i) => i !== s.selected)];
    const texts: Array<[SVGTextElement, number, number, number]> = [];
    for (const i of order) {
      const t = queryEls[i]?.querySelector("text");
      if (t) texts.push([t, at[i][0], at[i][1], r(i)]);
    }
    place(texts, taken);
  }
  const many = queryEls.length > QUERY_LABELS_MAX && qp[s.selected] !== undefined;
  setAttr(gSel, "visibility", many ? "visible" : "hidden");
  if (many) {
    const [x, y] = qp[s.selected];
    setAttr(gSel, "transform", `translate(${sx(v, x)} ${sy(v, y)})`);
    setText(scene.selLabel, truncate(tokenAt(s.qTokens, s.selected, "q"), 12));
  }
}
