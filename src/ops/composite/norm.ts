/**
 * @file Functional normalisations, PyTorch's F.layer_norm and F.rms_norm, as composites of
 * primitives (their gradients come from autograd). nn.LayerNorm / nn.RMSNorm call these, so the
 * module and the function cannot drift apart.
 */
import { requireFloat } from '../../core/dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { badArgument, checkArgCount, checkNumberArg, describe, tensorArg } from '../../core/args.js';
import { add, div, mul, sqrt, sub } from '../primitives/index.js';
import { mean } from './stats.js';
import { layerNormForward } from '../primitives/layer-norm.js';

/** (x - mean) / sqrt(biasedVar + eps) over `axes`, plus the mean and biased variance (kept dims). */
export function standardize(x: Tensor, axes: number[], eps: number): { y: Tensor; mu: Tensor; v: Tensor } {
  const mu = mean(x, axes, { keepDims: true });
  const d = sub(x, mu);
  const v = mean(mul(d, d), axes, { keepDims: true });
  return { y: mul(d, div(1, sqrt(add(v, eps)))), mu, v };
}

/** normalizedShape as an array of positive integers; x must end with it; the trailing axes. */
function normAxes(op: string, x: Tensor, normalizedShape: unknown): { shape: number[]; axes: number[] } {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1)) {
    throw badArgument(`${op}: normalizedShape must be a positive integer or a non-empty array of them, got ${describe(normalizedShape)}`);
  }
  const k = shape.length;
  if (x.rank < k || shape.some((d, i) => x.shape[x.rank - k + i] !== d)) {
    throw new ShapeError(`${op}: input shape ${fmtShape(x.shape)} must end with normalizedShape ${fmtShape(shape)}`);
  }
  return { shape: shape as number[], axes: Array.from({ length: k }, (_, i) => x.rank - k + i) };
}

/** An optional affine parameter: null/undefined, or a tensor of the normalized shape and x's dtype. */
function affineArg(op: string, name: string, t: unknown, shape: number[], x: Tensor): Tensor | null {
  if (t === null || t === undefined) return null;
  const p = tensorArg(op, name, t);
  if (p.rank !== shape.length || p.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${op}: ${name} shape ${fmtShape(p.shape)} must equal normalizedShape ${fmtShape(shape)}`);
  }
  if (p.dtype !== x.dtype) throw new DTypeError(`${op}: ${name} dtype ${p.dtype} differs from input dtype ${x.dtype}`);
  return p;
}

/**
 * Layer normalisation over the trailing `normalizedShape` dims (PyTorch F.layer_norm, same
 * positional order): (x - mean) / sqrt(biased var + eps) * weight + bias.
 * @example layerNorm(x, [4], w, b, 1e-5)
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  checkArgCount('layerNorm', arguments.length, 5, 'layerNorm(x, normalizedShape, weight?, bias?, eps?)');
  tensorArg('layerNorm', 'input', x);
  requireFloat('layerNorm', x.dtype);
  const { shape, axes } = normAxes('layerNorm', x, normalizedShape);
  const w = affineArg('layerNorm', 'weight', weight, shape, x);
  const b = affineArg('layerNorm', 'bias', bias, shape, x);
  if (checkNumberArg('layerNorm', 'eps', eps) < 0) throw badArgument(`layerNorm: eps must be >= 0, got ${eps}`);
  // One fused kernel each way (standardize stays as its oracle, and for rmsNorm's users).
  let y = layerNormForward(x, axes.length, eps);
  if (w) y = mul(y, w);
  if (b) y = add(y, b);
  return y;
}

/**
 * Root-mean-square normalisation over the trailing `normalizedShape` dims (PyTorch F.rms_norm):
 * x / sqrt(mean(x^2) + eps) * weight. `eps` null/omitted is the machine epsilon of x's dtype, as
 * PyTorch. @example rmsNorm(x, [4], w)
 */
export function rmsNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, eps?: number | null): Tensor {
  checkArgCount('rmsNorm', arguments.length, 4, 'rmsNorm(x, normalizedShape, weight?, eps?)');
  tensorArg('rmsNorm', 'input', x);
  requireFloat('rmsNorm', x.dtype);
  const { shape, axes } = normAxes('rmsNorm', x, normalizedShape);
  const w = affineArg('rmsNorm', 'weight', weight, shape, x);
  let e = x.dtype === 'float64' ? 2 ** -52 : 2 ** -23;
  if (eps !== null && eps !== undefined) {
    e = checkNumberArg('rmsNorm', 'eps', eps);
    if (e < 0) throw badArgument(`rmsNorm: eps must be >= 0, got ${eps}`);
  }
  const ms = mean(mul(x, x), axes, { keepDims: true });
  const y = mul(x, div(1, sqrt(add(ms, e))));
  return w ? mul(y, w) : y;
}
