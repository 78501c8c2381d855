/** @file Special functions shared by reference kernels and fast backends. */

// erf from the rational approximations of FreeBSD msun's s_erf.c (Sun fdlibm; error < 1 ulp),
// Horner forms written out so V8 keeps everything in registers. They replace a Taylor series /
// continued fraction that took up to ~100 terms per value: erf sits under every GELU (forward and
// backward), so its cost was most of a GELU network's training step.

/** erf to about 1 ulp (erf(+-inf) = +-1, erf(NaN) = NaN, erf(-0) = -0). */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    // x + x * P(x^2) / Q(x^2); below 2^-28 the series' first term suffices
    if (ax < 3.7252902984e-9) return x + 1.28379167095512586316e-01 * x;
    const z = x * x;
    return x + x * (1.28379167095512558561e-01 + z * (-3.25042107247001499370e-01 + z * (-2.84817495755985104766e-02 + z * (-5.77027029648944159157e-03 + z * (-2.37630166566501626084e-05))))) / (1 + z * (3.97917223959155352819e-01 + z * (6.50222499887672944485e-02 + z * (5.08130628187576562776e-03 + z * (1.32494738004321644526e-04 + z * (-3.96022827877536812320e-06))))));
  }
  // erx + P(x - 1) / Q(x - 1) below 1.25, erx = (float)erf(1); 1 - erfc(x) above; 1 past 6
  const r = ax < 1.25 ? 8.45062911510467529297e-01 + erfMid(ax - 1) : ax >= 6 ? 1 : 1 - erfcPositive(ax);
  return x < 0 ? -r : r;
}

/** fdlibm's P(s)/Q(s) for erf and erfc on [0.84375, 1.25), s = x - 1. */
function erfMid(s: number): number {
  return (-2.36211856075265944077e-03 + s * (4.14856118683748331666e-01 + s * (-3.72207876035701323847e-01 + s * (3.18346619901161753674e-01 + s * (-1.10894694282396677476e-01 + s * (3.54783043256182359371e-02 + s * (-2.16637559486879084300e-03))))))) / (1 + s * (1.06420880400844228286e-01 + s * (5.40397917702171048937e-01 + s * (7.18286544141962662868e-02 + s * (1.26171219808761642112e-01 + s * (1.36370839120290507362e-02 + s * (1.19844998467991074170e-02)))))));
}

/**
 * erfc(x) = 1 - erf(x) to about 1 ulp, without the cancellation of 1 - erf for large x (erfc(27) ~
 * 5e-319 is still resolved): GELU's negative tail, z·Φ(z) = z·erfc(-z/√2)/2, needs it.
 * erfc(+inf) = 0, erfc(-inf) = 2, erfc(NaN) = NaN.
 */
export function erfcScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.84375) return 1 - erfScalar(x);
  return x < 0 ? 2 - erfcPositive(ax) : erfcPositive(ax);
}

/** erfc(ax) for ax >= 0.84375 (fdlibm's erfc branches). */
function erfcPositive(ax: number): number {
  if (ax < 1.25) {
    // (1 - erx) - P(x - 1) / Q(x - 1), as fdlibm's erfc
    return (1 - 8.45062911510467529297e-01) - erfMid(ax - 1);
  }
  if (ax >= 28) return 0;
  // erfc(x) = exp(-x^2 - 0.5625 + R(1/x^2) / S(1/x^2)) / x on [1.25, 1/0.35) and [1/0.35, 6)
  const s = 1 / (ax * ax);
  const ratio = ax < 1 / 0.35
    ? (-9.86494403484714822705e-03 + s * (-6.93858572707181764372e-01 + s * (-1.05586262253232909814e+01 + s * (-6.23753324503260060396e+01 + s * (-1.62396669462573470355e+02 + s * (-1.84605092906711035994e+02 + s * (-8.12874355063065934246e+01 + s * (-9.81432934416914548592e+00)))))))) / (1 + s * (1.96512716674392571292e+01 + s * (1.37657754143519042600e+02 + s * (4.34565877475229228821e+02 + s * (6.45387271733267880336e+02 + s * (4.29008140027567833386e+02 + s * (1.08635005541779435134e+02 + s * (6.57024977031928170135e+00 + s * (-6.04244152148580987438e-02)))))))))
    : (-9.86494292470009928597e-03 + s * (-7.99283237680523006574e-01 + s * (-1.77579549177547519889e+01 + s * (-1.60636384855821916062e+02 + s * (-6.37566443368389627722e+02 + s * (-1.02509513161107724954e+03 + s * (-4.83519191608651397019e+02))))))) / (1 + s * (3.03380607434824582924e+01 + s * (3.25792512996573918826e+02 + s * (1.53672958608443695994e+03 + s * (3.19985821950859553908e+03 + s * (2.55305040643316442583e+03 + s * (4.74528541206955367215e+02 + s * (-2.24409524465858183362e+01))))))));
  // exp(-x^2) as exp(-z^2) exp((z - x)(z + x)) with z = x cut to 26 bits, so z^2 is exact:
  // fdlibm's guard against the rounding error of x^2, which exp would magnify.
  const c = 134217729 * ax;
  const z = c - (c - ax);
  return (Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + ratio)) / ax;
}

/**
 * Every B-spline basis function of order k at v on one knot vector (t[g] .. t[g+K-1]), by the full
 * Cox-de Boor table: order 0 indicators (t_j <= v < t_{j+1}), then raised in place; b[j] = B_{j,k}(v)
 * for j < K - k - 1. The float64 reference of the splineBasis primitive, and the js/wasm kernel's
 * path for intervals near the ends of the knot vector.
 */
export function bsplineTable(t: ArrayLike<number>, g: number, K: number, k: number, v: number, b: Float64Array): void {
  for (let j = 0; j < K - 1; j++) b[j] = v >= t[g + j]! && v < t[g + j + 1]! ? 1 : 0;
  for (let d = 1; d <= k; d++) {
    for (let j = 0; j < K - 1 - d; j++) {
      const left = (v - t[g + j]!) / (t[g + j + d]! - t[g + j]!);
      const right = (t[g + j + d + 1]! - v) / (t[g + j + d + 1]! - t[g + j + 1]!);
      b[j] = left * b[j]! + right * b[j + 1]!;
    }
  }
}

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * GELU(z) = z·Φ(z) (the exact, erf form). Negative z take Φ(z) = erfc(-z/√2)/2: the usual
 * z/2·(1 + erf(z/√2)) cancels there (0 instead of -1.3e-16 at z = -9), which a float32 GELU computed
 * carefully would then be compared against.
 */
export function geluScalar(z: number): number {
  return z >= 0 ? z * 0.5 * (erfScalar(z * SQRT_HALF) + 1) : z * 0.5 * erfcScalar(-z * SQRT_HALF);
}

/** GELU'(z) = Φ(z) + z·φ(z), φ the standard normal density (NaN at ±Infinity: ∞·0, as the composite). */
export function geluGradScalar(z: number): number {
  const cdf = z >= 0 ? 0.5 * (erfScalar(z * SQRT_HALF) + 1) : 0.5 * erfcScalar(-z * SQRT_HALF);
  return cdf + z * (Math.exp(-0.5 * z * z) * INV_SQRT_2PI);
}
