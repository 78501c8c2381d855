/**
 * @file `plexus train`: config -> checks -> claim the run folder -> fit -> test score -> model + curves.
 * Everything that can be refused (config, paths, backend, data, splits, batch size, memory) is
 * checked before the run folder is claimed, so a refused run leaves no trace on disk. `--resume`
 * (resume.ts) re-enters `execute` from a checkpoint.
 *
 * A run folder is complete when it holds model.safetensors; a run that fails after the claim
 * (divergence, a non-finite loss, an error) writes failed.json with the reason instead, and exits 1.
 */
import path from 'node:path';
import { type Callback, type EpochLogs, type History, evaluate, fit, px, saveCheckpoint, saveModel } from './api.js';
import { buildModel, buildOptimizer, dataFill, describeModel, layerProblem } from './build.js';
import { type TrainConfig, isLayerModel } from './config-schema.js';
import { loadTrainConfig, resolveBackend } from './config.js';
import { type Ctx, shown } from './context.js';
import { type TrainData, loadTrainData } from './data.js';
import { ConfigError } from './errors.js';
import { checkMemory } from './memory-check.js';
import type { ModelMeta } from './model-meta.js';
import { svgRow } from './plot-svg.js';
import { RUN_FILES, claimNewRunDir, resolveRunDir, writeRunFile } from './run-dir.js';

/** What a finished run reports (tests read it; the console gets the same numbers). */
export interface TrainResult {
  runDir: string;
  history: History;
  test: { loss: number } & Record<string, number>;
  config: Record<string, unknown>;
}

/** Divergence: a batch loss above this many times the run's first batch loss stops the run. */
export const DIVERGENCE_FACTOR = 1e3;
/** Name of the file a failed run leaves in its folder (instead of model.safetensors). */
export const FAILED_FILE = 'failed.json';

/** The config as written to config.json: every default filled in, reusable with --config. */
function resolvedConfig(cfg: TrainConfig, data: TrainData, backend: string, lr: number, model: InstanceType<typeof px.nn.Module>): Record<string, unknown> {
  const { out: _out, name: _name, ...rest } = cfg; // the folder it sits in says where it ran
  const tf = data.meta.data.testFraction;
  // A layer model is written as its full config (defaults and data-filled sizes included).
  const m = isLayerModel(cfg.model) ? { model: model.getConfig() } : {};
  // Plain backprop is left out, so config.json of a backprop run reads (and resumes) as before.
  const { algorithm, ...others } = rest;
  const a = algorithm.name === 'backprop' && Object.keys(algorithm).length === 1 ? {} : { algorithm };
  return { ...others, ...a, ...m, backend, data: { ...cfg.data, ...(tf === null ? {} : { testFraction: tf }) }, optimizer: { ...cfg.optimizer, lr } };
}

/** The layer model the config names, built; its argument errors become config problems (exit 2). */
function buildLayerModel(cfg: TrainConfig, data: TrainData, outputs: number, source: string): InstanceType<typeof px.nn.Module> {
  const classes = data.meta.classes;
  const fill = dataFill({ inputs: data.meta.features.length, outputs, classes: classes ? classes.length : null, image: data.image });
  try {
    return buildModel(cfg, data.meta.features.length, outputs, fill);
  } catch (e) {
    if (e instanceof px.ValueError || e instanceof px.ShapeError || e instanceof px.DTypeError) {
      throw new ConfigError(source, [layerProblem(e, cfg.model, fill)]);
    }
    throw e;
  }
}

/** Checks that need the data: both splits non-empty, the batch no larger than the training set. */
function checkAgainstData(cfg: TrainConfig, data: TrainData, source: string): void {
  const n = data.train.x.shape[0]!;
  const t = data.test.x.shape[0]!;
  if (n === 0 || t === 0) {
    throw new ConfigError(source, [{ pointer: '/data/testFraction', message: `leaves an empty ${n === 0 ? 'training' : 'test'} split (${n} train / ${t} test rows); the data needs more rows or another testFraction` }]);
  }
  if (cfg.batchSize > n) {
    throw new ConfigError(source, [{ pointer: '/batchSize', message: `must be at most the ${n} training samples, got ${cfg.batchSize}` }]);
  }
}

