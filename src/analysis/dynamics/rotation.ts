/**
 * @file Layer rotation (Carbonnelle & De Vleeschouwer, "Layer rotation: a surprisingly powerful
 * indicator of generalization in deep networks", https://arxiv.org/abs/1806.01603): the cosine
 * distance 1 - cos(w_l(t), w_l(0)) between each layer's flattened weights and their initial values,
 * per epoch. The paper finds that larger, more uniform rotation across layers goes with better
 * generalisation. `LayerRotation` is a `fit` callback recording the curves; `layerRotation` computes
 * the distances once from a saved initial state. Read-only: weights are copied, never written.
 */
import { checkOptions, checkEnum, describe } from '../../core/args.js';
import { ValueError, ShapeError, fmtShape } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import { Module } from '../../nn/module.js';
import type { Callback, EpochLogs, TrainControl } from '../../train/history.js';
import { f64 } from '../ntk/host.js';

export interface LayerRotationOptions {
  /** 'weights' (default): parameters of rank >= 2 (the layers' weight matrices); 'all': every parameter. */
  include?: 'weights' | 'all';
}

/** 1 - cos(a, b) of two flat vectors (0 when either is zero: no direction to compare). */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i]! * b[i]!; aa += a[i]! * a[i]!; bb += b[i]! * b[i]!; }
  return aa === 0 || bb === 0 ? 0 : 1 - ab / Math.sqrt(aa * bb);
}

function tracked(model: Module, include: 'weights' | 'all'): [string, Tensor][] {
  return model.namedParameters().filter(([, p]) => include === 'all' || p.rank >= 2);
}

/** Host copies of the tracked parameters, by name. */
function copyOf(model: Module, include: 'weights' | 'all'): Map<string, Float64Array> {
  return new Map(tracked(model, include).map(([k, p]) => [k, f64(p)]));
}

/**
 * Cosine distance of each tracked parameter of `model` to its value in `initial` (a state dict, a
 * Map or a record of tensors by parameter name).
 * @example const init = model.stateDict(); ...train...; analysis.layerRotation(model, init)
 */
export function layerRotation(model: Module, initial: ReadonlyMap<string, Tensor> | Record<string, Tensor>, opts: LayerRotationOptions = {}): Record<string, number> {
  const where = 'layerRotation';
  if (!(model instanceof Module)) throw new ValueError(`${where}: model must be an nn.Module, got ${describe(model)}`, 'INVALID_ARGUMENT');
  checkOptions(where, opts, ['include']);
  const include = checkEnum(where, 'include', opts.include ?? 'weights', ['weights', 'all'] as const);
  const init = initial instanceof Map ? initial : new Map(Object.entries(initial as Record<string, Tensor>));
  const out: Record<string, number> = {};
  for (const [k, p] of tracked(model, include)) {
    const w0 = init.get(k);
    if (!(w0 instanceof Tensor)) throw new ValueError(`${where}: the initial state has no tensor '${k}' (it has: ${[...init.keys()].join(', ') || 'nothing'})`, 'INVALID_ARGUMENT');
    if (w0.size !== p.size) throw new ShapeError(`${where}: initial '${k}' is ${fmtShape(w0.shape)}, the model's is ${fmtShape(p.shape)}`);
    out[k] = cosineDistance(f64(p), f64(w0));
  }
  return out;
}

/**
 * A `fit` callback recording each layer's rotation at the end of every epoch.
 * `curves[name][e]` is the cosine distance after epoch e + 1; the initial weights are copied at the
 * first `onTrainBegin` (so a second fit call continues the same curves from the same origin).
 * @example const rot = new analysis.LayerRotation(); await fit(model, data, { ..., callbacks: [rot] }); rot.curves
 */
export class LayerRotation implements Callback {
  readonly include: 'weights' | 'all';
  readonly curves: Record<string, number[]> = {};
  private initial: Map<string, Float64Array> | null = null;

  constructor(opts: LayerRotationOptions = {}) {
    checkOptions('LayerRotation', opts, ['include']);
    this.include = checkEnum('LayerRotation', 'include', opts.include ?? 'weights', ['weights', 'all'] as const);
  }

  onTrainBegin(ctl: TrainControl): void {
    if (this.initial === null) {
      this.initial = copyOf(ctl.model, this.include);
      for (const k of this.initial.keys()) this.curves[k] = [];
    }
  }

  onEpochEnd(_epoch: number, _logs: Readonly<EpochLogs>, ctl: TrainControl): void {
    if (this.initial === null) return;
    for (const [k, p] of tracked(ctl.model, this.include)) {
      const w0 = this.initial.get(k);
      if (w0 !== undefined) this.curves[k]!.push(cosineDistance(f64(p), w0));
    }
  }
}
