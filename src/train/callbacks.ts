/**
 * @file Ready-made callbacks: EarlyStopping, a JSONL logger and ModelCheckpoint. The hook interface
 * itself is in history.ts. Files are plexus/node's (file-callbacks.ts): here a logger writes to
 * anything with `write(string)` and ModelCheckpoint to its `save` function, so both work in every host.
 */
import { ValueError } from '../core/errors.js';
import { noGrad } from '../core/grad-mode.js';
import type { Tensor } from '../core/tensor.js';
import type { Module } from '../nn/module.js';
import { NonFiniteWeightsError } from '../io/model.js';
import { nonFiniteParameter } from './guard.js';
import type { BatchLogs, Callback, EpochLogs, TrainControl } from './history.js';

/** 'auto' picks 'max' for accuracy-like names and 'min' otherwise (losses). */
export type MonitorMode = 'min' | 'max' | 'auto';

function resolveMode(monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') throw new ValueError(`mode must be 'min', 'max' or 'auto', got ${JSON.stringify(mode)}`, 'INVALID_ARGUMENT');
  return /acc|auc|precision|recall|f1/i.test(monitor) ? 'max' : 'min';
}

/** The monitored value of an epoch, or a typed error listing what the logs do have. */
function monitored(who: string, monitor: string, logs: Readonly<EpochLogs>): number {
  if (!Object.hasOwn(logs, monitor)) {
    const hint = monitor.startsWith('val') ? ' (val* values need the `validation` option of fit)' : '';
    throw new ValueError(`${who}: monitor '${monitor}' is not in the epoch logs; available: ${Object.keys(logs).join(', ')}${hint}`, 'UNKNOWN_MONITOR');
  }
  return logs[monitor]!;
}

/** A copy of every parameter and buffer, detached from the model's storage. */
function snapshot(model: Module): Map<string, Tensor> {
  return noGrad(() => new Map([...model.stateDict()].map(([k, t]) => [k, t.clone()])));
}

export interface EarlyStoppingOptions {
  /** Epoch-log key to watch (default 'valLoss'). */
  monitor?: string;
  /**
   * Stop at the patience-th epoch in a row without improvement (Lightning's rule; 0 and 1 both stop
   * at the first such epoch). Default 0.
   */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  mode?: MonitorMode;
  /** At the end of the run, load the weights of the best epoch (default false). */
  restoreBest?: boolean;
}

/**
 * Stops when the monitored value has not improved by more than `minDelta` for `patience` epochs in
 * a row. A NaN value never counts as an improvement.
 * @example callbacks: [new EarlyStopping({ monitor: 'valAccuracy', patience: 3, restoreBest: true })]
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: 'min' | 'max';
  readonly restoreBest: boolean;
  best = NaN;
  bestEpoch = 0;
  /** Epochs since the last improvement. */
  wait = 0;
  /** Epoch at which it stopped the run, or 0. */
  stoppedEpoch = 0;
  private bestWeights: Map<string, Tensor> | null = null;
  private lastEpoch = 0;

  constructor(opts: EarlyStoppingOptions = {}) {
    this.monitor = opts.monitor ?? 'valLoss';
    this.patience = opts.patience ?? 0;
    this.minDelta = Math.abs(opts.minDelta ?? 0);
    if (!(Number.isInteger(this.patience) && this.patience >= 0)) throw new ValueError(`EarlyStopping: patience must be an integer >= 0, got ${this.patience}`, 'INVALID_ARGUMENT');
    if (!Number.isFinite(this.minDelta)) throw new ValueError(`EarlyStopping: minDelta must be finite, got ${opts.minDelta}`, 'INVALID_ARGUMENT');
    this.mode = resolveMode(this.monitor, opts.mode ?? 'auto');
    this.restoreBest = opts.restoreBest ?? false;
  }

  onTrainBegin(): void {
    this.best = NaN;
    this.bestEpoch = 0;
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestWeights = null;
  }

  private improves(v: number): boolean {
    if (Number.isNaN(v)) return false;
    if (Number.isNaN(this.best)) return true;
    return this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
  }

  onEpochEnd(epoch: number, logs: Readonly<EpochLogs>, ctl: TrainControl): void {
    const v = monitored('EarlyStopping', this.monitor, logs);
    this.lastEpoch = epoch;
    if (this.improves(v)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBest) this.bestWeights = snapshot(ctl.model);
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      ctl.stop('earlyStopping');
    }
  }

  onTrainEnd(ctl: TrainControl): void {
    if (this.restoreBest && this.bestWeights !== null && this.bestEpoch !== this.lastEpoch) {
      ctl.model.loadStateDict(this.bestWeights);
    }
    for (const t of this.bestWeights?.values() ?? []) t.dispose();
    this.bestWeights = null;
  }
}

