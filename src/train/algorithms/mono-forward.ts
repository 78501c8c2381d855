/**
 * @file Mono-Forward (Gong, Li & Abdulla 2025, https://arxiv.org/abs/2501.09238): every hidden layer
 * learns from a local cross-entropy on class scores read out of its own activations by a projection
 * matrix; no gradient crosses layers, so training memory does not grow with depth.
 *
 * Update rule, hidden block i of an nn.MLP (a_0 = x, C classes, M_i a [C, width_i] projection):
 *   a_i = f_i(sg(a_{i-1}))           (sg = stop-gradient: the input is detached)
 *   G_i = a_i M_i^T                  ("goodness" scores, [N, C])
 *   L_i = CE(G_i, y)                 W_i, M_i <- optimizer step on dL_i/dW_i, dL_i/dM_i
 * Layers are updated one after the other on the same batch (layer i's input is the activation
 * layer i-1 produced before its update). Prediction is one pass: argmax of the last layer's G.
 *
 * Our reading of the paper's two heads (option `head`):
 * - 'projection' (default, the paper's MF prediction): the MLP's output Linear IS the last hidden
 *   layer's projection M_L (with a bias), trained with that layer's local loss. So `model.forward`
 *   is the one-pass prediction and a saved model predicts as trained; the other hidden layers get
 *   algorithm-owned projections (no bias), kept in this algorithm's state.
 * - 'linear' (the paper's "BP" head: an output layer trained by backprop on top of the MF-trained
 *   layers): every hidden layer has its own projection, and the output Linear is trained by cross-
 *   entropy on the detached last hidden activations, through that one layer only.
 *
 * Options: head ('projection' | 'linear'), seed (the projections' initialisation). The run's
 * optimizer steps the model's parameters layer by layer (local.ts explains why that equals one
 * optimizer per layer); the projections get one of the same class and hyperparameters, whose
 * learning rate follows the run's. `clipGradNorm` clips each layer's gradients (with its projection)
 * separately; the logged gradNorm is the largest of them. The logged loss is the prediction layer's.
 * Shape contract: x [N, in] float, y [N] int32 class indices; the model an nn.MLP [in, ..., C].
 */
import type { FloatDType } from '../../core/dtype.js';
import { Generator } from '../../core/rng.js';
import { scope } from '../../core/memory.js';
import type { Tensor } from '../../core/tensor.js';
import { ValueError } from '../../core/errors.js';
import type { Batch } from '../../data/dataset.js';
import { ModuleList } from '../../nn/container.js';
import { Linear } from '../../nn/linear.js';
import type { MLP } from '../../nn/mlp.js';
import type { Module } from '../../nn/module.js';
import type { BaseHyper, Optimizer } from '../../optim/optimizer.js';
import { ReduceLROnPlateau } from '../../optim/reduce-lr-on-plateau.js';
import { crossEntropy } from '../../ops/composite/index.js';
import { type AlgorithmStateDict, type StepMetrics, type TrainContext, type TrainingAlgorithm, batchMetrics } from '../algorithm.js';
import type { NonFiniteCulprit } from '../errors.js';
import {
  type NamedParam, asMlp, blockParams, checkClassification, checkFirstOrder, cloneOptimizer, hiddenBlock, hiddenCount,
  loadOptimizerState, localUpdate, mlpProblem, optimizerState, outputLayer,
} from './local.js';
import { type AlgorithmOptionsSpec, resolveAlgorithmOptions } from './options.js';

export const MONO_FORWARD_OPTIONS: AlgorithmOptionsSpec = {
  head: { kind: 'enum', values: ['projection', 'linear'], default: 'projection', doc: "'projection': the output Linear is the last layer's projection (one-pass prediction); 'linear': a separate output layer trained on the last hidden layer" },
  seed: { kind: 'integer', min: 0, max: 2 ** 32 - 1, default: 0, doc: 'seed of the projection matrices\' initialisation' },
};

export interface MonoForwardOptions {
  head?: 'projection' | 'linear';
  seed?: number;
}

export interface MonoForwardState {
  ctx: TrainContext;
  mlp: MLP;
  /** Algorithm-owned projections, one per hidden layer that has one. */
  projections: ModuleList;
  /** Optimizer of the projections (null when there are none). */
  own: Optimizer<BaseHyper> | null;
  /** Per hidden block: its parameters and its projection's. */
  groups: NamedParam[][];
  /** The output layer's parameters, when it trains as its own step ('linear', or no hidden layer). */
  outputGroup: NamedParam[] | null;
}

const NAME = 'mono-forward';

/**
 * @example await fit(model, data, { optimizer, algorithm: new MonoForward() })   // or algorithm: 'mono-forward'
 */
export class MonoForward implements TrainingAlgorithm<MonoForwardState> {
  readonly name = NAME;
  readonly options: Required<MonoForwardOptions>;

  constructor(options: MonoForwardOptions = {}) {
    this.options = resolveAlgorithmOptions('MonoForward', MONO_FORWARD_OPTIONS, options);
  }

  appliesTo(model: Module): string | null {
    return mlpProblem(model, NAME);
  }

