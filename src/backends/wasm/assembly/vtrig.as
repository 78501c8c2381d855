/**
 * @file f32x4 sin and cos: musl's sinf/cosf (the argument reduction of jdh8/metallic's rem_pio2f and
 * the __sindf/__cosdf polynomials, all in float64) vectorised as f64x2 halves, so each lane gets what
 * musl's scalar sinf/cosf computes for |x| < 2^28·π/2: under 1 ulp of the true value. Lanes beyond
 * (where the reduction needs Payne-Hanek) and ±Inf run the float64 NativeMath.sin/cos (musl sin/cos)
 * on those lanes only, rounded to float32, so every element's result depends on its own value alone.
 * (Not NativeMathf: AssemblyScript 0.28's float32 Payne-Hanek path is off by up to ~1 absolute near
 * 1e30, measured against Math.sin.)
 * The tolerance they are tested against: docs/reliability.md "Tolerances", the float32 transcendentals row.
 */

// π/2 = PIO2_HI + PIO2_LO with PIO2_HI's 25 significant bits: q·PIO2_HI is exact for |q| < 2^28.
const PIO2_HI: f64 = 1.57079631090164184570;
const PIO2_LO: f64 = 1.58932547735281966916e-8;
const INV_PIO2: f64 = 0.63661977236758134308;
/** |x| from which the lane goes to the scalar code (π·2^27, as rempio2f's medium-range bound). */
const MEDIUM_LIMIT: f32 = 421657440.0;

/** sin(y)·(1 + 2^-37.5) for |y| <= π/4 (musl __sindf). */
@inline
function sinKern(y: v128): v128 {
  const z = f64x2.mul(y, y);
  const w = f64x2.mul(z, z);
  const r = f64x2.add(f64x2.splat(-1.98393348360966317347e-4), f64x2.mul(z, f64x2.splat(2.71831149398982190640e-6)));
  const s = f64x2.mul(z, y);
  const p = f64x2.add(f64x2.splat(-1.66666666416265235595e-1), f64x2.mul(z, f64x2.splat(8.33332938588946318e-3)));
  return f64x2.add(f64x2.add(y, f64x2.mul(s, p)), f64x2.mul(f64x2.mul(s, w), r));
}

/** cos(y) within 2^-34.1 for |y| <= π/4 (musl __cosdf). */
@inline
function cosKern(y: v128): v128 {
  const z = f64x2.mul(y, y);
  const w = f64x2.mul(z, z);
  const r = f64x2.add(f64x2.splat(-1.38867637746099294692e-3), f64x2.mul(z, f64x2.splat(2.43904487962774090654e-5)));
  const a = f64x2.add(f64x2.add(f64x2.splat(1), f64x2.mul(z, f64x2.splat(-4.99999997251031003120e-1))), f64x2.mul(w, f64x2.splat(4.16666233237390631894e-2)));
  return f64x2.add(a, f64x2.mul(f64x2.mul(w, z), r));
}

/** The low two f32 lanes of a with the low two of b (the demoted / truncated halves put back together). */
@inline
function joinLow(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
}

/** Pieces of one vector: sin and cos of the reduced arguments and the quadrants q (x = q·π/2 + y). */
// Held in globals: an @inline function returns one value, and these three feed both results.
let gS: v128 = i32x4.splat(0);
let gC: v128 = i32x4.splat(0);
let gQ: v128 = i32x4.splat(0);

@inline
function reduce(x: v128): void {
  const xa = f64x2.promote_low_f32x4(x);
  const xb = f64x2.promote_low_f32x4(i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15));
  const qa = f64x2.nearest(f64x2.mul(xa, f64x2.splat(INV_PIO2)));
  const qb = f64x2.nearest(f64x2.mul(xb, f64x2.splat(INV_PIO2)));
  const ya = f64x2.sub(f64x2.sub(xa, f64x2.mul(qa, f64x2.splat(PIO2_HI))), f64x2.mul(qa, f64x2.splat(PIO2_LO)));
  const yb = f64x2.sub(f64x2.sub(xb, f64x2.mul(qb, f64x2.splat(PIO2_HI))), f64x2.mul(qb, f64x2.splat(PIO2_LO)));
  gS = joinLow(f32x4.demote_f64x2_zero(sinKern(ya)), f32x4.demote_f64x2_zero(sinKern(yb)));
  gC = joinLow(f32x4.demote_f64x2_zero(cosKern(ya)), f32x4.demote_f64x2_zero(cosKern(yb)));
  gQ = joinLow(i32x4.trunc_sat_f64x2_s_zero(qa), i32x4.trunc_sat_f64x2_s_zero(qb));
}

