/**
 * @file RMSprop (Hinton, Lecture 6e of "Neural Networks for Machine Learning",
 * https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf), with the centered
 * variant of Graves 2013 ("Generating Sequences With Recurrent Neural Networks",
 * https://arxiv.org/abs/1308.0850), momentum and L2 weight decay, as PyTorch's `torch.optim.RMSprop`.
 */
import type { Tensor } from '../core/tensor.js';
import type { TypedArray } from '../core/dtype.js';
import { bool, nonNegative, positive, unit } from './hyper.js';
import { type OptimizerSpec, type ParamGroup, type ParamState, type Params, Optimizer, advanceStep, mutateAll, stateBuffer } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  /** Smoothing constant of the squared-gradient average, in [0, 1]. */
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Normalise by the estimated variance (E[g²] - E[g]²) instead of E[g²]. */
  centered: boolean;
  maximize: boolean;
}

export const DEFAULTS: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };

const SPEC: OptimizerSpec<RMSpropOptions> = {
  name: 'RMSprop',
  checks: {
    lr: nonNegative('learning rate'),
    alpha: unit('alpha value'),
    eps: positive('epsilon value'),
    weightDecay: nonNegative('weightDecay value'),
    momentum: nonNegative('momentum value'),
    centered: bool('centered'),
    maximize: bool('maximize'),
  },
  stateTensors: ['squareAvg', 'gradAvg', 'momentumBuffer'],
  hasStep: true,
};

export interface RMSpropBuffers {
  squareAvg: TypedArray;
  /** Running mean of g (centered only), else null. */
  gradAvg: TypedArray | null;
  /** Momentum buffer (momentum > 0 only), else null. */
  momentumBuffer: TypedArray | null;
}

/**
 * One RMSprop update in place:
 *   g = ±g + wd·p;  s = α·s + (1-α)·g²;  centered: a = α·a + (1-α)·g, d = √(s - a²) + ε, else d = √s + ε
 *   momentum: b = μ·b + g/d, p -= lr·b;  else p -= lr·g/d
 */
export function rmspropUpdate(p: TypedArray, g: ArrayLike<number>, s: RMSpropBuffers, h: RMSpropOptions): void {
  const { lr, alpha, eps, weightDecay, momentum, maximize } = h;
  const { squareAvg: sq, gradAvg: ga, momentumBuffer: buf } = s;
  for (let i = 0; i < p.length; i++) {
    let gi = maximize ? -g[i]! : g[i]!;
    if (weightDecay !== 0) gi += weightDecay * p[i]!;
    sq[i] = alpha * sq[i]! + (1 - alpha) * gi * gi;
    let avg: number;
    if (ga !== null) {
      ga[i] = alpha * ga[i]! + (1 - alpha) * gi;
      avg = Math.sqrt(sq[i]! - ga[i]! * ga[i]!) + eps;
    } else {
      avg = Math.sqrt(sq[i]!) + eps;
    }
    if (buf !== null) {
      buf[i] = momentum * buf[i]! + gi / avg;
      p[i] = p[i]! - lr * buf[i]!;
    } else {
      p[i] = p[i]! - lr * (gi / avg);
    }
  }
}

/**
 * @example
 * const opt = new RMSprop(params, { lr: 1e-2, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, options, DEFAULTS, SPEC);
  }

  protected override update(p: Tensor, grad: TypedArray, state: ParamState, group: ParamGroup<RMSpropOptions>): void {
    advanceStep(state); // kept for PyTorch parity of the state; the update does not use it
    const sq = stateBuffer(state, 'squareAvg', p);
    const ga = group.centered ? stateBuffer(state, 'gradAvg', p) : null;
    const buf = group.momentum > 0 ? stateBuffer(state, 'momentumBuffer', p) : null;
    const tensors = [p, sq, ...(ga ? [ga] : []), ...(buf ? [buf] : [])];
    mutateAll(tensors, ([pv, sv, ...rest]) => {
      const gav = ga ? rest.shift()! : null;
      const bv = buf ? rest.shift()! : null;
      rmspropUpdate(pv!, grad, { squareAvg: sv!, gradAvg: gav, momentumBuffer: bv }, group);
    });
  }
}
