/**
 * @file Activation functions as composites of primitives. Each is written so that neither branch of
 * a `where` can overflow (the "masked where" trap: an Inf in the unselected branch turns into a NaN
 * gradient), which keeps gradients finite for logits of +-1e4.
 */
import { requireFloat } from '../../core/dtype.js';
import type { Tensor } from '../../core/tensor.js';
import { abs, add, div, eq, erf, exp, gt, le, log1p, maximum, mul, neg, sub, sum, tanh, where } from '../primitives/index.js';
import { stableShift } from './stats.js';
import { normalizeAxes } from '../../core/shape.js';
import { axisArg, checkEnum, checkNumberArg, checkOptions, isPlainObject } from '../../core/args.js';
import { unaryArgs } from '../args.js';

/** max(x, 0); gradient 0 at 0 (PyTorch). */
export function relu(x: Tensor): Tensor {
  unaryArgs('relu', x, arguments.length);
  // `x <= 0 ? 0 : x` rather than `x > 0 ? x : 0`: a NaN must propagate, as in PyTorch.
  return where(le(x, 0), 0, x);
}

/** x for x > 0, slope * x otherwise. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  unaryArgs('leakyRelu', x, arguments.length, 2, 'leakyRelu(x, negativeSlope?)');
  checkNumberArg('leakyRelu', 'negativeSlope', negativeSlope);
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/**
 * 1 / (1 + e^-x), from e^-|x| so no branch overflows. -|x| is built with `where`, not `abs`: abs'(0)
 * is 0, which made sigmoid'(0) come out 0 instead of 0.25.
 */
export function sigmoid(x: Tensor): Tensor {
  unaryArgs('sigmoid', x, arguments.length);
  requireFloat('sigmoid', x.dtype);
  const pos = gt(x, 0);
  const e = exp(where(pos, neg(x), x));
  const onePlus = add(e, 1);
  return where(pos, div(1, onePlus), div(e, onePlus));
}

/** x * sigmoid(x) (a.k.a. swish). */
export function silu(x: Tensor): Tensor {
  unaryArgs('silu', x, arguments.length);
  return mul(x, sigmoid(x));
}

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const GELU_APPROXIMATIONS = ['none', 'tanh'] as const;
export type GeluApproximate = (typeof GELU_APPROXIMATIONS)[number];

/**
 * Gaussian error linear unit. `approximate: 'none'` is x * Phi(x) with the exact erf; `'tanh'` is the
 * Hendrycks-Gimpel tanh approximation (PyTorch's two modes). The mode is a string, or PyTorch's
 * keyword as an options object `{ approximate }`; any other value is a ValueError (a typo such as
 * 'Tanh' used to compute the exact gelu silently).
 * @example gelu(x, 'tanh'); gelu(x, { approximate: 'tanh' })
 */
export function gelu(x: Tensor, approximate: GeluApproximate | { approximate?: GeluApproximate } = 'none'): Tensor {
  unaryArgs('gelu', x, arguments.length, 2, "gelu(x, approximate?: 'none' | 'tanh')");
  const mode = isPlainObject(approximate) ? checkOptions('gelu', approximate, ['approximate']).approximate ?? 'none' : approximate;
  checkEnum('gelu', 'approximate', mode, GELU_APPROXIMATIONS);
  requireFloat('gelu', x.dtype);
  if (mode === 'tanh') {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), SQRT_2_OVER_PI);
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(x, 0.5), add(erf(mul(x, SQRT_HALF)), 1));
}

/**
 * log(1 + e^(beta x)) / beta, linear above `threshold` like PyTorch. Written as
 * max(z, 0) + log1p(e^-|z|) so it never overflows; maximum's tie rule gives the exact 0.5 slope at 0.
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  unaryArgs('softplus', x, arguments.length, 3, 'softplus(x, beta?, threshold?)');
  checkNumberArg('softplus', 'beta', beta);
  checkNumberArg('softplus', 'threshold', threshold, true);
  requireFloat('softplus', x.dtype);
  const z = beta === 1 ? x : mul(x, beta);
  const smooth = add(maximum(z, 0), log1p(exp(mul(abs(z), -1))));
  const y = beta === 1 ? smooth : div(smooth, beta);
  return where(gt(z, threshold), x, y);
}

/**
 * x for x > 0, alpha (e^x - 1) otherwise; exp sees min(x, 0) so it cannot overflow. min(x, 0) is a
 * `where`, not `minimum`, whose tie rule would halve the slope at 0 (elu'(0) = alpha, as PyTorch).
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  unaryArgs('elu', x, arguments.length, 2, 'elu(x, alpha?)');
  checkNumberArg('elu', 'alpha', alpha);
  requireFloat('elu', x.dtype);
  const pos = gt(x, 0);
  return where(pos, x, mul(sub(exp(where(pos, 0, x)), 1), alpha));
}

/**
 * Softmax along `axis`. A slice that is entirely -Infinity (fully masked) gives all zeros, in the
 * forward and the backward pass, rather than NaN (PyTorch's _safe_softmax choice).
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  unaryArgs('softmax', x, arguments.length, 2, 'softmax(x, dim?)');
  axisArg('softmax', axis, x.rank, x.shape);
  const a = normalizeAxes('softmax', axis, x.rank, x.shape);
  requireFloat('softmax', x.dtype);
  const e = exp(sub(x, stableShift(x, a)));
  const s = sum(e, a, { keepDims: true });
  return div(e, where(eq(s, 0), 1, s));
}
