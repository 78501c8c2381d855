/**
 * @file f32x4 versions of exp, log and tanh (Cephes single-precision polynomials, about 1-2 ulp
 * away from the correctly rounded result), and erf, GELU and GELU's derivative (fits of our own,
 * see verf), with IEEE special values handled explicitly.
 * The tolerance they are tested against: docs/reliability.md "Tolerances", the float32 transcendentals row.
 */

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so that n·LN2_HI is exact for |n| <= 2^9 (Cody-Waite reduction).
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

/**
 * One Horner step p·x + c. The relaxed-SIMD build fuses it (one rounding instead of two, and half
 * the instructions of these polynomial-bound functions); both builds meet the tolerances
 * (test/wasm.test.ts and test/wasm-gelu.test.ts run each).
 */
@inline
function poly(p: v128, x: v128, c: f32): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(p, x, f32x4.splat(c));
  return f32x4.add(f32x4.mul(p, x), f32x4.splat(c));
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

/**
 * 2^k·e^(x0 + lo) for |lo| well below 1: as vexp, with lo added to the reduced argument (no rounding
 * of x0 + lo); k = 24 keeps a result that would be subnormal at full precision (x0 <= 0 only).
 */
@inline
function vexpPlus(x0: v128, lo: v128, k: i32): v128 {
  const x = f32x4.pmax(f32x4.pmin(x0, f32x4.splat(89)), f32x4.splat(-104));
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(12582912));
  const n = i32x4.sub(t, i32x4.splat(0x4b400000));
  const fn = f32x4.sub(t, f32x4.splat(12582912));
  let r = f32x4.sub(x, f32x4.mul(fn, f32x4.splat(LN2_HI)));
  r = f32x4.add(f32x4.sub(r, f32x4.mul(fn, f32x4.splat(LN2_LO))), lo);
  let p = f32x4.splat(1.9875691500e-4);
  p = poly(p, r, 1.3981999507e-3);
  p = poly(p, r, 8.3334519073e-3);
  p = poly(p, r, 4.1665795894e-2);
  p = poly(p, r, 1.6666665459e-1);
  p = poly(p, r, 5.0000001201e-1);
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  return pow2i(k == 0 ? n : i32x4.add(n, i32x4.splat(k)), y);
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
  p = poly(p, r, 1.3981999507e-3);
  p = poly(p, r, 8.3334519073e-3);
  p = poly(p, r, 4.1665795894e-2);
  p = poly(p, r, 1.6666665459e-1);
  p = poly(p, r, 5.0000001201e-1);
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
  p = poly(p, m, -1.1514610310e-1);
  p = poly(p, m, 1.1676998740e-1);
  p = poly(p, m, -1.2420140846e-1);
  p = poly(p, m, 1.4249322787e-1);
  p = poly(p, m, -1.6668057665e-1);
  p = poly(p, m, 2.0000714765e-1);
  p = poly(p, m, -2.4999993993e-1);
  p = poly(p, m, 3.3333331174e-1);
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
  p = poly(p, z, 2.06390887954e-2);
  p = poly(p, z, -5.37397155531e-2);
  p = poly(p, z, 1.33314422036e-1);
  p = poly(p, z, -3.33332819422e-1);
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(x, z), p));
  const t = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(t, f32x4.splat(1))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

// ---- erf, GELU, GELU' ----------------------------------------------------------------------
// GELU(z) = z Φ(z). For z < 0, Φ(z) = erfc(|z|/√2)/2 is small and 1 + erf(z/√2) would cancel, so
// the tail is computed as e^{-z²/2} times a smooth factor. Two things keep it within 4 ulp of the
// float64 result (3 ulp measured on every 7th float32 in [-15, -1] and every 5th in [1e-6, 6]):
// - e^{-z²/2} from z itself (not from a rounded z/√2): z cut to 12 significant bits squares exactly,
//   the rest of z² goes into the reduced argument of exp (vexpPlus). A rounded z² would put an
//   error of z²·2^-24 into the exponent, ~20 ulp of the result at z = -9.
// - the factors are fitted as functions of a = |z| (no rounding of a/√2), and GELU's own tail is a
//   polynomial for a·Φ(-a)·e^{a²/2} rather than z times Φ (one rounding less).
// Coefficients: scripts/fit-gelu.py (weighted least-squares fits, iteratively reweighted towards
// minimax on the relative error, against mpmath), rounded to float32; fit errors <= 6e-9 relative (u = 6e-8).
// Pieces, a = |z|: [0, 0.75): Φ(z) = 1/2 + z·A(a²); [0.75, 3): Φ(-a) = e^{-a²/2}·B(a - 1.875),
// a·Φ(-a) = e^{-a²/2}·G(a - 1.875); [3, 20]: a·Φ(-a) = e^{-a²/2}·C(1/a²); past 20, Φ(-a) = 0.

