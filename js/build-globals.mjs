// Short names for the built-ins the widget calls most (build-options.mjs's `define` + `inject`):
// in the minified bundle each `Math.max(` becomes a one- or two-letter call. Only functions that
// do not read `this` (or, like Array.from, take the default when it is undefined) are aliased.
// Destructured, not `= Math.max`: `define` rewrites this file too, and would make that itself.
export const { max: M_max, min: M_min, floor: M_floor, round: M_round, abs: M_abs, ceil: M_ceil, sqrt: M_sqrt } = Math;
export const { isFinite: N_isFinite, isInteger: N_isInteger } = globalThis.Number; // (`Number` is G_Number)
export const { from: A_from, isArray: A_isArray } = Array;
export const { entries: O_entries, keys: O_keys, fromEntries: O_fromEntries } = Object;
export const {
  Float64Array: G_Float64Array,
  Uint8Array: G_Uint8Array,
  Error: G_Error,
  String: G_String,
  Number: G_Number,
  WeakMap: G_WeakMap,
} = globalThis;