  init(model: Module, ctx: TrainContext): MonoForwardState {
    const mlp = asMlp(model, NAME);
    checkFirstOrder(ctx, NAME);
    checkClassification(ctx, NAME);
    const k = hiddenCount(mlp);
    const classes = mlp.sizes[mlp.sizes.length - 1]!;
    const dtype = outputLayer(mlp).weight.dtype as FloatDType;
    // The output layer doubles as the last projection in 'projection' mode (when there is a hidden layer).
    const shared = this.options.head === 'projection' && k > 0;
    const generator = new Generator(this.options.seed);
    const nProj = shared ? k - 1 : k;
    const projections = new ModuleList(Array.from({ length: nProj }, (_, i) => new Linear(mlp.sizes[i + 1]!, classes, { bias: false, dtype, generator })));
    const own = nProj > 0 ? cloneOptimizer(ctx.optimizer, projections.parameters()) : null;
    const outNamed = mlp.namedParameters().filter(([n]) => n.startsWith(`layers.${k}.`)) as NamedParam[];
    const groups: NamedParam[][] = [];
    for (let i = 0; i < k; i++) {
      const g = blockParams(mlp, i);
      if (i < nProj) g.push(['projection.weight', (projections.at(i) as Linear).weight]);
      else g.push(...outNamed);
      groups.push(g);
    }
    return { ctx, mlp, projections, own, groups, outputGroup: shared ? null : outNamed };
  }

  step(_model: Module, batch: Batch, state: MonoForwardState): StepMetrics {
    const { ctx, mlp } = state;
    const [x, y] = batch;
    const n = x.shape[0]!;
    const k = state.groups.length;
    let h = x;
    let culprit: NonFiniteCulprit | null | undefined;
    let loss = NaN;
    let gradNorm: number | undefined;
    let metrics = {};
    const note = (u: { loss: number; culprit?: NonFiniteCulprit | null; gradNorm?: number }): void => {
      loss = u.loss;
      if (u.culprit !== undefined) culprit = u.culprit;
      if (u.gradNorm !== undefined) gradNorm = Math.max(gradNorm ?? 0, u.gradNorm);
    };
    for (let i = 0; i < k && culprit === undefined; i++) {
      // One scope per layer: its activations and graph are gone before the next layer runs.
      h = scope(() => {
        const a = hiddenBlock(mlp, i, h);
        const last = i === k - 1 && state.outputGroup === null;
        const scores = last ? outputLayer(mlp).forward(a) : state.projections.at(i).forward(a);
        if (last) metrics = batchMetrics(ctx.metrics, scores, y);
        note(localUpdate(crossEntropy(scores, y), state.groups[i]!, ctx, state.own));
        return a.detach();
      });
    }
    if (culprit === undefined && state.outputGroup !== null) {
      scope(() => {
        const scores = outputLayer(mlp).forward(h);
        metrics = batchMetrics(ctx.metrics, scores, y);
        note(localUpdate(crossEntropy(scores, y), state.outputGroup!, ctx, null));
      });
    }
    if (culprit === undefined && ctx.scheduler && ctx.schedulerInterval === 'batch') ctx.scheduler.step();
    const base: StepMetrics = { loss, batchSize: n, metrics, ...(gradNorm === undefined ? {} : { gradNorm }) };
    return culprit === undefined ? base : { ...base, loss: Number.isFinite(loss) ? NaN : loss, nonFinite: { culprit } };
  }

  onEpochEnd(_model: Module, state: MonoForwardState, info: { logs: Readonly<Record<string, number>> }): void {
    epochSchedule(state.ctx, info.logs);
  }

  stateDict(state: MonoForwardState): AlgorithmStateDict {
    const tensors: Record<string, Tensor> = {};
    for (const [key, t] of state.projections.stateDict()) tensors[`projections.${key}`] = t.clone();
    let optimizer = null;
    if (state.own) {
      const o = optimizerState(state.own, 'optim');
      Object.assign(tensors, o.tensors);
      optimizer = o.meta;
    }
    return { algorithm: NAME, tensors, meta: { head: this.options.head, optimizer } };
  }

  loadStateDict(state: MonoForwardState, sd: AlgorithmStateDict): void {
    const bad = (msg: string): never => { throw new ValueError(`MonoForward.loadStateDict: ${msg}`, 'INVALID_STATE_DICT'); };
    if (sd?.algorithm !== NAME) bad(`the state is of algorithm '${String(sd?.algorithm)}', not '${NAME}'`);
    const meta = (sd.meta ?? {}) as { head?: unknown; optimizer?: unknown };
    if (meta.head !== this.options.head) bad(`the state was written with head '${String(meta?.head)}', this run uses '${this.options.head}'`);
    const proj = new Map<string, Tensor>();
    for (const [k, t] of Object.entries(sd.tensors)) if (k.startsWith('projections.')) proj.set(k.slice('projections.'.length), t);
    // Validate the projections without changing them (a throwaway copy takes the load first).
    const probe = new ModuleList(state.projections.children().map((m) => new Linear((m as Linear).inFeatures, (m as Linear).outFeatures, { bias: false, dtype: (m as Linear).weight.dtype as FloatDType })));
    probe.loadStateDict(proj);
    if (state.own) loadOptimizerState(state.own, sd.tensors, (meta.optimizer ?? null) as never, 'optim', 'MonoForward');
    state.projections.loadStateDict(proj);
  }
}

/** Epoch-level schedules, as backprop steps them (ReduceLROnPlateau-like ones get the monitored loss). */
export function epochSchedule(ctx: TrainContext, logs: Readonly<Record<string, number>>): void {
  const { scheduler, schedulerInterval } = ctx;
  if (!scheduler || schedulerInterval !== 'epoch') return;
  if (scheduler instanceof ReduceLROnPlateau) scheduler.step(logs.valLoss ?? logs.loss!);
  else scheduler.step();
}

/** `new MonoForward(options)`. */
export function monoForward(options: MonoForwardOptions = {}): MonoForward {
  return new MonoForward(options);
}
