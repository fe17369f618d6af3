// The 2-D plane: keys as points, queries as draggable points (pointer and arrow keys).
// A canvas under the SVG draws the background, the selected query's lines and the keys' marks
// (and, above CANVAS_MIN points, the unselected queries): what changes in every frame of a drag.
// d = 2: the space itself. d > 2: the keys' top-2 principal components (core/pca.ts).

import { short, tokenAt, truncate } from "../../core/format";
import { copyMatrix, type Matrix } from "../../core/matrix";
import { moveAlongPlane, planeFor, project } from "../../core/pca";
import type { Snapshot } from "../../live/store";
import { clear, context2d, devicePixelRatioOf, h, listen, s as svg, setText } from "../dom";
import { cssVar } from "../paint";
import { drawPlane, nearestPoint, type Points } from "./planeCanvas";
import { runAll, type Actions, type Topic, type View } from "./view";

const SIZE = 300;
const X0 = 30; // plot area: [X0, X1] x [Y0, Y1] (viewBox units)
const X1 = 292;
const Y0 = 8;
const Y1 = 270;
const LINES_MAX = 120;
const KEY_SHADE_MAX = 300; // beyond this many keys, marks are not shaded by weight
const KEY_LABELS_MAX = 40;
const QUERY_LABELS_MAX = 40; // beyond: only the selected query is labelled, one tab stop (roving)
/** Above this many points (queries + keys), keys and unselected queries are drawn on a canvas. */
export const CANVAS_MIN = 200;
const HIT_RADIUS = 9; // viewBox units: a pointer this near a canvas query picks it

interface Adapter {
  axes: [string, string];
  project(x: Float64Array): [number, number];
  move(x: Float64Array, dx: number, dy: number): Float64Array;
}

function adapterFor(K: Matrix, Q: Matrix): Adapter | null {
  const d = K.cols;
  if (d === 0 || Q.cols !== d) return null;
  const plane = planeFor(K, Q);
  return {
    axes: d === 1 ? ["dim 0", ""] : d === 2 ? ["dim 0", "dim 1"] : ["PC 1", "PC 2"],
    project: (x) => {
      const p = project(plane, x);
      return [p[0], p[1]];
    },
    move: (x, dx, dy) => moveAlongPlane(plane, x, dx, dy),
  };
}

/** Indices of the `k` largest entries of `row` (all of them, in order, when k >= length). */
function strongest(row: ArrayLike<number> | null, k: number): number[] {
  if (!row) return [];
  const idx = Array.from({ length: row.length }, (_, j) => j);
  if (row.length <= k) return idx;
  return idx.sort((a, b) => row[b] - row[a]).slice(0, k);
}

type Box = [number, number, number, number];
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

const ids = new WeakMap<object, number>();
let nextId = 0;
/** A number for an object's identity (a cache key part). */
const idOf = (o: object): number => {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = ++nextId));
  return id;
};

const rowOf = (m: Matrix, i: number) => m.data.slice(i * m.cols, (i + 1) * m.cols);

interface Frame {
  mx: number;
  my: number;
  scale: number; // viewBox units per data unit
}

/** setAttribute only when the value changes (an unchanged point costs no style/layout work). */
function set(e: Element, name: string, v: string): void {
  if (e.getAttribute(name) !== v) e.setAttribute(name, v);
}

export interface PlaneView extends View {
  /** A query point is being dragged (the pointer is down on it). */
  dragging(): boolean;
}