/** The curves of a run as SVG: loss, and accuracy for classification. */
export function curvesSvg(h: History | readonly EpochLogs[], classification: boolean): string {
  const epochs = Array.isArray(h) ? (h as readonly EpochLogs[]) : (h as History).epochs;
  const get = (k: string): number[] => epochs.map((e) => e[k] ?? NaN);
  const panels = [{
    title: 'Loss', xLabel: 'epoch', yLabel: 'loss',
    series: [{ name: 'train', values: get('loss') }, { name: 'test', values: get('valLoss'), dashed: true }],
  }];
  if (classification) {
    panels.push({
      title: 'Accuracy', xLabel: 'epoch', yLabel: 'accuracy',
      series: [{ name: 'train', values: get('accuracy') }, { name: 'test', values: get('valAccuracy'), dashed: true }],
    });
  }
  return svgRow(panels);
}

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;

/** Everything a run needs, prepared and checked before anything is written. */
export interface Plan {
  cfg: TrainConfig;
  backend: string;
  data: TrainData;
  model: InstanceType<typeof px.nn.Module>;
  optimizer: ReturnType<typeof buildOptimizer>;
  loader: InstanceType<typeof px.data.DataLoader>;
  loss: 'crossEntropy' | 'mse';
  /** The training algorithm (config `algorithm`, default backprop). */
  algorithm: px.train.TrainingAlgorithm<unknown>;
  /** The resolved config, as written to config.json. */
  config: Record<string, unknown>;
}

/** Where a resumed run starts (null fields: from the beginning). */
export interface StartPoint {
  epoch: number;
  step: number;
  /** The first batch loss of the run, the divergence reference. */
  firstLoss: number | null;
  /** Epoch logs of the epochs already done (for the curves). */
  previous: EpochLogs[];
  /** The algorithm's own state from the checkpoint (resume), if it keeps one. */
  algorithmState?: px.train.AlgorithmStateDict;
}

/**
 * The configured algorithm for `model`, its options validated and the model and task checked
 * before anything is written (config problems at /algorithm, exit 2). An algorithm with a `seed`
 * option takes the run's seed unless the config sets one.
 */
export function buildAlgorithm(cfg: TrainConfig, model: InstanceType<typeof px.nn.Module>, loss: string, source: string): px.train.TrainingAlgorithm<unknown> {
  const { name, ...given } = cfg.algorithm;
  const entry = px.train.algorithmEntry(name)!; // the schema admits registered names only
  const opts: Record<string, unknown> = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  if (Object.hasOwn(entry.options, 'seed') && opts.seed === undefined) opts.seed = cfg.seed;
  if (entry.losses && !entry.losses.includes(loss)) {
    throw new ConfigError(source, [{ pointer: '/algorithm/name', message: `${name} trains with ${entry.losses.join(' or ')}; this data is a ${loss === 'mse' ? 'regression' : loss} task` }]);
  }
  try {
    return px.train.createAlgorithm(name, opts, model);
  } catch (e) {
    if (e instanceof px.ValueError) throw new ConfigError(source, [{ pointer: e.code === 'ALGORITHM_NOT_APPLICABLE' ? '/algorithm/name' : '/algorithm', message: e.message }]);
    throw e;
  }
}