/** [s, c, -s, -c][(q + shift) & 3] per lane: sin for shift 0, cos for shift 1. */
@inline
function quadrant(shift: i32): v128 {
  const n = i32x4.add(gQ, i32x4.splat(shift));
  const swap = i32x4.ne(v128.and(n, i32x4.splat(1)), i32x4.splat(0));
  const sign = i32x4.shl(v128.and(n, i32x4.splat(2)), 30);
  return v128.xor(v128.bitselect(gC, gS, swap), sign);
}

/** Lanes with |x| >= MEDIUM_LIMIT (or ±Inf) recomputed by the scalar float64 sin/cos; NaN stays in the vector path (NaN out). */
@inline
function fixLarge(x: v128, r: v128, cos: bool): v128 {
  if (!v128.any_true(f32x4.ge(f32x4.abs(x), f32x4.splat(MEDIUM_LIMIT)))) return r;
  let out = r;
  const x0 = f32x4.extract_lane(x, 0);
  const x1 = f32x4.extract_lane(x, 1);
  const x2 = f32x4.extract_lane(x, 2);
  const x3 = f32x4.extract_lane(x, 3);
  if (Mathf.abs(x0) >= MEDIUM_LIMIT) out = f32x4.replace_lane(out, 0, <f32>(cos ? NativeMath.cos(<f64>x0) : NativeMath.sin(<f64>x0)));
  if (Mathf.abs(x1) >= MEDIUM_LIMIT) out = f32x4.replace_lane(out, 1, <f32>(cos ? NativeMath.cos(<f64>x1) : NativeMath.sin(<f64>x1)));
  if (Mathf.abs(x2) >= MEDIUM_LIMIT) out = f32x4.replace_lane(out, 2, <f32>(cos ? NativeMath.cos(<f64>x2) : NativeMath.sin(<f64>x2)));
  if (Mathf.abs(x3) >= MEDIUM_LIMIT) out = f32x4.replace_lane(out, 3, <f32>(cos ? NativeMath.cos(<f64>x3) : NativeMath.sin(<f64>x3)));
  return out;
}

/** sin x from the pieces `reduce(x)` left: |x| < 2^-12 rounds to x itself (keeps -0, which the reduction turns into +0). */
@inline
function sinReduced(x: v128): v128 {
  return fixLarge(x, v128.bitselect(x, quadrant(0), f32x4.lt(f32x4.abs(x), f32x4.splat(2.44140625e-4))), false);
}

/** sin x, under 1 ulp of the true value (musl sinf); sin(±0) = ±0, sin(±Inf) = NaN, NaN stays NaN. */
@inline
export function vsin(x: v128): v128 {
  reduce(x);
  return sinReduced(x);
}

/** cos x, under 1 ulp of the true value (musl cosf); cos(±Inf) = NaN, NaN stays NaN. */
@inline
export function vcos(x: v128): v128 {
  reduce(x);
  return fixLarge(x, quadrant(1), true);
}

/** cos x stored at c and sin x at s (one reduction for both; the same values as vcos and vsin). */
@inline
export function vcosSinStore(x: v128, c: usize, s: usize, full: bool): void {
  reduce(x);
  const cv = fixLarge(x, quadrant(1), true);
  const sv = sinReduced(x);
  if (full) {
    v128.store(c, cv);
    v128.store(s, sv);
  } else {
    store<f32>(c, f32x4.extract_lane(cv, 0));
    store<f32>(s, f32x4.extract_lane(sv, 0));
  }
}
