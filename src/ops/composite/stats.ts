/** @file Statistics over axes: mean, variance, std, logSumExp. */
import { requireFloat } from '../../core/dtype.js';
import { normalizeAxes, reducedShape } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { type Axes, add, div, exp, log, max, mul, reshape, sqrt, sub, sum, where } from '../primitives/index.js';
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

/** Standard deviation: sqrt(variance). */
export function std(x: Tensor, axes?: Axes, opts: VarOptions = {}): Tensor {
  return sqrt(variance(x, axes, opts));
}

/**
 * The max over `axes`, detached and with non-finite values replaced by 0: the shift that makes
 * exp() safe. Detaching is exact because the shift cancels in every function that uses it.
 */
export function stableShift(x: Tensor, axes: Axes | undefined): Tensor {
  const m = max(x, axes, true).detach();
  return where(isFinite(m), m, 0);
}

/** log(sum(exp(x))) over `axes`, stable for large and -Infinity entries (a fully -Inf slice gives -Inf). */
export function logSumExp(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  requireFloat('logSumExp', x.dtype);
  const m = stableShift(x, axes);
  const s = sum(exp(sub(x, m)), axes, true);
  const out = add(log(s), m);
  return keepDims ? out : reshape(out, reducedShape(x.shape, normalizeAxes('logSumExp', axes, x.rank), false));
}
