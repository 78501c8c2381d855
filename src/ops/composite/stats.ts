/**
 * @file Statistics over axes: mean, variance (PyTorch's var), std, logSumExp (logsumexp), all with the
 * reduction convention `op(x, dim?, { keepDims, ... })` of primitives/reduce.ts.
 */
import { requireFloat } from '../../core/dtype.js';
import { scalar } from '../../core/create.js';
import { reducedShape } from '../../core/shape.js';
import { checkNumberArg } from '../../core/args.js';
import type { Tensor } from '../../core/tensor.js';
import { type Axes, type ReduceOptions, add, div, eq, exp, log, max, mul, reshape, sqrt, sub, sum, where } from '../primitives/index.js';
import { reduceArgs } from '../args.js';
import { isFinite } from './math.js';

function countOf(x: Tensor, axes: readonly number[]): number {
  return axes.reduce((p, a) => p * x.shape[a]!, 1);
}

/** Arithmetic mean over `dim` (all when omitted). Float tensors only, as PyTorch. */
export function mean(x: Tensor, axes?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor {
  const a = reduceArgs('mean', x, axes, opts, ['keepDims'], arguments.length);
  requireFloat('mean', a.x.dtype);
  return div(sum(a.x, a.axes, { keepDims: a.keepDims }), countOf(a.x, a.axes));
}

export interface VarOptions extends ReduceOptions {
  /** Subtracted from the count in the denominator: 1 = unbiased (PyTorch's default), 0 = population. */
  correction?: number;
}

const VAR_KEYS = ['correction', 'keepDims'] as const;

function varianceOf(op: string, x: unknown, axes: unknown, opts: unknown, argc: number): Tensor {
  const a = reduceArgs<VarOptions>(op, x, axes, opts, VAR_KEYS, argc);
  requireFloat(op, a.x.dtype);
  const correction = a.opts.correction === undefined ? 1 : checkNumberArg(op, 'correction', a.opts.correction);
  const d = sub(a.x, mean(a.x, a.axes, { keepDims: true }));
  return div(sum(mul(d, d), a.axes, { keepDims: a.keepDims }), Math.max(countOf(a.x, a.axes) - correction, 0));
}

/** Variance over `dim`: sum((x - mean)^2) / (N - correction). @example variance(x, 1, { correction: 0 }) */
export function variance(x: Tensor, axes?: Axes | null | VarOptions, opts?: VarOptions): Tensor {
  return varianceOf('variance', x, axes, opts, arguments.length);
}

/** PyTorch's name for `variance`. */
export function var_(x: Tensor, axes?: Axes | null | VarOptions, opts?: VarOptions): Tensor {
  return varianceOf('var', x, axes, opts, arguments.length);
}

/**
 * Standard deviation: sqrt(variance). Where the variance is exactly 0 (a constant slice) the
 * gradient is 0, as PyTorch's std_backward, instead of sqrt'(0) * 0 = Inf * 0 = NaN.
 */
export function std(x: Tensor, axes?: Axes | null | VarOptions, opts?: VarOptions): Tensor {
  const v = varianceOf('std', x, axes, opts, arguments.length);
  const zero = eq(v, 0);
  return where(zero, 0, sqrt(where(zero, 1, v)));
}

/**
 * The max over `axes`, detached and with non-finite values replaced by 0: the shift that makes
 * exp() safe. Detaching is exact because the shift cancels in every function that uses it.
 * Over a zero-size axis there is nothing to shift (and `max` rejects it), so the shift is 0: softmax of
 * [2, 0] along 1 is an empty [2, 0] and logSumExp of it is [-Inf, -Inf], as PyTorch.
 */
export function stableShift(x: Tensor, axes: readonly number[]): Tensor {
  if (countOf(x, axes) === 0) return scalar(0, { dtype: x.dtype });
  const m = max(x, axes, { keepDims: true }).detach();
  return where(isFinite(m), m, 0);
}

/**
 * log(sum(exp(x))) over `axes`, stable for large and -Infinity entries. A fully -Inf (or empty) slice
 * gives -Inf with a zero gradient, matching softmax's fully-masked choice (the gradient of logSumExp
 * is softmax); a plain log(s) would give Inf * 0 = NaN there (PyTorch does return NaN).
 */
function lse(op: string, x: unknown, axes: unknown, opts: unknown, argc: number): Tensor {
  const a = reduceArgs(op, x, axes, opts, ['keepDims'], argc);
  requireFloat(op, a.x.dtype);
  const m = stableShift(a.x, a.axes);
  const s = sum(exp(sub(a.x, m)), a.axes, { keepDims: true });
  // After shifting by a finite max, s >= 1, so s == 0 only for an all -Inf (or empty) slice.
  const empty = eq(s, 0);
  const out = where(empty, -Infinity, add(log(where(empty, 1, s)), m));
  return a.keepDims ? out : reshape(out, reducedShape(a.x.shape, a.axes, false));
}

/**
 * log(sum(exp(x))) over `dim`, stable for large and -Infinity entries. A fully -Inf (or empty) slice
 * gives -Inf with a zero gradient, matching softmax's fully-masked choice (the gradient of logSumExp
 * is softmax); a plain log(s) would give Inf * 0 = NaN there (PyTorch does return NaN).
 */
export function logSumExp(x: Tensor, axes?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor {
  return lse('logSumExp', x, axes, opts, arguments.length);
}

/** PyTorch's name for `logSumExp`. */
export function logsumexp(x: Tensor, axes?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor {
  return lse('logsumexp', x, axes, opts, arguments.length);
}
