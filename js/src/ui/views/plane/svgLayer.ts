// The plane's SVG: axes, the keys' points (titles and labels; their marks are on the canvas),
// and the queries as focusable, draggable points whose labels avoid each other. Above
// CANVAS_MIN points (planeView.ts) only the selected query is an SVG point.

import { short, tokenAt, truncate } from "../../../core/format";
import type { Snapshot } from "../../../live/store";
import { clear, s as svg, setText } from "../../dom";
import { SIZE, sx, sy, X0, X1, Y0, Y1, type Box, type Point } from "./geometry";
import { setAttr, type PlaneScene } from "./scene";

const KEY_LABELS_MAX = 40;
const QUERY_LABELS_MAX = 40; // beyond: only the selected query is labelled, one tab stop (roving)

/** Label spots around a point: dx, dy (baseline), anchor. */
const SPOTS: Array<[number, number, string]> = [[9, 14, "start"], [8, -7, "start"], [-9, 14, "end"], [-8, -7, "end"], [9, 4, "start"]];

/**
 * Put each label (a <text> in a group translated to (x, y)) at the first spot around its point
 * that overlaps no box in `taken` (points and labels placed before); the boxes grow.
 */
function placeLabel(text: SVGTextElement | null, x: number, y: number, charW: number, taken: Box[]): void {
  if (!text) return;
  const w = Array.from(text.textContent ?? "").length * charW;
  const boxAt = ([dx, dy, anchor]: [number, number, string]): Box => {
    const x0 = anchor === "start" ? x + dx : x + dx - w;
    return [x0, y + dy - 10, x0 + w, y + dy + 2];
  };
  const free = (a: Box) => !taken.some((b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]);
  const pick = SPOTS.find((spot) => free(boxAt(spot))) ?? SPOTS[0];
  taken.push(boxAt(pick));
  text.setAttribute("x", String(pick[0]));
  text.setAttribute("y", String(pick[1]));
  text.setAttribute("text-anchor", pick[2]);
}

