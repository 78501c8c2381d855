/**
 * @file `plexus fit-image <file.png | builtin:NAME>`: fits a coordinate network to one image, full
 * batch (every training pixel in every step), and writes a run folder: config.json, log.jsonl (loss
 * and PSNR at each evaluation), psnr.svg (the PSNR curve), reconstruction.png (ground truth |
 * reconstruction | error map) and model.safetensors. Flags are checked and the image is read before
 * the folder is claimed, so a refused invocation (exit 2) or an unreadable image (exit 1) writes nothing.
 *
 * Models: `mlp` (ReLU MLP with a sigmoid output, targets in [0, 1]: Tancik et al.'s image network),
 * `siren` and `spder` (nn.SIREN with sine or SPDER activations, targets in [-1, 1] as in SIREN).
 * PSNR is always reported on the image's [0, 1] scale.
 */
import path from 'node:path';
import { px, saveModel } from './api.js';
import { resolveBackend } from './config.js';
import { type Ctx, shown } from './context.js';
import { CliError, ConfigError, type ConfigProblem } from './errors.js';
import { svgRow } from './plot-svg.js';
import { claimNewRunDir, resolveRunDir, writeRunFile } from './run-dir.js';
import { withBackend } from './train.js';
import type { TrainConfig } from './config-schema.js';

export const FIT_IMAGE_MODELS = ['siren', 'spder', 'mlp'] as const;
const ENCODINGS = ['none', 'basic', 'positional', 'gaussian', 'learnable'] as const;

/** The resolved settings of a fit-image run (written to config.json). */
export interface FitImageConfig {
  image: string;
  model: (typeof FIT_IMAGE_MODELS)[number];
  encoding: { kind: (typeof ENCODINGS)[number]; scale: number | null; features: number };
  hidden: number[];
  steps: number;
  lr: number;
  split: 'all' | 'even-odd';
  seed: number;
  evalEvery: number;
  backend: string;
}

const FLAGS = ['model', 'encoding', 'features', 'hidden', 'steps', 'lr', 'split', 'seed', 'evalEvery', 'out', 'name', 'backend'];

function intFlag(problems: ConfigProblem[], flag: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) problems.push({ pointer: `/${flag}`, flag: `--${flag}`, message: `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}` });
  return n;
}

/** Checks every flag (all problems at once, ConfigError, exit 2). */
export function parseFitImageFlags(image: string, flags: Readonly<Record<string, unknown>>): FitImageConfig & { out?: string; name?: string } {
  const problems: ConfigProblem[] = [];
  for (const k of Object.keys(flags)) if (!FLAGS.includes(k)) problems.push({ pointer: `/${k}`, message: 'unknown flag' });
  const model = (flags.model ?? 'siren') as FitImageConfig['model'];
  if (!FIT_IMAGE_MODELS.includes(model)) problems.push({ pointer: '/model', flag: '--model', message: `must be one of ${FIT_IMAGE_MODELS.join(', ')}, got ${JSON.stringify(flags.model)}` });
  const encText = String(flags.encoding ?? (model === 'mlp' ? 'gaussian:10' : 'none'));
  const m = /^([a-z]+)(?::(.*))?$/.exec(encText);
  const kind = (m?.[1] ?? '') as FitImageConfig['encoding']['kind'];
  let scale: number | null = null;
  if (!m || !ENCODINGS.includes(kind)) {
    problems.push({ pointer: '/encoding', flag: '--encoding', message: `must be none, basic, or positional|gaussian|learnable[:scale], got ${JSON.stringify(encText)}` });
  } else if (kind === 'none' || kind === 'basic') {
    if (m[2] !== undefined) problems.push({ pointer: '/encoding', flag: '--encoding', message: `${kind} takes no scale, got ${JSON.stringify(encText)}` });
  } else {
    scale = m[2] === undefined ? 10 : Number(m[2]);
    if (m[2] !== undefined && (m[2].trim() === '' || !Number.isFinite(scale) || scale <= 0)) problems.push({ pointer: '/encoding', flag: '--encoding', message: `the scale must be a finite number > 0, got ${JSON.stringify(m[2])}` });
  }
  const features = intFlag(problems, 'features', flags.features, 128, 1, 65536);
  const hiddenText = String(flags.hidden ?? '128,128,128');
  const hidden = hiddenText.split(',').map((s) => (/^[0-9]+$/.test(s.trim()) ? Number(s) : NaN));
  if (hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 65536)) problems.push({ pointer: '/hidden', flag: '--hidden', message: `must be positive integer widths separated by commas, got ${JSON.stringify(hiddenText)}` });
  const steps = intFlag(problems, 'steps', flags.steps, 1000, 1, 10_000_000);
  const evalEvery = intFlag(problems, 'evalEvery', flags.evalEvery, Math.max(1, Math.round((Number.isInteger(steps) ? steps : 1000) / 50)), 1, 10_000_000);
  const seed = intFlag(problems, 'seed', flags.seed, 0, 0, 2 ** 31 - 1);
  const lr = flags.lr === undefined ? (model === 'mlp' ? 1e-3 : 1e-4) : Number(flags.lr);
  if (!Number.isFinite(lr) || lr <= 0 || (typeof flags.lr === 'string' && flags.lr.trim() === '')) problems.push({ pointer: '/lr', flag: '--lr', message: `must be a finite number > 0, got ${JSON.stringify(flags.lr)}` });
  const split = (flags.split ?? 'all') as FitImageConfig['split'];
  if (split !== 'all' && split !== 'even-odd') problems.push({ pointer: '/split', flag: '--split', message: `must be all or even-odd, got ${JSON.stringify(flags.split)}` });
  const backend = String(flags.backend ?? 'auto');
  if (backend !== 'auto' && !px.availableBackends().includes(backend)) problems.push({ pointer: '/backend', flag: '--backend', message: `must be auto or one of ${px.availableBackends().join(', ')}, got ${JSON.stringify(backend)}` });
  if (problems.length) throw new ConfigError('command line', problems);
  return {
    image, model, encoding: { kind, scale, features }, hidden, steps, lr, split, seed, evalEvery, backend,
    ...(flags.out === undefined ? {} : { out: String(flags.out) }), ...(flags.name === undefined ? {} : { name: String(flags.name) }),
  };
}

