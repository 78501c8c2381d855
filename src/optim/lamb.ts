/**
 * @file LAMB, layer-wise adaptive moments (You et al. 2019, "Large Batch Optimization for Deep
 * Learning: Training BERT in 76 minutes", https://arxiv.org/abs/1904.00962, Algorithm 2). PyTorch has
 * no LAMB; the tests check it against an independent hand-written float64 trace.
 *
 * Choices, as in the common implementations (NVIDIA apex FusedLAMB, timm's Lamb):
 * - bias correction on by default (`biasCorrection`; the paper's final version drops it — pass false);
 * - the scaling function φ of the paper is the identity: trust ratio = ‖w‖ / ‖r + λw‖ per parameter
 *   tensor, taken as 1 when either norm is 0 (a zero-initialised bias must still move, and a zero
 *   update has nothing to scale); applied always, not only when weight decay is on (timm's default);
 * - no global gradient-norm clipping inside the optimizer (use clipGradNorm before step()).
 */
import type { Tensor } from '../core/tensor.js';
import type { TypedArray } from '../core/dtype.js';
import { betas, bool, nonNegative, positive } from './hyper.js';
import { type OptimizerSpec, type ParamGroup, type ParamState, type Params, Optimizer, advanceStep, mutateAll, stateBuffer } from './optimizer.js';

export interface LAMBOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  /** Decoupled weight decay λ, added to the Adam direction before the trust ratio. */
  weightDecay: number;
  biasCorrection: boolean;
}

export const DEFAULTS: LAMBOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0.01, biasCorrection: true };

const SPEC: OptimizerSpec<LAMBOptions> = {
  name: 'LAMB',
  checks: {
    lr: nonNegative('learning rate'),
    betas,
    eps: positive('epsilon value'),
    weightDecay: nonNegative('weightDecay value'),
    biasCorrection: bool('biasCorrection'),
  },
  stateTensors: ['expAvg', 'expAvgSq'],
  hasStep: true,
};

/**
 * One LAMB update in place at step `step` (1-based):
 *   m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  m̂ = m/(1-β1^t), v̂ = v/(1-β2^t) (if biasCorrection)
 *   r = m̂ / (√v̂ + ε) + λ·w;  ratio = ‖w‖/‖r‖ (1 if either is 0);  w -= lr·ratio·r
 */
export function lambUpdate(p: TypedArray, g: ArrayLike<number>, m: TypedArray, v: TypedArray, h: LAMBOptions, step: number): void {
  const { lr, eps, weightDecay, biasCorrection } = h;
  const [beta1, beta2] = h.betas;
  const bc1 = biasCorrection ? 1 - beta1 ** step : 1;
  const bc2Sqrt = biasCorrection ? Math.sqrt(1 - beta2 ** step) : 1;
  const r = new Float64Array(p.length);
  let wSq = 0;
  let rSq = 0;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * gi;
    v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
    const ri = m[i]! / bc1 / (Math.sqrt(v[i]!) / bc2Sqrt + eps) + weightDecay * p[i]!;
    r[i] = ri;
    wSq += p[i]! * p[i]!;
    rSq += ri * ri;
  }
  const wNorm = Math.sqrt(wSq);
  const rNorm = Math.sqrt(rSq);
  const ratio = wNorm > 0 && rNorm > 0 ? wNorm / rNorm : 1;
  for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * ratio * r[i]!;
}

/**
 * @example
 * const opt = new LAMB(params, { lr: 2e-3, weightDecay: 0.01 });
 */
export class LAMB extends Optimizer<LAMBOptions> {
  constructor(params: Params<LAMBOptions>, options: Partial<LAMBOptions> = {}) {
    super(params, options, DEFAULTS, SPEC);
  }

  protected override update(p: Tensor, grad: TypedArray, state: ParamState, group: ParamGroup<LAMBOptions>): void {
    const step = advanceStep(state);
    const m = stateBuffer(state, 'expAvg', p);
    const v = stateBuffer(state, 'expAvgSq', p);
    // The backend's fused kernel when it takes these arrays (same numbers as lambUpdate), else the function.
    const fused = p._storage.backend.fused?.lambUpdate;
    const [beta1, beta2] = group.betas;
    const h = {
      lr: group.lr, beta1, beta2, eps: group.eps, weightDecay: group.weightDecay,
      bc1: group.biasCorrection ? 1 - beta1 ** step : 1,
      bc2Sqrt: group.biasCorrection ? Math.sqrt(1 - beta2 ** step) : 1,
    };
    mutateAll([p, m, v], ([pv, mv, vv]) => {
      if (!fused?.(pv!, grad, mv!, vv!, h)) lambUpdate(pv!, grad, mv!, vv!, group, step);
    });
  }
}
