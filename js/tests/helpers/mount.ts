// Mounting widgets in jsdom for the vitest files. Call stubCanvas() once per file and
// `afterEach(unmountAll)`: every widget mounted here is cleaned up after each test.

import widget, { createLocalModel } from "../../src/index";
import type { AnyModel } from "../../src/wire/model";

/** jsdom has no canvas: getContext returns null (and logs); the views must cope with null. */
export function stubCanvas(): void {
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
}

const cleanups: Array<() => void> = [];

/** Run `fns` after the test (with unmountAll). */
export function onUnmount(...fns: Array<() => void>): void {
  cleanups.push(...fns);
}

/** Clean up every widget mounted in the test, and empty the document. */
export function unmountAll(): void {
  for (const c of cleanups.splice(0)) c();
  document.body.innerHTML = "";
}

/** A new <div> in the document. */
export function newElement(): HTMLDivElement {
  const el = document.createElement("div");
  document.body.appendChild(el);
  return el;
}

export interface Mounted {
  model: AnyModel;
  el: HTMLElement;
  /** The widget's root (.attnwidget). */
  root: HTMLElement;
}

/** anywidget's render of `model` in `el` (a new element by default), cleaned up after the test. */
export function renderModel(model: AnyModel, el: HTMLElement = newElement()): Mounted {
  onUnmount(widget.render({ model, el }));
  return { model, el, root: el.querySelector(".attnwidget") as HTMLElement };
}

/** A local model (a static page's) over `state`, rendered in a new element. */
export function mountLocal(state: Record<string, unknown>): Mounted {
  const el = newElement();
  return renderModel(createLocalModel(state), el);
}

/** Wait long enough for the widget's next animation frame (jsdom: a 16 ms timer). */
export const nextFrame = () => new Promise((r) => setTimeout(r, 40));