/** Data, model, optimizer and loader (on the current backend), with the checks that need the data. */
export function plan(ctx: Ctx, cfg: TrainConfig, source: string, backend: string, loaded?: TrainData): Plan {
  const data = loaded ?? loadTrainData(ctx, cfg); // `loaded`: plexus compare runs every algorithm and seed on one split

  checkAgainstData(cfg, data, source);
  const classification = data.meta.task === 'classification';
  const outputs = classification ? data.meta.classes!.length : 1;
  const samples = data.train.x.shape[0]! + data.test.x.shape[0]!;
  let model: InstanceType<typeof px.nn.Module>;
  if (isLayerModel(cfg.model)) {
    model = buildLayerModel(cfg, data, outputs, source);
    checkMemory(cfg, backend, data.meta.features.length, outputs, samples, source, model.numParameters());
  } else {
    checkMemory(cfg, backend, data.meta.features.length, outputs, samples, source);
    model = buildModel(cfg, data.meta.features.length, outputs);
  }
  const optimizer = buildOptimizer(cfg, model);
  // The loader fit would build from {x, y, batchSize} with `seed`, made here so checkpoints can record its position.
  const loader = new px.data.DataLoader(new px.data.TensorDataset(data.train.x, data.train.y), { batchSize: cfg.batchSize, shuffle: true, seed: cfg.seed });
  const loss = classification ? 'crossEntropy' : 'mse';
  const algorithm = buildAlgorithm(cfg, model, loss, source);
  const config = resolvedConfig(cfg, data, backend, optimizer.paramGroups[0]!.lr, model);
  return { cfg, backend, data, model, optimizer, loader, loss, algorithm, config };
}

export function announce(ctx: Ctx, p: Plan): void {
  const { cfg, model } = p;
  const classes = p.data.meta.classes;
  ctx.io.out(`data: ${p.data.summary}\n`);
  ctx.io.out(`model: ${describeModel(cfg, p.data.meta.features.length, classes ? classes.length : 1, model)}, ${model.numParameters()} parameters; ${cfg.optimizer.name} lr ${p.optimizer.paramGroups[0]!.lr}, batch ${cfg.batchSize}, ${cfg.epochs} epochs, seed ${cfg.seed}, backend ${p.backend}${p.algorithm.name === 'backprop' ? '' : `, algorithm ${p.algorithm.name}`}\n`);
}

/** The run stopped because the loss blew up while staying finite (exit 1). */
export class DivergenceError extends px.PlexusError {
  constructor(message: string) {
    super('DIVERGED', message);
  }
}

/** fit with the run folder's log and checkpoints, the divergence rule, progress on io.err. */
async function runFit(ctx: Ctx, p: Plan, runDir: string, start: StartPoint): Promise<{ history: History; diverged: DivergenceError | null }> {
  const { cfg, data, loader } = p;
  const { io } = ctx;
  let firstLoss = start.firstLoss;
  let diverged: DivergenceError | null = null;
  const guard: Callback = {
    onBatchEnd: (logs, ctl) => {
      if (!Number.isFinite(logs.loss)) return; // the library's guard reports NaN/Inf itself
      firstLoss ??= logs.loss;
      if (diverged === null && logs.loss > DIVERGENCE_FACTOR * Math.max(firstLoss, 1e-12)) {
        diverged = new DivergenceError(`the training loss diverged at step ${logs.step} (epoch ${logs.epoch}, batch ${logs.batch}): ${logs.loss.toPrecision(3)}, more than ${DIVERGENCE_FACTOR}x the first batch's ${firstLoss.toPrecision(3)}; lower the learning rate (--lr) or clip gradients (--clip-grad-norm). No model was saved; the log is in ${shown(ctx, path.join(runDir, RUN_FILES.log))}`);
        ctl.stop('callback');
      }
    },
    onEpochEnd: async (epoch, logs, ctl) => {
      if (diverged !== null) return; // never checkpoint diverged weights: --resume continues from the last good epoch
      await saveCheckpoint(path.join(runDir, RUN_FILES.checkpoint), { model: ctl.model, optimizer: ctl.optimizer, loader, epoch, step: ctl.step, extra: { logs, firstLoss }, algorithm: ctl.algorithmState?.() ?? null });
    },
  };
  const history = await fit(p.model, loader, {
    optimizer: p.optimizer, loss: p.loss, callbacks: [guard], epochs: cfg.epochs, validation: data.test,
    initialEpoch: start.epoch, initialStep: start.step, algorithm: p.algorithm,
    ...(start.algorithmState === undefined ? {} : { algorithmState: start.algorithmState }),
    ...(cfg.clipGradNorm === null ? {} : { clipGradNorm: cfg.clipGradNorm }),
    checkInputs: true,
    log: path.join(runDir, RUN_FILES.log),
    progress: 'auto',
    progressStream: { write: (s: string) => io.err(s), ...(io.isTTY === undefined ? {} : { isTTY: io.isTTY }), ...(io.columns === undefined ? {} : { columns: io.columns }) },
  });
  return { history, diverged };
}

