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
 *   `fit` applies the run's nanPolicy.
 */
import type { Tensor } from '../core/tensor.js';
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

export interface TrainingAlgorithm<S = unknown> {
  readonly name: string;
  /** Called once before the first batch; returns the algorithm's state for this run. */
  init(model: Module, ctx: TrainContext): S;
  /** Trains on one batch ([x, y], first dimension = sample). */
  step(model: Module, batch: Batch, state: S): StepMetrics;
  /** Called after each epoch's validation (epoch-level schedules live here). */
  onEpochEnd?(model: Module, state: S, info: EpochInfo): void;
}

/** The metric sums of one batch for every metric of the run (outside autograd: reads values only). */
export function batchMetrics(metrics: readonly Metric[], pred: Tensor, target: Tensor): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const m of metrics) out[m.name] = m.batch(pred, target);
  return out;
}
