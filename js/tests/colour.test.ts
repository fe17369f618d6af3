import { describe, expect, it } from "vitest";
import { css, diverging, luminance, sequential, textColourOn, type RGB } from "../src/core/colour";

/** CIE L* (0..100) from WCAG relative luminance. */
function lightness(c: RGB): number {
  const Y = luminance(c);
  return Y > 216 / 24389 ? 116 * Math.cbrt(Y) - 16 : (24389 / 27) * Y;
}

/** Integer channels wobble lightness by a fraction of one L* unit; no more is allowed back. */
const ROUNDING = 0.3;

const samples = (from: number, to: number, n = 1001): number[] =>
  Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));

function contrast(a: RGB, text: "#000" | "#fff"): number {
  const L = luminance(a);
  return text === "#000" ? (L + 0.05) / 0.05 : 1.05 / (L + 0.05);
}

describe("sequential (viridis)", () => {
  it("has viridis endpoints and clamps outside [0, 1]", () => {
    expect(sequential(0)).toEqual([68, 1, 84]);
    expect(sequential(1)).toEqual([253, 231, 37]);
    expect(sequential(-3)).toEqual(sequential(0));
    expect(sequential(7)).toEqual(sequential(1));
    expect(sequential(-Infinity)).toEqual(sequential(0));
    expect(sequential(Infinity)).toEqual(sequential(1));
  });

  it("shows NaN as a neutral grey", () => {
    const [r, g, b] = sequential(NaN);
    expect(r).toBe(g);
    expect(g).toBe(b);
  });

  it("gives integer channels in 0..255", () => {
    for (const t of samples(0, 1, 257)) {
      for (const c of sequential(t)) {
        expect(Number.isInteger(c)).toBe(true);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(255);
      }
    }
  });

  it("rises in lightness monotonically, over a wide range", () => {
    const L = samples(0, 1).map((t) => lightness(sequential(t)));
    for (let i = 1; i < L.length; i++) expect(L[i]).toBeGreaterThanOrEqual(L[i - 1] - ROUNDING);
    const coarse = samples(0, 1, 32).map((t) => lightness(sequential(t)));
    for (let i = 1; i < coarse.length; i++) expect(coarse[i]).toBeGreaterThan(coarse[i - 1]);
    expect(L[L.length - 1] - L[0]).toBeGreaterThan(60);
  });
});

describe("diverging (blue - white - red)", () => {
  it("is white-ish at 0, blue at -1, red at +1, and clamps", () => {
    expect(diverging(0)).toEqual([247, 247, 247]);
    const [r0, , b0] = diverging(-1);
    const [r1, , b1] = diverging(1);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
    expect(diverging(-5)).toEqual(diverging(-1));
    expect(diverging(5)).toEqual(diverging(1));
    const [r, g, b] = diverging(NaN);
    expect([r, g]).toEqual([b, b]);
  });

  it("gets lighter towards 0 from both sides, symmetrically", () => {
    const left = samples(-1, 0).map((t) => lightness(diverging(t)));
    const right = samples(0, 1).map((t) => lightness(diverging(t)));
    for (let i = 1; i < left.length; i++) expect(left[i]).toBeGreaterThanOrEqual(left[i - 1] - ROUNDING);
    for (let i = 1; i < right.length; i++) expect(right[i]).toBeLessThanOrEqual(right[i - 1] + ROUNDING);
    const coarse = samples(-1, 1, 11).map((t) => lightness(diverging(t)));
    for (let i = 1; i <= 5; i++) expect(coarse[i]).toBeGreaterThan(coarse[i - 1]);
    for (let i = 6; i <= 10; i++) expect(coarse[i]).toBeLessThan(coarse[i - 1]);
    for (const t of samples(0, 1, 11)) {
      expect(Math.abs(lightness(diverging(t)) - lightness(diverging(-t)))).toBeLessThan(6);
    }
  });
});

describe("css and textColourOn", () => {
  it("writes rgb()", () => {
    expect(css([1, 22, 255])).toBe("rgb(1, 22, 255)");
  });

  it("picks the readable text colour", () => {
    expect(textColourOn([0, 0, 0])).toBe("#fff");
    expect(textColourOn([255, 255, 255])).toBe("#000");
    expect(textColourOn(sequential(0))).toBe("#fff");
    expect(textColourOn(sequential(1))).toBe("#000");
  });

  it("reaches WCAG AA contrast (4.5) on every colour of both scales", () => {
    for (const c of [...samples(0, 1, 256).map(sequential), ...samples(-1, 1, 256).map(diverging)]) {
      expect(contrast(c, textColourOn(c))).toBeGreaterThanOrEqual(4.5);
    }
  });
});
