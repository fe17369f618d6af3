// Tiny DOM helpers. Text always goes in as text nodes: never innerHTML.

export const SVG_NS = "http://www.w3.org/2000/svg";
export const MATHML_NS = "http://www.w3.org/1998/Math/MathML";

export type Attrs = Record<string, string | number | boolean | null | undefined>;
export type Child = Node | string | null | undefined | false;

function apply(el: Element, attrs: Attrs | undefined, children: Child[]): void {
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c); // (a string goes in as a text node)
  }
}

/** An HTML element with attributes (set with setAttribute) and text/element children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs, children);
  return el;
}

/** An SVG element. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs, children);
  return el;
}

/** A MathML element. */
export function m(tag: string, attrs?: Attrs, ...children: Child[]): Element {
  const el = document.createElementNS(MATHML_NS, tag);
  apply(el, attrs, children);
  return el;
}

/**
 * Replace all children of `el` with text. When `el` holds one text node, its data changes:
 * the browser keeps its layout object (no removal, insertion or style recalc of a new node).
 */
export function setText(el: Element, text: string): void {
  const only = el.firstChild;
  if (only && only === el.lastChild && only.nodeType === 3) {
    if ((only as Text).data !== text) (only as Text).data = text;
  } else if (el.textContent !== text) el.textContent = text;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** `addEventListener` that returns its own remover. */
export function listen<E extends Event = Event>(
  target: EventTarget,
  type: string,
  handler: (e: E) => void,
  options?: AddEventListenerOptions,
): () => void {
  const fn = handler as EventListener;
  target.addEventListener(type, fn, options);
  return () => target.removeEventListener(type, fn, options);
}

/** A 2-D context, or null where there is none (jsdom). */
export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  try {
    return canvas.getContext("2d");
  } catch {
    return null;
  }
}

export function devicePixelRatioOf(el: Element): number {
  const w = el.ownerDocument?.defaultView;
  const r = w?.devicePixelRatio ?? 1;
  return Number.isFinite(r) && r > 0 ? Math.min(r, 3) : 1;
}

/** `el.setAttribute(name, String(value))`: one short call in the bundle for a long idiom. */
export function attr(el: Element, name: string, value: string | number | boolean): void {
  el.setAttribute(name, String(value));
}

/** `el.getAttribute(name)`. */
export function attrOf(el: Element, name: string): string | null {
  return el.getAttribute(name);
}