const PHI_A1: f32 = 0.75;
const PHI_A2: f32 = 3.0;
const PHI_BC: f32 = 1.875;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

/** 2^k·e^{-c·a²} (c = 1, or 1/2 when `half`) for a >= 0, with a² carried exactly as hi + lo. */
@inline
function vexpNegSq(a: v128, half: bool, k: i32): v128 {
  const ah = v128.and(a, i32x4.splat(0xfffff000));
  const al = f32x4.sub(a, ah);
  let hi = f32x4.neg(f32x4.mul(ah, ah));
  let lo = f32x4.neg(f32x4.mul(al, f32x4.add(a, ah)));
  if (half) {
    hi = f32x4.mul(hi, f32x4.splat(0.5));
    lo = f32x4.mul(lo, f32x4.splat(0.5));
  }
  return vexpPlus(hi, lo, k);
}

/** (1/2)·erf(a/√2)/a = A(a²) on [0, 0.75). */
@inline
function phiA(u: v128): v128 {
  let p = f32x4.splat(0.0001029429113259539);
  p = poly(p, u, -0.0011812880402430892);
  p = poly(p, u, 0.009972350671887398);
  p = poly(p, u, -0.0664902925491333);
  return poly(p, u, 0.3989422917366028);
}

/** Φ(-a)·e^{a²/2} = B(t), t = a - 1.875, a in [0.75, 3). */
@inline
function phiB(t: v128): v128 {
  let p = f32x4.splat(7.481827992705803e-7);
  p = poly(p, t, -3.360431264809449e-6);
  p = poly(p, t, 1.1641973287623841e-5);
  p = poly(p, t, -4.654016811400652e-5);
  p = poly(p, t, 0.0001825268700486049);
  p = poly(p, t, -0.0006734138005413115);
  p = poly(p, t, 0.0023569511249661446);
  p = poly(p, t, -0.007784244138747454);
  p = poly(p, t, 0.02402338758111);
  p = poly(p, t, -0.06839686632156372);
  return poly(p, t, 0.17629088461399078);
}

/** a·Φ(-a)·e^{a²/2} = G(t), t = a - 1.875, a in [0.75, 3). */
@inline
function geluB(t: v128): v128 {
  let p = f32x4.splat(-2.0533341285045026e-6);
  p = poly(p, t, 7.949932296469342e-6);
  p = poly(p, t, -2.440900971123483e-5);
  p = poly(p, t, 9.19548692763783e-5);
  p = poly(p, t, -0.0003315101785119623);
  p = poly(p, t, 0.0010961377993226051);
  p = poly(p, t, -0.0033648102544248104);
  p = poly(p, t, 0.009427512064576149);
  p = poly(p, t, -0.023353038355708122);
  p = poly(p, t, 0.04804679751396179);
  return poly(p, t, 0.33054542541503906);
}

/** a·Φ(-a)·e^{a²/2} = C(w), w = 1/a², a >= 3 (tends to 1/√(2π) as a grows). */
@inline
function phiC(w: v128): v128 {
  let p = f32x4.splat(9025.9599609375);
  p = poly(p, w, -5346.302734375);
  p = poly(p, w, 1464.6380615234375);
  p = poly(p, w, -261.7273864746094);
  p = poly(p, w, 38.49506759643555);
  p = poly(p, w, -5.923166275024414);
  p = poly(p, w, 1.1962528228759766);
  p = poly(p, w, -0.39894014596939087);
  return poly(p, w, 0.3989422917366028);
}

/** Φ(-a) for a >= 0.75 given e = e^{-a²/2} (0 past a = 20, where it underflows anyway). */
@inline
function phiTail(a: v128, e: v128): v128 {
  const r = f32x4.div(f32x4.splat(1), a);
  const tb = f32x4.mul(e, phiB(f32x4.sub(a, f32x4.splat(PHI_BC))));
  const tc = f32x4.mul(f32x4.mul(e, phiC(f32x4.mul(r, r))), r);
  const t = v128.bitselect(tc, tb, f32x4.ge(a, f32x4.splat(PHI_A2)));
  return v128.andnot(t, f32x4.gt(a, f32x4.splat(20)));
}

