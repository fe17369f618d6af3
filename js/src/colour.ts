// Colour scales for the heatmaps, readable with colour-vision deficiencies:
//   sequential: viridis (perceptually uniform, lightness rising; the map attnwidget.figures uses),
//   diverging:  ColorBrewer RdBu reversed (blue < 0 < red, white centre), colour-blind safe.
// Both interpolate linearly in sRGB between evenly spaced control points.

export type RGB = [number, number, number];

/** viridis at t = i / 31 (matplotlib's table, rounded to 0..255). */
const VIRIDIS: readonly RGB[] = [
  [68, 1, 84], [71, 13, 96], [72, 24, 106], [72, 35, 116], [71, 46, 124], [69, 56, 130],
  [66, 65, 134], [62, 74, 137], [58, 84, 140], [54, 93, 141], [50, 101, 142], [46, 109, 142],
  [43, 117, 142], [40, 125, 142], [37, 132, 142], [34, 140, 141], [31, 148, 140], [30, 156, 137],
  [32, 163, 134], [37, 171, 130], [46, 179, 124], [58, 186, 118], [72, 193, 110], [88, 199, 101],
  [108, 205, 90], [127, 211, 78], [147, 215, 65], [168, 219, 52], [192, 223, 37], [213, 226, 26],
  [234, 229, 26], [253, 231, 37],
];

/** ColorBrewer RdBu (11 classes), from blue (t = -1) through #f7f7f7 (t = 0) to red (t = 1). */
const BLUE_WHITE_RED: readonly RGB[] = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];

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
