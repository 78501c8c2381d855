/**
 * @file Stochastic gradient descent with momentum, dampening, Nesterov momentum, L2 weight decay and
 * maximize, exactly as PyTorch's `torch.optim.SGD`. Nesterov momentum follows Sutskever et al. 2013,
 * "On the importance of initialization and momentum in deep learning"
 * (http://proceedings.mlr.press/v28/sutskever13.html), in PyTorch's formulation.
 */
import type { Tensor } from '../core/tensor.js';
import type { TypedArray } from '../core/dtype.js';
import { bool, nonNegative, unit } from './hyper.js';
import { type OptimizerSpec, type ParamGroup, type ParamState, type Params, Optimizer, mutateAll, stateBuffer } from './optimizer.js';

export interface SGDOptions {
  /** Learning rate (default 1e-3, PyTorch 2's default). */
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

export const DEFAULTS: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

const SPEC: OptimizerSpec<SGDOptions> = {
  name: 'SGD',
  checks: {
    lr: nonNegative('learning rate'),
    momentum: nonNegative('momentum value'),
    dampening: unit('dampening value'),
    weightDecay: nonNegative('weightDecay value'),
    nesterov: bool('nesterov'),
    maximize: bool('maximize'),
  },
  relation: (h) => (h.nesterov && (h.momentum <= 0 || h.dampening !== 0) ? 'Nesterov momentum requires a momentum and zero dampening' : null),
  stateTensors: ['momentumBuffer'],
  hasStep: false,
};

/**
 * The SGD update of one parameter, in place. `buf` is the momentum buffer (null without momentum);
 * `fresh` says it was just created, in which case it starts as the gradient itself (PyTorch), not as
 * a decayed zero.
 *   d = ±g + wd·p;  buf = μ·buf + (1-τ)·d  (buf = d when fresh);  d = nesterov ? d + μ·buf : buf;
 *   p -= lr·d
 */
export function sgdUpdate(p: TypedArray, g: ArrayLike<number>, buf: TypedArray | null, h: SGDOptions, fresh: boolean): void {
  const { lr, momentum, dampening, weightDecay, nesterov, maximize } = h;
  for (let i = 0; i < p.length; i++) {
    let d = maximize ? -g[i]! : g[i]!;
    if (weightDecay !== 0) d += weightDecay * p[i]!;
    if (buf !== null) {
      const b = fresh ? d : momentum * buf[i]! + (1 - dampening) * d;
      buf[i] = b;
      // Read back the stored value: in float32 the buffer is rounded, and PyTorch uses the rounded one.
      d = nesterov ? d + momentum * buf[i]! : buf[i]!;
    }
    p[i] = p[i]! - lr * d;
  }
}

/**
 * @example
 * const opt = new SGD(params, { lr: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, options, DEFAULTS, SPEC);
  }

  protected override update(p: Tensor, grad: TypedArray, state: ParamState, group: ParamGroup<SGDOptions>): void {
    // The backend's fused kernel when it has one (same numbers as sgdUpdate), else the function.
    const fused = p._storage.backend.fused?.sgdUpdate;
    const run = (pv: TypedArray, bv: TypedArray | null, fresh: boolean): void => {
      if (!fused?.(pv, grad, bv, { ...group, fresh })) sgdUpdate(pv, grad, bv, group, fresh);
    };
    if (group.momentum === 0) {
      mutateAll([p], ([pv]) => run(pv!, null, false));
      return;
    }
    const fresh = state.momentumBuffer === undefined;
    const buf = stateBuffer(state, 'momentumBuffer', p);
    mutateAll([p, buf], ([pv, bv]) => run(pv!, bv!, fresh));
  }
}