/** Where JSONL lines go: anything with `write(string)`, or (plexus/node) a file path, appended to. */
export type LogTarget = string | { write(chunk: string): unknown };

/** JSON for a log record: NaN/±Infinity become the strings "NaN"/"Infinity"/"-Infinity" (JSON has none). */
export function jsonLine(record: Record<string, unknown>): string {
  return JSON.stringify(record, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n';
}

export interface JsonlLoggerOptions {
  /** Also log every n-th batch (default 0: epochs only; skipped batches are always logged). */
  everyBatches?: number;
}

/**
 * Writes one JSON object per line: {event: 'trainBegin'|'batch'|'epoch'|'trainEnd', time, ...}. A
 * path is opened for appending at train begin and written synchronously, so a crash loses at most
 * the line being written and lines keep their order.
 * @example callbacks: [new JsonlLogger('runs/a/log.jsonl')]
 */
export class JsonlLogger implements Callback {
  private sink: LineSink | null = null;
  private readonly everyBatches: number;

  constructor(readonly target: LogTarget, opts: JsonlLoggerOptions = {}) {
    this.everyBatches = opts.everyBatches ?? 0;
    if (!(Number.isInteger(this.everyBatches) && this.everyBatches >= 0)) {
      throw new ValueError(`JsonlLogger: everyBatches must be an integer >= 0, got ${this.everyBatches}`, 'INVALID_ARGUMENT');
    }
    if (typeof target === 'string') this.checkPathTarget(target);
    else if (typeof target !== 'object' || target === null || typeof target.write !== 'function') {
      throw new ValueError('JsonlLogger: target must be a path (plexus/node) or have write(string)', 'INVALID_ARGUMENT');
    }
  }

  /** Refuses a path where no file can be opened (overridden by plexus/node's JsonlLogger). */
  protected checkPathTarget(path: string): void {
    throw new ValueError(`JsonlLogger: a file path (${JSON.stringify(path)}) needs plexus/node's train.JsonlLogger; here pass an object with write(string)`, 'INVALID_ARGUMENT');
  }

  /** Opens a path target for appending (plexus/node overrides this; never reached otherwise). */
  protected openPath(path: string): LineSink {
    return this.checkPathTarget(path) as never;
  }

  write(record: Record<string, unknown>): void {
    const line = jsonLine({ ...record, time: new Date().toISOString() });
    if (typeof this.target !== 'string') this.target.write(line);
    else this.sink?.write(line);
  }

  onTrainBegin(ctl: TrainControl): void {
    if (typeof this.target === 'string' && this.sink === null) this.sink = this.openPath(this.target);
    this.write({ event: 'trainBegin', epochs: ctl.epochs, stepsPerEpoch: ctl.stepsPerEpoch, parameters: ctl.model.numParameters() });
  }

  onBatchEnd(logs: Readonly<BatchLogs>): void {
    if (logs.skipped || (this.everyBatches > 0 && logs.step % this.everyBatches === 0)) this.write({ event: 'batch', ...logs });
  }

  onEpochEnd(_epoch: number, logs: Readonly<EpochLogs>): void {
    this.write({ event: 'epoch', ...logs });
  }

  onTrainEnd(ctl: TrainControl): void {
    const h = ctl.history;
    const error = h.error === null ? undefined : { ...h.error, code: h.error.code, name: h.error.name, message: h.error.message };
    try {
      this.write({ event: 'trainEnd', stopReason: h.stopReason, steps: h.steps, skippedSteps: h.skippedSteps, epochs: h.epochs.length, error });
    } finally {
      this.sink?.close();
      this.sink = null;
    }
  }
}

/** An opened log file: lines written synchronously, in order. */
export interface LineSink {
  write(line: string): void;
  close(): void;
}

/** Writes the model; `ctl` gives the optimizer, loader and scheduler for full checkpoints. */
export type SaveFn = (model: Module, path: string, info: { epoch: number; logs: Readonly<EpochLogs>; ctl: TrainControl }) => Promise<void>;

export interface ModelCheckpointOptions {
  /**
   * A model file per save (io.saveModel: weights + architecture, loadable with io.loadModel);
   * `{epoch}` in it is replaced by the epoch number. Give this or `dir`.
   */
  path?: string;
  /**
   * A directory of full training checkpoints (io.saveCheckpoint: model, optimizer, scheduler, data
   * loader position, RNG) to resume from with io.loadCheckpoint + fit's initialEpoch / initialStep.
   */
  dir?: string;
  /** With `dir`: also keep the last N checkpoints as step-<n>.safetensors (default 0: only last). */
  keep?: number;
  /** With saveBestOnly: the epoch-log key to watch (default 'valLoss'). */
  monitor?: string;
  mode?: MonitorMode;
  /** Only write when the monitored value improves (default false: every epoch). */
  saveBestOnly?: boolean;
  /**
   * The writer (receives `path`, or `dir`). Required here; plexus/node's train.ModelCheckpoint
   * defaults to io's atomic file writers.
   */
  save?: SaveFn;
}

/**
 * Saves at the end of epochs through `save` (plexus/node: io's atomic writers by default). Never writes non-finite weights
 * (docs/reliability.md "Atomic saves": the last good checkpoint must survive a divergence); such an epoch is
 * recorded in `refused` and the run goes on (the NaN/Inf guard stops it at the next step).
 * @example callbacks: [new ModelCheckpoint({ dir: 'runs/a/ckpt' }), new ModelCheckpoint({ path: 'runs/a/best.safetensors', saveBestOnly: true })]
 */
export class ModelCheckpoint implements Callback {
  /** The file pattern or directory written to. */
  readonly target: string;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly saveBestOnly: boolean;
  private readonly save: SaveFn;
  private readonly isDir: boolean;
  best = NaN;
  /** Epochs written, with their paths. */
  readonly saved: { epoch: number; path: string }[] = [];
  /** Epochs not written because a parameter was non-finite (names the first one). */
  readonly refused: { epoch: number; parameter: string }[] = [];

  constructor(opts: ModelCheckpointOptions) {
    const given = [opts?.path, opts?.dir].filter((v) => v !== undefined);
    if (given.length !== 1 || typeof given[0] !== 'string' || given[0] === '') {
      throw new ValueError('ModelCheckpoint: give exactly one of path (a model file) or dir (training checkpoints), as a non-empty string', 'INVALID_ARGUMENT');
    }
    const keep = opts.keep ?? 0;
    if (!(Number.isInteger(keep) && keep >= 0)) throw new ValueError(`ModelCheckpoint: keep must be an integer >= 0, got ${keep}`, 'INVALID_ARGUMENT');
    this.target = given[0];
    this.isDir = opts.dir !== undefined;
    this.monitor = opts.monitor ?? 'valLoss';
    this.mode = resolveMode(this.monitor, opts.mode ?? 'auto');
    this.saveBestOnly = opts.saveBestOnly ?? false;
    this.save = opts.save ?? this.defaultSave(opts.dir, keep);
  }

  /** The writer when none is given: none here (plexus/node's ModelCheckpoint writes files). */
  protected defaultSave(_dir: string | undefined, _keep: number): SaveFn {
    throw new ValueError("ModelCheckpoint: give `save` (a function writing the model), or use plexus/node's train.ModelCheckpoint, which writes files", 'INVALID_ARGUMENT');
  }

  async onEpochEnd(epoch: number, logs: Readonly<EpochLogs>, ctl: TrainControl): Promise<void> {
    const bad = nonFiniteParameter(ctl.model);
    if (bad !== null) {
      this.refused.push({ epoch, parameter: bad.name });
      return;
    }
    if (this.saveBestOnly) {
      const v = monitored('ModelCheckpoint', this.monitor, logs);
      const better = !Number.isNaN(v) && (Number.isNaN(this.best) || (this.mode === 'min' ? v < this.best : v > this.best));
      if (!better) return;
      this.best = v;
    }
    const path = this.isDir ? this.target : this.target.replaceAll('{epoch}', String(epoch));
    try {
      await this.save(ctl.model, path, { epoch, logs, ctl });
    } catch (e) {
      // io also refuses non-finite optimizer state; like NaN weights, that is recorded, not fatal.
      if (!(e instanceof NonFiniteWeightsError)) throw e;
      this.refused.push({ epoch, parameter: e.tensor });
      return;
    }
    this.saved.push({ epoch, path });
  }
}
