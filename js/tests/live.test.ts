// @vitest-environment jsdom
// The widget as it runs in Jupyter: a model that the kernel answers later, seen through
// anywidget's per-view proxies (two views of one model), with a kernel that can restart.
import { afterEach, describe, expect, it, vi } from "vitest";
import { matrix } from "../src/core/matrix";
import { decodeMatrix, encodeMatrix } from "../src/wire/codec";
import { ROW_PATCH } from "../src/wire/protocol";
import { renderLive } from "./helpers/live";
import { nextFrame, stubCanvas, unmountAll } from "./helpers/mount";
import { widgetState } from "./helpers/states";

stubCanvas();

function state(): Record<string, unknown> {
  return widgetState(matrix(2, 2, [1, 0, 0.5, 2]), matrix(3, 2, [1, 0, 0, 1, -1, 1]), {
    query_tokens: ["a", "b"],
    key_tokens: ["x", "y", "z"],
    param_sets: { dot: {}, scaled_dot: {}, general: {}, concat: {}, additive: {} },
    scores: encodeMatrix(matrix(2, 3, [1, 0, -1, 0.5, 2, 1.5])),
    weights: encodeMatrix(matrix(2, 3, [0.6, 0.3, 0.1, 0.2, 0.5, 0.3])),
    output: encodeMatrix(matrix(2, 2, [0.5, 0.5, 0.5, 0.5])),
    edit_id: 0,
    result_id: 0,
    _static: false,
  });
}

afterEach(() => {
  unmountAll();
  vi.useRealTimers();
});

function setup(views = 2) {
  return renderLive(state(), views);
}

function type(root: HTMLElement, i: number, j: number, value: string): void {
  const input = root.querySelector(`input[data-query="${i}"][data-dim="${j}"]`) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event("change", { bubbles: true }));
}

const inputValue = (root: HTMLElement, i: number, j: number) =>
  (root.querySelector(`input[data-query="${i}"][data-dim="${j}"]`) as HTMLInputElement).value;
const firstWeight = (root: HTMLElement) => root.querySelector('table[data-view="weights"] td[data-value]')!.getAttribute("data-value");
const banner = (root: HTMLElement) => root.querySelector('[data-role="connection"]') as HTMLElement;

