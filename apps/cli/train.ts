/**
 * @file `plexus train`: config -> checks -> run folder -> fit -> test score -> model + curves.
 * Everything that can be refused (config, paths, backend, data, batch size, model size) is checked
 * before the run folder is created, so a refused run leaves no trace on disk.
 */
import path from 'node:path';
import { type Callback, type History, evaluate, fit, px, saveCheckpoint, saveModel } from './api.js';
import { buildModel, buildOptimizer, describeModel } from './build.js';
import type { TrainConfig } from './config-schema.js';
import { loadTrainConfig, resolveBackend } from './config.js';
import { type Ctx, shown } from './context.js';
import { type TrainData, loadTrainData } from './data.js';
import { ConfigError } from './errors.js';
import type { ModelMeta } from './model-meta.js';
import { ensureDir } from './paths.js';
import { svgRow } from './plot-svg.js';
import { RUN_FILES, resolveRunDir, writeRunFile } from './run-dir.js';

/** What a finished run reports (tests read it; the console gets the same numbers). */
export interface TrainResult {
  runDir: string;
  history: History;
  test: { loss: number } & Record<string, number>;
  config: Record<string, unknown>;
}

/** The config as written to config.json: every default filled in, reusable with --config. */
function resolvedConfig(cfg: TrainConfig, data: TrainData, backend: string, lr: number): Record<string, unknown> {
  const { out: _out, name: _name, ...rest } = cfg; // the folder it sits in says where it ran
  const tf = data.meta.data.testFraction;
  return { ...rest, backend, data: { ...cfg.data, ...(tf === null ? {} : { testFraction: tf }) }, optimizer: { ...cfg.optimizer, lr } };
}

function checkAgainstData(cfg: TrainConfig, data: TrainData, source: string): void {
  const n = data.train.x.shape[0]!;
  if (cfg.batchSize > n) {
    throw new ConfigError(source, [{ pointer: '/batchSize', message: `must be at most the ${n} training samples, got ${cfg.batchSize}` }]);
  }
}

/** The curves of a run as SVG: loss, and accuracy for classification. */
export function curvesSvg(h: History, classification: boolean): string {
  const panels = [{
    title: 'Loss', xLabel: 'epoch', yLabel: 'loss',
    series: [{ name: 'train', values: h.get('loss') }, { name: 'test', values: h.get('valLoss'), dashed: true }],
  }];
  if (classification) {
    panels.push({
      title: 'Accuracy', xLabel: 'epoch', yLabel: 'accuracy',
      series: [{ name: 'train', values: h.get('accuracy') }, { name: 'test', values: h.get('valAccuracy'), dashed: true }],
    });
  }
  return svgRow(panels);
}

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;

/** Everything a run needs, prepared and checked before anything is written. */
interface Plan {
  cfg: TrainConfig;
  runDir: string;
  backend: string;
  data: TrainData;
  model: InstanceType<typeof px.nn.Module>;
  optimizer: ReturnType<typeof buildOptimizer>;
  loss: 'crossEntropy' | 'mse';
  /** The resolved config, as written to config.json. */
  config: Record<string, unknown>;
}

/** Data, model and optimizer (on the current backend), with the checks that need the data. */
function plan(ctx: Ctx, cfg: TrainConfig, source: string, runDir: string, backend: string): Plan {
  const data = loadTrainData(ctx, cfg);
  checkAgainstData(cfg, data, source);
  const classification = data.meta.task === 'classification';
  const model = buildModel(cfg, data.meta.features.length, classification ? data.meta.classes!.length : 1);
  const optimizer = buildOptimizer(cfg, model);
  const config = resolvedConfig(cfg, data, backend, optimizer.paramGroups[0]!.lr);
  return { cfg, runDir, backend, data, model, optimizer, loss: classification ? 'crossEntropy' : 'mse', config };
}

