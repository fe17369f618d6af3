// Number and text formatting shared by the views.

/** An editable cell's text: 6 significant digits, no trailing zeros. */
export function cellText(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

/**
 * `v` in at most `max` characters, as precise as they allow: `cellText` when it fits, else
 * fewer significant digits, else exponent notation (an editor input shows this; the full value
 * is in its title and on focus).
 */
export function fitText(v: number, max: number): string {
  const full = cellText(v);
  if (full.length <= max) return full;
  // the most significant digits that fit, in decimal or exponent notation (decimal on a tie)
  let best = "";
  let digits = 0;
  for (let p = 5; p >= 1 && !best; p--) {
    const t = Number(v.toPrecision(p)).toString();
    if (t.length <= max && Number(t) !== 0 && !t.includes("e")) [best, digits] = [t, p];
  }
  for (let p = 4; p + 1 > digits && p >= 0; p--) {
    const t = v.toExponential(p);
    if (t.length <= max) return t;
  }
  return best || v.toExponential(0);
}

/** A short number for bars and ticks. */
export function short(v: number, digits = 3): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

/** The exact-enough number of a tooltip. */
export function precise(v: number): string {
  return v.toPrecision(6);
}

/** `text` cut to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(1, max - 1)).join("") + "\u2026";
}

/** The label of query/key `i` (a fallback when the tokens list is short). */
export function tokenAt(tokens: readonly string[], i: number, prefix: string): string {
  const t = tokens[i];
  return typeof t === "string" ? t : `${prefix}${i}`;
}

/** Parse "rgb(r, g, b)" (what colour.ts's css() writes) into numbers. */
export function parseCssColour(text: string): [number, number, number] {
  const m = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}