describe("two views of one live widget", () => {
  it("an edit in one view repaints the other: inputs, preview and data-state", async () => {
    const { model, roots } = setup();
    const [a, b] = roots;
    const before = firstWeight(b);
    type(a, 0, 1, "3");
    expect(model.sent).toHaveLength(1);
    expect(model.sent[0].edit_id).toBe(1);
    await nextFrame();
    for (const r of roots) {
      expect(r.dataset.state).toBe("pending");
      expect(firstWeight(r)).toBe(before); // a typed edit waits for the kernel first ...
    }
    expect(inputValue(b, 0, 1)).toBe("0"); // (held: painted with the answer, in one frame)
    await vi.waitFor(
      () => {
        for (const r of roots) {
          expect(inputValue(r, 0, 1)).toBe("3");
          expect(firstWeight(r)).not.toBe(before); // ... then shows the JS preview meanwhile
        }
      },
      { timeout: 3000, interval: 10 },
    );
    model.answer();
    await nextFrame();
    for (const r of roots) expect(r.dataset.state).toBe("ready");
  });

  it("one queue for both views: B's edit waits for A's answer and does not clobber A's queued edit", async () => {
    const { model, roots } = setup();
    const [a, b] = roots;
    type(a, 0, 0, "7"); // sent (edit 1)
    type(a, 1, 1, "8"); // queued
    type(b, 0, 1, "9"); // queued too: B is pending as well, its Q includes A's queued edit
    expect(model.sent).toHaveLength(1);
    // typed edits are repainted after 100 ms (then on the next frame): wait for it, however
    // slow the machine, rather than for a fixed 120 ms
    await vi.waitFor(
      () => {
        expect(inputValue(b, 1, 1)).toBe("8");
        expect(inputValue(a, 0, 1)).toBe("9");
      },
      { timeout: 3000, interval: 10 },
    );
    expect(b.dataset.state).toBe("pending");
    model.answer();
    expect(model.sent).toHaveLength(2);
    expect(model.sent[1].edit_id).toBe(2);
    expect(Array.from(decodeMatrix(model.sent[1].Q as never).data)).toEqual([7, 9, 0.5, 8]);
    await nextFrame();
    for (const r of roots) expect(r.dataset.state).toBe("pending");
    model.answer();
    await nextFrame();
    for (const r of roots) {
      expect(r.dataset.state).toBe("ready");
      expect([inputValue(r, 0, 0), inputValue(r, 0, 1), inputValue(r, 1, 1)]).toEqual(["7", "9", "8"]);
    }
  });

  it("the kernel's answer as a row patch: both views show the patched rows, the model holds them", async () => {
    const { model, roots } = setup();
    const [a, b] = roots;
    const weightsWire = model.get("weights");
    type(a, 1, 0, "4");
    // the kernel's message: only row 1 of scores, weights and output, then result_id
    model.put("_row_patch", {
      rows: [1],
      scores: encodeMatrix(matrix(1, 3, [9, 8, 7])),
      weights: encodeMatrix(matrix(1, 3, [0.7, 0.2, 0.1])),
      output: encodeMatrix(matrix(1, 2, [3, 4])),
    });
    model.answer();
    await nextFrame();
    const row = (r: HTMLElement, i: number) =>
      Array.from(r.querySelectorAll(`table[data-view="weights"] tbody tr:nth-child(${i + 1}) td[data-value]`), (td) =>
        Number(td.getAttribute("data-value")),
      );
    for (const r of [a, b]) {
      expect(r.dataset.state).toBe("ready");
      expect(row(r, 0)).toEqual([0.6, 0.3, 0.1]);
      expect(row(r, 1)).toEqual([0.7, 0.2, 0.1]);
    }
    expect(model.get("weights")).toBe(weightsWire); // patched in place: a saved state is whole
    expect(Array.from(decodeMatrix(model.get("output") as never).data)).toEqual([0.5, 0.5, 3, 4]);
    expect(model.customs).toEqual([]);
  });

  it("a typed edit of one query sends only its row; the views show it until the kernel answers", async () => {
    const { model, roots } = setup();
    const qWire = model.get("Q");
    type(roots[0], 1, 0, "4");
    expect(model.sent).toHaveLength(1);
    const sent = model.sent[0];
    expect(Object.keys(sent).sort()).toEqual([ROW_PATCH.up, "edit_id"].sort());
    const up = sent[ROW_PATCH.up] as { rows: number[]; Q: never };
    expect(up.rows).toEqual([1]);
    expect(Array.from(decodeMatrix(up.Q).data)).toEqual([4, 2]);
    expect(model.get("Q")).toBe(qWire); // the model holds the kernel's Q until it answers
    await vi.waitFor(() => roots.forEach((r) => expect(inputValue(r, 1, 0)).toBe("4")), { timeout: 3000, interval: 10 });
    // the kernel's answer: its row patch carries the query's row back, then result_id
    model.put("_row_patch", {
      rows: [1],
      Q: encodeMatrix(matrix(1, 2, [4, 2])),
      scores: encodeMatrix(matrix(1, 3, [9, 8, 7])),
      weights: encodeMatrix(matrix(1, 3, [0.7, 0.2, 0.1])),
      output: encodeMatrix(matrix(1, 2, [3, 4])),
    });
    model.put("result_id", 1);
    await nextFrame();
    for (const r of roots) {
      expect(r.dataset.state).toBe("ready");
      expect([inputValue(r, 1, 0), inputValue(r, 1, 1)]).toEqual(["4", "2"]);
    }
    expect(model.get("Q")).toBe(qWire); // patched in place
    expect(Array.from(decodeMatrix(qWire as never).data)).toEqual([1, 0, 4, 2]);
    // the next edit is measured against the kernel's Q: one more changed row, sent alone
    type(roots[1], 0, 1, "5");
    const next = model.sent[1][ROW_PATCH.up] as { rows: number[]; Q: never };
    expect(next.rows).toEqual([0]);
    expect(Array.from(decodeMatrix(next.Q).data)).toEqual([1, 5]);
  });

  it("rows equal to the last rows sent are sent all the same (a model drops an equal value)", async () => {
    const { model, roots } = setup(1);
    type(roots[0], 1, 0, "4");
    model.answer(); // (Q comes back whole: [[1, 0], [4, 2]])
    model.put("Q", encodeMatrix(matrix(2, 2, [1, 0, 0.5, 2]))); // then Python puts query 1 back
    await nextFrame();
    expect(inputValue(roots[0], 1, 0)).toBe("0.5");
    type(roots[0], 1, 0, "4"); // the very rows of the first edit, against the kernel's Q again
    expect(model.sent).toHaveLength(2);
    const again = model.sent[1][ROW_PATCH.up] as { rows: number[]; Q: never };
    expect(again?.rows).toEqual([1]);
    expect(Array.from(decodeMatrix(again.Q).data)).toEqual([4, 2]);
  });

  it("rows the kernel refuses: the views go back to the kernel's Q", async () => {
    const { model, roots } = setup();
    type(roots[0], 1, 0, "4");
    await vi.waitFor(() => expect(inputValue(roots[1], 1, 0)).toBe("4"), { timeout: 3000, interval: 10 });
    model.put(ROW_PATCH.up, null); // (what the kernel re-sends when it refuses an edit)
    model.put("error", "refused");
    model.put("result_id", 1);
    await nextFrame();
    for (const r of roots) {
      expect(r.dataset.state).toBe("ready");
      expect(inputValue(r, 1, 0)).toBe("0.5");
    }
  });

  it("a row patch that does not fit is refused and the arrays are asked for whole", async () => {
    const { model, roots } = setup(1);
    type(roots[0], 1, 0, "4");
    model.put("_row_patch", { rows: [5], scores: null, weights: null, output: null });
    model.answer();
    await nextFrame();
    expect(model.customs).toEqual([{ type: "resync" }]);
    expect(Array.from(decodeMatrix(model.get("weights") as never).data)).toEqual([0.6, 0.3, 0.1, 0.2, 0.5, 0.3]);
  });

  it("closing one view leaves the other working", async () => {
    const { model, roots, disposers } = setup();
    disposers[0]();
    type(roots[1], 0, 0, "4");
    expect(model.sent).toHaveLength(1);
    model.answer();
    await nextFrame();
    expect(roots[1].dataset.state).toBe("ready");
  });
});

