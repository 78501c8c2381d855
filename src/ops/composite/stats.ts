/** @file Statistics over axes: mean, variance, std, logSumExp. */
import { requireFloat } from '../../core/dtype.js';
import { scalar } from '../../core/create.js';
import { normalizeAxes, reducedShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { type Axes, add, div, eq, exp, log, max, mul, reshape, sqrt, sub, sum, where } from '../primitives/index.js';
import { isFinite } from './math.js';

function countOf(x: Tensor, axes: Axes | undefined): number {
  return normalizeAxes('mean', axes, x.rank).reduce((p, a) => p * x.shape[a]!, 1);
}

/** Arithmetic mean over `axes` (all when omitted). Float tensors only, as PyTorch. */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  requireFloat('mean', x.dtype);
  return div(sum(x, axes, keepDims), countOf(x, axes));
}

export interface VarOptions {
  /** Subtracted from the count in the denominator: 1 = unbiased (PyTorch's default), 0 = population. */
  correction?: number;
  keepDims?: boolean;
}

/** Variance over `axes`: sum((x - mean)^2) / (N - correction). */
export function variance(x: Tensor, axes?: Axes, opts: VarOptions = {}): Tensor {
  requireFloat('variance', x.dtype);
  const { correction = 1, keepDims = false } = opts;
  const d = sub(x, mean(x, axes, true));
  return div(sum(mul(d, d), axes, keepDims), Math.max(countOf(x, axes) - correction, 0));
}

/**
 * Standard deviation: sqrt(variance). Where the variance is exactly 0 (a constant slice) the
 * gradient is 0, as PyTorch's std_backward, instead of sqrt'(0) * 0 = Inf * 0 = NaN.
 */
export function std(x: Tensor, axes?: Axes, opts: VarOptions = {}): Tensor {
  const v = variance(x, axes, opts);
  const zero = eq(v, 0);
  return where(zero, 0, sqrt(where(zero, 1, v)));
}

/**
 * The max over `axes`, detached and with non-finite values replaced by 0: the shift that makes
 * exp() safe. Detaching is exact because the shift cancels in every function that uses it.
 * Over a zero-size axis there is nothing to shift (and `max` rejects it), so the shift is 0: softmax of
 * [2, 0] along 1 is an empty [2, 0] and logSumExp of it is [-Inf, -Inf], as PyTorch.
 */
export function stableShift(x: Tensor, axes: Axes | undefined): Tensor {
  if (countOf(x, axes) === 0) return scalar(0, { dtype: x.dtype });
  const m = max(x, axes, true).detach();
  return where(isFinite(m), m, 0);
}

/**
 * log(sum(exp(x))) over `axes`, stable for large and -Infinity entries. A fully -Inf (or empty) slice
 * gives -Inf with a zero gradient, matching softmax's fully-masked choice (the gradient of logSumExp
 * is softmax); a plain log(s) would give Inf * 0 = NaN there (PyTorch does return NaN).
 */
export function logSumExp(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  requireFloat('logSumExp', x.dtype);
  const m = stableShift(x, axes);
  const s = sum(exp(sub(x, m)), axes, true);
  // After shifting by a finite max, s >= 1, so s == 0 only for an all -Inf (or empty) slice.
  const empty = eq(s, 0);
  const out = where(empty, -Infinity, add(log(where(empty, 1, s)), m));
  return keepDims ? out : reshape(out, reducedShape(x.shape, normalizeAxes('logSumExp', axes, x.rank), false));
}
