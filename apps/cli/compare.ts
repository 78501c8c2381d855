/**
 * @file `plexus compare --config c.json --algorithms backprop,mono-forward,forward-forward --seeds 3`:
 * trains the config's model with each algorithm and seed on ONE data split (the config's seed picks
 * the split; run s of an algorithm uses seed config.seed + s for the initialisation, the shuffles and
 * the algorithm's own draws), then prints a table (test accuracy mean ± std over the seeds, or test
 * mse for regression; seconds per run; peak backend memory above the start of the run) and writes,
 * into a run folder claimed like `plexus train`'s (run-dir.ts: concurrent runs never mix files):
 * config.json, results.json (every run's per-epoch test scores), table.md and accuracy.svg (mean test
 * accuracy per epoch, one line per algorithm). Every algorithm is checked against the model before
 * the folder is claimed: a refused comparison leaves nothing on disk.
 */
import { type EpochLogs, evaluate, fit, px } from './api.js';
import { ALGORITHMS, type TrainConfig } from './config-schema.js';
import { loadTrainConfig, resolveBackend } from './config.js';
import { type Ctx, shown } from './context.js';
import { loadTrainData } from './data.js';
import { CliError } from './errors.js';
import { svgRow } from './plot-svg.js';
import { claimNewRunDir, resolveRunDir, writeRunFile } from './run-dir.js';
import { type Plan, plan, withBackend } from './train.js';

/** One training run of the comparison. */
export interface CompareRun {
  algorithm: string;
  seed: number;
  /** Test accuracy (classification) or test loss (regression) after each epoch. */
  curve: number[];
  /** The final test score (accuracy or mse). */
  score: number;
  seconds: number;
  peakBytes: number;
}

export interface CompareResult {
  runDir: string;
  metric: 'accuracy' | 'mse';
  runs: CompareRun[];
  /** Per algorithm: mean and (sample) standard deviation of the score, mean seconds, largest peak. */
  summary: { algorithm: string; mean: number; std: number; seconds: number; peakBytes: number }[];
}

function parseAlgorithms(v: unknown): string[] {
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (list.length === 0) throw new CliError('INVALID_ARGUMENT', `--algorithms needs a comma-separated list of ${ALGORITHMS.join(', ')}`);
  const bad = list.filter((a) => !(ALGORITHMS as readonly string[]).includes(a));
  if (bad.length) throw new CliError('INVALID_ARGUMENT', `--algorithms: unknown ${bad.map((b) => JSON.stringify(b)).join(', ')} (registered: ${ALGORITHMS.join(', ')})`);
  if (new Set(list).size !== list.length) throw new CliError('INVALID_ARGUMENT', `--algorithms lists an algorithm twice: ${list.join(',')}`);
  return list;
}

function parseSeeds(v: unknown): number {
  if (v === undefined) return 1;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= 100)) throw new CliError('INVALID_ARGUMENT', `--seeds must be an integer in [1, 100], got ${JSON.stringify(v)}`);
  return n;
}

/** The config of one run: the algorithm (its options from the config when it is the one configured) and the seed. */
function runConfig(cfg: TrainConfig, algorithm: string, seed: number): TrainConfig {
  const options = cfg.algorithm.name === algorithm ? cfg.algorithm : { name: algorithm };
  return { ...cfg, seed, algorithm: options as TrainConfig['algorithm'] };
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: readonly number[]): number => (v.length < 2 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1)));

/** Trains one planned run and measures it. */
async function runOne(p: Plan, algorithm: string, seed: number, classification: boolean): Promise<CompareRun> {
  const start = px.memory().numBytes;
  px.resetPeakMemory();
  const t0 = performance.now();
  const history = await fit(p.model, p.loader, {
    optimizer: p.optimizer, loss: p.loss, epochs: p.cfg.epochs, validation: p.data.test, algorithm: p.algorithm, progress: false,
    ...(p.cfg.clipGradNorm === null ? {} : { clipGradNorm: p.cfg.clipGradNorm }),
  });
  const seconds = (performance.now() - t0) / 1000;
  const peakBytes = Math.max(0, px.memory().peakBytes - start);
  if (history.error !== null) throw history.error;
  const test = evaluate(p.model, p.data.test, { loss: p.loss, algorithm: p.algorithm });
  const key = classification ? 'valAccuracy' : 'valLoss';
  return { algorithm, seed, curve: history.epochs.map((e: EpochLogs) => e[key] ?? NaN), score: classification ? test.accuracy! : test.loss, seconds, peakBytes };
}