/** The image named on the command line: `builtin:<name>` or a PNG path relative to the working folder. */
function loadImage(ctx: Ctx, spec: string): px.data.Image {
  if (spec.startsWith('builtin:')) {
    const name = spec.slice(8);
    if (!Object.hasOwn(px.data.BUILTIN_IMAGES, name)) throw new CliError('INVALID_IMAGE', `unknown built-in image ${JSON.stringify(name)}; known: ${Object.keys(px.data.BUILTIN_IMAGES).map((k) => `builtin:${k}`).join(', ')}`);
    return px.data.builtinImage(name as px.data.BuiltinImageName);
  }
  return px.data.readPng(path.resolve(ctx.cwd, spec));
}

/** The network for `cfg` on `channels` outputs (an encoding first unless 'none'). */
export function buildImageModel(cfg: FitImageConfig, channels: number): px.nn.Module {
  const { kind, scale, features } = cfg.encoding;
  const enc = kind === 'none' ? null
    : kind === 'basic' ? new px.nn.encoding.FourierFeatures(2, undefined, { kind })
      : new px.nn.encoding.FourierFeatures(2, features, { kind, scale: scale! });
  const inF = enc ? enc.outFeatures : 2;
  const sizes = [inF, ...cfg.hidden, channels];
  const net = cfg.model === 'mlp'
    ? [new px.nn.MLP(sizes, { activation: 'relu' }), new px.nn.Sigmoid()]
    : [new px.nn.SIREN(sizes, { activation: cfg.model === 'spder' ? 'spder' : 'sine' })];
  return new px.nn.Sequential(...(enc ? [enc] : []), ...net);
}

/** A one-line progress display: redrawn on a terminal, else a line every tenth of the run. */
function progress(ctx: Ctx, steps: number): (step: number, loss: number, psnr: number) => void {
  const tty = ctx.io.isTTY === true && !process.env.CI;
  let last = 0;
  const t0 = performance.now();
  return (step, loss, psnr) => {
    const secs = (performance.now() - t0) / 1000;
    const bar = `[${'='.repeat(Math.floor((step / steps) * 24)).padEnd(24)}]`;
    const line = `step ${String(step).padStart(String(steps).length)}/${steps} ${bar} loss ${loss.toExponential(3)} PSNR ${psnr.toFixed(2)} dB ${(step / Math.max(secs, 1e-9)).toFixed(1)} steps/s`;
    if (tty) ctx.io.err(`\r${line}\x1b[K${step === steps ? '\n' : ''}`);
    else if (step === steps || step - last >= steps / 10) {
      ctx.io.err(`${line}\n`);
      last = step;
    }
  };
}

export interface FitImageResult {
  runDir: string;
  psnr: number;
  testPsnr: number | null;
  config: FitImageConfig;
}

