/**
 * @file `NTKMLP`: an MLP in the NTK parametrisation (Jacot et al. 2018, https://arxiv.org/abs/1806.07572;
 * neural-tangents' `stax.Dense(out, W_std, b_std, parameterization='ntk')`), the network whose
 * empirical NTK converges to the analytic kernel of analytic.ts as the width grows.
 *
 * Layer l: z_l = (weightStd / sqrt(fan_in)) h_{l-1} W_l^T + biasStd b_l, with W_l [out, in] and b_l [out]
 * drawn from N(0, 1) (the scale lives in the forward, not in the initialisation); h_l = act(z_l) for
 * the hidden layers, the last layer has no activation.
 * Shapes: x [N, sizes[0]] -> [N, sizes.at(-1)]. State keys: layers.i.weight, layers.i.bias.
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import { randn } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, erf, linear, mul } from '../../ops/primitives/index.js';
import { relu } from '../../ops/composite/index.js';
import { Module, Parameter } from '../../nn/module.js';
import { ModuleList } from '../../nn/container.js';
import { type ModuleConfig, registerModule } from '../../nn/config.js';
import { checkInt, checkNumber } from '../../nn/check.js';
import { frameForwards } from '../../nn/frames.js';

/** Hidden activations with an analytic infinite-width kernel (analytic.ts). */
export const NTK_ACTIVATIONS = ['relu', 'erf'] as const;
export type NTKActivation = (typeof NTK_ACTIVATIONS)[number];

export interface NTKMLPOptions {
  /** Hidden activation (default 'relu'). */
  activation?: NTKActivation;
  /** sigma_w (default 1; sqrt(2) keeps ReLU activations at unit scale). */
  weightStd?: number;
  /** sigma_b (default 0: no bias parameters). */
  biasStd?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/** One NTK-parametrised dense layer: its N(0, 1) parameters and the forward's scales. */
export class NTKLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weightStd: number;
  readonly biasStd: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: Omit<NTKMLPOptions, 'activation'> = {}) {
    super();
    checkOptions('NTKLinear', opts, ['weightStd', 'biasStd', 'dtype', 'generator']);
    this.inFeatures = checkInt('NTKLinear', 'inFeatures', inFeatures, 1);
    this.outFeatures = checkInt('NTKLinear', 'outFeatures', outFeatures, 1);
    this.weightStd = checkNumber('NTKLinear', 'weightStd', opts.weightStd ?? 1, 0);
    this.biasStd = checkNumber('NTKLinear', 'biasStd', opts.biasStd ?? 0, 0);
    const g = { dtype: opts.dtype, generator: opts.generator };
    this.weight = new Parameter(randn([outFeatures, inFeatures], g));
    this.bias = this.biasStd > 0 ? new Parameter(randn([outFeatures], g)) : null;
  }

  /** The factor sigma_w / sqrt(fan_in) the forward applies to x W^T. */
  get weightScale(): number {
    return this.weightStd / Math.sqrt(this.inFeatures);
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new ShapeError(`NTKLinear(${this.inFeatures}, ${this.outFeatures}): input must be [N, ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    }
    const z = mul(linear(x, this.weight, null), this.weightScale);
    return this.bias ? add(z, mul(this.bias, this.biasStd)) : z;
  }

  override getConfig(): ModuleConfig {
    return { type: 'NTKLinear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, weightStd: this.weightStd, biasStd: this.biasStd, dtype: this.weight.dtype };
  }
}

/**
 * An MLP in the NTK parametrisation.
 * @example const net = new analysis.NTKMLP([8, 1024, 1], { activation: 'relu', weightStd: Math.SQRT2 });
 */
export class NTKMLP extends Module {
  readonly sizes: number[];
  readonly activationName: NTKActivation;
  readonly layers: ModuleList;

  constructor(sizes: readonly number[], opts: NTKMLPOptions = {}) {
    super();
    checkOptions('NTKMLP', opts, ['activation', 'weightStd', 'biasStd', 'dtype', 'generator']);
    if (!Array.isArray(sizes) || sizes.length < 2) throw new ValueError(`NTKMLP: sizes needs at least [in, out], got ${JSON.stringify(sizes)}`);
    this.sizes = sizes.map((s, i) => checkInt('NTKMLP', `sizes[${i}]`, s, 1));
    this.activationName = checkEnum('NTKMLP', 'activation', opts.activation ?? 'relu', NTK_ACTIVATIONS);
    const { weightStd, biasStd, dtype, generator } = opts;
    this.layers = new ModuleList(this.sizes.slice(1).map((out, i) => new NTKLinear(this.sizes[i]!, out, { weightStd, biasStd, dtype, generator })));
  }

  /** The hidden activation as a tensor function. */
  act(z: Tensor): Tensor {
    return this.activationName === 'relu' ? relu(z) : erf(z);
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.sizes[0]) throw new ShapeError(`NTKMLP: input must be [N, ${this.sizes[0]}], got ${fmtShape(x.shape)}`);
    let h = x;
    const last = this.layers.length - 1;
    for (let i = 0; i < last; i++) h = this.act(this.layers.at(i).forward(h));
    return this.layers.at(last).forward(h);
  }

  override getConfig(): ModuleConfig {
    const first = this.layers.at(0) as NTKLinear;
    return { type: 'NTKMLP', sizes: [...this.sizes], activation: this.activationName, weightStd: first.weightStd, biasStd: first.biasStd, dtype: first.weight.dtype };
  }
}

registerModule('NTKLinear', (c) => new NTKLinear(c.int('inFeatures'), c.int('outFeatures'), {
  weightStd: c.number('weightStd', 1), biasStd: c.number('biasStd', 0), dtype: c.dtype(),
}));
registerModule('NTKMLP', (c) => new NTKMLP(c.ints('sizes'), {
  activation: c.oneOf('activation', NTK_ACTIVATIONS, 'relu'),
  weightStd: c.number('weightStd', 1), biasStd: c.number('biasStd', 0), dtype: c.dtype(),
}));
// Framed forwards like nn's own modules (nn/frames.ts): a loop over forward leaves no intermediates.
frameForwards([NTKLinear, NTKMLP]);
