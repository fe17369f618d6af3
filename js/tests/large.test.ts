// @vitest-environment jsdom
// Large widgets keep their DOM small: the query editor shows a window of rows, the Numbers
// tables start closed and are filled only while open.
import { afterEach, describe, expect, it, vi } from "vitest";
import { mountLocal, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();

const M = 40;
const D = 16;
afterEach(unmountAll);

function mount() {
  const { model, root } = mountLocal(widgetState(sinMatrix(M, D, 1), sinMatrix(M, D, 2)));
  return { model, root };
}

const rows = (root: HTMLElement) =>
  [...new Set([...root.querySelectorAll("input[data-query]")].map((e) => Number(e.getAttribute("data-query"))))];

describe("large widgets", () => {
  it("the query editor shows at most 8 rows around the selected query, with their true indices", async () => {
    const { model, root } = mount();
    expect(rows(root)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(root.querySelectorAll("input[data-query]").length).toBe(8 * D);
    const note = root.querySelector('[data-view="editor"] [data-role="editor-window"]') as HTMLElement;
    expect(note.hidden).toBe(false);
    expect(note.textContent).toBe(`showing rows 0\u20137 of ${M}; select a query to edit it`);
    model.set("selected_query", 20); // (repainted on a later frame, however slow the machine)
    await vi.waitFor(() => expect(rows(root)).toEqual([17, 18, 19, 20, 21, 22, 23, 24]), { timeout: 3000, interval: 10 });
    model.set("selected_query", M - 1);
    await vi.waitFor(() => expect(rows(root)).toEqual([32, 33, 34, 35, 36, 37, 38, 39]), { timeout: 3000, interval: 10 });
  });

  it("the Numbers tables start closed and empty, and are filled when opened", async () => {
    const { root } = mount();
    const details = root.querySelector("details.aw-numbers") as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(root.querySelectorAll('table[data-view="weights"] td').length).toBe(0);
    details.open = true;
    details.dispatchEvent(new Event("toggle"));
    expect(root.querySelectorAll('table[data-view="weights"] td').length).toBe(M * M);
  });
});