/** Runs `plexus fit-image`. */
export async function fitImageCommand(ctx: Ctx, image: string, flags: Readonly<Record<string, unknown>>): Promise<FitImageResult> {
  const parsed = parseFitImageFlags(image, flags);
  const { out, name, ...cfg } = parsed;
  const planned = resolveRunDir(ctx, { out, name } as TrainConfig);
  const backend = resolveBackend(cfg.backend);
  const config: FitImageConfig = { ...cfg, backend };
  return withBackend(backend, async () => {
    const img = loadImage(ctx, cfg.image);
    const range: [number, number] = cfg.model === 'mlp' ? [0, 1] : [-1, 1];
    const grid = px.data.imageGrid(img, { split: cfg.split, range });
    const peak = range[1] - range[0];
    px.manualSeed(cfg.seed);
    const model = buildImageModel(config, img.channels);
    const opt = new px.optim.Adam(model.parameters(), { lr: cfg.lr });
    ctx.io.out(`image: ${cfg.image} (${img.width}x${img.height}, ${img.channels} channel${img.channels > 1 ? 's' : ''}), ${grid.train.x.shape[0]} training pixels${grid.test ? `, ${grid.test.x.shape[0]} held out` : ''}\n`);
    ctx.io.out(`model: ${cfg.model} ${[...cfg.hidden].join('x')}, encoding ${cfg.encoding.kind}${cfg.encoding.scale === null ? '' : `:${cfg.encoding.scale}`}, ${model.numParameters()} parameters; adam lr ${cfg.lr}, ${cfg.steps} full-batch steps, seed ${cfg.seed}, backend ${backend}\n`);
    const claim = claimNewRunDir(ctx, planned, config as unknown as Record<string, unknown>);
    const dir = claim.dir;
    try {
      ctx.io.out(`run folder: ${shown(ctx, dir)}\n`);
      await writeRunFile(dir, 'config.json', `${JSON.stringify(config, null, 2)}\n`);
      const log: string[] = [];
      const steps: number[] = [];
      const curve: number[] = [];
      const testCurve: number[] = [];
      const show = progress(ctx, cfg.steps);
      const score = (d: px.data.Split): number => px.noGrad(() => px.scope(() => px.psnr(model.forward(d.x), d.y, peak)));
      for (let s = 1; s <= cfg.steps; s++) {
        const loss = px.scope(() => {
          opt.zeroGrad();
          const l = px.mse(model.forward(grid.train.x), grid.train.y);
          l.backward();
          opt.step();
          return l.item();
        });
        if (!Number.isFinite(loss)) throw new px.PlexusError('NON_FINITE_LOSS', `the loss became ${loss} at step ${s}; lower the learning rate (--lr)`);
        if (s % cfg.evalEvery === 0 || s === cfg.steps) {
          // MSE before this step's update gives the PSNR of the step, without another forward pass.
          const p = 10 * Math.log10((peak * peak) / loss);
          const t = grid.test ? score(grid.test) : null;
          steps.push(s);
          curve.push(p);
          if (t !== null) testCurve.push(t);
          log.push(JSON.stringify({ step: s, loss, psnr: p, ...(t === null ? {} : { testPsnr: t }) }));
          show(s, loss, p);
        }
      }
      await writeRunFile(dir, 'log.jsonl', `${log.join('\n')}\n`);
      const series = [{ name: 'train', values: curve }, ...(grid.test ? [{ name: 'held out', values: testCurve, dashed: true }] : [])];
      await writeRunFile(dir, 'psnr.svg', svgRow([{ title: 'PSNR', xLabel: 'step', yLabel: 'PSNR (dB)', series, x: steps }]));
      const final = score(grid.train);
      const testFinal = grid.test ? score(grid.test) : null;
      const pred = px.noGrad(() => model.forward(grid.all.x));
      const recon = px.data.imageFromTensor(pred, img.width, img.height, { range });
      px.data.writePng(path.join(dir, 'reconstruction.png'), px.data.comparisonImage(img, recon));
      await saveModel(model, path.join(dir, 'model.safetensors'), { metadata: { fitImage: config as unknown as px.nn.JsonValue } });
      ctx.io.out(`PSNR ${final.toFixed(2)} dB on the training pixels${testFinal === null ? '' : `, ${testFinal.toFixed(2)} dB held out`}\n`);
      ctx.io.out(`wrote ${['config.json', 'log.jsonl', 'psnr.svg', 'reconstruction.png', 'model.safetensors'].map((f) => shown(ctx, path.join(dir, f))).join(', ')}\n`);
      return { runDir: dir, psnr: final, testPsnr: testFinal, config };
    } catch (e) {
      const error = e instanceof px.PlexusError ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
      await writeRunFile(dir, 'failed.json', `${JSON.stringify({ error, time: new Date().toISOString() }, null, 2)}\n`).catch(() => undefined);
      throw e;
    } finally {
      claim.release();
    }
  });
}
