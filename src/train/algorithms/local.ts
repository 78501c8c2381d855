/**
 * @file What the layer-local algorithms (Forward-Forward, Mono-Forward) share: the MLP seen as a
 * chain of hidden blocks that can be run one at a time on a detached input, the per-layer update
 * (guard, clipping, optimizer step, gradients freed) and the state-dict plumbing of an optimizer the
 * algorithm owns for its own parameters.
 *
 * Why one run optimizer serves "per-layer optimizers": every plexus optimizer keeps per-parameter
 * state and skips a parameter without a gradient, so stepping the run's optimizer after each
 * layer's backward (only that layer holds gradients then) is exactly a separate optimizer per layer,
 * and schedulers, checkpoints and resume keep working on the one object they know.
 */
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { MLP } from '../../nn/mlp.js';
import type { Linear } from '../../nn/linear.js';
import type { Module, Parameter } from '../../nn/module.js';
import type { JsonValue } from '../../nn/config.js';
import { clipGradNorm } from '../../optim/clip.js';
import { LBFGS } from '../../optim/lbfgs.js';
import type { BaseHyper, Optimizer } from '../../optim/optimizer.js';
import type { OptimizerStateDictInput, SavedParamGroup } from '../../optim/optimizer-state.js';
import { add } from '../../ops/primitives/index.js';
import type { TrainContext } from '../algorithm.js';
import type { NonFiniteCulprit } from '../errors.js';
import { nonFiniteGradient, nonFiniteParameter } from '../guard.js';

export type NamedParam = [string, Parameter];

/** Why a layer-local algorithm cannot train `model` (it needs an nn.MLP), or null. */
export function mlpProblem(model: Module, who: string): string | null {
  if (!(model instanceof MLP)) return `${who} trains an nn.MLP layer by layer; got ${model.constructor.name}`;
  return null;
}

/** The model as an MLP (appliesTo has accepted it). */
export function asMlp(model: Module, who: string): MLP {
  const problem = mlpProblem(model, who);
  if (problem !== null) throw new ValueError(`${who}: ${problem}`, 'ALGORITHM_NOT_APPLICABLE');
  return model as MLP;
}

/** Activations the fused linear kernel computes itself (as MLP.forward uses them). */
const FUSED: Readonly<Record<string, 'relu' | 'tanh' | 'gelu'>> = { relu: 'relu', tanh: 'tanh', gelu: 'gelu' };

/** Number of hidden blocks (Linear + norm + activation [+ dropout, residual]) of the MLP. */
export const hiddenCount = (mlp: MLP): number => mlp.layers.length - 1;

/** Hidden block `i` of the MLP on `h`, exactly as MLP.forward computes it ([N, sizes[i]] -> [N, sizes[i+1]]). */
export function hiddenBlock(mlp: MLP, i: number, h: Tensor): Tensor {
  const layer = mlp.layers.at(i) as Linear;
  const fused = mlp.norms ? undefined : FUSED[mlp.activationName];
  let z: Tensor;
  if (fused) z = layer.forwardWith(h, fused);
  else {
    z = layer.forward(h);
    if (mlp.norms) z = mlp.norms.at(i).forward(z);
    z = mlp.activation.forward(z);
  }
  if (mlp.dropout) z = mlp.dropout.forward(z);
  return mlp.residual && mlp.sizes[i] === mlp.sizes[i + 1] ? add(h, z) : z;
}

/** The output Linear of the MLP. */
export const outputLayer = (mlp: MLP): Linear => mlp.layers.at(mlp.layers.length - 1) as Linear;

/** Named parameters of hidden block `i` (its Linear and its norm), as the model names them. */
export function blockParams(mlp: MLP, i: number): NamedParam[] {
  return mlp.namedParameters().filter(([k]) => k.startsWith(`layers.${i}.`) || k.startsWith(`norms.${i}.`)) as NamedParam[];
}

/** Refuses optimizers a per-layer step cannot drive (L-BFGS re-evaluates the whole loss in `step`). */
export function checkFirstOrder(ctx: TrainContext, who: string): void {
  if (ctx.optimizer instanceof LBFGS) throw new ValueError(`${who}: needs a first-order optimizer (sgd, adam, ...); LBFGS re-evaluates the whole model's loss in step()`, 'ALGORITHM_NOT_APPLICABLE');
}

/** The run's loss must be cross-entropy: these algorithms classify. */
export function checkClassification(ctx: TrainContext, who: string): void {
  if (ctx.lossName !== undefined && ctx.lossName !== 'crossEntropy') throw new ValueError(`${who}: trains a classifier with its own local losses; the run's loss must be 'crossEntropy', got ${ctx.lossName === null ? 'a custom function' : `'${ctx.lossName}'`}`, 'ALGORITHM_NOT_APPLICABLE');
}

