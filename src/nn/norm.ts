/**
 * @file Normalisation layers: LayerNorm, RMSNorm and BatchNorm1d (PyTorch semantics: biased variance
 * to normalise, unbiased variance for BatchNorm's running estimate).
 */
import { checkOptions } from '../core/args.js';
import { full, ones, zeros, scalar } from '../core/create.js';
import type { FloatDType } from '../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../core/errors.js';
import { noGrad } from '../core/grad-mode.js';
import type { Tensor } from '../core/tensor.js';
import { add, mul, reshape, sub } from '../ops/primitives/index.js';
import { rsqrt } from '../ops/composite/index.js';
import { layerNorm, rmsNorm, standardize } from '../ops/composite/norm.js';
import { Module, Parameter } from './module.js';
import { type ModuleConfig, registerModule } from './config.js';
import { checkInputDType, checkInt, checkNumber, checkTrailing, paramDType } from './check.js';

function shapeArg(where: string, s: number | readonly number[]): number[] {
  const arr = typeof s === 'number' ? [s] : [...s];
  if (arr.length === 0) throw new ValueError(`${where}: normalizedShape must have at least one dim`);
  arr.forEach((d, i) => checkInt(where, `normalizedShape[${i}]`, d, 1));
  return arr;
}

export interface LayerNormOptions {
  eps?: number;
  /** Learn a per-element scale (init 1) and shift (init 0); default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, learn the shift too (default true). */
  bias?: boolean;
  dtype?: FloatDType;
}

/**
 * Layer normalisation (Ba et al. 2016, https://arxiv.org/abs/1607.06450): each sample is normalised
 * over its trailing `normalizedShape` dims, then scaled and shifted elementwise.
 * Shapes: x [..., *normalizedShape] -> same; weight, bias: normalizedShape.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    checkOptions('LayerNorm', opts, ['eps', 'elementwiseAffine', 'bias', 'dtype']);
    this.normalizedShape = shapeArg('LayerNorm', normalizedShape);
    this.eps = checkNumber('LayerNorm', 'eps', opts.eps ?? 1e-5, 0);
    const dtype = paramDType('LayerNorm', opts.dtype);
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = affine && opts.bias !== false ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    const where = `LayerNorm(${fmtShape(this.normalizedShape)})`;
    checkTrailing(where, x, this.normalizedShape);
    if (this.weight) checkInputDType(where, x, this.weight.dtype as FloatDType);
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'LayerNorm', normalizedShape: [...this.normalizedShape], eps: this.eps,
      elementwiseAffine: this.weight !== null, bias: this.bias !== null, ...(this.weight ? { dtype: this.weight.dtype } : {}),
    };
  }
}

/**
 * Root-mean-square normalisation (Zhang & Sennrich 2019, https://arxiv.org/abs/1910.07467):
 * x / sqrt(mean(x^2) + eps) * weight over the trailing `normalizedShape` dims; no centring, no shift.
 * `eps` null (default) means the machine epsilon of the input dtype, as PyTorch's nn.RMSNorm.
 * Shapes: x [..., *normalizedShape] -> same; weight: normalizedShape.
 */
export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: { eps?: number | null; elementwiseAffine?: boolean; dtype?: FloatDType } = {}) {
    super();
    checkOptions('RMSNorm', opts, ['eps', 'elementwiseAffine', 'dtype']);
    this.normalizedShape = shapeArg('RMSNorm', normalizedShape);
    this.eps = opts.eps == null ? null : checkNumber('RMSNorm', 'eps', opts.eps, 0);
    const dtype = paramDType('RMSNorm', opts.dtype);
    this.weight = opts.elementwiseAffine === false ? null : new Parameter(ones(this.normalizedShape, { dtype }));
  }

  forward(x: Tensor): Tensor {
    const where = `RMSNorm(${fmtShape(this.normalizedShape)})`;
    checkTrailing(where, x, this.normalizedShape);
    if (this.weight) checkInputDType(where, x, this.weight.dtype as FloatDType);
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'RMSNorm', normalizedShape: [...this.normalizedShape], eps: this.eps,
      elementwiseAffine: this.weight !== null, ...(this.weight ? { dtype: this.weight.dtype } : {}),
    };
  }
}

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running averages; null = cumulative average over all batches. */
  momentum?: number | null;
  /** Learn a per-feature scale (init 1) and shift (init 0); default true. */
  affine?: boolean;
  /** Keep running mean/variance for eval mode; without them eval also uses batch statistics. */
  trackRunningStats?: boolean;
  dtype?: FloatDType;
}

/**
 * Batch normalisation over a mini-batch (Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167).
 * Training: normalise with the batch mean and biased variance per feature, and update the running
 * mean and UNBIASED variance: r = (1 - m) r + m batchStat. Eval: normalise with the running stats.
 * Shapes: x [N, C] or [N, C, L] -> same; weight, bias, running stats: [C].
 * Buffer keys use PyTorch's names (running_mean, running_var, num_batches_tracked) so state dicts
 * map one to one onto a torch.nn.BatchNorm1d.
 */
