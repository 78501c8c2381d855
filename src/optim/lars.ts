/**
 * @file LARS, layer-wise adaptive rate scaling (You, Gitman & Ginsburg 2017, "Large Batch Training of
 * Convolutional Networks", https://arxiv.org/abs/1708.03888, Algorithm 1). PyTorch has no LARS; the
 * tests check it against an independent hand-written float64 trace.
 *
 * Per parameter tensor, with global lr γ, trust coefficient η, weight decay β and momentum m:
 *   λ = η·‖w‖ / (‖∇L(w)‖ + β·‖w‖);   v = m·v + γ·λ·(∇L(w) + β·w);   w -= v
 * As in the paper, the learning rate sits inside the momentum buffer. λ is taken as 1 when ‖w‖ or
 * ‖∇L‖ is 0 (the usual guard, e.g. apex LARC): a zero-initialised bias would otherwise never move.
 */
import type { Tensor } from '../core/tensor.js';
import type { TypedArray } from '../core/dtype.js';
import { nonNegative, positive } from './hyper.js';
import { type OptimizerSpec, type ParamGroup, type ParamState, type Params, Optimizer, mutateAll, stateBuffer } from './optimizer.js';

export interface LARSOptions {
  /** Global learning rate γ (default 1: the trust ratio, about η, sets the scale of a step). */
  lr: number;
  momentum: number;
  weightDecay: number;
  /** η, how far one step may move a layer relative to its weight norm (default 0.001). */
  trustCoefficient: number;
}

export const DEFAULTS: LARSOptions = { lr: 1, momentum: 0.9, weightDecay: 0, trustCoefficient: 1e-3 };

const SPEC: OptimizerSpec<LARSOptions> = {
  name: 'LARS',
  checks: {
    lr: nonNegative('learning rate'),
    momentum: nonNegative('momentum value'),
    weightDecay: nonNegative('weightDecay value'),
    trustCoefficient: positive('trustCoefficient value'),
  },
  stateTensors: ['momentumBuffer'],
  hasStep: false,
};

/** One LARS update in place; `buf` is the momentum buffer (starting at 0), null without momentum. */
export function larsUpdate(p: TypedArray, g: ArrayLike<number>, buf: TypedArray | null, h: LARSOptions): void {
  const { lr, momentum, weightDecay, trustCoefficient } = h;
  let wSq = 0;
  let gSq = 0;
  for (let i = 0; i < p.length; i++) {
    wSq += p[i]! * p[i]!;
    gSq += g[i]! * g[i]!;
  }
  const wNorm = Math.sqrt(wSq);
  const gNorm = Math.sqrt(gSq);
  const local = wNorm > 0 && gNorm > 0 ? (trustCoefficient * wNorm) / (gNorm + weightDecay * wNorm) : 1;
  const scale = lr * local;
  for (let i = 0; i < p.length; i++) {
    const u = scale * (g[i]! + weightDecay * p[i]!);
    if (buf !== null) {
      buf[i] = momentum * buf[i]! + u;
      p[i] = p[i]! - buf[i]!;
    } else {
      p[i] = p[i]! - u;
    }
  }
}

/**
 * @example
 * const opt = new LARS(params, { lr: 2, momentum: 0.9, weightDecay: 5e-4 });
 */
export class LARS extends Optimizer<LARSOptions> {
  constructor(params: Params<LARSOptions>, options: Partial<LARSOptions> = {}) {
    super(params, options, DEFAULTS, SPEC);
  }

  protected override update(p: Tensor, grad: TypedArray, state: ParamState, group: ParamGroup<LARSOptions>): void {
    if (group.momentum === 0) {
      mutateAll([p], ([pv]) => larsUpdate(pv!, grad, null, group));
      return;
    }
    const buf = stateBuffer(state, 'momentumBuffer', p);
    mutateAll([p, buf], ([pv, bv]) => larsUpdate(pv!, grad, bv!, group));
  }
}