/** `dragEnd`: called when a drag ends (after the plane has been drawn again). */
export function planeView(actions: Actions, opts: { dragEnd?: () => void } = {}): PlaneView {
  const root = svg("svg", {
    "data-view": "plane",
    viewBox: `0 0 ${SIZE} ${SIZE}`,
    width: SIZE,
    height: SIZE,
    role: "group",
    "aria-label": "Queries and keys in a plane; drag a query, or focus it and use the arrow keys",
  });
  const gAxes = svg("g", { class: "aw-pl-axes" });
  const gKeys = svg("g", { class: "aw-pl-keys" });
  // tabindex -1: Chromium makes an SVG element with focus listeners a tab stop otherwise
  const gQueries = svg("g", { class: "aw-pl-queries", tabindex: -1 });
  // with many queries, the selected one is drawn again on top (not interactive)
  const selLabel = svg("text", { class: "aw-pl-qlabel", x: 9, y: 14 });
  const gSel = svg("g", { class: "aw-pl-sel", "aria-hidden": "true", visibility: "hidden" },
    svg("circle", { class: "aw-pl-dot", r: 5 }), svg("circle", { class: "aw-pl-selring", r: 9 }), selLabel);
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

  let snap: Snapshot | null = null;
  let adapter: Adapter | null = null;
  let adapterFor_K: Matrix | null = null;
  let frame: Frame | null = null;
  let structKey = "";
  let keyPts: Array<[number, number]> = [];
  let keyEls: SVGGElement[] = [];
  let queryEls: SVGGElement[] = [];
  let keyBoxes: Box[] = [];
  let onCanvas = false; // keys and unselected queries on the canvas (one SVG point: the selected)
  let qScreen: Points = new Float64Array(0); // query points in viewBox units (hit testing)
  let drag: {
    i: number;
    pointerId: number;
    x: number;
    y: number;
    start: Float64Array;
    unitsPerPx: number;
    target: Element;
  } | null = null;

  const sx = (f: Frame, x: number) => (X0 + X1) / 2 + (x - f.mx) * f.scale;
  const sy = (f: Frame, y: number) => (Y0 + Y1) / 2 - (y - f.my) * f.scale;
  /** Points in data units to viewBox units, as x0 y0 x1 y1 ... */
  const toScreen = (f: Frame, pts: Array<[number, number]>): Points => {
    const out = new Float64Array(pts.length * 2);
    pts.forEach(([x, y], i) => {
      out[2 * i] = sx(f, x);
      out[2 * i + 1] = sy(f, y);
    });
    return out;
  };

  function fit(points: Array<[number, number]>): Frame {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const [x, y] of points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    if (!Number.isFinite(x0)) return { mx: 0, my: 0, scale: 50 };
    // include the origin when it is near, so the axes help reading
    const span = Math.max(x1 - x0, y1 - y0, 1e-9);
    if (x0 > 0 && x0 < span * 0.5) x0 = 0;
    if (x1 < 0 && -x1 < span * 0.5) x1 = 0;
    if (y0 > 0 && y0 < span * 0.5) y0 = 0;
    if (y1 < 0 && -y1 < span * 0.5) y1 = 0;
    const w = Math.max(x1 - x0, y1 - y0, 1e-9) * 1.25;
    return { mx: (x0 + x1) / 2, my: (y0 + y1) / 2, scale: Math.min(X1 - X0, Y1 - Y0) / w };
  }

  function inView(f: Frame, pts: Array<[number, number]>): boolean {
    return pts.every(([x, y]) => {
      const a = sx(f, x);
      const b = sy(f, y);
      return a >= X0 + 2 && a <= X1 - 2 && b >= Y0 + 2 && b <= Y1 - 2;
    });
  }

  function queryPoints(s: Snapshot): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    if (!adapter) return out;
    for (let i = 0; i < s.Q.rows; i++) out.push(adapter.project(rowOf(s.Q, i)));
    return out;
  }

  function drawAxes(f: Frame): void {
    clear(gAxes);
    const a = adapter!;
    const ox = sx(f, 0);
    const oy = sy(f, 0);
    if (ox > X0 && ox < X1) gAxes.appendChild(svg("line", { class: "aw-pl-axis", x1: ox, x2: ox, y1: Y0, y2: Y1 }));
    if (oy > Y0 && oy < Y1) gAxes.appendChild(svg("line", { class: "aw-pl-axis", x1: X0, x2: X1, y1: oy, y2: oy }));
    gAxes.appendChild(svg("text", { class: "aw-pl-axlabel", x: (X0 + X1) / 2, y: SIZE - 12, "text-anchor": "middle" }, a.axes[0]));
    if (a.axes[1]) {
      gAxes.appendChild(
        svg("text", { class: "aw-pl-axlabel", x: 12, y: (Y0 + Y1) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${(Y0 + Y1) / 2})` }, a.axes[1]),
      );
    }
    // ticks: the extent in data units at the corners
    const lo = (X0 - (X0 + X1) / 2) / f.scale + f.mx;
    const hi = (X1 - (X0 + X1) / 2) / f.scale + f.mx;
    gAxes.appendChild(svg("text", { class: "aw-pl-tick", x: X0 + 2, y: Y1 + 12 }, short(lo, 2)));
    gAxes.appendChild(svg("text", { class: "aw-pl-tick", x: X1 - 2, y: Y1 + 12, "text-anchor": "end" }, short(hi, 2)));
  }

  function build(s: Snapshot): void {
    clear(gKeys);
    clear(gQueries);
    keyEls = [];
    queryEls = [];
    const f = frame!;
    const N = s.K.rows;
    for (let j = 0; j < N; j++) {
      const [x, y] = keyPts[j];
      const t = tokenAt(s.kTokens, j, "k");
      const g = svg("g", { class: "aw-pl-key", "data-key-point": j, transform: `translate(${sx(f, x)} ${sy(f, y)})` });
      g.appendChild(svg("title", undefined, `key ${t}`));
      // the mark is drawn on the canvas (shaded by weight); this one takes the pointer (its title)
      g.appendChild(svg("rect", { class: "aw-pl-keyhit", x: -4, y: -4, width: 8, height: 8 }));
      if (N <= KEY_LABELS_MAX) g.appendChild(svg("text", { class: "aw-pl-keylabel", x: 7, y: -6 }, truncate(t, 10)));
      keyEls.push(g);
      gKeys.appendChild(g);
    }
    // key labels avoid the points and each other (placed once per frame)
    keyBoxes = keyPts.map(([x, y]) => [sx(f, x) - 5, sy(f, y) - 5, sx(f, x) + 5, sy(f, y) + 5] as Box);
    if (N <= KEY_LABELS_MAX) {
      keyEls.forEach((g, j) => placeLabel(g.querySelector("text"), sx(f, keyPts[j][0]), sy(f, keyPts[j][1]), 6.2, keyBoxes));
    }
    for (let i = 0; i < s.Q.rows; i++) {
      const g = queryPoint(s, i, s.Q.rows > QUERY_LABELS_MAX);
      queryEls.push(g);
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
  function buildCanvas(s: Snapshot): void {
    clear(gKeys);
    clear(gQueries);
    keyEls = [];
    keyBoxes = [];
    queryEls = [queryPoint(s, Math.min(s.selected, Math.max(0, s.Q.rows - 1)), true)];
    gQueries.appendChild(queryEls[0]);
  }

  /** Canvas mode: move the SVG point to the selected query, redraw the canvas. */
  function placeCanvas(s: Snapshot): void {
    const f = frame!;
    const a = adapter!;
    const qp = queryPoints(s);
    qScreen = toScreen(f, qp);
    const keys = toScreen(f, keyPts);
    const sel = s.selected;
    const g = queryEls[0];
    set(gSel, "visibility", "hidden");
    if (g && qp[sel]) {
      const [x, y] = qp[sel];
      const t = tokenAt(s.qTokens, sel, "q");
      set(g, "data-query-point", String(sel));
      set(g, "aria-label", `query ${t}`);
      set(g, "transform", `translate(${qScreen[2 * sel]} ${qScreen[2 * sel + 1]})`);
      g.classList.add("is-selected");
      set(g, "aria-valuenow", short(x, 4));
      set(g, "aria-valuetext", `${a.axes[0]} ${short(x, 4)}` + (a.axes[1] ? `, ${a.axes[1]} ${short(y, 4)}` : ""));
      const label = g.querySelector("text");
      if (label) setText(label, truncate(t, 12));
    }
    // the drawn points depend on Q, K (its plane) and the frame only: a selection keeps them
    // (not while dragging: every step is a new Q, so a kept layer would be drawn for nothing)
    const key = drag ? undefined : `${idOf(s.Q)}|${idOf(s.K)}|${idOf(f)}|${devicePixelRatioOf(canvas)}`;
    paintCanvas(s, qScreen, keys, "all", key);
  }

  /**
   * The canvas under the SVG: the plot's background and the lines from the selected query to
   * the keys (opacity and width by weight), the keys' marks (shaded by weight), and with "all"
   * the unselected queries.
   */
  function paintCanvas(s: Snapshot, queries: Points, keys: Points, points: "keys" | "all", cacheKey?: string): void {
    const sel = s.selected;
    const w = s.result?.weights;
    const row = w && sel < w.rows ? w.data.subarray(sel * w.cols, (sel + 1) * w.cols) : null;
    const lines: Array<[number, number]> = [];
    for (const j of strongest(row, LINES_MAX)) if (row && row[j] > 0.005) lines.push([j, row[j]]);
    const ctx = context2d(canvas);
    if (!ctx) return;
    const colours = {
      bg: cssVar(el, "--aw-bg", "#fff"),
      border: cssVar(el, "--aw-border", "#d8dde3"),
      key: cssVar(el, "--aw-key", "#3b82c4"),
      query: cssVar(el, "--aw-query", "#d9480f"),
    };
    const dpr = devicePixelRatioOf(canvas);
    const W = Math.round(SIZE * dpr);
    if (canvas.width !== W) canvas.width = W;
    if (canvas.height !== W) canvas.height = W;
    drawPlane(ctx, W, W, {
      size: SIZE,
      plot: [X0, Y0, X1, Y1],
      keys,
      keyShade: row && keyPts.length <= KEY_SHADE_MAX ? row : null,
      queries,
      selected: sel,
      lines,
      points,
      colours,
    }, cacheKey === undefined ? undefined : `${cacheKey}|${Object.values(colours).join("|")}`);
  }

  function place(s: Snapshot): void {
    const f = frame!;
    const qp = queryPoints(s);
    for (let i = 0; i < queryEls.length; i++) {
      const g = queryEls[i];
      const [x, y] = qp[i];
      set(g, "transform", `translate(${sx(f, x)} ${sy(f, y)})`);
      g.classList.toggle("is-selected", i === s.selected);
      if (queryEls.length > QUERY_LABELS_MAX) set(g, "tabindex", i === s.selected ? "0" : "-1");
      set(g, "aria-valuenow", short(x, 4));
      set(g, "aria-valuetext", `${adapter!.axes[0]} ${short(x, 4)}` + (adapter!.axes[1] ? `, ${adapter!.axes[1]} ${short(y, 4)}` : ""));
    }
    if (queryEls.length <= QUERY_LABELS_MAX) {
      const taken = [...keyBoxes, ...qp.map(([x, y]) => [sx(f, x) - 7, sy(f, y) - 7, sx(f, x) + 7, sy(f, y) + 7] as Box)];
      // the selected query's label first: it gets the best spot
      const order = [s.selected, ...qp.map((_, i) => i).filter((i) => i !== s.selected)];
      for (const i of order) if (queryEls[i]) placeLabel(queryEls[i].querySelector("text"), sx(f, qp[i][0]), sy(f, qp[i][1]), 7.2, taken);
    }
    const many = queryEls.length > QUERY_LABELS_MAX && qp[s.selected] !== undefined;
    set(gSel, "visibility", many ? "visible" : "hidden");
    if (many) {
      const [x, y] = qp[s.selected];
      set(gSel, "transform", `translate(${sx(f, x)} ${sy(f, y)})`);
      setText(selLabel, truncate(tokenAt(s.qTokens, s.selected, "q"), 12));
    }
    // the lines from the selected query and the keys' marks: on the canvas (no SVG to restyle,
    // lay out or paint in each frame of a drag)
    paintCanvas(s, toScreen(f, qp), toScreen(f, keyPts), "keys");
  }

  function render(force = false): void {
    const s = snap;
    if (!s) return;
    if (s.K !== adapterFor_K || !adapter) {
      adapterFor_K = s.K;
      try {
        adapter = adapterFor(s.K, s.Q);
      } catch {
        adapter = null;
      }
      frame = null;
      if (adapter) keyPts = Array.from({ length: s.K.rows }, (_, j) => adapter!.project(rowOf(s.K, j)));
    }
    if (!adapter || s.Q.cols !== s.K.cols) {
      clear(gAxes); clear(gKeys); clear(gQueries);
      queryEls = [];
      canvas.hidden = true;
      set(bgRect, "visibility", "visible");
      structKey = "";
      adapter = null;
      setText(note, s.Q.cols !== s.K.cols
        ? `Queries (d_q = ${s.Q.cols}) and keys (d_k = ${s.K.cols}) have different widths: no shared plane to draw.`
        : "Nothing to draw.");
      return;
    }
    const qp = queryPoints(s);
    if (!drag && (!frame || force || !inView(frame, qp))) {
      frame = fit([...keyPts, ...qp]);
      drawAxes(frame);
      structKey = "";
    }
    const many = s.Q.rows + s.K.rows > CANVAS_MIN;
    const key = `${many}|${s.Q.rows}|${s.K.rows}|${s.qTokens.join("\u0000")}|${s.kTokens.join("\u0000")}`;
    if (key !== structKey && !drag) {
      structKey = key;
      const focused = queryEls.findIndex((g) => g === el.ownerDocument.activeElement);
      onCanvas = many;
      canvas.hidden = false;
      set(bgRect, "visibility", "hidden");
      if (many) buildCanvas(s);
      else build(s);
      if (focused >= 0 && queryEls[focused]) (queryEls[focused] as unknown as HTMLElement).focus();
    }
    if (onCanvas) placeCanvas(s);
    else place(s);
    const d = s.K.cols;
    setText(
      note,
      (d > 2
        ? `d = ${d}: the plane of the keys' first two principal components; a query moves within it.`
        : `The ${d}-D space itself.`) + " Drag a query, or focus it and use the arrow keys (Shift: bigger steps).",
    );
  }

  function edit(i: number, row: Float64Array): void {
    const Q = copyMatrix(actions.Q());
    if (i >= Q.rows || row.length !== Q.cols) return;
    Q.data.set(row, i * Q.cols);
    actions.edit({ Q }, { row: i });
  }

  const pointFrom = (e: Event) => (e.target as Element).closest?.("[data-query-point]") ?? null;

  const off: Array<() => void> = [
    listen<PointerEvent>(root, "pointerdown", (e) => {
      if (e.button !== 0 || !adapter || !frame) return;
      let g = pointFrom(e) as SVGGElement | null;
      let i: number;
      const rect = root.getBoundingClientRect();
      const vbPerPx = rect.width > 0 ? SIZE / rect.width : 1;
      if (g) i = Number(g.getAttribute("data-query-point"));
      else if (onCanvas && rect.width > 0 && queryEls[0]) {
        // a query drawn on the canvas: the nearest one under the pointer
        i = nearestPoint(qScreen, (e.clientX - rect.left) * vbPerPx, (e.clientY - rect.top) * vbPerPx, HIT_RADIUS);
        if (i < 0) return;
        g = queryEls[0];
      } else return;
      e.preventDefault();
      // the pointer is captured by the point, or by the plane when the point was on the canvas
      const target: Element = g.getAttribute("data-query-point") === String(i) ? g : root;
      drag = {
        i,
        pointerId: e.pointerId,
        x: e.clientX,
        y: e.clientY,
        start: rowOf(actions.Q(), i),
        unitsPerPx: vbPerPx / frame.scale,
        target,
      };
      try {
        target.setPointerCapture(e.pointerId);
      } catch {
        /* jsdom */
      }
      if (actions.current().selected !== i) actions.select(i);
      // canvas mode: the one SVG point stands for the selected query from now on
      if (onCanvas) set(g, "data-query-point", String(i));
      (g as unknown as HTMLElement).focus?.({ preventScroll: true });
      target.classList.add("is-dragging");
    }),
    listen<PointerEvent>(root, "pointermove", (e) => {
      if (!drag || e.pointerId !== drag.pointerId || !adapter) return;
      const dx = (e.clientX - drag.x) * drag.unitsPerPx;
      const dy = -(e.clientY - drag.y) * drag.unitsPerPx;
      if (dx === 0 && dy === 0) return;
      edit(drag.i, adapter.move(drag.start, dx, dy));
    }),
    ...["pointerup", "pointercancel", "lostpointercapture"].map((type) =>
      listen<PointerEvent>(root, type, (e) => {
        if (!drag || e.pointerId !== drag.pointerId) return;
        drag.target.classList.remove("is-dragging");
        try {
          drag.target.releasePointerCapture(e.pointerId);
        } catch {
          /* already released */
        }
        drag = null;
        render();
        opts.dragEnd?.();
      }),
    ),
    listen<KeyboardEvent>(gQueries, "keydown", (e) => {
      const g = pointFrom(e);
      if (!g || !adapter || !frame) return;
      const dirs: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
      const dir = dirs[e.key];
      if (!dir) return;
      e.preventDefault();
      const i = Number(g.getAttribute("data-query-point"));
      const span = (X1 - X0) / frame.scale;
      const step = span * (e.shiftKey ? 0.2 : 0.05);
      const cur = actions.current();
      if (cur.selected !== i) actions.select(i);
      edit(i, adapter.move(rowOf(cur.Q, i), dir[0] * step, dir[1] * step));
    }),
    listen(gQueries, "focusin", (e) => {
      const g = pointFrom(e);
      if (!g) return;
      const i = Number(g.getAttribute("data-query-point"));
      if (actions.current().selected !== i) actions.select(i);
    }),
  ];

  return {
    el,
    deps: ["Q", "K", "tokens", "selected", "result"] satisfies Topic[],
    update(s: Snapshot, changed: ReadonlySet<Topic>) {
      snap = s;
      render(changed.has("K"));
    },
    dragging: () => drag !== null,
    destroy: () => runAll(off),
  };
}
