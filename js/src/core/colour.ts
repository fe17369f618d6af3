// Colour scales for the heatmaps, readable with colour-vision deficiencies:
//   sequential: viridis (perceptually uniform, lightness rising; the map attnwidget.figures uses),
//   diverging:  ColorBrewer RdBu reversed (blue < 0 < red, white centre), colour-blind safe.
// Both interpolate linearly in sRGB between evenly spaced control points.

export type RGB = [number, number, number];

/** Control points written as hex "rrggbb..." (smaller in the bundle than number arrays). */
const table = (hex: string): RGB[] => hex.match(/.{6}/g)!.map((c) => [0, 2, 4].map((i) => parseInt(c.slice(i, i + 2), 16)) as RGB);

/** viridis at t = i / 31 (matplotlib's table, rounded to 0..255). */
const VIRIDIS: readonly RGB[] = table("440154470d6048186a482374472e7c4538824241863e4a893a548c365d8d32658e2e6d8e2b758e287d8e25848e228c8d1f948c1e9c8920a38625ab822eb37c3aba7648c16e58c7656ccd5a7fd34e93d741a8db34c0df25d5e21aeae51afde725");

/** ColorBrewer RdBu (11 classes), from blue (t = -1) through #f7f7f7 (t = 0) to red (t = 1). */
const BLUE_WHITE_RED: readonly RGB[] = table("0530612166ac4393c392c5ded1e5f0f7f7f7fddbc7f4a582d6604db2182b67001f");

/** Shown for NaN (no value). */
const NO_VALUE: RGB = [128, 128, 128];

/** The colour at s in [0, 1] of evenly spaced control points, interpolated linearly. */
function interpolate(points: readonly RGB[], s: number): RGB {
  const x = Math.min(1, Math.max(0, s)) * (points.length - 1);
  const i = Math.min(points.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [points[i], points[i + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as RGB;
}

/** Sequential colour of t in [0, 1] (clamped): dark purple -> green -> yellow. NaN -> grey. */
export function sequential(t: number): RGB {
  return Number.isNaN(t) ? [...NO_VALUE] : interpolate(VIRIDIS, t);
}

/** Diverging colour of t in [-1, 1] (clamped): blue -> white (0) -> red. NaN -> grey. */
export function diverging(t: number): RGB {
  return Number.isNaN(t) ? [...NO_VALUE] : interpolate(BLUE_WHITE_RED, (t + 1) / 2);
}

/** Tableau 10 without its grey: a categorical colour per key, then golden-angle hues. */
const KEY_COLOURS: readonly RGB[] = table("4e79a7f28e2be1575976b7b259a14fedc949af7aa1ff9da79c755f");

/** The colour of key j (the attention field's regions and the legend). */
export function keyColour(j: number): RGB {
  if (j < KEY_COLOURS.length) return [...KEY_COLOURS[j]] as RGB;
  // hsl(137.5° j, 55%, 50%)
  const h = (j * 137.508) % 360;
  const a = 0.55 * 0.5;
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (0.5 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** CSS text of a colour: "rgb(r, g, b)". */
export function css(c: RGB): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** WCAG 2 relative luminance of an sRGB colour, in [0, 1]. */
export function luminance(c: RGB): number {
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

/** Black or white, whichever has the higher WCAG contrast ratio on c (always >= 4.58). */
export function textColourOn(c: RGB): "#000" | "#fff" {
  const L = luminance(c);
  return (L + 0.05) / 0.05 >= 1.05 / (L + 0.05) ? "#000" : "#fff";
}
