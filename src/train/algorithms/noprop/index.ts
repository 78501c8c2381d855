/**
 * @file NoProp-DT as a `TrainingAlgorithm` (Li, Teh & Pascanu 2025, "NoProp: Training Neural Networks
 * without Back-propagation or Forward-propagation", https://arxiv.org/abs/2503.24322, Algorithm 1).
 * The model is an `nn.NoPropModel` (blocks, W_embed, classifier, schedule: see src/nn/noprop/).
 *
 * Per batch (x, y), for each block t = 1..T in turn (the t loop inside the batch loop, which is the
 * order `fit` allows; the paper's Algorithm 1 writes it the other way round):
 *   z_{t-1} = sqrt(ᾱ_{t-1}) u_y + sqrt(1 - ᾱ_{t-1}) ε          (a sample of q(z_{t-1} | y))
 *   L_t = CE(Linear(z_T), y) + KL(q(z_0 | y) || N(0, I)) + (T/2) η (SNR(t) - SNR(t-1)) ||û_θt(z_{t-1}, x) - u_y||²
 *   with z_T = sqrt(ᾱ_T) u_y + sqrt(1 - ᾱ_T) ε'. Both samples are reparameterised, so W_embed gets
 *   the exact gradient of this estimate of L_t (through u_y, û's softmax · W_embed, z_{t-1} and z_T);
 *   KL = ½ (ᾱ_0 ||u_y||² - d ᾱ_0 - d log(1 - ᾱ_0))   (0 when ᾱ_0 = 0, as in both schedules here),
 * batch means over samples; then block t's optimizer steps θ_t and the head optimizer steps the
 * classifier and (when learned) W_embed. No gradient crosses blocks: block t's loss reaches θ_t,
 * the classifier and W_embed only; the other blocks are not even run.
 *
 * Optimizers: one per block and one for the head, each a new instance of the run optimizer's class
 * with its (single) param group's hyperparameters; the run optimizer itself never steps, but its
 * learning rate is copied to all of them before every batch, so `scheduler` works as with backprop.
 * `clipGradNorm` clips each block's gradient on its own (the logged gradNorm is their mean).
 * The classifier term uses the run's loss (the paper: cross-entropy); y must be class labels.
 * Reported loss: the mean of L_t over the blocks (an estimate of the paper's ELBO-based objective).
 * Options: see options.ts (eta, seed, trainMetrics).
 */
import { randn, scalar } from '../../../core/create.js';
import type { FloatDType } from '../../../core/dtype.js';
import { ValueError } from '../../../core/errors.js';
import { noGrad } from '../../../core/grad-mode.js';
import { scope } from '../../../core/memory.js';
import { Generator } from '../../../core/rng.js';
import type { Tensor } from '../../../core/tensor.js';
import type { Batch } from '../../../data/dataset.js';
import type { JsonValue } from '../../../nn/config.js';
import type { Module, Parameter } from '../../../nn/module.js';
import { NoPropModel } from '../../../nn/noprop/model.js';
import { add, div, indexSelect, mul, sub, sum } from '../../../ops/primitives/index.js';
import { crossEntropy as crossEntropyOf } from '../../../ops/composite/index.js';
import { clipGradNorm } from '../../../optim/clip.js';
import type { BaseHyper, Optimizer } from '../../../optim/optimizer.js';
import { ReduceLROnPlateau } from '../../../optim/reduce-lr-on-plateau.js';
import { type EpochInfo, type StepMetrics, type TrainContext, type TrainingAlgorithm, batchMetrics } from '../../algorithm.js';
import type { NonFiniteCulprit } from '../../errors.js';
import { nonFiniteGradient, nonFiniteParameter } from '../../guard.js';
import type { LossFn } from '../../losses.js';
import { type NoPropOptions, parseNoPropOptions } from './options.js';
import { flattenOptimizer, sameKind, templateProblem, unflattenOptimizer } from './state.js';

