/**
 * @file Adagrad (Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online Learning and
 * Stochastic Optimization", https://jmlr.org/papers/v12/duchi11a.html) with learning-rate decay,
 * an initial accumulator value and L2 weight decay, as PyTorch's `torch.optim.Adagrad` (dense).
 */
import type { Tensor } from '../core/tensor.js';
import type { TypedArray } from '../core/dtype.js';
import { bool, nonNegative, positive } from './hyper.js';
import { type OptimizerSpec, type ParamGroup, type ParamState, type Params, Optimizer, advanceStep, mutateAll, stateBuffer } from './optimizer.js';

export interface AdagradOptions {
  lr: number;
  /** The step size at step t is lr / (1 + (t-1)·lrDecay). */
  lrDecay: number;
  weightDecay: number;
  /** Starting value of the sum of squared gradients. */
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

export const DEFAULTS: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };

const SPEC: OptimizerSpec<AdagradOptions> = {
  name: 'Adagrad',
  checks: {
    lr: nonNegative('learning rate'),
    lrDecay: nonNegative('lrDecay value'),
    weightDecay: nonNegative('weightDecay value'),
    initialAccumulatorValue: nonNegative('initialAccumulatorValue'),
    eps: positive('epsilon value'),
    maximize: bool('maximize'),
  },
  stateTensors: ['sum'],
  hasStep: true,
};

/**
 * One Adagrad update in place at step `step` (1-based):
 *   g = ±g + wd·p;  clr = lr / (1 + (t-1)·lrDecay);  S += g²;  p -= clr · g / (√S + ε)
 */
export function adagradUpdate(p: TypedArray, g: ArrayLike<number>, sum: TypedArray, h: AdagradOptions, step: number): void {
  const { lr, lrDecay, weightDecay, eps, maximize } = h;
  const clr = lr / (1 + (step - 1) * lrDecay);
  for (let i = 0; i < p.length; i++) {
    let gi = maximize ? -g[i]! : g[i]!;
    if (weightDecay !== 0) gi += weightDecay * p[i]!;
    sum[i] = sum[i]! + gi * gi;
    p[i] = p[i]! - clr * (gi / (Math.sqrt(sum[i]!) + eps));
  }
}

/**
 * @example
 * const opt = new Adagrad(params, { lr: 0.1, initialAccumulatorValue: 0.1 });
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, options, DEFAULTS, SPEC);
  }

  protected override update(p: Tensor, grad: TypedArray, state: ParamState, group: ParamGroup<AdagradOptions>): void {
    const step = advanceStep(state);
    // Created at the first step (PyTorch creates it in the constructor; the values are the same).
    const sum = stateBuffer(state, 'sum', p, group.initialAccumulatorValue);
    mutateAll([p, sum], ([pv, sv]) => adagradUpdate(pv!, grad, sv!, group, step));
  }
}
