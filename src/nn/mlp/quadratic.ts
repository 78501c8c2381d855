/**
 * @file Quadratic neurons (Fan, Cong & Wang, "A new type of neurons for machine learning", 2018,
 * https://arxiv.org/abs/1704.08362) with the ReLinear training strategy (Fan et al., "On
 * Expressivity and Trainability of Quadratic Networks", 2021, https://arxiv.org/abs/2110.06081).
 *
 * y = (x W_r^T + b_r) * (x W_g^T + b_g) + (x*x) W_b^T + c. ReLinear initialises W_g = 0, b_g = 1,
 * W_b = 0, c = 0 (W_r, b_r as PyTorch's Linear), so the layer starts as the linear layer it
 * contains, and trains the quadratic parameters with a smaller learning rate (ReLinear^sg, "shrink
 * the gradients"): `reLinearParamGroups` returns the two optimizer parameter groups.
 *
 * Shape contract: x [..., in] -> [..., out]; weightR, weightG, weightB [out, in]; biasR, biasG,
 * biasB [out] (biasB is the paper's c). State keys in that order: weightR, biasR, weightG, biasG,
 * weightB, biasB.
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import { empty, full, zeros } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, linear, mul } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkPositive, checkTrailing, paramDType } from '../check.js';
import * as init from '../init.js';

/** 'reLinear': the quadratic terms start at W_g = 0, b_g = 1, W_b = 0, c = 0; 'random': every weight as PyTorch's Linear. */
export const QUADRATIC_INITS = ['reLinear', 'random'] as const;
export type QuadraticInit = (typeof QUADRATIC_INITS)[number];

export interface QuadraticLinearOptions {
  /** Initialisation (default 'reLinear'). */
  init?: QuadraticInit;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * A layer of quadratic neurons: (x W_r^T + b_r) * (x W_g^T + b_g) + (x*x) W_b^T + c.
 * Shapes: x [..., inFeatures] -> [..., outFeatures].
 * @example const q = new nn.QuadraticLinear(2, 1);   // starts as Linear(2, 1)
 */
export class QuadraticLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly init: QuadraticInit;
  weightR: Parameter;
  biasR: Parameter;
  weightG: Parameter;
  biasG: Parameter;
  weightB: Parameter;
  biasB: Parameter;

  constructor(inFeatures: number, outFeatures: number, opts: QuadraticLinearOptions = {}) {
    super();
    checkOptions('QuadraticLinear', opts, ['init', 'dtype', 'generator']);
    this.inFeatures = checkInt('QuadraticLinear', 'inFeatures', inFeatures, 1);
    this.outFeatures = checkInt('QuadraticLinear', 'outFeatures', outFeatures, 1);
    this.init = checkEnum('QuadraticLinear', 'init', opts.init ?? 'reLinear', QUADRATIC_INITS);
    const dtype = paramDType('QuadraticLinear', opts.dtype);
    const generator = opts.generator;
    const bound = 1 / Math.sqrt(inFeatures);
    // PyTorch's Linear initialisation (kaiming_uniform with a = sqrt(5), bias U(-1/sqrt(in), 1/sqrt(in))).
    const weight = (): Parameter => new Parameter(init.kaimingUniform(empty([outFeatures, inFeatures], { dtype }), { a: Math.sqrt(5), generator }));
    const bias = (): Parameter => new Parameter(init.uniform(empty([outFeatures], { dtype }), -bound, bound, { generator }));
    const random = this.init === 'random';
    this.weightR = weight();
    this.biasR = bias();
    this.weightG = random ? weight() : new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.biasG = random ? bias() : new Parameter(full([outFeatures], 1, { dtype }));
    this.weightB = random ? weight() : new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.biasB = random ? bias() : new Parameter(zeros([outFeatures], { dtype }));
  }

  /** The parameters of the quadratic terms (W_g, b_g, W_b, c): the ones ReLinear trains slowly. */
  quadraticParameters(): Parameter[] {
    return [this.weightG, this.biasG, this.weightB, this.biasB];
  }

  forward(x: Tensor): Tensor {
    const where = `QuadraticLinear(${this.inFeatures}, ${this.outFeatures})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.weightR.dtype as FloatDType);
    const r = linear(x, this.weightR, this.biasR, 'none');
    const g = linear(x, this.weightG, this.biasG, 'none');
    return add(mul(r, g), linear(mul(x, x), this.weightB, this.biasB, 'none'));
  }

  override getConfig(): ModuleConfig {
    return { type: 'QuadraticLinear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, init: this.init, dtype: this.weightR.dtype };
  }
}

/** One optimizer parameter group, in the shape `optim` takes (`{ params, lr }`). */
export interface LrGroup {
  params: Parameter[];
  lr: number;
}

/**
 * ReLinear's parameter groups for any model: every QuadraticLinear's quadratic parameters (W_g,
 * b_g, W_b, c) at `quadraticLr` (default lr / 10), everything else at `lr`. Pass the result to an
 * optimizer: `new optim.Adam(nn.reLinearParamGroups(model, { lr: 1e-2 }))`. Groups with no
 * parameter are left out (an optimizer refuses an empty group list, so a model without any
 * parameter is a ValueError here).
 */
export function reLinearParamGroups(model: Module, opts: { lr: number; quadraticLr?: number }): LrGroup[] {
  checkOptions('reLinearParamGroups', opts, ['lr', 'quadraticLr']);
  if (!(model instanceof Module)) throw new ValueError(`reLinearParamGroups: model must be an nn.Module, got ${typeof model}`);
  const lr = checkPositive('reLinearParamGroups', 'lr', opts?.lr);
  const quadraticLr = checkPositive('reLinearParamGroups', 'quadraticLr', opts.quadraticLr ?? lr / 10);
  const quadratic = new Set<Parameter>();
  for (const m of model.modules()) if (m instanceof QuadraticLinear) for (const p of m.quadraticParameters()) quadratic.add(p);
  const all = model.parameters();
  const groups = [
    { params: all.filter((p) => !quadratic.has(p)), lr },
    { params: all.filter((p) => quadratic.has(p)), lr: quadraticLr },
  ].filter((g) => g.params.length > 0);
  if (groups.length === 0) throw new ValueError('reLinearParamGroups: the model has no parameters');
  return groups;
}

registerModule('QuadraticLinear', (c) => new QuadraticLinear(c.int('inFeatures'), c.int('outFeatures'), {
  init: c.oneOf('init', QUADRATIC_INITS, 'reLinear'), dtype: c.dtype(),
}));
