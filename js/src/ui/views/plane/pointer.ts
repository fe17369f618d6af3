// Moving query points: drag one with the pointer (an SVG point, or in canvas mode a query drawn
// on the canvas), or focus it and use the arrow keys (Shift: bigger steps). Each step is an
// edit of that one row of Q. Key points (SVG mode) move the same way: an edit of a row of K.

import { copyMatrix } from "../../../core/matrix";
import { attrOf, listen } from "../../dom";
import type { Actions } from "../view";
import { rowOf, SIZE, X0, X1 } from "./geometry";
import { pointFrom, queryUnder } from "./hitTest";
import { setAttr, type PlaneScene } from "./scene";

/** The SVG key point an event's target is in, or null. */
const keyFrom = (e: Event) => (e.target as Element).closest?.("[data-key-point]") ?? null;

/**
 * Listen for drags and keys on the plane's points; `dragEnded` is called when a drag ends
 * (the pointer is released). Returns the listeners' removers.
 */
export function listenPointer(scene: PlaneScene, actions: Actions, dragEnded: () => void): Array<() => void> {
  const { root, gQueries, gKeys } = scene;

  /** Query `i` (key `i`: `key`) moved to `row`: an edit of that row. */
  function edit(i: number, row: Float64Array, key = false): void {
    const M = copyMatrix(key ? actions.current().K : actions.Q());
    if (i >= M.rows || row.length !== M.cols) return;
    M.data.set(row, i * M.cols);
    if (key) actions.edit({ K: M });
    else actions.edit({ Q: M }, { row: i });
  }

  /** Arrow keys on a focused point: a step along the plane. */
  function step(e: KeyboardEvent, key: boolean): void {
    const g = key ? keyFrom(e) : pointFrom(e);
    const { adapter, viewport } = scene;
    if (!g || !adapter || !viewport) return;
    const dirs: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    const dir = dirs[e.key];
    if (!dir) return;
    e.preventDefault();
    const i = Number(attrOf(g, key ? "data-key-point" : "data-query-point"));
    const d = ((X1 - X0) / viewport.scale) * (e.shiftKey ? 0.2 : 0.05);
    const cur = actions.current();
    if (!key && cur.selected !== i) actions.select(i);
    edit(i, adapter.move(rowOf(key ? cur.K : cur.Q, i), dir[0] * d, dir[1] * d), key);
  }

  return [
    listen<PointerEvent>(root, "pointerdown", (e) => {
      const viewport = scene.viewport;
      if (e.button !== 0 || !scene.adapter || !viewport) return;
      const k = keyFrom(e);
      const rect = root.getBoundingClientRect();
      const hit = k
        ? { i: Number(attrOf(k, "data-key-point")), g: k as SVGGElement, vbPerPx: rect.width > 0 ? SIZE / rect.width : 1 }
        : queryUnder(scene, e, scene.snap?.selected ?? -1);
      if (!hit) return;
      const { i, g, vbPerPx } = hit;
      e.preventDefault();
      // the pointer is captured by the point, or by the plane when the point was on the canvas
      const target: Element = k || attrOf(g, "data-query-point") === String(i) ? g : root;
      scene.drag = {
        i,
        key: !!k,
        pointerId: e.pointerId,
        x: e.clientX,
        y: e.clientY,
        start: rowOf(k ? actions.current().K : actions.Q(), i),
        unitsPerPx: vbPerPx / viewport.scale,
        target,
      };
      try {
        target.setPointerCapture(e.pointerId);
      } catch {
        /* jsdom */
      }
      if (!k && actions.current().selected !== i) actions.select(i);
      // canvas mode: the one SVG point stands for the selected query from now on
      if (!k && scene.onCanvas) setAttr(g, "data-query-point", String(i));
      (g as unknown as HTMLElement).focus?.({ preventScroll: true });
      target.classList.add("is-dragging");
    }),
    listen<PointerEvent>(root, "pointermove", (e) => {
      const { drag, adapter } = scene;
      if (!drag || e.pointerId !== drag.pointerId || !adapter) return;
      const dx = (e.clientX - drag.x) * drag.unitsPerPx;
      const dy = -(e.clientY - drag.y) * drag.unitsPerPx;
      if (dx === 0 && dy === 0) return;
      edit(drag.i, adapter.move(drag.start, dx, dy), drag.key);
    }),
    ...["pointerup", "pointercancel", "lostpointercapture"].map((type) =>
      listen<PointerEvent>(root, type, (e) => {
        const { drag } = scene;
        if (!drag || e.pointerId !== drag.pointerId) return;
        drag.target.classList.remove("is-dragging");
        try {
          drag.target.releasePointerCapture(e.pointerId);
        } catch {
          /* already released */
        }
        scene.drag = null;
        dragEnded();
      }),
    ),
    listen<KeyboardEvent>(gQueries, "keydown", (e) => step(e, false)),
    listen<KeyboardEvent>(gKeys, "keydown", (e) => step(e, true)),
    listen(gQueries, "focusin", (e) => {
      const g = pointFrom(e);
      if (!g) return;
      const i = Number(attrOf(g, "data-query-point"));
      if (actions.current().selected !== i) actions.select(i);
    }),
  ];
}