function announce(ctx: Ctx, p: Plan): void {
  const { cfg, model } = p;
  const classes = p.data.meta.classes;
  ctx.io.out(`data: ${p.data.summary}\n`);
  ctx.io.out(`model: ${describeModel(cfg, p.data.meta.features.length, classes ? classes.length : 1)}, ${model.numParameters()} parameters; ${cfg.optimizer.name} lr ${p.optimizer.paramGroups[0]!.lr}, batch ${cfg.batchSize}, ${cfg.epochs} epochs, seed ${cfg.seed}, backend ${p.backend}\n`);
}

/** fit with the run folder's log and checkpoints, progress on io.err. */
async function runFit(ctx: Ctx, p: Plan): Promise<History> {
  const { cfg, runDir, data } = p;
  const { io } = ctx;
  // The loader fit would build from {x, y, batchSize} with `seed`, made here so checkpoints can record its position.
  const loader = new px.data.DataLoader(new px.data.TensorDataset(data.train.x, data.train.y), { batchSize: cfg.batchSize, shuffle: true, seed: cfg.seed });
  const checkpoint: Callback = {
    onEpochEnd: async (epoch, logs, ctl) => {
      await saveCheckpoint(path.join(runDir, RUN_FILES.checkpoint), { model: ctl.model, optimizer: ctl.optimizer, loader, epoch, step: ctl.step, extra: { logs } });
    },
  };
  return fit(p.model, loader, {
    optimizer: p.optimizer, loss: p.loss, callbacks: [checkpoint], epochs: cfg.epochs, validation: data.test,
    ...(cfg.clipGradNorm === null ? {} : { clipGradNorm: cfg.clipGradNorm }),
    checkInputs: true,
    log: path.join(runDir, RUN_FILES.log),
    progress: 'auto',
    progressStream: { write: (s: string) => io.err(s), ...(io.isTTY === undefined ? {} : { isTTY: io.isTTY }), ...(io.columns === undefined ? {} : { columns: io.columns }) },
  });
}

/** Creates the run folder and trains; from here on files are written. */
async function execute(ctx: Ctx, p: Plan): Promise<TrainResult> {
  const { io } = ctx;
  const { runDir } = p;
  const classification = p.loss === 'crossEntropy';
  ensureDir(ctx.cwd, runDir);
  io.out(`run folder: ${shown(ctx, runDir)}\n`);
  await writeRunFile(runDir, RUN_FILES.config, `${JSON.stringify(p.config, null, 2)}\n`);
  const history = await runFit(ctx, p);
  await writeRunFile(runDir, RUN_FILES.curves, curvesSvg(history, classification));
  if (history.error !== null) throw history.error; // the guard's typed error names the step; the model is not saved
  const test = evaluate(p.model, p.data.test, { loss: p.loss });
  const meta: ModelMeta = { version: 1, ...p.data.meta, loss: p.loss };
  await saveModel(p.model, path.join(runDir, RUN_FILES.model), { metadata: { cli: meta, config: p.config } });
  io.out(classification ? `test accuracy: ${pct(test.accuracy!)} (loss ${test.loss.toFixed(4)})\n` : `test mse: ${test.loss.toPrecision(4)}\n`);
  const files = [RUN_FILES.config, RUN_FILES.log, `${RUN_FILES.checkpoint}/${px.io.LAST_CHECKPOINT}`, RUN_FILES.model, RUN_FILES.curves];
  io.out(`wrote ${files.map((f) => shown(ctx, path.join(runDir, f))).join(', ')}\n`);
  return { runDir, history, test, config: p.config };
}

/** Runs `plexus train`; resolves with the result, or throws a typed error before writing anything. */
export async function train(ctx: Ctx, flags: Readonly<Record<string, unknown>>): Promise<TrainResult> {
  const { config: cfg, source } = loadTrainConfig(ctx, flags);
  const runDir = resolveRunDir(ctx, cfg);
  const backend = resolveBackend(cfg.backend);
  const previous = px.getBackend();
  px.setBackend(backend);
  try {
    const p = plan(ctx, cfg, source, runDir, backend);
    announce(ctx, p);
    return await execute(ctx, p);
  } finally {
    px.setBackend(previous);
  }
}