function table(r: Omit<CompareResult, 'runDir'>, seeds: number): string {
  const head = `| algorithm | test ${r.metric} (mean ± std, ${seeds} seed${seeds > 1 ? 's' : ''}) | seconds per run | peak memory (MB) |`;
  const fmt = (v: number): string => (r.metric === 'accuracy' ? `${(v * 100).toFixed(2)}%` : v.toPrecision(4));
  const rows = r.summary.map((s) => `| ${s.algorithm} | ${fmt(s.mean)} ± ${r.metric === 'accuracy' ? `${(s.std * 100).toFixed(2)}` : s.std.toPrecision(2)} | ${s.seconds.toFixed(1)} | ${(s.peakBytes / 2 ** 20).toFixed(1)} |`);
  return [head, '|---|---|---|---|', ...rows].join('\n') + '\n';
}

/** Runs `plexus compare`. */
export async function compareCommand(ctx: Ctx, flags: Readonly<Record<string, unknown>>): Promise<CompareResult> {
  const algorithms = parseAlgorithms(flags.algorithms);
  const seeds = parseSeeds(flags.seeds);
  const { config: cfg, source } = loadTrainConfig(ctx, flags);
  const planned = resolveRunDir(ctx, cfg);
  const backend = resolveBackend(cfg.backend);
  return withBackend(backend, async () => {
    const data = loadTrainData(ctx, cfg);
    const classification = data.meta.task === 'classification';
    // Every algorithm must apply before anything is written.
    const first = algorithms.map((a) => plan(ctx, runConfig(cfg, a, cfg.seed), source, backend, data));
    const config = { ...first[0]!.config, compare: { algorithms, seeds } };
    delete (config as Record<string, unknown>).algorithm;
    ctx.io.out(`data: ${data.summary}\ncomparing ${algorithms.join(', ')} over ${seeds} seed(s), ${cfg.epochs} epochs each, backend ${backend}\n`);
    const claim = claimNewRunDir(ctx, planned, config);
    try {
      const dir = claim.dir;
      ctx.io.out(`run folder: ${shown(ctx, dir)}\n`);
      await writeRunFile(dir, 'config.json', `${JSON.stringify(config, null, 2)}\n`);
      const runs: CompareRun[] = [];
      for (const [i, a] of algorithms.entries()) {
        for (let s = 0; s < seeds; s++) {
          const p = s === 0 ? first[i]! : plan(ctx, runConfig(cfg, a, cfg.seed + s), source, backend, data);
          const r = await runOne(p, a, cfg.seed + s, classification);
          runs.push(r);
          ctx.io.err(`${a} seed ${r.seed}: test ${classification ? `accuracy ${(r.score * 100).toFixed(2)}%` : `mse ${r.score.toPrecision(4)}`} (${r.seconds.toFixed(1)} s)\n`);
        }
      }
      const summary = algorithms.map((a) => {
        const mine = runs.filter((r) => r.algorithm === a);
        const scores = mine.map((r) => r.score);
        return { algorithm: a, mean: mean(scores), std: std(scores), seconds: mean(mine.map((r) => r.seconds)), peakBytes: Math.max(...mine.map((r) => r.peakBytes)) };
      });
      const result = { metric: classification ? 'accuracy' as const : 'mse' as const, runs, summary };
      const md = table(result, seeds);
      ctx.io.out(md);
      const series = algorithms.map((a) => {
        const curves = runs.filter((r) => r.algorithm === a).map((r) => r.curve);
        return { name: a, values: curves[0]!.map((_, e) => mean(curves.map((c) => c[e] ?? NaN))) };
      });
      const title = classification ? 'Test accuracy' : 'Test loss';
      await writeRunFile(dir, 'accuracy.svg', svgRow([{ title: `${title} (mean of ${seeds} seed${seeds > 1 ? 's' : ''})`, xLabel: 'epoch', yLabel: classification ? 'accuracy' : 'loss', series }]));
      await writeRunFile(dir, 'results.json', `${JSON.stringify(result, null, 2)}\n`);
      await writeRunFile(dir, 'table.md', md);
      ctx.io.out(`wrote ${['config.json', 'results.json', 'table.md', 'accuracy.svg'].map((f) => shown(ctx, `${dir}/${f}`)).join(', ')}\n`);
      return { runDir: dir, ...result };
    } finally {
      claim.release();
    }
  });
}
