/**
 * @file `fit`: the training loop. It owns epochs, batches, validation, callbacks, progress and logs,
 * and the policy of the NaN/Inf guard; what one batch does belongs to the `algorithm` (backprop by
 * default, see algorithm.ts).
 *
 * Two things a reader might "simplify" into bugs:
 * - every step runs inside `scope()`, batch creation included, so the step's tensors are freed when
 *   it ends rather than when the garbage collector gets round to them (a WASM heap is only
 *   reclaimed by scope or by finalizers, and finalizers need the event loop to turn);
 * - the loop awaits a macrotask (setImmediate) every ~50 ms: that is what lets the progress bar
 *   reach the terminal, an AbortSignal fire and FinalizationRegistry callbacks run.
 */
import { ValueError } from '../core/errors.js';
import { scope } from '../core/memory.js';
import { DataLoader } from '../data/loader.js';
import type { Batch } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import { type BaseHyper, Optimizer } from '../optim/optimizer.js';
import type { AlgorithmStateDict, Scheduler, StepMetrics, TrainContext, TrainingAlgorithm } from './algorithm.js';
import { Backprop } from './algorithms/backprop.js';
import { createAlgorithm } from './algorithms/index.js';
import { JsonlLogger, type LogTarget } from './callbacks.js';
import { type DataSource, batchesPerEpoch, checkBatch, toBatches } from './data-source.js';
import { NonFiniteInputError, NonFiniteLossError, type StepPosition } from './errors.js';
import { defaultMetrics, evaluate } from './evaluate.js';
import { nonFiniteParameter, nonFiniteSample } from './guard.js';
import { type BatchLogs, type Callback, type EpochLogs, History, type StopReason, type TrainControl, runHooks } from './history.js';
import { type LossFn, type LossName, resolveLoss } from './losses.js';
import { type Metric, MeanTracker } from './metrics.js';
import { ProgressBar, type ProgressStream } from './progress.js';

/**
 * What to do when the loss (or a gradient) goes non-finite, or `checkInputs` finds a bad batch:
 * 'stop' ends the run and returns the History with `error` set; 'raise' throws the error after the
 * callbacks' onTrainEnd; 'skip' drops the batch and goes on (but stops as 'stop' does once the
 * weights themselves are non-finite, since no later batch could recover).
 */
export type NanPolicy = 'stop' | 'raise' | 'skip';

export interface FitOptions {
  optimizer: Optimizer<BaseHyper>;
  /** Default 'crossEntropy'. */
  loss?: LossName | LossFn;
  /** Last epoch to run (default 1). */
  epochs?: number;
  /** Epochs already done (resume): the run covers epochs initialEpoch+1 .. epochs. */
  initialEpoch?: number;
  /** Steps already done (resume), so step numbers continue. */
  initialStep?: number;
  /** For {x, y} data: batch size (default 32), reshuffling (default true) and its seed. */
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  /** Default ['accuracy'] for 'crossEntropy' and 'bce'. */
  metrics?: readonly (string | Metric)[];
  /** Evaluated after every epoch into valLoss, valAccuracy, ... */
  validation?: DataSource;
  /** For {x, y} validation data (default 256). */
  validationBatchSize?: number;
  callbacks?: readonly Callback[];
  scheduler?: Scheduler;
  /** Default 'epoch' (PyTorch's convention); per-step schedules (OneCycleLR, warm-up) want 'batch'. */
  schedulerInterval?: 'batch' | 'epoch';
  /** Clip the global gradient 2-norm to this before each update. */
  clipGradNorm?: number;
  /** An algorithm object, or a registered name ('backprop' (default), 'forward-forward', 'mono-forward', ...; train.algorithmNames()). */
  algorithm?: TrainingAlgorithm<unknown> | string;
  /** Options of a named algorithm (validated against its registry entry); not with an algorithm object. */
  algorithmOptions?: Record<string, unknown>;
  /** The algorithm's own state to start from (resume: what a checkpoint stored), loaded after its init. */
  algorithmState?: AlgorithmStateDict;
  /** Default 'stop'. */
  nanPolicy?: NanPolicy;
  /** Train even if a parameter is already NaN/Inf at the start (default false: a ValueError naming it). */
  allowNonFinite?: boolean;
  /** Scan every batch for NaN/Inf before using it (default false; the CLI turns it on). */
  checkInputs?: boolean;
  /** JSONL log: a writable, a JsonlLogger, or (plexus/node's fit) a file path, appended to. */
  log?: LogTarget | JsonlLogger;
  /** 'auto' (default): a redrawn bar on a TTY, one line per epoch elsewhere; true: the bar always; false: silent. */
  progress?: boolean | 'auto';
  /** Where progress goes (default process.stderr). */
  progressStream?: ProgressStream;
  /** Aborting ends the run after the current step; fit resolves with stopReason 'aborted'. */
  signal?: AbortSignal;
}

