// Parsing one number typed into a cell of the query editor (no eval, no locale guessing).

export type ParseResult = { ok: true; value: number } | { ok: false; reason: string };

/** A decimal or scientific number: "1", "-0.5", ".5", "2.", "1e-3", "+2". */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const NON_FINITE = /^[+-]?(nan|inf|infinity|\u221e)$/i;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;
const BRACKETS = /[[\](){}]/g;
const SEPARATORS = /[\s,;]+/;

/** Several numbers, or a bracketed one: "1, 2", "[1 2]", "(3)". */
function looksLikeList(t: string): boolean {
  const parts = t.replace(BRACKETS, " ").split(SEPARATORS).filter((p) => p !== "");
  const bracketed = t.replace(BRACKETS, "") !== t;
  return parts.length > 0 && (parts.length > 1 || bracketed) && parts.every((p) => NUMBER.test(p) || NON_FINITE.test(p));
}

/** The text as shown in a reason: quoted, cut to 24 characters. */
function quote(text: string): string {
  return `'${text.length > 24 ? text.slice(0, 23) + "…" : text}'`;
}

/**
 * Parse one number. Surrounding whitespace is ignored and a unicode minus (−) counts as "-".
 * Refuses, with a reason for a person: empty text, non-numbers, NaN and infinities, lists
 * ("1, 2", "[1 2]") and values beyond float64 ("1e999"). Values below the smallest float64
 * round to 0, and -0 is returned as 0.
 */
export function parseNumber(text: string): ParseResult {
  const t = String(text ?? "").trim().replace(/\u2212/g, "-");
  if (t === "") return { ok: false, reason: "a value is required" };
  if (NUMBER.test(t)) {
    const value = Number(t);
    if (!Number.isFinite(value)) return { ok: false, reason: `${quote(t)} is out of range` };
    return { ok: true, value: value + 0 };
  }
  if (NON_FINITE.test(t)) return { ok: false, reason: `${quote(t)} is not a finite number` };
  if (DECIMAL_COMMA.test(t)) {
    return { ok: false, reason: `${quote(t)} is not a number: use '.' for decimals (one number per cell)` };
  }
  if (looksLikeList(t)) return { ok: false, reason: "one number per cell" };
  return { ok: false, reason: `${quote(t)} is not a number` };
}
