/**
 * @file Linear mode connectivity (Frankle et al. 2020, "Linear Mode Connectivity and the Lottery
 * Ticket Hypothesis", https://arxiv.org/abs/1912.05671; Garipov et al. 2018 for curved paths): the loss
 * along theta(alpha) = (1 - alpha) theta_A + alpha theta_B between two solutions of the same
 * architecture, and the barrier max_alpha [L(theta(alpha)) - ((1 - alpha) L(theta_A) + alpha L(theta_B))].
 * Evaluated through nn.functionalCall on model A with the interpolated tensors in eval mode: neither
 * model changes. Buffers (BatchNorm's running statistics) are interpolated too.
 */
import { checkOptions, describe } from '../../core/args.js';
import { tensor } from '../../core/create.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import { frame } from '../../core/memory.js';
import { Tensor } from '../../core/tensor.js';
import { functionalCall } from '../../nn/functional-call.js';
import { Module } from '../../nn/module.js';
import { checkInt } from '../../nn/check.js';
import { type LossFunctionOptions, resolveLoss } from '../hessian/hessian.js';
import { f64, inEval } from '../ntk/host.js';

export interface LinearPathOptions extends LossFunctionOptions {
  /** Points on the path including both ends (default 11: alpha = 0, 0.1, ..., 1). */
  points?: number;
}

export interface LinearPath {
  alphas: number[];
  losses: number[];
  /** The largest rise above the straight line between the end losses (<= 0: linearly connected). */
  barrier: number;
}

/**
 * The loss of the linear interpolation between `a` and `b` on (x, y).
 * @example const { losses, barrier } = analysis.linearPath(modelA, modelB, x, y, { loss: 'crossEntropy' });
 */
export function linearPath(a: Module, b: Module, x: Tensor, y: Tensor, opts: LinearPathOptions): LinearPath {
  const where = 'linearPath';
  if (!(a instanceof Module) || !(b instanceof Module)) throw new ValueError(`${where}: both models must be nn.Modules, got ${describe(a)} and ${describe(b)}`, 'INVALID_ARGUMENT');
  checkOptions(where, opts, ['loss', 'points']);
  const points = checkInt(where, 'points', opts?.points ?? 11, 2);
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new ValueError(`${where}: x and y must be Tensors`, 'INVALID_ARGUMENT');
  const sa = a.stateDict(), sb = b.stateDict();
  for (const [k, t] of sa) {
    const u = sb.get(k);
    if (u === undefined) throw new ValueError(`${where}: model B has no tensor '${k}' (the models must share an architecture)`, 'INVALID_ARGUMENT');
    if (u.size !== t.size || u.rank !== t.rank) throw new ShapeError(`${where}: '${k}' is ${fmtShape(t.shape)} in model A but ${fmtShape(u.shape)} in model B`);
  }
  for (const k of sb.keys()) if (!sa.has(k)) throw new ValueError(`${where}: model A has no tensor '${k}' (the models must share an architecture)`, 'INVALID_ARGUMENT');
  const floats = [...sa].filter(([, t]) => t.dtype === 'float32' || t.dtype === 'float64');
  const va = new Map(floats.map(([k, t]) => [k, f64(t)]));
  const vb = new Map(floats.map(([k]) => [k, f64(sb.get(k)!)]));
  const lossFn = resolveLoss(where, opts.loss);
  const alphas = Array.from({ length: points }, (_, i) => i / (points - 1));
  const losses = alphas.map((al) => frame(() => noGrad(() => inEval(a, () => {
    const given = new Map(floats.map(([k, t]) => {
      const p = va.get(k)!, q = vb.get(k)!;
      const v = p.map((pv, i) => (1 - al) * pv + al * q[i]!);
      return [k, tensor(t.dtype === 'float64' ? v : Float32Array.from(v), { dtype: t.dtype as 'float32' | 'float64', shape: t.shape })];
    }));
    const l = lossFn(functionalCall(a, given, x), y);
    if (l.size !== 1) throw new ShapeError(`${where}: the loss must be a one-element Tensor, got ${fmtShape(l.shape)}`);
    return (l._peek() as ArrayLike<number>)[0]!;
  }))));
  const l0 = losses[0]!, l1 = losses[points - 1]!;
  const barrier = Math.max(...losses.map((l, i) => l - ((1 - alphas[i]!) * l0 + alphas[i]! * l1)));
  return { alphas, losses, barrier };
}