const YIELD_MS = 50;

function checkOptions(opts: FitOptions): void {
  const bad = (msg: string): never => { throw new ValueError(`fit: ${msg}`, 'INVALID_ARGUMENT'); };
  if (typeof opts !== 'object' || opts === null) bad('options {optimizer, ...} are required');
  if (!(opts.optimizer instanceof Optimizer)) bad('options.optimizer must be an Optimizer (e.g. new optim.Adam(model.parameters()))');
  const int = (v: unknown, min: number): boolean => Number.isInteger(v) && (v as number) >= min;
  if (opts.epochs !== undefined && !int(opts.epochs, 1)) bad(`epochs must be an integer >= 1, got ${String(opts.epochs)}`);
  if (opts.initialEpoch !== undefined && !(int(opts.initialEpoch, 0) && opts.initialEpoch <= (opts.epochs ?? 1))) {
    bad(`initialEpoch must be an integer in [0, epochs], got ${String(opts.initialEpoch)}`);
  }
  if (opts.initialStep !== undefined && !int(opts.initialStep, 0)) bad(`initialStep must be an integer >= 0, got ${String(opts.initialStep)}`);
  if (opts.nanPolicy !== undefined && !['stop', 'raise', 'skip'].includes(opts.nanPolicy)) bad(`nanPolicy must be 'stop', 'raise' or 'skip', got ${JSON.stringify(opts.nanPolicy)}`);
  if (opts.clipGradNorm !== undefined && !(opts.clipGradNorm > 0 && Number.isFinite(opts.clipGradNorm))) bad(`clipGradNorm must be a finite number > 0, got ${String(opts.clipGradNorm)}`);
  if (opts.schedulerInterval !== undefined && !['batch', 'epoch'].includes(opts.schedulerInterval)) bad(`schedulerInterval must be 'batch' or 'epoch', got ${JSON.stringify(opts.schedulerInterval)}`);
  if (opts.algorithmOptions !== undefined && typeof opts.algorithm !== 'string') bad('algorithmOptions go with an algorithm given by name (algorithm: \'forward-forward\'); an algorithm object takes its options in its constructor');
}

/** The run's algorithm: the object given, or the registered one by name; refused before training when it does not apply to the model. */
function resolveAlgorithm(model: Module, opts: FitOptions): TrainingAlgorithm<unknown> {
  const a = opts.algorithm;
  if (a === undefined) return new Backprop();
  if (typeof a === 'string') return createAlgorithm(a, opts.algorithmOptions ?? {}, model);
  if (typeof a !== 'object' || a === null || typeof a.init !== 'function' || typeof a.step !== 'function') {
    throw new ValueError('fit: algorithm must be a registered name or a TrainingAlgorithm {name, init, step}', 'INVALID_ARGUMENT');
  }
  const problem = a.appliesTo?.(model) ?? null;
  if (problem !== null) throw new ValueError(`${a.name} does not apply to this model: ${problem}`, 'ALGORITHM_NOT_APPLICABLE');
  return a;
}

/** The state of one run; callbacks see it as TrainControl. */
class Run implements TrainControl {
  readonly history = new History();
  epoch = 0;
  step: number;
  stopRequested: StopReason | null = null;
  /** Set once the algorithm's init ran. */
  algorithmStateFn: (() => AlgorithmStateDict | null) | null = null;
  lastFiniteLoss: number | null = null;
  lastYield = performance.now();

  constructor(
    readonly model: Module,
    readonly optimizer: Optimizer<BaseHyper>,
    readonly epochs: number,
    readonly stepsPerEpoch: number | null,
    readonly loader: DataLoader | null,
    readonly scheduler: Scheduler | null,
    readonly algorithm: TrainingAlgorithm<unknown>,
    initialStep: number,
  ) {
    this.step = initialStep;
  }

  stop(reason: StopReason = 'callback'): void {
    this.stopRequested ??= reason;
  }

  algorithmState(): AlgorithmStateDict | null {
    return this.algorithmStateFn?.() ?? null;
  }
}

/** Everything an epoch needs, resolved once. */
interface Setup {
  model: Module;
  batches: DataLoader | Iterable<Batch>;
  validation: DataLoader | Iterable<Batch> | null;
  algorithm: TrainingAlgorithm<unknown>;
  state: unknown;
  ctx: TrainContext;
  callbacks: Callback[];
  policy: NanPolicy;
  checkInputs: boolean;
  signal: AbortSignal | undefined;
}

/**
 * Trains `model` on `data` and resolves with the History (per-epoch logs, why it stopped).
 * @example
 * const model = new nn.MLP([64, 128, 10]);
 * const { train, test } = data.digits();
 * const history = await fit(model, { ...train, batchSize: 32 }, {
 *   optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }), epochs: 20, validation: test,
 * });
 * console.log(history.last?.valAccuracy);
 */
