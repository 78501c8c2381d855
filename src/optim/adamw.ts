/**
 * @file AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay
 * Regularization", https://arxiv.org/abs/1711.05101), as PyTorch's `torch.optim.AdamW`: the weights
 * shrink by lr·wd before the Adam step instead of wd·p being added to the gradient.
 */
import type { Tensor } from '../core/tensor.js';
import type { TypedArray } from '../core/dtype.js';
import { type AdamOptions, adamChecks, adamStep, adamStepMany } from './adam.js';
import { type ParamGroup, type ParamState, type Params, type StepItem, Optimizer } from './optimizer.js';

export type AdamWOptions = AdamOptions;

export const DEFAULTS: AdamWOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false };

/**
 * @example
 * const opt = new AdamW(params, { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Optimizer<AdamWOptions> {
  constructor(params: Params<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super(params, options, DEFAULTS, { name: 'AdamW', checks: adamChecks(), stateTensors: ['expAvg', 'expAvgSq', 'maxExpAvgSq'], hasStep: true });
  }

  protected override update(p: Tensor, grad: TypedArray, state: ParamState, group: ParamGroup<AdamWOptions>): void {
    adamStep(p, grad, state, group, true);
  }

  protected override updateMany(items: readonly StepItem<AdamWOptions>[]): void {
    adamStepMany(items, true);
  }
}
