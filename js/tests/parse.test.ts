import { describe, expect, it } from "vitest";
import { parseNumber } from "../src/core/parse";

describe("parseNumber accepts", () => {
  it.each([
    ["1", 1],
    ["-0.5", -0.5],
    [".5", 0.5],
    ["2.", 2],
    ["1e-3", 0.001],
    ["1E3", 1000],
    ["-2.5e+2", -250],
    ["+2", 2],
    ["−1", -1],
    ["  3.25\t", 3.25],
    ["\u00a0−.5e1 ", -5],
    ["007", 7],
    ["1.7976931348623157e308", 1.7976931348623157e308],
    ["1e-400", 0],
    ["-0", 0],
  ])("%j -> %d", (text, value) => {
    const r = parseNumber(text);
    expect(r).toEqual({ ok: true, value });
    if (r.ok) expect(Object.is(r.value, -0)).toBe(false);
  });
});

describe("parseNumber refuses", () => {
  it.each([
    ["", "a value is required"],
    ["   ", "a value is required"],
    ["abc", "'abc' is not a number"],
    ["1a", "'1a' is not a number"],
    ["0x10", "'0x10' is not a number"],
    ["1e", "'1e' is not a number"],
    ["--1", "'--1' is not a number"],
    [".", "'.' is not a number"],
    ["1/2", "'1/2' is not a number"],
    ["2*3", "'2*3' is not a number"],
    ["NaN", "'NaN' is not a finite number"],
    ["nan", "'nan' is not a finite number"],
    ["Infinity", "'Infinity' is not a finite number"],
    ["-inf", "'-inf' is not a finite number"],
    ["1, 2", "one number per cell"],
    ["[1 2]", "one number per cell"],
    ["1 2", "one number per cell"],
    ["1;2", "one number per cell"],
    ["(1)", "one number per cell"],
    ["1\n2\n3", "one number per cell"],
    ["1, abc", "'1, abc' is not a number"],
    ["1,5", "'1,5' is not a number: use '.' for decimals (one number per cell)"],
    ["1e999", "'1e999' is out of range"],
    ["-1e309", "'-1e309' is out of range"],
    ["a very long piece of text pasted here", "'a very long piece of te…' is not a number"],
  ])("%j: %s", (text, reason) => {
    expect(parseNumber(text)).toEqual({ ok: false, reason });
  });

  it("never evaluates code", () => {
    const g = globalThis as { pwned?: boolean };
    const r = parseNumber("globalThis.pwned=true");
    expect(r.ok).toBe(false);
    expect(g.pwned).toBeUndefined();
  });
});
