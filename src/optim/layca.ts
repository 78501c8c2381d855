/**
 * @file Layca ("LAYer-level Controlled Amount of weight rotation"; Carbonnelle & De Vleeschouwer,
 * "Layer rotation: a surprisingly powerful indicator of generalization in deep networks",
 * https://arxiv.org/abs/1806.01603, Algorithm 1) on SGD with momentum.
 *
 * Per weight tensor w (every parameter of rank >= 2), each step:
 *   buf = momentum buf + g  (buf = g at the first step);  d = -buf          (the SGD step direction)
 *   d = d - (d . w / w . w) w                                                (orthogonal to w)
 *   d = d ||w|| / ||d||                                                      (relative size 1)
 *   w = w + lr d;  w = w ||w_before|| / ||w||                                 (back onto the sphere)
 * so each layer rotates by about atan(lr) radians per step whatever its gradient's size, and keeps
 * its initial norm (so the norm needs no state: it is the norm before the step). `lr` is the paper's
 * rho(t) (their default 3^-3; LR schedules act on it). Parameters of rank < 2 (biases, norm gains)
 * take the plain SGD-with-momentum step `w = w + lr d`.
 */
import type { Tensor } from '../core/tensor.js';
import type { TypedArray } from '../core/dtype.js';
import { nonNegative, unit } from './hyper.js';
import { type OptimizerSpec, type ParamGroup, type ParamState, type Params, Optimizer, mutateAll, stateBuffer } from './optimizer.js';

export interface LaycaOptions {
  /** rho: the rotation per step, about atan(lr) radians (default 3^-3, the paper's). */
  lr: number;
  /** Momentum of the underlying SGD (default 0.9). */
  momentum: number;
}

export const DEFAULTS: LaycaOptions = { lr: 1 / 27, momentum: 0.9 };

const SPEC: OptimizerSpec<LaycaOptions> = {
  name: 'Layca',
  checks: { lr: nonNegative('learning rate'), momentum: unit('momentum value') },
  stateTensors: ['momentumBuffer'],
  hasStep: false,
};

/** One Layca update of a flattened parameter in place (rotate = false: plain SGD with momentum). */
export function laycaUpdate(p: TypedArray, g: ArrayLike<number>, buf: TypedArray, h: LaycaOptions, fresh: boolean, rotate: boolean): void {
  const n = p.length;
  for (let i = 0; i < n; i++) buf[i] = fresh ? g[i]! : h.momentum * buf[i]! + g[i]!;
  if (!rotate) {
    for (let i = 0; i < n; i++) p[i] = p[i]! - h.lr * buf[i]!;
    return;
  }
  let ww = 0, dw = 0;
  for (let i = 0; i < n; i++) { ww += p[i]! * p[i]!; dw += -buf[i]! * p[i]!; }
  if (ww === 0) return;   // a zero layer has no direction to rotate
  const d = new Float64Array(n);
  let dd = 0;
  for (let i = 0; i < n; i++) { d[i] = -buf[i]! - (dw / ww) * p[i]!; dd += d[i]! * d[i]!; }
  if (dd === 0) return;   // the step is parallel to w: nothing to rotate
  const scale = (h.lr * Math.sqrt(ww)) / Math.sqrt(dd);
  let nn = 0;
  for (let i = 0; i < n; i++) { d[i] = p[i]! + scale * d[i]!; nn += d[i]! * d[i]!; }
  const back = Math.sqrt(ww / nn);
  for (let i = 0; i < n; i++) p[i] = d[i]! * back;
}

/**
 * @example
 * const opt = new optim.Layca(model.parameters(), { lr: 3 ** -3 });   // the paper's rho
 */
export class Layca extends Optimizer<LaycaOptions> {
  constructor(params: Params<LaycaOptions>, options: Partial<LaycaOptions> = {}) {
    super(params, options, DEFAULTS, SPEC);
  }

  protected override update(p: Tensor, grad: TypedArray, state: ParamState, group: ParamGroup<LaycaOptions>): void {
    const fresh = state.momentumBuffer === undefined;
    const buf = stateBuffer(state, 'momentumBuffer', p);
    mutateAll([p, buf], ([pv, bv]) => laycaUpdate(pv!, grad, bv!, group, fresh, p.rank >= 2));
  }
}