export async function fit(model: Module, data: DataSource, opts: FitOptions): Promise<History> {
  checkOptions(opts);
  // docs/reliability.md "Model files": loading NaN weights is allowed, training from them is not (by default).
  const broken = opts.allowNonFinite ? null : nonFiniteParameter(model);
  if (broken !== null) {
    throw new ValueError(`fit: parameter '${broken.name}' holds ${broken.value} at element ${broken.index}; ` +
      'training would only spread it (pass allowNonFinite: true to train anyway)', 'NON_FINITE_PARAMETER');
  }
  const algorithm = resolveAlgorithm(model, opts);
  const lossName = opts.loss ?? 'crossEntropy';
  const ctx: TrainContext = {
    optimizer: opts.optimizer,
    loss: resolveLoss(lossName),
    lossName: typeof lossName === 'string' ? lossName : null,
    metrics: defaultMetrics(lossName, opts.metrics),
    schedulerInterval: opts.schedulerInterval ?? 'epoch',
    ...(opts.clipGradNorm === undefined ? {} : { clipGradNorm: opts.clipGradNorm }),
    ...(opts.scheduler === undefined ? {} : { scheduler: opts.scheduler }),
  };
  const batches = toBatches(data, { batchSize: opts.batchSize ?? 32, shuffle: opts.shuffle ?? true, ...(opts.seed === undefined ? {} : { seed: opts.seed }) }, 'fit');
  const validation = opts.validation === undefined ? null : toBatches(opts.validation, { batchSize: opts.validationBatchSize ?? 256, shuffle: false }, 'fit validation');
  const progress = opts.progress ?? 'auto';
  const callbacks: Callback[] = [
    ...(progress === false ? [] : [new ProgressBar({ mode: progress === true ? 'bar' : 'auto', ...(opts.progressStream ? { stream: opts.progressStream } : {}) })]),
    ...(opts.log === undefined ? [] : [opts.log instanceof JsonlLogger ? opts.log : new JsonlLogger(opts.log)]),
    ...(opts.callbacks ?? []),
  ];
  const epochs = opts.epochs ?? 1;
  const loader = batches instanceof DataLoader ? batches : null;
  const run = new Run(model, opts.optimizer, epochs, batchesPerEpoch(batches), loader, opts.scheduler ?? null, algorithm, opts.initialStep ?? 0);
  const modes = model.modules().map((m) => [m, m.training] as const);
  const setup: Setup = {
    model, batches, validation, algorithm, ctx, callbacks, state: undefined,
    policy: opts.nanPolicy ?? 'stop', checkInputs: opts.checkInputs ?? false, signal: opts.signal,
  };
  let failure: { error: unknown } | null = null;
  try {
    setup.state = algorithm.init(model, ctx);
    if (opts.algorithmState !== undefined) {
      if (!algorithm.loadStateDict) throw new ValueError(`fit: algorithmState was given, but ${algorithm.name} has no state to load`, 'INVALID_STATE_DICT');
      algorithm.loadStateDict(setup.state, opts.algorithmState);
    }
    if (algorithm.stateDict) run.algorithmStateFn = () => algorithm.stateDict!(setup.state);
    await runHooks(callbacks, 'onTrainBegin', run);
    for (let e = (opts.initialEpoch ?? 0) + 1; e <= epochs && run.stopRequested === null; e++) await trainEpoch(setup, run, e);
    run.history.stopReason = run.stopRequested ?? 'completed';
  } catch (error) {
    failure = { error };
  } finally {
    for (const [m, t] of modes) m.training = t;
    try {
      await runHooks(callbacks, 'onTrainEnd', run);
    } catch (error) {
      failure ??= { error }; // the first failure is the one worth reporting
    }
  }
  if (failure !== null) throw failure.error;
  if (setup.policy === 'raise' && run.history.error !== null) throw run.history.error;
  return run.history;
}