export class BatchNorm1d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    checkOptions('BatchNorm1d', opts, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype']);
    const where = 'BatchNorm1d';
    this.numFeatures = checkInt(where, 'numFeatures', numFeatures, 1);
    this.eps = checkNumber(where, 'eps', opts.eps ?? 1e-5, 0);
    this.momentum = opts.momentum === null ? null : checkNumber(where, 'momentum', opts.momentum ?? 0.1, 0, 1);
    const dtype = paramDType(where, opts.dtype);
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (opts.trackRunningStats ?? true) {
      this.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
      this.registerBuffer('running_var', full([numFeatures], 1, { dtype }));
      this.registerBuffer('num_batches_tracked', scalar(0, { dtype: 'int32' }));
    }
  }

  get runningMean(): Tensor | null {
    return this.getBuffer('running_mean') ?? null;
  }

  get runningVar(): Tensor | null {
    return this.getBuffer('running_var') ?? null;
  }

  /** Batches seen in training (int32 scalar), or null without running stats. */
  get numBatchesTracked(): Tensor | null {
    return this.getBuffer('num_batches_tracked') ?? null;
  }

  get trackRunningStats(): boolean {
    return this.runningMean !== null;
  }

  forward(x: Tensor): Tensor {
    const C = this.numFeatures;
    const where = `BatchNorm1d(${C})`;
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[1] !== C) {
      throw new ShapeError(`${where}: input must be [N, ${C}] or [N, ${C}, L], got ${fmtShape(x.shape)}`);
    }
    const dtype = (this.weight ?? this.runningMean)?.dtype as FloatDType | undefined;
    if (dtype) checkInputDType(where, x, dtype);
    const axes = x.rank === 2 ? [0] : [0, 2];
    const statShape = x.rank === 2 ? [1, C] : [1, C, 1];
    const rm = this.runningMean;
    const rv = this.runningVar;
    let y: Tensor;
    if (this.training || !rm || !rv) {
      const n = x.size / C;
      if (n <= 1) throw new ValueError(`${where}: need more than 1 value per feature to compute batch statistics, got input ${fmtShape(x.shape)}`);
      const s = standardize(x, axes, this.eps);
      y = s.y;
      if (this.training && rm && rv) this.updateRunningStats(rm, rv, s.mu, s.v, n);
    } else {
      y = mul(sub(x, reshape(rm, statShape)), rsqrt(add(reshape(rv, statShape), this.eps)));
    }
    if (this.weight) y = mul(y, reshape(this.weight, statShape));
    if (this.bias) y = add(y, reshape(this.bias, statShape));
    return y;
  }

  /** In place, outside autograd: r = (1 - f) r + f stat, with f = momentum or 1 / batches seen. */
  private updateRunningStats(rm: Tensor, rv: Tensor, mu: Tensor, biasedVar: Tensor, n: number): void {
    const count = this.numBatchesTracked!;
    noGrad(() => {
      count.mutate((v) => { v[0] = v[0]! + 1; });
      const f = this.momentum ?? 1 / count.values[0]!;
      const m = mu.values;
      const s = biasedVar.values;
      const unbias = n / (n - 1);
      rm.mutate((v) => { for (let i = 0; i < v.length; i++) v[i] = (1 - f) * v[i]! + f * m[i]!; });
      rv.mutate((v) => { for (let i = 0; i < v.length; i++) v[i] = (1 - f) * v[i]! + f * s[i]! * unbias; });
    });
  }

  override getConfig(): ModuleConfig {
    const dtype = (this.weight ?? this.runningMean)?.dtype;
    return {
      type: 'BatchNorm1d', numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum,
      affine: this.weight !== null, trackRunningStats: this.trackRunningStats, ...(dtype ? { dtype } : {}),
    };
  }
}

registerModule('LayerNorm', (c) => new LayerNorm(c.ints('normalizedShape'), {
  eps: c.number('eps', 1e-5), elementwiseAffine: c.bool('elementwiseAffine', true), bias: c.bool('bias', true), dtype: c.dtype(),
}));
registerModule('RMSNorm', (c) => new RMSNorm(c.ints('normalizedShape'), {
  eps: c.numberOrNull('eps', null), elementwiseAffine: c.bool('elementwiseAffine', true), dtype: c.dtype(),
}));
registerModule('BatchNorm1d', (c) => new BatchNorm1d(c.int('numFeatures'), {
  eps: c.number('eps', 1e-5), momentum: c.numberOrNull('momentum', 0.1), affine: c.bool('affine', true),
  trackRunningStats: c.bool('trackRunningStats', true), dtype: c.dtype(),
}));