export { NOPROP_OPTIONS, parseNoPropOptions, type NoPropOptions } from './options.js';

const NAME = 'noprop';

/** The terms of L_t (scalar tensors; `total` = ce + kl + weight · denoise). */
export interface NoPropLossTerms {
  total: Tensor;
  ce: Tensor;
  kl: Tensor;
  /** Batch mean of ||û_θt(z_{t-1}, x) - u_y||². */
  denoise: Tensor;
  /** (T/2) η (SNR(t) - SNR(t-1)). */
  weight: number;
}

/**
 * L_t of block t for the batch (x, y), given the two standard-normal draws [N, d]: `epsPrev` makes
 * z_{t-1}, `epsT` makes the classifier's z_T. Deterministic given them (tests take its gradient).
 * `loss` is the classifier term's loss (default cross-entropy).
 */
export function noPropLoss(model: NoPropModel, t: number, x: Tensor, y: Tensor, noise: { epsPrev: Tensor; epsT: Tensor },
  opts: { eta?: number; loss?: LossFn } = {}): NoPropLossTerms {
  const block = model.block(t);
  const { alphaBar: ab, snr } = model.schedule;
  const T = model.numBlocks;
  const n = x.shape[0]!;
  const d = model.embeddingDim;
  const eta = opts.eta ?? 0.1;
  const u = indexSelect(model.embed, 0, y);
  const zPrev = add(mul(u, Math.sqrt(ab[t - 1]!)), mul(noise.epsPrev, Math.sqrt(1 - ab[t - 1]!)));
  const diff = sub(block.forward(x, zPrev, model.embed), u);
  const denoise = div(sum(mul(diff, diff)), n);
  const zT = add(mul(u, Math.sqrt(ab[T]!)), mul(noise.epsT, Math.sqrt(1 - ab[T]!)));
  const logits = model.classifier.forward(zT);
  const ce = opts.loss ? opts.loss(logits, y) : crossEntropyOf(logits, y);
  const ab0 = ab[0]!;
  const dtype = model.embed.dtype as FloatDType;
  const klConst = -d * ab0 - d * Math.log1p(-ab0);
  const kl = ab0 === 0 ? scalar(0.5 * klConst, { dtype }) : mul(add(div(mul(sum(mul(u, u)), ab0), n), klConst), 0.5);
  const weight = (T / 2) * eta * (snr[t]! - snr[t - 1]!);
  return { total: add(add(ce, kl), mul(denoise, weight)), ce, kl, denoise, weight };
}

/** What `init` returns: the run context, the model and NoProp's own optimizers and generator. */
export interface NoPropState {
  ctx: TrainContext;
  model: NoPropModel;
  /** blockOptimizers[t - 1] updates block t. */
  blockOptimizers: Optimizer<BaseHyper>[];
  /** Classifier and (learned) W_embed. */
  headOptimizer: Optimizer<BaseHyper>;
  generator: Generator;
  /** Per block t (index t - 1): the named parameters its loss reaches (block t, classifier, W_embed). */
  named: [string, Parameter][][];
}

/** The algorithm part of a checkpoint (the training-algorithm registry's AlgorithmStateDict shape). */
export interface NoPropStateDict {
  algorithm: string;
  tensors: Record<string, Tensor>;
  meta: JsonValue;
}

/**
 * NoProp-DT: every block learns to denoise a noisy label embedding on its own loss and optimizer.
 * @example
 * const model = new nn.NoPropModel(784, 10, { numBlocks: 10 });
 * await fit(model, data, { optimizer: new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-3 }), algorithm: new NoProp({ eta: 0.1 }) });
 */
export class NoProp implements TrainingAlgorithm<NoPropState> {
  readonly name = NAME;
  readonly options: Required<NoPropOptions>;

  constructor(options: NoPropOptions = {}) {
    this.options = parseNoPropOptions(options);
  }