/** Gives the event loop a turn if ~50 ms have passed since the last one. */
async function maybeYield(run: Run): Promise<void> {
  if (performance.now() - run.lastYield < YIELD_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  run.lastYield = performance.now();
}

type StepOutcome = { metrics: StepMetrics } | { input: NonFiniteInputError } | null;

/** Takes the next batch and trains on it, all inside one scope; null at the end of the epoch. */
function runStep(s: Setup, it: Iterator<Batch>, pos: StepPosition): StepOutcome {
  return scope((): StepOutcome => {
    const next = it.next();
    if (next.done) return null;
    const batch = checkBatch(next.value, 'fit', pos.batch - 1);
    if (s.checkInputs) {
      const bad = nonFiniteSample(batch[0], batch[1]);
      if (bad !== null) {
        // The dataset index is known only when the order is not shuffled.
        const b = s.batches;
        const dsIndex = b instanceof DataLoader && !b.shuffle ? (pos.batch - 1) * b.batchSize + bad.sample : null;
        return { input: new NonFiniteInputError(pos, bad.sample, dsIndex, bad.tensor, bad.value) };
      }
    }
    return { metrics: s.algorithm.step(s.model, batch, s.state) };
  });
}

/**
 * Books one step: applies the guard's policy to a fault, else adds the step to the epoch averages.
 * Returns the batch logs, or null when the run must stop at this step.
 */
function bookStep(s: Setup, run: Run, pos: StepPosition, out: NonNullable<StepOutcome>, tracker: MeanTracker): BatchLogs | null {
  const h = run.history;
  const m = 'metrics' in out ? out.metrics : null;
  const fault = m === null ? (out as { input: NonFiniteInputError }).input
    : m.nonFinite ? new NonFiniteLossError(pos, m.loss, run.lastFiniteLoss, m.nonFinite.culprit) : null;
  if (fault !== null) {
    // Skipping cannot help once the weights themselves are broken.
    const hopeless = fault instanceof NonFiniteLossError && fault.culprit?.kind === 'parameter';
    if (s.policy !== 'skip' || hopeless) {
      h.error = fault;
      run.stopRequested = fault instanceof NonFiniteInputError ? 'nonFiniteInput' : 'nonFinite';
      return null;
    }
    h.skippedSteps++;
  } else if (m !== null) {
    run.lastFiniteLoss = m.loss;
    tracker.add('loss', { sum: m.loss * m.batchSize, count: m.batchSize });
    for (const [k, v] of Object.entries(m.metrics)) tracker.add(k, v);
    // With clipping on, the epoch logs carry the mean pre-clip norm (docs/reliability.md "Numerics and training").
    if (m.gradNorm !== undefined) tracker.add('gradNorm', { sum: m.gradNorm, count: 1 });
  }
  return {
    ...pos, loss: m?.loss ?? NaN, batchSize: m?.batchSize ?? 0, runningLoss: tracker.mean('loss'), skipped: fault !== null,
    ...(m?.gradNorm === undefined ? {} : { gradNorm: m.gradNorm }),
  };
}

async function trainEpoch(s: Setup, run: Run, epoch: number): Promise<void> {
  s.model.train();
  run.epoch = epoch;
  await runHooks(s.callbacks, 'onEpochBegin', epoch, run);
  const it = s.batches[Symbol.iterator]();
  // A DataLoader restored mid-epoch (resume) starts at its saved batch.
  let batch = s.batches instanceof DataLoader ? s.batches.state().batch : 0;
  const tracker = new MeanTracker();
  const t0 = performance.now();
  for (;;) {
    if (s.signal?.aborted) {
      run.stopRequested = 'aborted';
      return;
    }
    const pos: StepPosition = { step: run.step + 1, epoch, batch: batch + 1 };
    const out = runStep(s, it, pos);
    if (out === null) break;
    batch++;
    run.step++;
    run.history.steps++;
    const logs = bookStep(s, run, pos, out, tracker);
    if (logs === null) return; // stopped by the guard: no epoch end, so no validation and no checkpoint
    await runHooks(s.callbacks, 'onBatchEnd', logs, run);
    if (run.stopRequested !== null) break;
    await maybeYield(run);
  }
  await endEpoch(s, run, epoch, tracker, (performance.now() - t0) / 1000);
}

/** Validation, the algorithm's epoch hook (schedules), history and the callbacks' onEpochEnd. */
async function endEpoch(s: Setup, run: Run, epoch: number, tracker: MeanTracker, seconds: number): Promise<void> {
  const lr = s.ctx.optimizer.paramGroups[0]?.lr ?? NaN; // the rate this epoch used, before any epoch-level schedule moves it
  const val: Record<string, number> = {};
  if (s.validation !== null) {
    const v = evaluate(s.model, s.validation, { loss: s.ctx.loss, metrics: s.ctx.metrics, algorithm: s.algorithm });
    for (const [k, x] of Object.entries(v)) val[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = x;
  }
  // Key order is the printed order: epoch, train values (loss first), validation values, lr, time.
  const logs: EpochLogs = {
    epoch, loss: tracker.mean('loss'), ...tracker.means(), ...val, lr, seconds, samplesPerSec: seconds > 0 ? tracker.count('loss') / seconds : 0,
  };
  s.algorithm.onEpochEnd?.(s.model, s.state, { epoch, logs });
  run.history.epochs.push(logs);
  await runHooks(s.callbacks, 'onEpochEnd', epoch, logs, run);
  await maybeYield(run);
}
