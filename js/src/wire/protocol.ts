// The widgets' protocol, written once in attnwidget/wire/protocol.json: the Python package
// reads the same file (attnwidget/wire/protocol.py), and esbuild bundles it here.
import source from "../../../attnwidget/wire/protocol.json";

export interface TraitSpec {
  /** "view": a view's edit may set it; "kernel": only the kernel does. */
  set_by: "view" | "kernel";
  /** What crosses, in words (documentation: the bundle leaves it out, see build-options.mjs). */
  wire?: string;
  /** false: an exported page does not carry it. */
  page?: boolean;
}

export type ResultName = "scores" | "weights" | "output";

export const ATTENTION_TRAITS: Readonly<Record<string, TraitSpec>> = source.attention.traits as Record<string, TraitSpec>;
export const HEADS_TRAITS: Readonly<Record<string, TraitSpec>> = source.heads.traits as Record<string, TraitSpec>;
/** The traits the results depend on. */
export const INPUTS: readonly string[] = source.attention.inputs;
/** What the kernel computes from them. */
export const RESULTS = source.attention.results as readonly ResultName[];
/** A view's edit of a few queries is answered with their rows only (see how-it-works.md). */
export const ROW_PATCH: Readonly<{
  /** The trait the kernel's patches cross in. */
  trait: string;
  edits: string[];
  alongside: string[];
  max_rows_fraction: number;
  /** The trait a view's edit of a few queries crosses in: {rows, Q: those rows}. */
  up: string;
}> = source.attention.row_patch;
export const LIMITS: Readonly<{ max_pairs: number; max_values: number; max_weights: number }> = source.limits;
/** A view's edit of a few keys or values: up as their rows, answered with what changed (how-it-works.md). */
export const KEY_PATCH: Readonly<{
  /** The trait the kernel's answer crosses in: {keys, scores?: their columns, K?, V?: their rows}. */
  trait: string;
  edits: string[];
  alongside: string[];
  max_rows_fraction: number;
  /** The trait a view's edit of a few keys or values crosses in: {rows, K?, V?}. */
  up: string;
}> = source.attention.key_patch;