/** An optimizer of the run optimizer's class and first group's hyperparameters, over `params`. */
export function cloneOptimizer(opt: Optimizer<BaseHyper>, params: Parameter[]): Optimizer<BaseHyper> {
  const { params: _p, ...hyper } = opt.paramGroups[0]!;
  const Ctor = opt.constructor as new (p: Parameter[], o: Record<string, unknown>) => Optimizer<BaseHyper>;
  return new Ctor(params, hyper);
}

/** The own optimizer follows the run optimizer's learning rate, so schedulers move both. */
export function syncLr(from: Optimizer<BaseHyper>, to: Optimizer<BaseHyper>): void {
  const lr = from.paramGroups[0]!.lr;
  for (const g of to.paramGroups) g.lr = lr;
}

/** The outcome of one layer's update. */
export interface LocalStep {
  loss: number;
  culprit?: NonFiniteCulprit | null;
  gradNorm?: number;
}

function clear(params: readonly NamedParam[]): void {
  for (const [, p] of params) p.grad = null;
}

/**
 * Backward of one layer's local `loss` and the update of `params` (its own parameters), guarded:
 * a non-finite loss or gradient applies nothing and names the culprit. `own` is the optimizer of
 * the algorithm's own parameters among `params` (projections), stepped with the run's.
 */
export function localUpdate(loss: Tensor, params: readonly NamedParam[], ctx: TrainContext, own: Optimizer<BaseHyper> | null): LocalStep {
  clear(params);
  const value = loss.item();
  if (!Number.isFinite(value)) {
    let culprit = nonFiniteParameter(params);
    if (culprit === null && loss.requiresGrad) {
      loss.backward();
      culprit = nonFiniteGradient(params);
    }
    clear(params);
    return { loss: value, culprit };
  }
  loss.backward();
  const bad = nonFiniteGradient(params);
  if (bad !== null) {
    clear(params);
    return { loss: value, culprit: bad };
  }
  const gradNorm = ctx.clipGradNorm === undefined ? undefined : clipGradNorm(params.map(([, p]) => p), ctx.clipGradNorm);
  ctx.optimizer.step();
  if (own) {
    syncLr(ctx.optimizer, own);
    own.step();
  }
  clear(params);
  return gradNorm === undefined ? { loss: value } : { loss: value, gradNorm };
}

/** An optimizer's state as tensors `<prefix>.<index>.<buffer>` plus JSON (hyperparameters, step counts). */
export function optimizerState(opt: Optimizer<BaseHyper>, prefix: string): { tensors: Record<string, Tensor>; meta: JsonValue } {
  const sd = opt.stateDict();
  const tensors: Record<string, Tensor> = {};
  const scalars: Record<string, Record<string, number>> = {};
  for (const [i, entry] of Object.entries(sd.state)) {
    const kept: Record<string, number> = {};
    for (const [k, v] of Object.entries(entry)) {
      if (typeof v === 'number') kept[k] = v;
      else tensors[`${prefix}.${i}.${k}`] = v;
    }
    scalars[i] = kept;
  }
  return { tensors, meta: { type: opt.spec.name, paramGroups: sd.paramGroups as unknown as JsonValue, state: scalars } };
}

/** Restores `optimizerState` into `opt` (the optimizer validates it all and changes nothing on failure). */
export function loadOptimizerState(opt: Optimizer<BaseHyper>, tensors: Record<string, Tensor>, meta: JsonValue, prefix: string, who: string): void {
  const bad = (msg: string): never => { throw new ValueError(`${who}.loadStateDict: ${msg}`, 'INVALID_STATE_DICT'); };
  const m = meta as { type?: unknown; paramGroups?: unknown; state?: unknown } | null;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.paramGroups) || typeof m.state !== 'object' || m.state === null) return bad('optimizer state must be {type, paramGroups, state}');
  if (m.type !== opt.spec.name) bad(`the state is of a ${String(m.type)} optimizer, this run's is ${opt.spec.name}`);
  const state: OptimizerStateDictInput['state'] = {};
  for (const [i, v] of Object.entries(m.state as Record<string, Record<string, number>>)) state[i] = { ...v };
  for (const [k, t] of Object.entries(tensors)) {
    if (!k.startsWith(`${prefix}.`)) continue;
    const [i, buf] = k.slice(prefix.length + 1).split('.');
    if (i === undefined || buf === undefined) bad(`bad optimizer tensor name '${k}'`);
    (state[i!] ??= {})[buf!] = t;
  }
  opt.loadStateDict({ state, paramGroups: m.paramGroups as SavedParamGroup[] });
}
