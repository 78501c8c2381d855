/**
 * @file f32x4 versions of exp, log and tanh (Cephes single-precision polynomials, about 1-2 ulp
 * away from the correctly rounded result), with IEEE special values handled explicitly.
 * The tolerance they are tested against: docs/reliability.md "Tolerances", the float32 transcendentals row.
 */

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so that n·LN2_HI is exact for |n| <= 2^9 (Cody-Waite reduction).
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

@inline
function poly(x: v128, c: f32): v128 {
  return f32x4.add(x, f32x4.splat(c));
}

/** 2^n for integer lanes n in [-150, 128], as a product of two in-range powers (no overflow of the exponent field). */
@inline
function pow2i(n: v128, y: v128): v128 {
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/** e^x. Overflows to +Inf past ~88.72, underflows to 0 below ~-103.9; NaN stays NaN. */
@inline
export function vexp(x0: v128): v128 {
  // Clamp first (keeps n in the range pow2i handles). pmin/pmax are one instruction each and
  // return their first operand when either is NaN, so a NaN flows on into the result.
  const x = f32x4.pmax(f32x4.pmin(x0, f32x4.splat(89)), f32x4.splat(-104));
  // n = round(x·log2 e) by the 1.5·2^23 trick: adding it leaves n in the low mantissa bits.
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(12582912));
  const n = i32x4.sub(t, i32x4.splat(0x4b400000));
  const fn = f32x4.sub(t, f32x4.splat(12582912));
  let r = f32x4.sub(x, f32x4.mul(fn, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fn, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = poly(f32x4.mul(p, r), 1.3981999507e-3);
  p = poly(f32x4.mul(p, r), 8.3334519073e-3);
  p = poly(f32x4.mul(p, r), 4.1665795894e-2);
  p = poly(f32x4.mul(p, r), 1.6666665459e-1);
  p = poly(f32x4.mul(p, r), 5.0000001201e-1);
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  return pow2i(n, y);
}

/** Natural log. log(±0) = -Inf, log(x<0) = NaN, log(+Inf) = +Inf, NaN stays NaN; subnormals handled. */
@inline
export function vlog(x0: v128): v128 {
  // Subnormals: scale by 2^23 (exact) and correct the exponent.
  const tiny = f32x4.lt(x0, f32x4.splat(1.17549435e-38));
  const x = v128.bitselect(f32x4.mul(x0, f32x4.splat(8388608)), x0, tiny);
  const eAdj = v128.and(tiny, i32x4.splat(23));
  // frexp: x = m·2^e with m in [0.5, 1).
  let e = i32x4.sub(i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126)), eAdj);
  let m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  // Re-centre to m in [sqrt(1/2), sqrt(2)) - 1 for the polynomial.
  const lo = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  e = i32x4.add(e, lo); // lo lanes are -1: e -= 1
  m = f32x4.sub(f32x4.add(m, v128.and(lo, m)), f32x4.splat(1));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let p = f32x4.splat(7.0376836292e-2);
  p = poly(f32x4.mul(p, m), -1.1514610310e-1);
  p = poly(f32x4.mul(p, m), 1.1676998740e-1);
  p = poly(f32x4.mul(p, m), -1.2420140846e-1);
  p = poly(f32x4.mul(p, m), 1.4249322787e-1);
  p = poly(f32x4.mul(p, m), -1.6668057665e-1);
  p = poly(f32x4.mul(p, m), 2.0000714765e-1);
  p = poly(f32x4.mul(p, m), -2.4999993993e-1);
  p = poly(f32x4.mul(p, m), 3.3333331174e-1);
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(fe, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(f32x4.add(m, y), f32x4.mul(fe, f32x4.splat(LN2_HI)));
  // Special values, last so they win: +Inf, 0 -> -Inf, negative -> NaN, NaN -> NaN.
  r = v128.bitselect(x0, r, f32x4.eq(x0, f32x4.splat(Infinity)));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x0, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(NaN), r, f32x4.lt(x0, f32x4.splat(0)));
  return v128.bitselect(x0, r, f32x4.ne(x0, x0));
}

/** tanh: odd polynomial below |x| = 0.625 (keeps relative accuracy near 0), 1 - 2/(e^{2|x|}+1) above. */
@inline
export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = poly(f32x4.mul(p, z), 2.06390887954e-2);
  p = poly(f32x4.mul(p, z), -5.37397155531e-2);
  p = poly(f32x4.mul(p, z), 1.33314422036e-1);
  p = poly(f32x4.mul(p, z), -3.33332819422e-1);
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(x, z), p));
  const t = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(t, f32x4.splat(1))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}
