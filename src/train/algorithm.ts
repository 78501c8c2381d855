/**
 * @file The interface every training algorithm implements (docs/architecture.md "Growing it"):
 * backprop is one implementation; Forward-Forward, Mono-Forward, NoProp or multi-stage fitting are
 * others, each one file over the public API. `fit` owns the loop (epochs, batches, validation,
 * callbacks, progress, the NaN/Inf guard's policy); an algorithm owns what one batch does.
 *
 * Contract of `step`:
 * - it runs inside a `px.scope`, so tensors it makes are freed when it returns (keep() anything that
 *   must live longer, as optimizer state does);
 * - it reports the batch's mean loss and metric sums;
 * - when the loss or a gradient is non-finite it must NOT apply the update; it returns
 *   `nonFinite` (the first non-finite parameter, else gradient, or null when both are finite) and
 *   `fit` applies the run's nanPolicy. A layer-local algorithm (Forward-Forward, Mono-Forward)
 *   updates layer by layer, which is what keeps its memory flat in depth: it checks each layer's
 *   loss and gradients before that layer's update and stops at the first bad one, so the layers
 *   below it have taken this batch's (finite) step and no non-finite value is ever applied.
 *
 * Optional hooks: `appliesTo` (refuse a model before training, e.g. Mono-Forward on a KAN),
 * `predict` (when `model.forward` is not the algorithm's prediction: Forward-Forward scores each
 * label by goodness; `fit`'s validation and `evaluate({ algorithm })` use it), and
 * `stateDict`/`loadStateDict` for state that is neither the model's nor the run optimizer's (Mono-
 * Forward's projection matrices and their optimizer, a generator), which checkpoints store.
 */
import type { Tensor } from '../core/tensor.js';
import type { JsonValue } from '../nn/config.js';
import type { Batch } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import type { BaseHyper, Optimizer } from '../optim/optimizer.js';
import type { NonFiniteCulprit } from './errors.js';
import type { LossFn } from './losses.js';
import type { Metric, MetricValue } from './metrics.js';

/** Anything with PyTorch's scheduler `step()`; ReduceLROnPlateau-like ones take the monitored value. */
export interface Scheduler {
  step(metric?: number): void;
}

/** What `fit` hands to `init`: the run's resolved options. */
export interface TrainContext {
  optimizer: Optimizer<BaseHyper>;
  loss: LossFn;
  /** The loss's name when given by name (null for a custom function); fit always sets it. */
  lossName?: string | null;
  metrics: readonly Metric[];
  /** Clip gradients to this global 2-norm before each update (no clipping when undefined). */
  clipGradNorm?: number;
  scheduler?: Scheduler;
  /** When the scheduler steps: after every batch, or after every epoch (default, as PyTorch). */
  schedulerInterval: 'batch' | 'epoch';
}

/** The result of one batch. */
export interface StepMetrics {
  /** Mean loss over the batch (NaN/Infinity when the guard tripped). */
  loss: number;
  /** Samples in the batch (weights the loss in epoch averages). */
  batchSize: number;
  /** Per metric name, this batch's (sum, count). */
  metrics: Record<string, MetricValue>;
  /** Global gradient 2-norm before clipping, when clipping is on. */
  gradNorm?: number;
  /** Set when the loss or a gradient was non-finite and the update was skipped. */
  nonFinite?: { culprit: NonFiniteCulprit | null };
}

/** What an epoch-end hook sees: the epoch (1-based) and its logs (loss, valLoss, ...). */
export interface EpochInfo {
  epoch: number;
  logs: Readonly<Record<string, number>>;
}

/**
 * An algorithm's own state, as checkpoints store it: tensors by name (copies, the caller may dispose
 * them) and JSON for the rest. `algorithm` names the algorithm that wrote it.
 */
export interface AlgorithmStateDict {
  algorithm: string;
  tensors: Record<string, Tensor>;
  meta: JsonValue;
}

export interface TrainingAlgorithm<S = unknown> {
  readonly name: string;
  /** Why the algorithm cannot train `model` (null: it can); `fit` calls it before anything else. */
  appliesTo?(model: Module): string | null;
  /** Called once before the first batch; returns the algorithm's state for this run. */
  init(model: Module, ctx: TrainContext): S;
  /** Trains on one batch ([x, y], first dimension = sample). */
  step(model: Module, batch: Batch, state: S): StepMetrics;
  /** Called after each epoch's validation (epoch-level schedules live here). */
  onEpochEnd?(model: Module, state: S, info: EpochInfo): void;
  /** The prediction for `x` (e.g. class scores [N, C]) when it is not `model.forward(x)`; runs under noGrad in eval mode. */
  predict?(model: Module, x: Tensor): Tensor;
  /** A snapshot of the algorithm's own state (copies). */
  stateDict?(state: S): AlgorithmStateDict;
  /** Restores a `stateDict()`; validates everything first (ValueError INVALID_STATE_DICT) and changes nothing on failure. */
  loadStateDict?(state: S, sd: AlgorithmStateDict): void;
}

/** The metric sums of one batch for every metric of the run (outside autograd: reads values only). */
export function batchMetrics(metrics: readonly Metric[], pred: Tensor, target: Tensor): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const m of metrics) out[m.name] = m.batch(pred, target);
  return out;
}
