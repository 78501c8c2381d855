/** @file Special functions shared by reference kernels and fast backends. */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf to ~1e-16 relative: Taylor series near 0, continued fraction (Lentz) for the tail. */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = ax + an / c;
    if (c === 0) c = 1e-300;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
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
