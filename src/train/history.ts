/**
 * @file What a run records and what callbacks see: per-epoch logs (`History`), per-batch logs, the
 * control object callbacks use to stop training, and the `Callback` hooks themselves.
 */
import type { PlexusError } from '../core/errors.js';
import type { DataLoader } from '../data/loader.js';
import type { Module } from '../nn/module.js';
import type { BaseHyper, Optimizer } from '../optim/optimizer.js';
import type { AlgorithmStateDict, Scheduler, TrainingAlgorithm } from './algorithm.js';

/**
 * One epoch's results: `loss` and each metric averaged over the epoch's samples, `val`-prefixed
 * ones (valLoss, valAccuracy) on the validation data after the epoch, the learning rate used
 * (first param group), wall time and throughput.
 */
export interface EpochLogs {
  epoch: number;
  loss: number;
  lr: number;
  seconds: number;
  samplesPerSec: number;
  [name: string]: number;
}

/** One batch, as onBatchEnd sees it (all positions 1-based). */
export interface BatchLogs {
  step: number;
  epoch: number;
  batch: number;
  /** This batch's mean loss. */
  loss: number;
  batchSize: number;
  /** Mean loss over the epoch's batches so far (skipped ones excluded). */
  runningLoss: number;
  /** Pre-clip gradient norm, when clipping is on. */
  gradNorm?: number;
  /** The batch was not applied (nanPolicy 'skip'). */
  skipped: boolean;
}

/** Why a run ended. */
export type StopReason = 'completed' | 'earlyStopping' | 'nonFinite' | 'nonFiniteInput' | 'aborted' | 'callback';

/** The result of `fit`. */
export class History {
  readonly epochs: EpochLogs[] = [];
  stopReason: StopReason = 'completed';
  /** Set when the NaN/Inf guard or the input check stopped the run (nanPolicy 'stop'). */
  error: PlexusError | null = null;
  /** Steps run (applied or skipped) in this call. */
  steps = 0;
  /** Steps whose update was skipped (nanPolicy 'skip'). */
  skippedSteps = 0;

  /** The values of one log key, epoch by epoch (NaN where an epoch lacks it). */
  get(name: string): number[] {
    return this.epochs.map((e) => (Object.hasOwn(e, name) ? e[name]! : NaN));
  }

  /** The last completed epoch's logs. */
  get last(): EpochLogs | undefined {
    return this.epochs[this.epochs.length - 1];
  }
}

/** What callbacks get: the run's objects, where it is, and a way to stop it. */
export interface TrainControl {
  readonly model: Module;
  readonly optimizer: Optimizer<BaseHyper>;
  /** Last epoch number of the run. */
  readonly epochs: number;
  /** Batches per epoch, when the data source knows it. */
  readonly stepsPerEpoch: number | null;
  readonly history: History;
  /** The training DataLoader (null for {x, y}-less custom iterables), for checkpoints of its position. */
  readonly loader: DataLoader | null;
  /** fit's `scheduler` option, if any. */
  readonly scheduler: Scheduler | null;
  /** The run's training algorithm (fit always sets it; optional so that hand-made controls need not). */
  readonly algorithm?: TrainingAlgorithm<unknown>;
  /** A snapshot of the algorithm's own state (for checkpoints), or null when it keeps none. */
  algorithmState?(): AlgorithmStateDict | null;
  /** Current epoch (1-based) and global step. */
  readonly epoch: number;
  readonly step: number;
  /** Ends the run after the current epoch's callbacks (or batch, if called from onBatchEnd). */
  stop(reason?: StopReason): void;
  readonly stopRequested: StopReason | null;
}

type Hook<A extends unknown[]> = (...args: A) => void | Promise<void>;

/** Hooks into `fit`; every one is optional and may be async. */
export interface Callback {
  onTrainBegin?: Hook<[ctl: TrainControl]>;
  /** Runs however the run ends (also when it throws), so resources can be released. */
  onTrainEnd?: Hook<[ctl: TrainControl]>;
  onEpochBegin?: Hook<[epoch: number, ctl: TrainControl]>;
  onEpochEnd?: Hook<[epoch: number, logs: Readonly<EpochLogs>, ctl: TrainControl]>;
  onBatchEnd?: Hook<[logs: Readonly<BatchLogs>, ctl: TrainControl]>;
}

/** Calls one hook on every callback in order, awaiting only those that return a promise. */
export async function runHooks<K extends keyof Callback>(
  callbacks: readonly Callback[], hook: K, ...args: Parameters<NonNullable<Callback[K]>>
): Promise<void> {
  for (const cb of callbacks) {
    const fn = cb[hook] as ((...a: unknown[]) => unknown) | undefined;
    if (fn === undefined) continue;
    const r = fn.apply(cb, args);
    if (r instanceof Promise) await r;
  }
}