  /** Why NoProp cannot train `model` (null: it can). */
  appliesTo(model: Module): string | null {
    return model instanceof NoPropModel ? null : `NoProp trains an nn.NoPropModel, got ${model?.constructor?.name ?? String(model)}`;
  }

  init(model: Module, ctx: TrainContext): NoPropState {
    const problem = this.appliesTo(model) ?? templateProblem(ctx.optimizer);
    if (problem !== null) throw new ValueError(`NoProp: ${problem}`, 'ALGORITHM_NOT_APPLICABLE');
    const m = model as NoPropModel;
    const head: [string, Parameter][] = m.classifier.namedParameters().map(([k, p]) => [`classifier.${k}`, p]);
    if (m.embed.requiresGrad) head.push(['embed', m.embed]);
    const named: [string, Parameter][][] = [];
    const blockOptimizers: Optimizer<BaseHyper>[] = [];
    for (let t = 1; t <= m.numBlocks; t++) {
      const own = m.block(t).namedParameters().map(([k, p]) => [`blocks.${t - 1}.${k}`, p] as [string, Parameter]);
      blockOptimizers.push(sameKind(ctx.optimizer, own.map(([, p]) => p)));
      named.push([...own, ...head]);
    }
    const headOptimizer = sameKind(ctx.optimizer, head.map(([, p]) => p));
    return { ctx, model: m, blockOptimizers, headOptimizer, generator: new Generator(this.options.seed), named };
  }

  step(model: Module, batch: Batch, state: NoPropState): StepMetrics {
    const { ctx, model: m } = state;
    const [x, y] = batch;
    if (y.dtype !== 'int32' || y.rank !== 1) throw new ValueError(`NoProp: y must be int32 class labels [N], got ${y.dtype} of rank ${y.rank}`, 'INVALID_ARGUMENT');
    const n = x.shape[0]!;
    const lr = ctx.optimizer.paramGroups[0]!.lr;
    for (const o of [...state.blockOptimizers, state.headOptimizer]) for (const g of o.paramGroups) g.lr = lr;
    let lossSum = 0;
    const norms: number[] = [];
    for (let t = 1; t <= m.numBlocks; t++) {
      const r = scope(() => this.blockStep(state, t, x, y));
      if (r.culprit !== undefined) return { loss: r.loss, batchSize: n, metrics: {}, nonFinite: { culprit: r.culprit } };
      lossSum += r.loss;
      if (r.gradNorm !== undefined) norms.push(r.gradNorm);
    }
    if (ctx.scheduler && ctx.schedulerInterval === 'batch') ctx.scheduler.step();
    let metrics = {};
    if (this.options.trainMetrics && ctx.metrics.length > 0) {
      // The chain as evaluation runs it (BatchNorm on running statistics), without touching them.
      const modes = m.modules().map((mod) => [mod, mod.training] as const);
      m.eval();
      try {
        metrics = noGrad(() => batchMetrics(ctx.metrics, m.forward(x), y));
      } finally {
        for (const [mod, tr] of modes) mod.training = tr;
      }
    }
    const out: StepMetrics = { loss: lossSum / m.numBlocks, batchSize: n, metrics };
    return norms.length > 0 ? { ...out, gradNorm: norms.reduce((a, b) => a + b, 0) / norms.length } : out;
  }

