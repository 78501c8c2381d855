/**
 * @file Power-law fit of the tail of an empirical spectral density, as WeightWatcher does through the
 * `powerlaw` package (Clauset, Shalizi & Newman 2009, "Power-law distributions in empirical data",
 * https://arxiv.org/abs/0706.1062): for each candidate xmin (every distinct eigenvalue but the
 * largest) the continuous maximum-likelihood exponent of the tail λ >= xmin is
 *   alpha = 1 + n / Σ log(λ_i / xmin),
 * and its Kolmogorov-Smirnov distance D = max |S(λ) - P(λ)| between the tail's empirical CDF
 * (S = 0, 1/n, ..., (n-1)/n at the sorted points, the package's convention) and the fitted
 * P(λ) = 1 - (λ/xmin)^(1-alpha); the xmin of the smallest D wins (the first on a tie).
 * O(k²) for k eigenvalues, fine for layer widths in the thousands.
 */
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { checkArgCount } from '../../core/args.js';
import { Tensor } from '../../core/tensor.js';

export interface PowerLawFit {
  /** The tail exponent alpha of p(λ) ∝ λ^-alpha. */
  alpha: number;
  /** The chosen lower bound of the tail. */
  xmin: number;
  /** KS distance of the fit on the tail. */
  D: number;
  /** Eigenvalues in the tail (>= xmin). */
  n: number;
  /** Standard error of alpha, (alpha - 1) / sqrt(n) (Clauset et al. eq. 3.2). */
  sigma: number;
}

/** Alpha and D for the tail sorted[start..] (ascending), xmin = sorted[start]. */
export function tailFit(sorted: Float64Array, start: number): { alpha: number; D: number; n: number } {
  const xmin = sorted[start]!;
  const n = sorted.length - start;
  let logs = 0;
  for (let i = start; i < sorted.length; i++) logs += Math.log(sorted[i]! / xmin);
  const alpha = 1 + n / logs;
  let D = 0;
  for (let i = 0; i < n; i++) {
    const p = 1 - (sorted[start + i]! / xmin) ** (1 - alpha);
    D = Math.max(D, Math.abs(i / n - p));
  }
  return { alpha, D, n };
}

/**
 * Fits the power-law tail of the positive values (any order; a 1-D Tensor or an array, e.g. a
 * spectrum's eigenvalues), choosing xmin by the KS distance. Non-positive values are left out; needs
 * at least 3 positive values, not all equal.
 * @example const { alpha, xmin } = analysis.fitPowerLaw(analysis.esd(layer.weight));
 */
export function fitPowerLaw(values: Tensor | readonly number[], ...rest: unknown[]): PowerLawFit {
  checkArgCount('fitPowerLaw', 1 + rest.length, 1, 'fitPowerLaw(values)');
  let v: ArrayLike<number>;
  if (values instanceof Tensor) {
    if (values.rank !== 1 || (values.dtype !== 'float32' && values.dtype !== 'float64')) throw new ShapeError(`fitPowerLaw: values must be a 1-D float Tensor, got ${values.dtype} ${fmtShape(values.shape)}`);
    v = values._peek() as Float32Array | Float64Array;
  } else if (Array.isArray(values) && values.every((x) => typeof x === 'number')) {
    v = values;
  } else {
    throw new ValueError(`fitPowerLaw: values must be a 1-D Tensor or an array of numbers, got ${values === null ? 'null' : typeof values}`);
  }
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) throw new ValueError(`fitPowerLaw: values[${i}] is not finite (${v[i]})`);
  return fitPowerLawArray(v, 'fitPowerLaw');
}

/** @internal fitPowerLaw on host numbers, `where` naming the caller in errors. */
export function fitPowerLawArray(values: ArrayLike<number>, where: string): PowerLawFit {
  const v = Float64Array.from(values).filter((x) => x > 0).sort();
  if (v.length < 3) throw new ValueError(`${where}: a power-law fit needs at least 3 positive eigenvalues, got ${v.length}`, 'TOO_FEW_VALUES');
  let best: PowerLawFit | null = null;
  for (let s = 0; s < v.length - 1; s++) {
    if (s > 0 && v[s] === v[s - 1]) continue; // distinct candidates only
    if (v[s] === v[v.length - 1]) break; // the largest value cannot be a tail's lower bound
    const f = tailFit(v, s);
    if (!Number.isFinite(f.alpha)) continue;
    if (!best || f.D < best.D) best = { alpha: f.alpha, xmin: v[s]!, D: f.D, n: f.n, sigma: (f.alpha - 1) / Math.sqrt(f.n) };
  }
  if (!best) throw new ValueError(`${where}: all positive eigenvalues are equal (${v[0]}); there is no tail to fit`, 'TOO_FEW_VALUES');
  return best;
}
