// @vitest-environment jsdom
// The cards in two columns, or in one when the widget is narrow: moved (the DOM order is the
// order on screen), the plane right after the weights, and the focus kept.
import { afterEach, describe, expect, it } from "vitest";
import { columns, ONE_COLUMN_MAX } from "../src/ui/layout";

type Callback = (entries: Array<{ contentRect: { width: number } }>) => void;
let observed: Callback[] = [];

class FakeResizeObserver {
  constructor(private cb: Callback) {}
  observe(): void {
    observed.push(this.cb);
  }
  disconnect(): void {
    observed = observed.filter((c) => c !== this.cb);
  }
}

afterEach(() => {
  observed = [];
  delete (globalThis as { ResizeObserver?: unknown }).ResizeObserver;
  document.body.innerHTML = "";
});

const card = (name: string) => {
  const el = document.createElement("section");
  el.setAttribute("data-card", name);
  el.appendChild(document.createElement("button"));
  return el;
};
const names = (col: Element) => [...col.children].map((c) => c.getAttribute("data-card"));

describe("columns", () => {
  it("two columns when wide, one in the narrow order when narrow, and back", () => {
    (globalThis as { ResizeObserver?: unknown }).ResizeObserver = FakeResizeObserver;
    const [w, p, s, e] = ["weights", "plane", "steps", "editor"].map(card);
    const layout = columns([w, s], [p, e], [w, p, s, e]);
    document.body.appendChild(layout.el);
    const [a, b] = [...layout.el.children] as HTMLElement[];
    expect([names(a), names(b), b.hidden]).toEqual([["weights", "steps"], ["plane", "editor"], false]);
    const focused = p.querySelector("button")!;
    focused.focus();
    observed[0]([{ contentRect: { width: ONE_COLUMN_MAX } }]);
    expect([names(a), names(b), b.hidden]).toEqual([["weights", "plane", "steps", "editor"], [], true]);
    expect(layout.el.getAttribute("data-layout")).toBe("one");
    expect(document.activeElement).toBe(focused);
    observed[0]([{ contentRect: { width: ONE_COLUMN_MAX + 1 } }]);
    expect([names(a), names(b), b.hidden]).toEqual([["weights", "steps"], ["plane", "editor"], false]);
    layout.destroy();
    expect(observed).toEqual([]);
  });
});