describe("connection state in a live view", () => {
  it("a kernel restart: disconnected, banner; an edit afterwards previews and stays pending, counted", async () => {
    const { kernel, model, roots } = setup();
    kernel.setStatus("restarting");
    model.comm_live = false; // ipywidgets, on restart
    model.trigger("comm_live_update");
    await nextFrame();
    for (const r of roots) {
      expect(r.dataset.state).toBe("disconnected");
      expect(banner(r).hidden).toBe(false);
      expect(banner(r).getAttribute("role")).toBe("status");
      expect(banner(r).textContent).toMatch(/^Disconnected from the kernel \(restarting\)\. Your edits here are kept but not computed by Python; re-run the cell to reconnect\.$/);
      expect(r.querySelector(".aw-status")!.textContent).toBe("disconnected");
    }
    kernel.setStatus("idle");
    const before = firstWeight(roots[0]);
    type(roots[0], 0, 0, "5");
    type(roots[1], 1, 0, "6");
    await nextFrame();
    expect(model.sent).toHaveLength(0);
    expect(model.diff.edit_id).toBe(1); // kept by the model, as ipywidgets does
    for (const r of roots) {
      expect(r.dataset.state).toBe("disconnected");
      expect(firstWeight(r)).not.toBe(before); // previewed with the JS engine
      expect(inputValue(r, 0, 0)).toBe("5");
      expect(inputValue(r, 1, 0)).toBe("6");
      expect(banner(r).textContent).toMatch(/\(the kernel restarted\).* 2 edits waiting\.$/);
      expect(banner(r).getAttribute("data-edits")).toBe("2");
    }
  });

  it("the kernel answering again clears the banner (e.g. after a dropped websocket)", async () => {
    const { kernel, model, roots } = setup(1);
    const [r] = roots;
    kernel.connectionStatus = "disconnected";
    kernel.connectionStatusChanged.emit("disconnected");
    type(r, 0, 0, "2");
    await nextFrame();
    expect(r.dataset.state).toBe("disconnected");
    expect(banner(r).textContent).toMatch(/will be sent when it reconnects\. 1 edit waiting\.$/);
    kernel.connectionStatusChanged.emit("connected");
    await nextFrame();
    expect(r.dataset.state).toBe("pending");
    expect(banner(r).hidden).toBe(true);
    model.answer();
    await nextFrame();
    expect(r.dataset.state).toBe("ready");
  });

  it("an edit unanswered for 2 s says 'waiting for the kernel…'", async () => {
    vi.useFakeTimers();
    const { model, roots } = setup(1);
    const [r] = roots;
    type(r, 0, 0, "2");
    expect(r.dataset.state).toBe("pending"); // at once, the status text within 100 ms + a frame
    vi.advanceTimersByTime(150);
    expect(r.querySelector(".aw-status")!.textContent).toBe("computing\u2026");
    vi.advanceTimersByTime(2100);
    expect(r.querySelector(".aw-status")!.textContent).toBe("waiting for the kernel\u2026");
    expect(r.dataset.state).toBe("pending");
    expect(banner(r).hidden).toBe(true);
    vi.advanceTimersByTime(8000);
    expect(banner(r).hidden).toBe(false);
    expect(banner(r).textContent).toMatch(/has not answered for more than 10 s/);
    model.answer();
    vi.advanceTimersByTime(100);
    expect(r.dataset.state).toBe("ready");
    expect(r.querySelector(".aw-status")!.textContent).toBe("kernel \u00b7 up to date");
    expect(banner(r).hidden).toBe(true);
  });

  it("a send that throws is reported, not swallowed", async () => {
    const { model, roots } = setup(1);
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    model.failSend = true;
    type(roots[0], 0, 0, "2");
    await nextFrame();
    expect(roots[0].dataset.state).toBe("disconnected");
    expect(banner(roots[0]).textContent).toMatch(/could not send: Cannot send/);
    err.mockRestore();
  });
});