  /** L_t, its backward and the two updates; a non-finite loss or gradient applies nothing. */
  private blockStep(state: NoPropState, t: number, x: Tensor, y: Tensor): { loss: number; culprit?: NonFiniteCulprit | null; gradNorm?: number } {
    const { ctx, model: m, generator } = state;
    const named = state.named[t - 1]!;
    const clear = (): void => { for (const [, p] of named) p.grad = null; };
    clear();
    const shape = [x.shape[0]!, m.embeddingDim];
    const dtype = m.embed.dtype as FloatDType;
    const noise = { epsPrev: randn(shape, { dtype, generator }), epsT: randn(shape, { dtype, generator }) };
    const { total } = noPropLoss(m, t, x, y, noise, { eta: this.options.eta, loss: ctx.loss });
    const loss = total.item();
    if (!Number.isFinite(loss)) {
      let culprit = nonFiniteParameter(named);
      if (culprit === null && total.requiresGrad) {
        total.backward();
        culprit = nonFiniteGradient(named);
      }
      clear();
      return { loss, culprit };
    }
    total.backward();
    const bad = nonFiniteGradient(named);
    if (bad !== null) {
      clear();
      return { loss, culprit: bad };
    }
    const own = state.blockOptimizers[t - 1]!;
    const gradNorm = ctx.clipGradNorm === undefined ? undefined : clipGradNorm(own.paramGroups[0]!.params, ctx.clipGradNorm);
    own.step();
    state.headOptimizer.step();
    clear();
    return gradNorm === undefined ? { loss } : { loss, gradNorm };
  }

  onEpochEnd(_model: Module, state: NoPropState, info: EpochInfo): void {
    const { scheduler, schedulerInterval } = state.ctx;
    if (!scheduler || schedulerInterval !== 'epoch') return;
    if (scheduler instanceof ReduceLROnPlateau) scheduler.step(info.logs.valLoss ?? info.logs.loss!);
    else scheduler.step();
  }

  /** A snapshot of NoProp's own state: every optimizer's state (copies) and the generator. */
  stateDict(state: NoPropState): NoPropStateDict {
    const tensors: Record<string, Tensor> = {};
    const blocks = state.blockOptimizers.map((o, i) => flattenOptimizer(o, `blocks.${i}`, tensors));
    const head = flattenOptimizer(state.headOptimizer, 'head', tensors);
    return { algorithm: NAME, tensors, meta: { numBlocks: state.model.numBlocks, blocks, head, generator: state.generator.getState() } };
  }

  /** Restores a `stateDict()`; validates all of it first (ValueError INVALID_STATE_DICT) and changes nothing on failure. */
  loadStateDict(state: NoPropState, sd: NoPropStateDict): void {
    const where = 'NoProp.loadStateDict';
    const bad = (msg: string): never => { throw new ValueError(`${where}: ${msg}`, 'INVALID_STATE_DICT'); };
    if (sd?.algorithm !== NAME) bad(`the state is of algorithm '${String(sd?.algorithm)}', not '${NAME}'`);
    const meta = sd.meta as { numBlocks?: unknown; blocks?: unknown; head?: unknown; generator?: unknown } | null;
    if (meta === null || typeof meta !== 'object') bad('meta must be an object');
    if (meta!.numBlocks !== state.model.numBlocks || !Array.isArray(meta!.blocks) || meta!.blocks.length !== state.model.numBlocks) {
      bad(`the state has ${String(meta!.numBlocks)} blocks, the model ${state.model.numBlocks}`);
    }
    const gen = meta!.generator;
    if (!Array.isArray(gen) || gen.length !== 4 || !gen.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)) bad('generator must be four uint32 values');
    const targets = [...state.blockOptimizers, state.headOptimizer];
    const dicts = [...(meta!.blocks as unknown[]), meta!.head].map((mt, i) => unflattenOptimizer(mt, sd.tensors ?? {}, `${where} (${i < state.model.numBlocks ? `block ${i + 1}` : 'head'})`));
    // Validate every optimizer's part on a throwaway twin first, so a bad part changes nothing.
    targets.forEach((o, i) => sameKind(o, o.paramGroups[0]!.params).loadStateDict(dicts[i]!));
    targets.forEach((o, i) => o.loadStateDict(dicts[i]!));
    state.generator.setState(gen as number[]);
  }
}

/** `new NoProp(options)`. */
export function noProp(options: NoPropOptions = {}): NoProp {
  return new NoProp(options);
}
