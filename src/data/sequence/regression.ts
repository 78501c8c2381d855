/**
 * @file In-context linear regression: Garg et al., "What Can Transformers Learn In-Context? A Case
 * Study of Simple Function Classes" (2022, https://arxiv.org/abs/2208.01066). Each sample draws
 * w ~ N(0, I_d); the context holds pairs (x_i, w . x_i + noise) and the model predicts w . x_q for a
 * new x_q from the sequence alone.
 *
 * Layout: x float [n, numPoints + 1, dim + 1]; token i < numPoints is [x_i, y_i], the last token
 * [x_q, 0]; y float [n, 1] is w . x_q (noise-free); w [n, dim]. Metric: mean squared error of the
 * prediction read at the last position, compared with `leastSquaresBaseline` (the minimum-norm least
 * squares fit of the context, the optimal estimator when numPoints >= dim and noise is 0).
 */
import { type FloatDType, isDType, isFloat } from '../../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { fromTyped } from '../rows.js';
import { intArg, taskArgs } from './common.js';

export interface InContextRegressionOptions {
  n?: number;
  /** Context pairs per sample (default 10). */
  numPoints?: number;
  /** Input dimension d (default 4). */
  dim?: number;
  /** Std of the noise added to the context targets (default 0). */
  noise?: number;
  /** dtype of x, y and w (default float32). */
  dtype?: FloatDType;
  seed?: number;
}

export interface InContextRegression {
  x: Tensor;
  y: Tensor;
  w: Tensor;
}

/**
 * In-context regression samples (see the file header for the layout).
 * @example const { x, y } = data.inContextRegression({ n: 512, numPoints: 8, dim: 4 });
 */
export function inContextRegression(opts: InContextRegressionOptions = {}): InContextRegression {
  const { n, seed } = taskArgs('inContextRegression', opts, ['numPoints', 'dim', 'noise', 'dtype']);
  const p = intArg('inContextRegression', 'numPoints', opts.numPoints ?? 10, 1);
  const d = intArg('inContextRegression', 'dim', opts.dim ?? 4, 1);
  const noise = opts.noise ?? 0;
  if (typeof noise !== 'number' || !(noise >= 0) || !Number.isFinite(noise)) throw new ValueError(`inContextRegression: noise must be a finite number >= 0, got ${String(noise)}`);
  const dtype = opts.dtype ?? 'float32';
  if (!isDType(dtype) || !isFloat(dtype)) throw new DTypeError(`inContextRegression: dtype must be float32 or float64, got ${String(dtype)}`);
  const g = new Generator(seed);
  const t = p + 1, e = d + 1;
  const x = new Float64Array(n * t * e);
  const y = new Float64Array(n);
  const w = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) w[i * d + k] = g.nextNormal();
    for (let j = 0; j < t; j++) {
      const off = (i * t + j) * e;
      let dot = 0;
      for (let k = 0; k < d; k++) { const v = g.nextNormal(); x[off + k] = v; dot += v * w[i * d + k]!; }
      if (j < p) x[off + d] = dot + noise * g.nextNormal();
      else y[i] = dot;
    }
  }
  return { x: fromTyped(x, [n, t, e], dtype), y: fromTyped(y, [n, 1], dtype), w: fromTyped(w, [n, d], dtype) };
}

/**
 * The least-squares prediction for each sample's query from its own context: w_hat = pinv(X) y
 * (a 1e-10 ridge keeps it defined when numPoints < dim, close to the minimum-norm fit), returned as float [n, 1].
 */
export function leastSquaresBaseline(x: Tensor): Tensor {
  if (x.rank !== 3 || x.shape[1]! < 2 || x.shape[2]! < 2) throw new ShapeError(`leastSquaresBaseline: x must be [n, numPoints + 1, dim + 1] (an inContextRegression x), got ${fmtShape(x.shape)}`);
  const [n, t, e] = x.shape as [number, number, number];
  const d = e - 1, p = t - 1;
  const v = x._peek();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Solve (X^T X + lambda I) w = X^T y by Gaussian elimination (d is small).
    const a = new Float64Array(d * (d + 1));
    for (let j = 0; j < p; j++) {
      const off = (i * t + j) * e;
      for (let r = 0; r < d; r++) {
        for (let c = 0; c < d; c++) a[r * (d + 1) + c] = a[r * (d + 1) + c]! + Number(v[off + r]) * Number(v[off + c]);
        a[r * (d + 1) + d] = a[r * (d + 1) + d]! + Number(v[off + r]) * Number(v[off + d]);
      }
    }
    for (let r = 0; r < d; r++) a[r * (d + 1) + r] = a[r * (d + 1) + r]! + 1e-10;
    const wHat = solve(a, d);
    const q = (i * t + p) * e;
    let s = 0;
    for (let k = 0; k < d; k++) s += wHat[k]! * Number(v[q + k]);
    out[i] = s;
  }
  return fromTyped(out, [n, 1], x.dtype);
}

/** Solves the augmented d x (d + 1) system in place (partial pivoting). */
function solve(a: Float64Array, d: number): Float64Array {
  const w = d + 1;
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r * w + c]!) > Math.abs(a[piv * w + c]!)) piv = r;
    for (let k = 0; k < w; k++) { const tmp = a[c * w + k]!; a[c * w + k] = a[piv * w + k]!; a[piv * w + k] = tmp; }
    for (let r = 0; r < d; r++) {
      if (r === c || a[c * w + c] === 0) continue;
      const f = a[r * w + c]! / a[c * w + c]!;
      for (let k = c; k < w; k++) a[r * w + k] = a[r * w + k]! - f * a[c * w + k]!;
    }
  }
  return Float64Array.from({ length: d }, (_, r) => (a[r * w + r] === 0 ? 0 : a[r * w + d]! / a[r * w + r]!));
}
