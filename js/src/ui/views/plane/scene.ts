// The plane's elements (an SVG over a canvas, and a note under them) and what the view has
// drawn in them: shared by the modules that draw (svgLayer.ts, canvasLayer.ts), that move
// points (pointer.ts) and the view that wires them (planeView.ts).

import type { Matrix } from "../../../core/matrix";
import type { Snapshot } from "../../../live/store";
import { h, s as svg } from "../../dom";
import { QUERY_RING, SELECTED_DOT, SIZE, X0, X1, Y0, Y1, type Adapter, type Box, type Point, type Points, type Viewport } from "./geometry";

/** A query point being dragged. */
export interface Drag {
  /** The query's index. */
  i: number;
  pointerId: number;
  /** Where the pointer went down (client pixels). */
  x: number;
  y: number;
  /** The query's vector when the drag began. */
  start: Float64Array;
  unitsPerPx: number;
  /** The element that captured the pointer. */
  target: Element;
  /** A key point is dragged (`i` is the key's index), not a query. */
  key?: boolean;
}

export interface PlaneScene {
  el: HTMLElement;
  root: SVGSVGElement;
  gAxes: SVGGElement;
  gKeys: SVGGElement;
  gQueries: SVGGElement;
  /** With many queries: the selected one drawn again on top (not interactive). */
  gSel: SVGGElement;
  selLabel: SVGTextElement;
  bgRect: SVGRectElement;
  note: HTMLParagraphElement;
  /** Many points: drawn here, under the SVG (which keeps the axes and the selected query). */
  canvas: HTMLCanvasElement;

  /** The snapshot drawn. */
  snap: Snapshot | null;
  adapter: Adapter | null;
  /** The K the adapter was made for. */
  adapterK: Matrix | null;
  viewport: Viewport | null;
  /** What the SVG points were built for (counts and tokens): built again when it changes. */
  structKey: string;
  keyPts: Point[];
  keyEls: SVGGElement[];
  queryEls: SVGGElement[];
  /** Boxes of the keys' points and labels (query labels avoid them). */
  keyBoxes: Box[];
  /** Keys and unselected queries on the canvas (one SVG point: the selected query). */
  onCanvas: boolean;
  /** Query points in viewBox units, as drawn (hit testing). */
  qScreen: Points;
  drag: Drag | null;
  /** The attention field is shown under the canvas (fieldLayer.ts). */
  fieldOn?: boolean;
}

export function createScene(): PlaneScene {
  const root = svg("svg", {
    "data-view": "plane",
    viewBox: `0 0 ${SIZE} ${SIZE}`,
    width: SIZE,
    height: SIZE,
    role: "group",
    "aria-label": "Queries and keys in a plane; drag a query or a key, or focus it and use the arrow keys",
  });
  const gAxes = svg("g", { class: "aw-pl-axes" });
  const gKeys = svg("g", { class: "aw-pl-keys", tabindex: -1 });
  // tabindex -1: Chromium makes an SVG element with focus listeners a tab stop otherwise
  const gQueries = svg("g", { class: "aw-pl-queries", tabindex: -1 });
  // with many queries, the selected one is drawn again on top (not interactive)
  const selLabel = svg("text", { class: "aw-pl-qlabel", x: 9, y: 14 });
  const gSel = svg("g", { class: "aw-pl-sel", "aria-hidden": "true", visibility: "hidden" },
    svg("circle", { class: "aw-pl-dot", r: SELECTED_DOT }), svg("circle", { class: "aw-pl-selring", r: QUERY_RING - 1 }), selLabel);
  const bgRect = svg("rect", { class: "aw-pl-bg", x: X0, y: Y0, width: X1 - X0, height: Y1 - Y0, rx: 4 });
  root.append(
    bgRect,
    gAxes,
    gKeys,
    gQueries,
    gSel,
  );
  const note = h("p", { class: "aw-note aw-plane-note" });
  // many points: drawn here, under the SVG (which keeps the axes and the selected query)
  const canvas = h("canvas", { class: "aw-pl-canvas", "aria-hidden": "true", hidden: true });
  const el = h("div", { class: "aw-plane" }, h("div", { class: "aw-pl-stack" }, canvas, root), note);
  return {
    el, root, gAxes, gKeys, gQueries, gSel, selLabel, bgRect, note, canvas,
    snap: null,
    adapter: null,
    adapterK: null,
    viewport: null,
    structKey: "",
    keyPts: [],
    keyEls: [],
    queryEls: [],
    keyBoxes: [],
    onCanvas: false,
    qScreen: new Float64Array(0),
    drag: null,
  };
}

/** setAttribute only when the value changes (an unchanged point costs no style/layout work). */
export function setAttr(e: Element, name: string, v: string): void {
  if (e.getAttribute(name) !== v) e.setAttribute(name, v);
}
