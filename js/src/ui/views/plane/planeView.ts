// The 2-D plane: keys as points, queries as draggable points (pointer and arrow keys).
// A canvas under the SVG draws the background, the selected query's lines and the keys' marks
// (and, above CANVAS_MIN points, the unselected queries): what changes in every frame of a drag.
// d = 2: the space itself. d > 2: the keys' top-2 principal components (core/pca.ts).
//
// This module wires the parts: geometry.ts (vectors to viewBox units), scene.ts (the elements
// and what is drawn), svgLayer.ts and canvasLayer.ts (drawing), hitTest.ts and pointer.ts
// (moving points).

import { changedRows } from "../../../core/matrix";
import type { Snapshot } from "../../../live/store";
import { clear, h, setText } from "../../dom";
import { runAll, type Actions, type Topic, type View } from "../view";
import { paintCanvas, pointsKey } from "./canvasLayer";
import { fieldLayer } from "./fieldLayer";
import { adapterFor, fit, inView, pointsOf, toScreen } from "./geometry";
import { listenPointer } from "./pointer";
import { createScene, setAttr } from "./scene";
import { buildPoints, buildSelectedPoint, drawAxes, placeKeyLabels, placePoints, placeSelectedPoint } from "./svgLayer";

/** Above this many points (queries + keys), keys and unselected queries are drawn on a canvas. */
export const CANVAS_MIN = 200;

export interface PlaneView extends View {
  /** The field's switches, for the card's head. */
  head: HTMLElement;
  /** A query point is being dragged (the pointer is down on it). */
  dragging(): boolean;
}

/** `dragEnd`: called when a drag ends (after the plane has been drawn again). */
export function planeView(actions: Actions, opts: { dragEnd?: () => void } = {}): PlaneView {
  const scene = createScene();
  const { el, gAxes, gKeys, gQueries, canvas, bgRect, note } = scene;
  // the attention field: under the canvas, its switch in the card's head, its legend in the note
  const field = fieldLayer(() => render());
  canvas.before(field.canvas);
  const noteText = h("span");
  note.append(noteText, " ", field.legend);

  /** `force`: fit the viewport again; `restyled`: the labels' font may have changed (the theme). */
  function render(force = false, restyled = false): void {
    const s = scene.snap;
    if (!s) return;
    if (s.K !== scene.adapterK && scene.drag?.key && scene.adapter) {
      // a key is dragged: its plane stays the one the drag began in (d > 2: in-plane moves)
      scene.adapterK = s.K;
      scene.keyPts = pointsOf(scene.adapter, s.K);
    } else if (s.K !== scene.adapterK || !scene.adapter) {
      // d <= 2: the plane is the space itself, so moved keys keep the view (and their points)
      const was = scene.adapter ? scene.adapterK : null;
      scene.adapterK = s.K;
      try {
        scene.adapter = adapterFor(s.K, s.Q);
      } catch {
        scene.adapter = null;
      }
      if (!was || was.cols !== s.K.cols || was.rows !== s.K.rows || s.K.cols > 2) scene.viewport = null;
      if (scene.adapter) scene.keyPts = pointsOf(scene.adapter, s.K);
    }
    const adapter = scene.adapter;
    if (!adapter || s.Q.cols !== s.K.cols) {
      clear(gAxes); clear(gKeys); clear(gQueries);
      scene.queryEls = [];
      canvas.hidden = true;
      setAttr(bgRect, "visibility", "visible");
      scene.structKey = "";
      scene.adapter = null;
      field.paint(scene, s);
      setText(noteText, s.Q.cols !== s.K.cols
        ? `Queries (d_q = ${s.Q.cols}) and keys (d_k = ${s.K.cols}) have different widths: no shared plane to draw.`
        : "Nothing to draw.");
      return;
    }
    const qp = pointsOf(adapter, s.Q);
    const dragging = scene.drag !== null;
    if (!dragging && (!scene.viewport || force || !inView(scene.viewport, qp) || !inView(scene.viewport, scene.keyPts))) {
      scene.viewport = fit([...scene.keyPts, ...qp]);
      drawAxes(scene);
      scene.structKey = "";
    }
    const viewport = scene.viewport!;
    scene.qScreen = toScreen(viewport, qp);
    const many = s.Q.rows + s.K.rows > CANVAS_MIN;
    const key = `${many}|${s.Q.rows}|${s.K.rows}|${s.qTokens.join("\u0000")}|${s.kTokens.join("\u0000")}`;
    if (key !== scene.structKey && !dragging) {
      scene.structKey = key;
      const focused = scene.queryEls.findIndex((g) => g === el.ownerDocument.activeElement);
      const focusedKey = scene.keyEls.findIndex((g) => g === el.ownerDocument.activeElement);
      scene.onCanvas = many;
      canvas.hidden = false;
      setAttr(bgRect, "visibility", "hidden");
      if (many) buildSelectedPoint(scene, s);
      else buildPoints(scene, s);
      if (focused >= 0 && scene.queryEls[focused]) (scene.queryEls[focused] as unknown as HTMLElement).focus();
      if (focusedKey >= 0 && scene.keyEls[focusedKey]) (scene.keyEls[focusedKey] as unknown as HTMLElement).focus();
    } else if (restyled && !scene.onCanvas) placeKeyLabels(scene);
    field.paint(scene, s);
    scene.fieldOn = field.on();
    if (scene.onCanvas) {
      // the SVG point goes to the selected query; the canvas draws the rest
      const keys = toScreen(viewport, scene.keyPts);
      placeSelectedPoint(scene, s, qp);
      // the drawn points are kept for a selection (not while dragging: every step is a new Q,
      // so a kept layer would be drawn for nothing)
      paintCanvas(scene, s, scene.qScreen, keys, "all", dragging ? undefined : pointsKey(scene, s));
    } else {
      placePoints(scene, s, qp);
      // the lines from the selected query and the keys' marks: on the canvas (no SVG to restyle,
      // lay out or paint in each frame of a drag)
      paintCanvas(scene, s, scene.qScreen, toScreen(viewport, scene.keyPts), "keys");
    }
    const d = s.K.cols;
    setText(
      noteText,
      (d > 2
        ? `d = ${d}: the plane of the keys' first two principal components; a query moves within it.`
        : `The ${d}-D space itself.`) + " Drag a query or a key, or focus it and use the arrow keys (Shift: bigger steps).",
    );
  }

  const off = listenPointer(scene, actions, () => {
    render();
    opts.dragEnd?.();
  });

  return {
    el,
    deps: ["Q", "K", "tokens", "selected", "result", "theme"] satisfies Topic[],
    update(s: Snapshot, changed: ReadonlySet<Topic>) {
      const was = scene.snap?.K;
      scene.snap = s;
      // new keys: fit the view again; one key moved (an edit of a key point) keeps it
      const one = was && was.rows === s.K.rows && was.cols === s.K.cols && changedRows(was, s.K).length <= 1;
      render(changed.has("K") && !one, changed.has("theme"));
    },
    head: field.controls,
    dragging: () => scene.drag !== null,
    destroy: () => {
      field.destroy();
      runAll(off);
    },
  };
}
