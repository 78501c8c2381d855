/**
 * @file Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization",
 * https://arxiv.org/abs/1412.6980) with AMSGrad (Reddi et al. 2018, "On the Convergence of Adam and
 * Beyond", https://openreview.net/forum?id=ryQu7f-RZ), L2 weight decay and maximize, as PyTorch's
 * `torch.optim.Adam`. The kernel also serves AdamW (decoupled weight decay, adamw.ts).
 */
import type { Tensor } from '../core/tensor.js';
import type { TypedArray } from '../core/dtype.js';
import type { AdamItem, AdamUpdateArgs } from '../core/backend.js';
import { betas, bool, nonNegative, positive } from './hyper.js';
import { type OptimizerSpec, type ParamGroup, type ParamState, type Params, type StepItem, Optimizer, advanceStep, mutateAll, stateBuffer } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  /** Decay rates of the first and second moment estimates, each in [0, 1). */
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

export const DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };

/** Validation shared by Adam and AdamW (the name differs in messages). */
export function adamChecks(): OptimizerSpec<AdamOptions>['checks'] {
  return {
    lr: nonNegative('learning rate'),
    betas,
    eps: positive('epsilon value'),
    weightDecay: nonNegative('weightDecay value'),
    amsgrad: bool('amsgrad'),
    maximize: bool('maximize'),
  };
}

/** Buffers of an Adam-family state. */
export interface AdamBuffers {
  expAvg: TypedArray;
  expAvgSq: TypedArray;
  /** Running max of expAvgSq (AMSGrad), else null. */
  maxExpAvgSq: TypedArray | null;
}

/**
 * One Adam/AdamW update in place at step `step` (1-based):
 *   AdamW: p *= 1 - lr·wd;   Adam: g += wd·p
 *   m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  (AMSGrad: v̂max = max(v̂max, v), used below for v)
 *   p -= lr/(1-β1^t) · m / (√v / √(1-β2^t) + ε)
 * The operation order is PyTorch's, so float64 results agree to rounding.
 */
