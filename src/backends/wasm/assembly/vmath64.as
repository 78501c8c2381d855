/**
 * @file f64x2 tanh (and the exp it needs): Cephes's double-precision tanh, i.e. for |x| < 0.625
 * the rational x + x·z·P(z)/Q(z) (z = x²), and above it 1 - 2/(e^{2|x|} + 1) with the sign of x;
 * e^y for y in [0, 40] by Cody-Waite reduction to |r| <= ln2/2 and the degree-13 Taylor polynomial
 * (truncation < 5e-18). At most 2 ulp from V8's Math.tanh on a dense sweep of [-25, 25]
 * (test/wasm-f64.test.ts checks 3 ulp); NaN stays NaN, ±Inf gives ±1, -0 stays -0.
 */

const LOG2E: f64 = 1.4426950408889634;
// fdlibm's ln 2 split: n·LN2_HI is exact for the |n| <= 58 used here.
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
/** 1.5·2^52: adding it rounds to an integer held in the low mantissa bits. */
const ROUND: f64 = 6755399441055744.0;

@inline
function poly(p: v128, x: v128, c: f64): v128 {
  return f64x2.add(f64x2.mul(p, x), f64x2.splat(c));
}

/** e^y for lanes y in [0, 40] (callers clamp; NaN lanes give NaN). */
@inline
function expSmall(y: v128): v128 {
  const t = f64x2.add(f64x2.mul(y, f64x2.splat(LOG2E)), f64x2.splat(ROUND));
  const fn = f64x2.sub(t, f64x2.splat(ROUND));
  const n = i64x2.sub(t, i64x2.splat(0x4338000000000000));
  let r = f64x2.sub(y, f64x2.mul(fn, f64x2.splat(LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(fn, f64x2.splat(LN2_LO)));
  // Σ r^k / k!, k <= 13, by Horner.
  let p = f64x2.splat(1.0 / 6227020800.0);
  p = poly(p, r, 1.0 / 479001600.0);
  p = poly(p, r, 1.0 / 39916800.0);
  p = poly(p, r, 1.0 / 3628800.0);
  p = poly(p, r, 1.0 / 362880.0);
  p = poly(p, r, 1.0 / 40320.0);
  p = poly(p, r, 1.0 / 5040.0);
  p = poly(p, r, 1.0 / 720.0);
  p = poly(p, r, 1.0 / 120.0);
  p = poly(p, r, 1.0 / 24.0);
  p = poly(p, r, 1.0 / 6.0);
  p = poly(p, r, 0.5);
  p = poly(p, r, 1.0);
  p = poly(p, r, 1.0);
  const scale = i64x2.shl(i64x2.add(n, i64x2.splat(1023)), 52);
  return f64x2.mul(p, scale);
}

/** tanh on f64x2 lanes. */
@inline
export function vtanh64(x: v128): v128 {
  const ax = f64x2.abs(x);
  // Small: x + x·z·P(z)/Q(z), Cephes tanh.c's coefficients.
  const z = f64x2.mul(x, x);
  let p = f64x2.splat(-9.64399179425052238628e-1);
  p = poly(p, z, -9.92877231001918586564e1);
  p = poly(p, z, -1.61468768441708447952e3);
  let q = f64x2.add(z, f64x2.splat(1.12811678491632931402e2));
  q = poly(q, z, 2.23548839060100448583e3);
  q = poly(q, z, 4.84406305325125486048e3);
  const sign = v128.and(x, i64x2.splat(0x8000000000000000));
  // x + (a term of x's sign and smaller magnitude): the sign bit OR-ed back keeps tanh(-0) = -0.
  const small = v128.or(f64x2.add(x, f64x2.mul(f64x2.mul(x, z), f64x2.div(p, q))), sign);
  // Large: 1 - 2/(e^{2|x|} + 1); past 2|x| = 40 that is 1 to double precision (clamping keeps exp finite).
  const e = expSmall(f64x2.pmin(f64x2.add(ax, ax), f64x2.splat(40)));
  const big = f64x2.sub(f64x2.splat(1), f64x2.div(f64x2.splat(2), f64x2.add(e, f64x2.splat(1))));
  const signed = v128.or(big, sign);
  // NaN compares false in `lt`, so it takes `signed`, where pmin passed it through to a NaN.
  return v128.bitselect(small, signed, f64x2.lt(ax, f64x2.splat(0.625)));
}
