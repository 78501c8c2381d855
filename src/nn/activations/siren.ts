/**
 * @file SIREN (Sitzmann et al. 2020, https://arxiv.org/abs/2006.09661): an MLP with periodic
 * activations act(w0 * (W h + b)) and the initialisation that keeps its pre-activations
 * arcsine/normal distributed at every depth. As in the reference implementation (explore_siren):
 *   - first layer: W ~ U(-1/n, 1/n) (n = fan-in), activation sin(firstW0 * (W x + b));
 *   - every later layer, the linear output layer included: W ~ U(-sqrt(6/n)/w0, sqrt(6/n)/w0);
 *   - biases keep nn.Linear's U(-1/sqrt(n), 1/sqrt(n)).
 * `activation: 'spder'` swaps sin for SPDER's sin(z) sqrt(|z|) (Shah & Sitawarin 2023,
 * https://arxiv.org/abs/2306.15242), which builds on the same architecture and initialisation.
 * Shapes: x [..., sizes[0]] -> [..., sizes.at(-1)]. State keys: layers.i.weight / layers.i.bias.
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { mul, sin } from '../../ops/primitives/index.js';
import { spder } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInt, checkPositive } from '../check.js';
import { ModuleList } from '../container.js';
import { Linear } from '../linear.js';
import * as init from '../init.js';

export const SIREN_ACTIVATIONS = ['sine', 'spder'] as const;
export type SIRENActivation = (typeof SIREN_ACTIVATIONS)[number];

export interface SIRENOptions {
  /** omega_0 of the hidden layers (default 30, the paper's). */
  w0?: number;
  /** omega_0 of the first layer (default 30). */
  firstW0?: number;
  /** The last layer is linear (default true; false: it is a sine layer too). */
  outermostLinear?: boolean;
  /** The periodic function (default 'sine'). */
  activation?: SIRENActivation;
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * SIREN initialisation of a Linear in place: the first layer's weight U(-1/n, 1/n), any other's
 * U(-sqrt(6/n)/w0, sqrt(6/n)/w0); the bias is left as nn.Linear drew it.
 */
export function sirenInit(layer: Linear, opts: { first: boolean; w0: number; generator?: Generator }): Linear {
  const n = layer.inFeatures;
  const bound = n === 0 ? 0 : opts.first ? 1 / n : Math.sqrt(6 / n) / opts.w0;
  init.uniform(layer.weight, -bound, bound, { generator: opts.generator });
  return layer;
}

/** @example new nn.SIREN([2, 256, 256, 3], { w0: 30 }) */
export class SIREN extends Module {
  readonly sizes: number[];
  readonly w0: number;
  readonly firstW0: number;
  readonly outermostLinear: boolean;
  readonly activationName: SIRENActivation;
  readonly layers: ModuleList;

  constructor(sizes: readonly number[], opts: SIRENOptions = {}) {
    super();
    checkOptions('SIREN', opts, ['w0', 'firstW0', 'outermostLinear', 'activation', 'bias', 'dtype', 'generator']);
    if (!Array.isArray(sizes) || sizes.length < 2) throw new ValueError(`SIREN: sizes needs at least [in, out], got ${JSON.stringify(sizes)}`);
    this.sizes = sizes.map((s, i) => checkInt('SIREN', `sizes[${i}]`, s, 1));
    this.w0 = checkPositive('SIREN', 'w0', opts.w0 ?? 30);
    this.firstW0 = checkPositive('SIREN', 'firstW0', opts.firstW0 ?? 30);
    this.outermostLinear = checkBool('SIREN', 'outermostLinear', opts.outermostLinear ?? true);
    this.activationName = opts.activation ?? 'sine';
    checkEnum('SIREN', 'activation', this.activationName, SIREN_ACTIVATIONS);
    const bias = checkBool('SIREN', 'bias', opts.bias ?? true);
    const { dtype, generator } = opts;
    this.layers = new ModuleList(this.sizes.slice(1).map((out, i) =>
      sirenInit(new Linear(this.sizes[i]!, out, { bias, dtype, generator }), { first: i === 0, w0: this.w0, generator })));
  }

  forward(x: Tensor): Tensor {
    const n = this.layers.length;
    let h = x;
    for (let i = 0; i < n; i++) {
      h = this.layers.at(i).forward(h);
      if (i === n - 1 && this.outermostLinear) break;
      const z = mul(h, i === 0 ? this.firstW0 : this.w0);
      h = this.activationName === 'sine' ? sin(z) : spder(z);
    }
    return h;
  }

  override getConfig(): ModuleConfig {
    const first = this.layers.at(0) as Linear;
    return {
      type: 'SIREN', sizes: [...this.sizes], w0: this.w0, firstW0: this.firstW0, outermostLinear: this.outermostLinear,
      activation: this.activationName, bias: first.bias !== null, dtype: first.weight.dtype,
    };
  }
}

registerModule('SIREN', (c) => new SIREN(c.ints('sizes'), {
  w0: c.number('w0', 30), firstW0: c.number('firstW0', 30), outermostLinear: c.bool('outermostLinear', true),
  activation: c.oneOf('activation', SIREN_ACTIVATIONS, 'sine'), bias: c.bool('bias', true), dtype: c.dtype(),
}));
