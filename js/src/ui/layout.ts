// The widget's cards in two columns, or in one when the widget is narrow (a side panel, the
// file browser open): then the plane comes right after the weights it changes, so both are on
// screen while a query is dragged. The cards are moved (not reordered by CSS), so the reading
// and focus order is always the order on screen.

import { attr, h } from "./dom";

/** At most this wide (CSS px), one column; style.css's container query agrees. */
export const ONE_COLUMN_MAX = 760;

export interface Columns {
  el: HTMLElement;
  destroy(): void;
}

/** `left` and `right`: the two columns; `narrow`: the one column's order. */
export function columns(left: HTMLElement[], right: HTMLElement[], narrow: HTMLElement[]): Columns {
  const a = h("div", { class: "aw-col" });
  const b = h("div", { class: "aw-col" });
  const el = h("div", { class: "aw-grid" }, a, b);
  let shown: boolean | null = null;

  function arrange(one: boolean): void {
    if (one === shown) return;
    shown = one;
    // (moving a node blurs it: the focused element is focused again)
    const doc = el.ownerDocument;
    const focused = doc.activeElement instanceof HTMLElement && el.contains(doc.activeElement) ? doc.activeElement : null;
    attr(el, "data-layout", one ? "one" : "two");
    if (one) a.append(...narrow);
    else {
      a.append(...left);
      b.append(...right);
    }
    b.hidden = one;
    if (focused && doc.activeElement !== focused) focused.focus({ preventScroll: true });
  }
  arrange(false);

  const RO = (globalThis as { ResizeObserver?: typeof ResizeObserver }).ResizeObserver;
  const ro = RO
    ? new RO((entries) => {
        const w = entries[entries.length - 1]?.contentRect.width ?? 0;
        if (w > 0) arrange(w <= ONE_COLUMN_MAX);
      })
    : null;
  ro?.observe(el);
  return { el, destroy: () => ro?.disconnect() };
}
