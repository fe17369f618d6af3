// @vitest-environment jsdom
// The heatmap's colour scale (issue 14, item 7): fixed 0 to 1 by default, or 0 to the largest
// weight; the switch and the legend say which is on; cells keep their full-precision values.
import { afterEach, describe, expect, it } from "vitest";
import { matrix } from "../src/core/matrix";
import { scaleLegend, scaleTop } from "../src/ui/views/scale";
import { mountLocal, stubCanvas, unmountAll } from "./helpers/mount";
import { sinMatrix, widgetState } from "./helpers/states";

stubCanvas();
afterEach(unmountAll);

describe("scaleTop and scaleLegend", () => {
  it("fixed: 1 whatever the weights; max: the largest weight (1 when there is none)", () => {
    expect(scaleTop("fixed", 0.19)).toBe(1);
    expect(scaleTop("max", 0.19)).toBe(0.19);
    expect(scaleTop("max", 0)).toBe(1);
    expect(scaleTop("max", NaN)).toBe(1);
  });

  it("the legend names the scale and ticks 0, middle, top", () => {
    expect(scaleLegend("fixed", 0.53)).toEqual({ label: "weight, fixed scale", ticks: ["0", "0.5", "1"] });
    expect(scaleLegend("max", 0.53)).toEqual({ label: "weight, scaled to max", ticks: ["0", "0.265", "0.53"] });
  });
});

describe("the colour-scale switch", () => {
  it("starts on the fixed scale, switches to max and back, and the legend follows", () => {
    const { root } = mountLocal(widgetState(sinMatrix(3, 2, 1), matrix(3, 2, [1, 0, 0, 1, -1, 1])));
    const sw = root.querySelector('[data-role="colour-scale"]') as HTMLElement;
    const button = (m: string) => sw.querySelector(`button[data-scale="${m}"]`) as HTMLButtonElement;
    const label = () => root.querySelector(".aw-heatmap .aw-legend-label")!.textContent;
    const ticks = () => [...root.querySelectorAll(".aw-heatmap .aw-legend-ticks span")].map((t) => t.textContent);
    expect(sw.dataset.scale).toBe("fixed");
    expect(button("fixed").getAttribute("aria-pressed")).toBe("true");
    expect(label()).toBe("weight, fixed scale");
    expect(ticks()).toEqual(["0", "0.5", "1"]);
    const values = [...root.querySelectorAll('table[data-view="weights"] td[data-value]')].map((td) => td.getAttribute("data-value"));
    button("max").click();
    expect(sw.dataset.scale).toBe("max");
    expect(button("max").getAttribute("aria-pressed")).toBe("true");
    expect(button("fixed").getAttribute("aria-pressed")).toBe("false");
    expect(label()).toBe("weight, scaled to max");
    expect(Number(ticks()[2])).toBeLessThan(1);
    // full precision, whatever the colours
    const after = [...root.querySelectorAll('table[data-view="weights"] td[data-value]')].map((td) => td.getAttribute("data-value"));
    expect(after).toEqual(values);
    expect(values.some((v) => v!.length > 8)).toBe(true);
    button("fixed").click();
    expect(sw.dataset.scale).toBe("fixed");
    expect(ticks()).toEqual(["0", "0.5", "1"]);
  });
});
