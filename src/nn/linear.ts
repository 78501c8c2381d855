/**
 * @file Affine and lookup layers plus the shape/regularisation helpers that sit between them:
 * Linear, Embedding, Identity, Flatten, Dropout.
 */
import { checkOptions } from '../core/args.js';
import { empty, bernoulli } from '../core/create.js';
import { type FloatDType, requireFloat } from '../core/dtype.js';
import { DTypeError } from '../core/errors.js';
import { noGrad } from '../core/grad-mode.js';
import type { Generator } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { type LinearActivation, indexSelect, linear, mul, reshape } from '../ops/primitives/index.js';
import { flatten } from '../ops/composite/index.js';
import { Module, Parameter } from './module.js';
import { type ModuleConfig, registerModule } from './config.js';
import { checkInputDType, checkInt, checkNumber, checkTrailing, paramDType } from './check.js';
import * as init from './init.js';

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Parameter dtype (default: the default dtype). */
  dtype?: FloatDType;
  /** Generator for the initial weights (default: the default generator). */
  generator?: Generator;
}

/**
 * y = x W^T + b (PyTorch's nn.Linear, same layout so weights load both ways).
 * Shapes: x [..., inFeatures] -> y [..., outFeatures]; weight [outFeatures, inFeatures], bias [outFeatures].
 * Init as PyTorch: weight and bias ~ U(-1/sqrt(inFeatures), 1/sqrt(inFeatures)) (kaiming_uniform with a = sqrt(5)).
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkOptions('Linear', opts, ['bias', 'dtype', 'generator']);
    this.inFeatures = checkInt('Linear', 'inFeatures', inFeatures);
    this.outFeatures = checkInt('Linear', 'outFeatures', outFeatures);
    const dtype = paramDType('Linear', opts.dtype);
    const generator = opts.generator;
    this.weight = new Parameter(init.kaimingUniform(empty([outFeatures, inFeatures], { dtype }), { a: Math.sqrt(5), generator }));
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.bias = opts.bias === false ? null : new Parameter(init.uniform(empty([outFeatures], { dtype }), -bound, bound, { generator }));
  }

  forward(x: Tensor): Tensor {
    return this.forwardWith(x, 'none');
  }

  /** act(x W^T + b) as one fused kernel (GEMM with a bias + activation epilogue); MLP uses it. */
  forwardWith(x: Tensor, activation: LinearActivation): Tensor {
    // The checks' message names the layer: built only when one fails (this runs on every call).
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures || x.dtype !== this.weight.dtype) {
      const where = `Linear(${this.inFeatures}, ${this.outFeatures})`;
      checkTrailing(where, x, [this.inFeatures]);
      checkInputDType(where, x, this.weight.dtype as FloatDType);
    }
    // Leading dims are handled by `linear` itself.
    return linear(x, this.weight, this.bias, activation);
  }

  override getConfig(): ModuleConfig {
    return { type: 'Linear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null, dtype: this.weight.dtype };
  }
}

/**
 * A lookup table: row i of `weight` for each index i (PyTorch's nn.Embedding, init N(0, 1)).
 * Shapes: int32 indices [...] -> [..., embeddingDim]; weight [numEmbeddings, embeddingDim].
 * The gradient of a row used k times is the sum of its k incoming gradients.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: { dtype?: FloatDType; generator?: Generator } = {}) {
    super();
    checkOptions('Embedding', opts, ['dtype', 'generator']);
    this.numEmbeddings = checkInt('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = checkInt('Embedding', 'embeddingDim', embeddingDim);
    const dtype = paramDType('Embedding', opts.dtype);
    this.weight = new Parameter(init.normal(empty([numEmbeddings, embeddingDim], { dtype }), 0, 1, { generator: opts.generator }));
  }

  forward(indices: Tensor): Tensor {
    if (indices.dtype !== 'int32') {
      throw new DTypeError(`Embedding(${this.numEmbeddings}, ${this.embeddingDim}): indices must be int32, got ${indices.dtype}`);
    }
    const rows = indexSelect(this.weight, 0, reshape(indices, [indices.size]));
    return reshape(rows, [...indices.shape, this.embeddingDim]);
  }

  override getConfig(): ModuleConfig {
    return { type: 'Embedding', numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim, dtype: this.weight.dtype };
  }
}

/** Returns its input (a placeholder, e.g. "no norm" in a configurable block). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }

  override getConfig(): ModuleConfig {
    return { type: 'Identity' };
  }
}

/** Merges dims startDim..endDim (PyTorch's nn.Flatten: default keeps the batch dim, [N, ...] -> [N, prod]). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    checkInt('Flatten', 'startDim', startDim, -Infinity);
    checkInt('Flatten', 'endDim', endDim, -Infinity);
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  override getConfig(): ModuleConfig {
    return { type: 'Flatten', startDim: this.startDim, endDim: this.endDim };
  }
}

/**
 * Inverted dropout (Srivastava et al. 2014, https://jmlr.org/papers/v15/srivastava14a.html): in
 * training, zeroes each element with probability p and scales survivors by 1/(1-p) so the expected
 * value is unchanged; in eval mode, the identity. Masks come from the default generator (or
 * `generator`), so `manualSeed` makes them reproducible. Any shape in, same shape out.
 */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator | undefined;

  constructor(p = 0.5, opts: { generator?: Generator } = {}) {
    super();
    checkOptions('Dropout', opts, ['generator']);
    this.p = checkNumber('Dropout', 'p', p, 0, 1);
    this.generator = opts.generator;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    requireFloat('Dropout', x.dtype);
    if (this.p === 1) return mul(x, 0); // every element dropped; 1/(1-p) would be Infinity
    const scale = 1 / (1 - this.p);
    const mask = bernoulli(1 - this.p, x.shape, { dtype: x.dtype, generator: this.generator });
    noGrad(() => mask.mutate((v) => {
      for (let i = 0; i < v.length; i++) v[i] = v[i]! * scale;
    }));
    return mul(x, mask);
  }

  override getConfig(): ModuleConfig {
    return { type: 'Dropout', p: this.p };
  }
}

registerModule('Linear', (c) => new Linear(c.int('inFeatures'), c.int('outFeatures'), { bias: c.bool('bias', true), dtype: c.dtype() }));
registerModule('Embedding', (c) => new Embedding(c.int('numEmbeddings'), c.int('embeddingDim'), { dtype: c.dtype() }));
registerModule('Identity', () => new Identity());
registerModule('Flatten', (c) => new Flatten(c.int('startDim', 1), c.int('endDim', -1)));
registerModule('Dropout', (c) => new Dropout(c.number('p', 0.5)));
