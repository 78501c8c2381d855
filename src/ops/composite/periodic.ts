/**
 * @file Periodic activations as composites: SPDER (Shah & Sitawarin 2023,
 * https://arxiv.org/abs/2306.15242), sin(x) * sqrt(|x|), and the Growing Cosine Unit (Noel et al.
 * 2021, https://arxiv.org/abs/2108.12943), x * cos(x). Elementwise: any shape in, same shape out.
 */
import { requireFloat } from '../../core/dtype.js';
import type { Tensor } from '../../core/tensor.js';
import { abs, clamp, cos, mul, sin, sqrt } from '../primitives/index.js';
import { badArgument, checkNumberArg } from '../../core/args.js';
import { unaryArgs } from '../args.js';

/** SPDER's default floor under |x| inside the square root (see `spder`). */
export const SPDER_EPS = 1e-6;

/**
 * sin(x) * sqrt(max(|x|, eps)). The floor keeps the gradient finite at 0: d sqrt(|x|)/dx is
 * infinite there and autograd would give 0 * Inf = NaN, while the true slope of sin(x) sqrt(|x|)
 * tends to 0. Below eps the output differs from the unfloored one by at most |x| sqrt(eps)
 * (1e-9 at the default eps 1e-6, which float32 still resolves), and the slope there is cos(x) sqrt(eps).
 */
export function spder(x: Tensor, eps = SPDER_EPS): Tensor {
  unaryArgs('spder', x, arguments.length, 2, 'spder(x, eps?)');
  checkNumberArg('spder', 'eps', eps);
  if (!(eps > 0)) throw badArgument(`spder: eps must be > 0, got ${eps}`);
  requireFloat('spder', x.dtype);
  return mul(sin(x), sqrt(clamp(abs(x), eps)));
}

/** Growing Cosine Unit x * cos(x): oscillatory, so one neuron can separate XOR (Noel et al. 2021). */
export function gcu(x: Tensor): Tensor {
  unaryArgs('gcu', x, arguments.length);
  requireFloat('gcu', x.dtype);
  return mul(x, cos(x));
}