export function adamUpdate(p: TypedArray, g: ArrayLike<number>, s: AdamBuffers, h: AdamOptions, step: number, decoupled: boolean): void {
  const { lr, eps, weightDecay, maximize } = h;
  const [beta1, beta2] = h.betas;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const { expAvg: m, expAvgSq: v, maxExpAvgSq: vmax } = s;
  for (let i = 0; i < p.length; i++) {
    let gi = maximize ? -g[i]! : g[i]!;
    if (decoupled) p[i] = p[i]! * (1 - lr * weightDecay);
    else if (weightDecay !== 0) gi += weightDecay * p[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * gi;
    v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
    let second = v[i]!;
    if (vmax !== null) {
      if (!(vmax[i]! >= second)) vmax[i] = second; // `!(>=)` lets a NaN through, like torch.maximum
      second = vmax[i]!;
    }
    p[i] = p[i]! - stepSize * (m[i]! / (Math.sqrt(second) / bc2Sqrt + eps));
  }
}

/** The fused kernels' form of the hyperparameters at `step` (bias corrections precomputed). */
function fusedArgs(h: AdamOptions, step: number, decoupled: boolean): AdamUpdateArgs {
  const [beta1, beta2] = h.betas;
  return {
    decay: decoupled ? 1 - h.lr * h.weightDecay : 1,
    l2: decoupled ? 0 : h.weightDecay,
    beta1, beta2,
    stepSize: h.lr / (1 - beta1 ** step),
    bc2Sqrt: Math.sqrt(1 - beta2 ** step),
    eps: h.eps,
    maximize: h.maximize,
  };
}

/**
 * The parameter's backend's fused Adam kernel, if it has one and takes these arrays; it computes
 * exactly what adamUpdate does (same rounding points and operation order), in one pass.
 */
function fusedAdam(p: Tensor, pv: TypedArray, g: TypedArray, s: AdamBuffers, h: AdamOptions, step: number, decoupled: boolean): boolean {
  const fused = p._storage.backend.fused?.adamUpdate;
  if (!fused) return false;
  return fused(pv, g, s.expAvg, s.expAvgSq, s.maxExpAvgSq, fusedArgs(h, step, decoupled));
}

/** Advances the step count and creates the Adam-family buffers on first use; returns [step, buffers]. */
function prepare(p: Tensor, state: ParamState, h: AdamOptions): [number, Tensor[]] {
  const step = advanceStep(state);
  const bufs = [stateBuffer(state, 'expAvg', p), stateBuffer(state, 'expAvgSq', p)];
  if (h.amsgrad) bufs.push(stateBuffer(state, 'maxExpAvgSq', p));
  return [step, bufs];
}

/** Creates the Adam-family buffers on first use and runs the kernel on them (Adam and AdamW). */
export function adamStep(
  p: Tensor, grad: TypedArray, state: ParamState, h: AdamOptions, decoupled: boolean,
): void {
  const [step, bufs] = prepare(p, state, h);
  mutateAll([p, ...bufs], ([pv, m, v, vmax]) => {
    const s: AdamBuffers = { expAvg: m!, expAvgSq: v!, maxExpAvgSq: vmax ?? null };
    if (!fusedAdam(p, pv!, grad, s, h, step, decoupled)) adamUpdate(pv!, grad, s, h, step, decoupled);
  });
}

/**
 * A whole Adam/AdamW step: every parameter's update in one backend call (adamUpdateMany: one
 * dispatch, split across a threaded backend's pool) when the parameters share a backend that takes
 * them all, else adamStep per parameter. Same numbers either way (the kernels are elementwise).
 */
export function adamStepMany(items: readonly StepItem<AdamOptions>[], decoupled: boolean): void {
  if (items.length === 0) return;
  const backend = items[0]!.p._storage.backend;
  const many = backend.fused?.adamUpdateMany;
  if (!many || items.some((it) => it.p._storage.backend !== backend || it.grad._storage.backend !== backend)) {
    for (const it of items) adamStep(it.p, it.grad.values, it.state, it.group, decoupled);
    return;
  }
  // Allocations (first-step buffers) before any values are read: a grow would leave views stale.
  const prepared = items.map((it) => prepare(it.p, it.state, it.group));
  const args: AdamItem[] = items.map((it, i) => {
    const [step, bufs] = prepared[i]!;
    const [m, v, vmax] = bufs.map((b) => b.values);
    return { p: it.p.values, g: it.grad.values, m: m!, v: v!, vmax: vmax ?? null, h: fusedArgs(it.group, step, decoupled) };
  });
  if (many(args)) {
    // The in-place change made visible to autograd, as Tensor.mutate does after its callback.
    items.forEach((it, i) => {
      for (const t of [it.p, ...prepared[i]![1]]) t.mutate(() => undefined);
    });
    return;
  }
  // Refused (nothing was updated): per parameter, with the steps already counted above.
  items.forEach((it, i) => {
    const [step, bufs] = prepared[i]!;
    mutateAll([it.p, ...bufs], ([pv, m, v, vmax]) => {
      const s: AdamBuffers = { expAvg: m!, expAvgSq: v!, maxExpAvgSq: vmax ?? null };
      const g = it.grad.values;
      if (!fusedAdam(it.p, pv!, g, s, it.group, step, decoupled)) adamUpdate(pv!, g, s, it.group, step, decoupled);
    });
  });
}

/**
 * @example
 * const opt = new Adam(params, { lr: 1e-3, betas: [0.9, 0.999] });
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, options, DEFAULTS, { name: 'Adam', checks: adamChecks(), stateTensors: ['expAvg', 'expAvgSq', 'maxExpAvgSq'], hasStep: true });
  }

  protected override update(p: Tensor, grad: TypedArray, state: ParamState, group: ParamGroup<AdamOptions>): void {
    adamStep(p, grad, state, group, false);
  }

  protected override updateMany(items: readonly StepItem<AdamOptions>[]): void {
    adamStepMany(items, false);
  }
}
