// @vitest-environment jsdom
// Every trait the kernel sets reaches every view: also a trait set to null, and one set back to
// the value it had before a view's edit (issue 14, item 1: `w.mask = None` left the causal
// switch ticked and the masked keys faded).
import { afterEach, describe, expect, it } from "vitest";
import { attention } from "../src/core/engine";
import type { Mask } from "../src/core/matrix";
import { causalMask } from "../src/ui/views/causal";
import { encodeMask, encodeMatrix } from "../src/wire/codec";
import { renderLive, type FakeWidgetModel } from "./helpers/live";
import { nextFrame, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();
afterEach(unmountAll);

const Q = sinMatrix(3, 2, 1);
const K = sinMatrix(3, 2, 2);

/** What the kernel sends for `mask`: the mask and the results that go with it. */
function kernelState(mask: Mask | null): Record<string, unknown> {
  const r = attention({ Q, K, score: "scaled_dot", mask });
  return {
    mask: mask && encodeMask(mask),
    scores: encodeMatrix(r.scores),
    weights: encodeMatrix(r.weights),
    output: encodeMatrix(r.output),
  };
}

/** The kernel sets `mask` from Python (each trait a change of its own, as ipywidgets does). */
function pythonSets(model: FakeWidgetModel, mask: Mask | null): void {
  for (const [name, value] of Object.entries(kernelState(mask))) model.put(name, value);
}

function setup(mask: Mask | null) {
  const { model, roots } = renderLive(
    widgetState(Q, K, { ...kernelState(mask), selected_query: 0, edit_id: 0, result_id: 0, _static: false }),
  );
  return { model, roots };
}

const box = (root: HTMLElement) => root.querySelector('input[data-role="causal-mask"]') as HTMLInputElement;

/** Every view shows `mask` (causal or none): the switch, and the faded (masked) keys. */
function expectShown(roots: HTMLElement[], causal: boolean): void {
  for (const r of roots) {
    expect(box(r).checked).toBe(causal);
    expect(box(r).indeterminate).toBe(false);
    // query 0 sees key 0 only under the causal mask: keys 1 and 2 of each step are faded
    expect(r.querySelectorAll(".is-dim").length).toBe(causal ? 4 : 0);
  }
}

describe("a trait set from Python reaches every view", () => {
  it("the mask set to null: the switch unticks and no key stays faded", async () => {
    const { model, roots } = setup(causalMask(3));
    expectShown(roots, true);
    pythonSets(model, null);
    await nextFrame();
    expectShown(roots, false);
  });

  it("the mask set back to none after a view ticked the switch", async () => {
    const { model, roots } = setup(null);
    box(roots[0]).click();
    expect(model.sent.at(-1)?.mask).not.toBeNull();
    model.answer();
    await nextFrame();
    expectShown(roots, true);
    pythonSets(model, null);
    await nextFrame();
    expectShown(roots, false);
  });

  it("the causal mask set back (an equal, new value) after a view unticked the switch", async () => {
    const { model, roots } = setup(causalMask(3));
    box(roots[1]).click();
    expect(model.sent.at(-1)?.mask).toBeNull();
    model.answer();
    await nextFrame();
    expectShown(roots, false);
    pythonSets(model, causalMask(3));
    await nextFrame();
    expectShown(roots, true);
  });
});