/** Records why a claimed run failed, so the folder cannot be mistaken for a finished one. */
async function markFailed(runDir: string, e: unknown): Promise<void> {
  const error = e instanceof px.PlexusError ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
  await writeRunFile(runDir, FAILED_FILE, `${JSON.stringify({ error, time: new Date().toISOString() }, null, 2)}\n`).catch(() => undefined);
}

/** Trains in the claimed folder `runDir` from `start`; from here on files are written. */
export async function execute(ctx: Ctx, p: Plan, runDir: string, start: StartPoint): Promise<TrainResult> {
  const { io } = ctx;
  const classification = p.loss === 'crossEntropy';
  try {
    io.out(`run folder: ${shown(ctx, runDir)}\n`);
    await writeRunFile(runDir, RUN_FILES.config, `${JSON.stringify(p.config, null, 2)}\n`);
    const { history, diverged } = await runFit(ctx, p, runDir, start);
    await writeRunFile(runDir, RUN_FILES.curves, curvesSvg([...start.previous, ...history.epochs], classification));
    if (history.error !== null) throw history.error; // the guard's typed error names the step; the model is not saved
    if (diverged !== null) throw diverged;
    const test = evaluate(p.model, p.data.test, { loss: p.loss, algorithm: p.algorithm });
    const meta: ModelMeta = { version: 1, ...p.data.meta, loss: p.loss };
    await saveModel(p.model, path.join(runDir, RUN_FILES.model), { metadata: { cli: meta, config: p.config } });
    io.out(classification ? `test accuracy: ${pct(test.accuracy!)} (loss ${test.loss.toFixed(4)})\n` : `test mse: ${test.loss.toPrecision(4)}\n`);
    const files = [RUN_FILES.config, RUN_FILES.log, `${RUN_FILES.checkpoint}/${px.io.LAST_CHECKPOINT}`, RUN_FILES.model, RUN_FILES.curves];
    io.out(`wrote ${files.map((f) => shown(ctx, path.join(runDir, f))).join(', ')}\n`);
    return { runDir, history, test, config: p.config };
  } catch (e) {
    await markFailed(runDir, e);
    throw e;
  }
}

/** Runs `f` with `backend` selected, restoring the previous one after. */
export async function withBackend<T>(backend: string, f: () => Promise<T>): Promise<T> {
  const previous = px.getBackend();
  px.setBackend(backend);
  try {
    return await f();
  } finally {
    px.setBackend(previous);
  }
}

/** Runs `plexus train`; resolves with the result, or throws a typed error before writing anything. */
export async function train(ctx: Ctx, flags: Readonly<Record<string, unknown>>): Promise<TrainResult> {
  if (flags.resume !== undefined) {
    const { resumeTrain } = await import('./resume.js');
    return resumeTrain(ctx, flags);
  }
  const { config: cfg, source } = loadTrainConfig(ctx, flags);
  const planned = resolveRunDir(ctx, cfg);
  const backend = resolveBackend(cfg.backend);
  return withBackend(backend, async () => {
    const p = plan(ctx, cfg, source, backend);
    announce(ctx, p);
    const claim = claimNewRunDir(ctx, planned, p.config);
    try {
      return await execute(ctx, p, claim.dir, { epoch: 0, step: 0, firstLoss: null, previous: [] });
    } finally {
      claim.release();
    }
  });
}