/** The axes through the origin (when in view), their names and the extent at the corners. */
export function drawAxes(scene: PlaneScene): void {
  const { gAxes } = scene;
  clear(gAxes);
  const a = scene.adapter!;
  const v = scene.viewport!;
  const ox = sx(v, 0);
  const oy = sy(v, 0);
  if (ox > X0 && ox < X1) gAxes.appendChild(svg("line", { class: "aw-pl-axis", x1: ox, x2: ox, y1: Y0, y2: Y1 }));
  if (oy > Y0 && oy < Y1) gAxes.appendChild(svg("line", { class: "aw-pl-axis", x1: X0, x2: X1, y1: oy, y2: oy }));
  gAxes.appendChild(svg("text", { class: "aw-pl-axlabel", x: (X0 + X1) / 2, y: SIZE - 12, "text-anchor": "middle" }, a.axes[0]));
  if (a.axes[1]) {
    gAxes.appendChild(
      svg("text", { class: "aw-pl-axlabel", x: 12, y: (Y0 + Y1) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${(Y0 + Y1) / 2})` }, a.axes[1]),
    );
  }
  // ticks: the extent in data units at the corners
  const lo = (X0 - (X0 + X1) / 2) / v.scale + v.mx;
  const hi = (X1 - (X0 + X1) / 2) / v.scale + v.mx;
  gAxes.appendChild(svg("text", { class: "aw-pl-tick", x: X0 + 2, y: Y1 + 12 }, short(lo, 2)));
  gAxes.appendChild(svg("text", { class: "aw-pl-tick", x: X1 - 2, y: Y1 + 12, "text-anchor": "end" }, short(hi, 2)));
}

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
    const g = svg("g", { class: "aw-pl-key", "data-key-point": j, transform: `translate(${sx(v, x)} ${sy(v, y)})` });
    g.appendChild(svg("title", undefined, `key ${t}`));
    // the mark is drawn on the canvas (shaded by weight); this one takes the pointer (its title)
    g.appendChild(svg("rect", { class: "aw-pl-keyhit", x: -4, y: -4, width: 8, height: 8 }));
    if (N <= KEY_LABELS_MAX) g.appendChild(svg("text", { class: "aw-pl-keylabel", x: 7, y: -6 }, truncate(t, 10)));
    scene.keyEls.push(g);
    gKeys.appendChild(g);
  }
  // key labels avoid the points and each other (placed once per viewport)
  scene.keyBoxes = keyPts.map(([x, y]) => [sx(v, x) - 5, sy(v, y) - 5, sx(v, x) + 5, sy(v, y) + 5] as Box);
  if (N <= KEY_LABELS_MAX) {
    scene.keyEls.forEach((g, j) => placeLabel(g.querySelector("text"), sx(v, keyPts[j][0]), sy(v, keyPts[j][1]), 6.2, scene.keyBoxes));
  }
  for (let i = 0; i < s.Q.rows; i++) {
    const g = queryPoint(s, i, s.Q.rows > QUERY_LABELS_MAX);
    scene.queryEls.push(g);
    gQueries.appendChild(g);
  }
}

/** A focusable, draggable query point (a slider for assistive technology). */
function queryPoint(s: Snapshot, i: number, many: boolean): SVGGElement {
  const t = tokenAt(s.qTokens, i, "q");
  const g = svg("g", {
    class: "aw-pl-query",
    "data-query-point": i,
    tabindex: 0,
    role: "slider",
    "aria-roledescription": "draggable point",
    "aria-label": `query ${t}`,
  });
  g.appendChild(svg("circle", { class: "aw-pl-hit", r: many ? 8 : 14 }));
  g.appendChild(svg("circle", { class: "aw-pl-ring", r: 10 }));
  g.appendChild(svg("circle", { class: "aw-pl-dot", r: many ? 3.5 : 6 }));
  g.appendChild(svg("text", { class: "aw-pl-qlabel", x: 9, y: 14 }, truncate(t, 12)));
  if (many) g.classList.add("is-many");
  return g;
}

/** Canvas mode: no SVG keys or lines, one SVG query point (the selected one). */
export function buildSelectedPoint(scene: PlaneScene, s: Snapshot): void {
  clear(scene.gKeys);
  clear(scene.gQueries);
  scene.keyEls = [];
  scene.keyBoxes = [];
  scene.queryEls = [queryPoint(s, Math.min(s.selected, Math.max(0, s.Q.rows - 1)), true)];
  scene.gQueries.appendChild(scene.queryEls[0]);
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
    setAttr(g, "aria-valuenow", short(x, 4));
    setAttr(g, "aria-valuetext", `${a.axes[0]} ${short(x, 4)}` + (a.axes[1] ? `, ${a.axes[1]} ${short(y, 4)}` : ""));
    const label = g.querySelector("text");
    if (label) setText(label, truncate(t, 12));
  }
}

/** SVG mode: move every query point to `qp`, place their labels, mark the selected one. */
export function placePoints(scene: PlaneScene, s: Snapshot, qp: Point[]): void {
  const { queryEls, gSel } = scene;
  const v = scene.viewport!;
  const a = scene.adapter!;
  for (let i = 0; i < queryEls.length; i++) {
    const g = queryEls[i];
    const [x, y] = qp[i];
    setAttr(g, "transform", `translate(${sx(v, x)} ${sy(v, y)})`);
    g.classList.toggle("is-selected", i === s.selected);
    if (queryEls.length > QUERY_LABELS_MAX) setAttr(g, "tabindex", i === s.selected ? "0" : "-1");
    setAttr(g, "aria-valuenow", short(x, 4));
    setAttr(g, "aria-valuetext", `${a.axes[0]} ${short(x, 4)}` + (a.axes[1] ? `, ${a.axes[1]} ${short(y, 4)}` : ""));
  }
  if (queryEls.length <= QUERY_LABELS_MAX) {
    const taken = [...scene.keyBoxes, ...qp.map(([x, y]) => [sx(v, x) - 7, sy(v, y) - 7, sx(v, x) + 7, sy(v, y) + 7] as Box)];
    // the selected query's label first: it gets the best spot
    const order = [s.selected, ...qp.map((_, i) => i).filter((i) => i !== s.selected)];
    for (const i of order) if (queryEls[i]) placeLabel(queryEls[i].querySelector("text"), sx(v, qp[i][0]), sy(v, qp[i][1]), 7.2, taken);
  }
  const many = queryEls.length > QUERY_LABELS_MAX && qp[s.selected] !== undefined;
  setAttr(gSel, "visibility", many ? "visible" : "hidden");
  if (many) {
    const [x, y] = qp[s.selected];
    setAttr(gSel, "transform", `translate(${sx(v, x)} ${sy(v, y)})`);
    setText(scene.selLabel, truncate(tokenAt(s.qTokens, s.selected, "q"), 12));
  }
}
