// @vitest-environment jsdom
// Many queries and keys: the plane draws them on a canvas (one SVG point, the selected query,
// stays focusable and draggable), the steps view picks a query with a number input.
import { afterEach, describe, expect, it } from "vitest";
import { CANVAS_MIN } from "../src/ui/views/plane/planeView";
import { SELECT_MAX } from "../src/ui/views/steps";
import { mountLocal, nextFrame, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();

const D = 4;

afterEach(unmountAll);

function mount(M: number, N: number, d = D) {
  const query_tokens = Array.from({ length: M }, (_, i) => `tok${i}`);
  const { model, root } = mountLocal(widgetState(sinMatrix(M, d, 1, 1), sinMatrix(N, d, 2, 1), { query_tokens }));
  return { model, root };
}

/** The viewBox position of an SVG query point (its translate). */
function at(g: Element): [number, number] {
  const t = /translate\(([-\d.e]+) ([-\d.e]+)\)/.exec(g.getAttribute("transform") ?? "");
  return [Number(t![1]), Number(t![2])];
}

describe("a plane of many points", () => {
  it("small widgets keep one SVG point per query", () => {
    const { root } = mount(8, 8);
    expect(root.querySelectorAll("[data-query-point]").length).toBe(8);
    expect(root.querySelectorAll("[data-key-point]").length).toBe(8);
    // the canvas under them has the background and the lines only
    expect((root.querySelector(".aw-pl-canvas") as HTMLElement).hidden).toBe(false);
    expect(root.querySelectorAll(".aw-pl-line").length).toBe(0);
  });

  it("above CANVAS_MIN points: a canvas, and one focusable SVG point for the selected query", async () => {
    const M = 150;
    const N = CANVAS_MIN + 1 - M;
    const { model, root } = mount(M, N);
    expect((root.querySelector(".aw-pl-canvas") as HTMLElement).hidden).toBe(false);
    expect(root.querySelectorAll("[data-key-point]").length).toBe(0);
    const points = root.querySelectorAll("[data-query-point]");
    expect(points.length).toBe(1);
    const g = points[0];
    expect(g.getAttribute("data-query-point")).toBe("0");
    expect(g.getAttribute("role")).toBe("slider");
    expect(g.getAttribute("tabindex")).toBe("0");
    expect(g.getAttribute("aria-label")).toBe("query tok0");
    expect(g.getAttribute("aria-valuetext")).toMatch(/^PC 1 .*, PC 2 /);
    model.set("selected_query", 42);
    await nextFrame();
    const g2 = root.querySelector("[data-query-point]")!;
    expect(g2.getAttribute("data-query-point")).toBe("42");
    expect(g2.getAttribute("aria-label")).toBe("query tok42");
    expect(g2.querySelector("text")?.textContent).toBe("tok42");
  });

  it("a press on a query drawn on the canvas selects that query; arrow keys move it", async () => {
    const { model, root } = mount(150, 150);
    const svg = root.querySelector('svg[data-view="plane"]') as SVGSVGElement;
    svg.getBoundingClientRect = () => ({ left: 0, top: 0, width: 300, height: 300, right: 300, bottom: 300, x: 0, y: 0, toJSON: () => ({}) });
    // where query 7 is drawn: select it, read its point, select another
    model.set("selected_query", 7);
    await nextFrame();
    const [x, y] = at(root.querySelector("[data-query-point]")!);
    model.set("selected_query", 99);
    await nextFrame();
    expect(root.querySelector("[data-query-point]")!.getAttribute("data-query-point")).toBe("99");
    svg.dispatchEvent(new MouseEvent("pointerdown", { bubbles: true, button: 0, clientX: x + 1, clientY: y - 1 }));
    svg.dispatchEvent(new MouseEvent("pointerup", { bubbles: true, button: 0, clientX: x + 1, clientY: y - 1 }));
    // the nearest drawn query may be another one close by: it must be a query drawn there
    const picked = model.get("selected_query") as number;
    expect(picked).not.toBe(99);
    await nextFrame();
    const g = root.querySelector("[data-query-point]") as unknown as HTMLElement;
    expect(g.getAttribute("data-query-point")).toBe(String(picked));
    const [px, py] = at(g);
    expect(Math.hypot(px - x - 1, py - y + 1)).toBeLessThanOrEqual(9);
    // keyboard: the point is focusable and the arrow keys edit its query
    const before = model.get("edit_id");
    g.focus();
    g.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(model.get("edit_id")).toBe((before as number) + 1);
    // far from every query: nothing is selected
    svg.dispatchEvent(new MouseEvent("pointerdown", { bubbles: true, button: 0, clientX: 1, clientY: 299 }));
    expect(model.get("selected_query")).toBe(picked);
  });
});

describe("the query picker of many queries", () => {
  it(`a <select> up to ${SELECT_MAX} queries`, () => {
    const { root } = mount(SELECT_MAX, 4);
    expect(root.querySelectorAll('select[data-role="query-select"] option').length).toBe(SELECT_MAX);
    expect(root.querySelector('input[data-role="query-number"]')).toBeNull();
  });

  it(`a number input above ${SELECT_MAX}, with the token shown`, async () => {
    const M = SELECT_MAX + 1;
    const { model, root } = mount(M, 4);
    expect(root.querySelector('select[data-role="query-select"]')).toBeNull();
    const input = root.querySelector('input[data-role="query-number"]') as HTMLInputElement;
    const token = root.querySelector('[data-role="query-token"]') as HTMLElement;
    expect(input.type).toBe("number");
    expect(input.max).toBe(String(M - 1));
    expect(input.value).toBe("0");
    expect(token.textContent).toBe("tok0");
    input.value = "123";
    input.dispatchEvent(new Event("change", { bubbles: true }));
    expect(model.get("selected_query")).toBe(123);
    expect(model.get("edit_id") ?? 0).toBe(0);
    await nextFrame();
    expect(token.textContent).toBe("tok123");
    for (const bad of ["", "-1", String(M), "2.5"]) {
      input.value = bad;
      input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      expect(model.get("selected_query")).toBe(123);
      expect(input.value).toBe("123");
    }
  });
});

describe("the steps' bars", () => {
  it("bars and numbers are drawn on one hidden canvas per list; each row says its number, data-value holds it exactly", async () => {
    const { model, root } = mount(6, 5);
    const nums = () => [...root.querySelectorAll('[data-bars="weight"] .aw-bar-num')];
    expect(nums().length).toBe(5);
    const sum = nums().reduce((a, e) => a + Number(e.getAttribute("data-value")), 0);
    expect(sum).toBeCloseTo(1, 12);
    const rows = [...root.querySelectorAll('[data-bars="weight"] .aw-bar-row')];
    expect(root.querySelector('[data-bars="weight"]')!.getAttribute("role")).toBe("list");
    expect(rows[0].getAttribute("role")).toBe("listitem");
    const v0 = Number(nums()[0].getAttribute("data-value"));
    expect(rows[0].getAttribute("aria-label")).toBe(`k0: ${v0.toFixed(3)}`);
    for (const kind of ["score", "weight", "output"]) {
      const c = root.querySelectorAll(`[data-bars="${kind}"] canvas.aw-bars-canvas`);
      expect(c.length, kind).toBe(1);
      expect(c[0].getAttribute("aria-hidden")).toBe("true");
    }
    const before = nums().map((e) => e.getAttribute("data-value"));
    model.set("selected_query", 3);
    await nextFrame();
    expect(nums().map((e) => e.getAttribute("data-value"))).not.toEqual(before);
    const v1 = Number(nums()[0].getAttribute("data-value"));
    expect(rows[0].getAttribute("aria-label")).toBe(`k0: ${v1.toFixed(3)}`);
  });
});

describe("pressing a query's label", () => {
  it("takes that query, though no point is drawn under the pointer", async () => {
    const { model, root } = mount(6, 5);
    const svg = root.querySelector('svg[data-view="plane"]') as SVGSVGElement;
    svg.getBoundingClientRect = () => ({ left: 0, top: 0, width: 300, height: 300, right: 300, bottom: 300, x: 0, y: 0, toJSON: () => ({}) });
    const label = root.querySelector('[data-query-point="2"] text')!;
    // (1, 1): in the corner, outside the plot, far from every point
    label.dispatchEvent(new MouseEvent("pointerdown", { bubbles: true, button: 0, clientX: 1, clientY: 1 }));
    expect(model.get("selected_query")).toBe(2);
    svg.dispatchEvent(new MouseEvent("pointerup", { bubbles: true, button: 0, clientX: 1, clientY: 1 }));
    // the same press on the plane's background takes nothing
    model.set("selected_query", 0);
    svg.dispatchEvent(new MouseEvent("pointerdown", { bubbles: true, button: 0, clientX: 1, clientY: 1 }));
    expect(model.get("selected_query")).toBe(0);
  });
});

describe("dragging a query point", () => {
  it("the query editor is held during the drag and shows the dragged query when it ends", async () => {
    const { model, root } = mount(6, 5);
    const g = root.querySelector('[data-query-point="2"]')!;
    const input = () => root.querySelector('input[data-query="2"][data-dim="0"]') as HTMLInputElement;
    g.dispatchEvent(new MouseEvent("pointerdown", { bubbles: true, button: 0, clientX: 100, clientY: 100 }));
    expect(model.get("selected_query")).toBe(2);
    const during = input().value;
    g.dispatchEvent(new MouseEvent("pointermove", { bubbles: true, clientX: 120, clientY: 90 }));
    await nextFrame();
    expect(input().value).toBe(during);
    g.dispatchEvent(new MouseEvent("pointermove", { bubbles: true, clientX: 140, clientY: 70 }));
    await nextFrame();
    const q = new Float64Array(model.get("Q").buffer.buffer.slice(0));
    expect(q[2 * D]).not.toBeCloseTo(Number(during), 4); // the model has the new Q ...
    expect(input().value).toBe(during); // ... the editor waits
    g.dispatchEvent(new MouseEvent("pointerup", { bubbles: true, clientX: 140, clientY: 70 }));
    expect(Number(input().value)).toBeCloseTo(q[2 * D], 4);
  });
});

describe("the query editor of a wide Q", () => {
  it("shows at most 128 inputs: 2 rows at d = 64, from the selected query", async () => {
    const { model, root } = mount(40, 8, 64);
    const rows = () => [...new Set([...root.querySelectorAll("input[data-query]")].map((e) => Number(e.getAttribute("data-query"))))];
    expect(rows()).toEqual([0, 1]);
    expect(root.querySelectorAll("input[data-query]").length).toBe(128);
    model.set("selected_query", 39);
    await nextFrame();
    expect(rows()).toEqual([38, 39]);
    model.set("selected_query", 20);
    await nextFrame();
    expect(rows()).toEqual([20, 21]);
    expect(root.querySelector('[data-view="editor"] [data-role="editor-window"]')!.textContent).toBe("showing rows 20\u201321 of 40; select a query to edit it");
  });
});

describe("changedRow (the heatmap repaints one changed row)", () => {
  it("finds the one row that differs, -1 for none, -2 for several", async () => {
    const { changedRow } = await import("../src/ui/views/heatmap");
    const a = new Float64Array([1, 2, 3, 4, 5, 6]);
    expect(changedRow(a, a.slice(), 3)).toBe(-1);
    const b = a.slice();
    b[4] = 9;
    expect(changedRow(a, b, 3)).toBe(1);
    b[5] = 7; // same row again
    expect(changedRow(a, b, 3)).toBe(1);
    b[0] = 0;
    expect(changedRow(a, b, 3)).toBe(-2);
    expect(changedRow(new Float64Array([NaN, 1]), new Float64Array([NaN, 1]), 2)).toBe(-1);
    expect(changedRow(a, new Float64Array(3), 3)).toBe(-2);
  });
});