/** erf(x), <= 4 ulp (2 measured); erf(±Inf) = ±1, erf(-0) = -0, NaN stays NaN. */
@inline
export function verf(x: v128): v128 {
  const ax = f32x4.abs(x);
  const x2 = f32x4.mul(x, x);
  // erf(x)/x = E(x²) below x = 0.75/√2
  let p = f32x4.splat(0.004658664111047983);
  p = poly(p, x2, -0.02672949619591236);
  p = poly(p, x2, 0.11282426118850708);
  p = poly(p, x2, -0.37612590193748474);
  p = poly(p, x2, 1.1283791065216064);
  const small = f32x4.mul(x, p);
  // erf(x) = 1 - 2Φ(-x√2) above; a rounded x√2 is harmless there (the result is near 1).
  const a = f32x4.mul(ax, f32x4.splat(1.4142135623730951));
  const tail = phiTail(a, vexpNegSq(ax, false, 0));
  let e = f32x4.sub(f32x4.splat(1), f32x4.add(tail, tail));
  e = v128.bitselect(f32x4.splat(1), e, f32x4.gt(ax, f32x4.splat(10))); // ±Inf: the tail is NaN
  e = v128.or(e, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, e, f32x4.lt(a, f32x4.splat(PHI_A1)));
}

/**
 * Φ(z) of a < 0.75 lanes, as 1/2 + z·A(z²) (the sign of z carried by the product).
 */
@inline
function phiSmall(z: v128): v128 {
  return f32x4.add(f32x4.splat(0.5), f32x4.mul(z, phiA(f32x4.mul(z, z))));
}

/**
 * GELU(z) = z·Φ(z), <= 4 ulp of the float64 value (3 measured) including the negative tail;
 * GELU(-Inf) = NaN (as z·(1 + erf)), GELU(+Inf) = +Inf. Past |z| = 0.75 both signs come from one
 * tail value T = a·Φ(-a): GELU(z) = -T for z < 0 and z - T for z > 0 (as Φ(z) = 1 - Φ(-z)).
 */
@inline
export function vgelu(z: v128): v128 {
  const a = f32x4.abs(z);
  const e = vexpNegSq(a, true, 0);
  const gb = f32x4.mul(e, geluB(f32x4.sub(a, f32x4.splat(PHI_BC))));
  const gc = f32x4.mul(e, phiC(f32x4.div(f32x4.splat(1), f32x4.mul(a, a))));
  const far = f32x4.gt(a, f32x4.splat(20));
  const t = v128.andnot(v128.bitselect(gc, gb, f32x4.ge(a, f32x4.splat(PHI_A2))), far);
  const neg = f32x4.lt(z, f32x4.splat(0));
  // z < -20: z·0 (-0, or NaN at -Inf as the reference)
  const nt = v128.bitselect(f32x4.mul(z, f32x4.splat(0)), f32x4.neg(t), far);
  const big = v128.bitselect(nt, f32x4.sub(z, t), neg);
  return v128.bitselect(f32x4.mul(z, phiSmall(z)), big, f32x4.lt(a, f32x4.splat(PHI_A1)));
}

/** GELU'(z) = Φ(z) + z·φ(z) (φ the standard normal density); NaN at ±Inf (z·φ = ∞·0, as the reference). */
@inline
export function vgeluGrad(z: v128): v128 {
  const a = f32x4.abs(z);
  // e^{-z²/2}·2^24: still normal where e^{-z²/2} is subnormal (|z| > 13.2), so z·φ rounds once, at the end
  const es = v128.andnot(vexpNegSq(a, true, 24), f32x4.gt(a, f32x4.splat(20)));
  const e = f32x4.mul(es, f32x4.splat(5.9604644775390625e-8));
  const t = phiTail(a, e);
  let cdf = v128.bitselect(t, f32x4.sub(f32x4.splat(1), t), f32x4.lt(z, f32x4.splat(0)));
  cdf = v128.bitselect(phiSmall(z), cdf, f32x4.lt(a, f32x4.splat(PHI_A1)));
  const zpdf = f32x4.mul(f32x4.mul(f32x4.mul(z, f32x4.splat(INV_SQRT_2PI)), es), f32x4.splat(5.9604644775390625e-8));
  return f32x4.add(cdf, zpdf);
}
