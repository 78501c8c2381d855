/**
 * @file One stage of a multi-stage network (Wang & Lai 2023, "Multi-stage neural networks:
 * function approximator of machine precision", https://arxiv.org/abs/2307.08934): an MLP whose
 * first layer's pre-activation is multiplied by a scale factor kappa,
 *   h_1 = act1(kappa · (W_1 x + b_1)),   h_i = act(W_i h_{i-1} + b_i),   y = W_L h_{L-1} + b_L.
 * Stage 1 uses kappa = 1 and tanh; later stages use sin in the first layer with kappa = 2π f_d,
 * f_d the residue's dominant frequency (train/algorithms/multistage.ts picks it), so the stage starts
 * at the residue's frequency instead of having to climb to it against the spectral bias.
 * Weights: Xavier-normal (the paper's choice for tanh nets), biases zero.
 * kappa is a float buffer (`scale`, shape []), set when the stage is trained, saved with the weights.
 * Shapes: x [..., sizes[0]] -> [..., sizes.at(-1)].
 */
import { checkOptions } from '../../core/args.js';
import { zeros } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { linear, mul, sin, tanh } from '../../ops/primitives/index.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkTrailing, paramDType, show } from '../check.js';
import { ModuleList } from '../container.js';
import * as init from '../init.js';
import { Linear } from '../linear.js';
import { Module } from '../module.js';

export const STAGE_ACTIVATIONS = ['tanh', 'sin'] as const;
export type StageActivation = (typeof STAGE_ACTIVATIONS)[number];

export interface ScaledMLPOptions {
  /** Activation of the first hidden layer (default 'tanh'; later stages use 'sin'). */
  firstActivation?: StageActivation;
  /** Initial kappa (default 1). */
  scale?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/** @example new nn.ScaledMLP([1, 20, 20, 20, 1], { firstActivation: 'sin', scale: 12.5 }) */
export class ScaledMLP extends Module {
  readonly sizes: number[];
  readonly firstActivation: StageActivation;
  readonly layers: ModuleList;

  constructor(sizes: readonly number[], opts: ScaledMLPOptions = {}) {
    super();
    checkOptions('ScaledMLP', opts, ['firstActivation', 'scale', 'dtype', 'generator']);
    if (!Array.isArray(sizes) || sizes.length < 3) throw new ValueError(`ScaledMLP: sizes must be [in, hidden..., out] with at least one hidden layer, got ${show(sizes)}`);
    sizes.forEach((s, i) => checkInt('ScaledMLP', `sizes[${i}]`, s, 1));
    const act = opts.firstActivation ?? 'tanh';
    if (!STAGE_ACTIVATIONS.includes(act)) throw new ValueError(`ScaledMLP: firstActivation must be one of ${STAGE_ACTIVATIONS.join(', ')}, got ${show(act)}`);
    const scale = opts.scale ?? 1;
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) throw new ValueError(`ScaledMLP: scale must be a finite number > 0, got ${show(scale)}`);
    const dtype = paramDType('ScaledMLP', opts.dtype);
    this.sizes = [...sizes];
    this.firstActivation = act;
    const layers: Linear[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const l = new Linear(sizes[i]!, sizes[i + 1]!, { dtype });
      init.xavierNormal(l.weight, { generator: opts.generator });
      init.zeros(l.bias!);
      layers.push(l);
    }
    this.layers = new ModuleList(layers);
    this.registerBuffer('scale', init.constant(zeros([], { dtype }), scale));
  }

  /** The current kappa. */
  get kappa(): number {
    return this.getBuffer('scale')!.item();
  }

  /** Sets kappa (in place, so optimizers and saved references stay valid). */
  setKappa(k: number): void {
    if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0) throw new ValueError(`ScaledMLP.setKappa: kappa must be a finite number > 0, got ${show(k)}`);
    this.getBuffer('scale')!.mutate((v) => { v[0] = k; });
  }

  forward(x: Tensor): Tensor {
    const where = `ScaledMLP([${this.sizes.join(', ')}])`;
    checkTrailing(where, x, [this.sizes[0]!]);
    const first = this.layers.at(0) as Linear;
    checkInputDType(where, x, first.weight.dtype as FloatDType);
    const pre = mul(first.forward(x), this.getBuffer('scale')!);
    let h = this.firstActivation === 'sin' ? sin(pre) : tanh(pre);
    const last = this.layers.length - 1;
    for (let i = 1; i < last; i++) {
      const l = this.layers.at(i) as Linear;
      h = linear(h, l.weight, l.bias, 'tanh');
    }
    return this.layers.at(last).forward(h);
  }

  override getConfig(): ModuleConfig {
    return { type: 'ScaledMLP', sizes: [...this.sizes], firstActivation: this.firstActivation, dtype: (this.layers.at(0) as Linear).weight.dtype };
  }
}

registerModule('ScaledMLP', (c) => new ScaledMLP(c.ints('sizes'), {
  firstActivation: c.oneOf('firstActivation', STAGE_ACTIVATIONS, 'tanh'),
  dtype: c.dtype(),
}));
