/**
 * @file Data for the commands. Training uses the library's loaders exactly as a user of `fit` would
 * (so `plexus train` and a direct `fit` call see the same tensors); alongside, it records the
 * standardisation that maps RAW values (pixels 0..16 or 0..255, CSV cells) to the model's inputs.
 * `eval` and `predict` always start from raw values and apply that record, so one code path serves
 * built-in sets and CSV files alike.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { px } from './api.js';
import type { TrainConfig } from './config-schema.js';
import type { Ctx } from './context.js';
import { CliError } from './errors.js';
import type { ModelMeta } from './model-meta.js';

type Tensor = InstanceType<typeof px.Tensor>;
type Standardizer = px.data.Standardizer;

export interface Split { x: Tensor; y: Tensor }

export interface TrainData {
  train: Split;
  test: Split;
  meta: Omit<ModelMeta, 'version' | 'loss'>;
  /** One line for the console: "digits: 1437 train / 360 test, 64 features, 10 classes". */
  summary: string;
  /** Image sets: the image shape behind the flat rows ([h, w], channels); null for tables. */
  image: { size: [number, number]; channels: number } | null;
}

/** A raw -> input standardizer that only divides (mean 0): digits /16, Fashion-MNIST /255. */
const scaleOnly = (n: number, by: number): Standardizer => ({ mean: new Array<number>(n).fill(0), std: new Array<number>(n).fill(by) });
const pixelNames = (n: number, w: number): string[] => Array.from({ length: n }, (_, k) => `pixel_${Math.floor(k / w)}_${k % w}`);

function summarize(name: string, d: Omit<TrainData, 'summary' | 'image'>): string {
  const out = d.meta.classes ? `${d.meta.classes.length} classes` : 'regression';
  return `${name}: ${d.train.x.shape[0]} train / ${d.test.x.shape[0]} test, ${d.meta.features.length} features, ${out}`;
}

/** The training data a config names; reads files, writes nothing. */
export function loadTrainData(ctx: Ctx, cfg: TrainConfig): TrainData {
  const d = cfg.data;
  const seed = cfg.seed;
  const testFraction = d.name === 'fashion-mnist' ? null : d.testFraction ?? 0.2;
  const base = { name: d.name, seed, testFraction };
  let out: Omit<TrainData, 'summary' | 'image'>;
  if (d.name === 'digits') {
    const s = px.data.digits({ seed, testFraction: testFraction! });
    out = { train: s.train, test: s.test, meta: { task: 'classification', classes: s.classes, features: s.features, target: null, standardizer: scaleOnly(64, 16), data: base } };
  } else if (d.name === 'iris') {
    const s = px.data.iris({ seed, testFraction: testFraction!, standardize: true });
    out = { train: s.train, test: s.test, meta: { task: 'classification', classes: s.classes, features: s.features, target: null, standardizer: s.standardizer!, data: base } };
  } else if (d.name === 'fashion-mnist') {
    const s = px.data.fashionMnist(d.dir === undefined ? {} : { dir: path.resolve(ctx.cwd, d.dir) });
    out = { train: s.train, test: s.test, meta: { task: 'classification', classes: [...s.classes], features: pixelNames(784, 28), target: null, standardizer: scaleOnly(784, 255), data: base } };
  } else {
    out = csvTrainData(ctx, cfg, base);
  }
  const side = d.name === 'digits' ? 8 : d.name === 'fashion-mnist' ? 28 : null;
  return { ...out, summary: summarize(d.name, out), image: side === null ? null : { size: [side, side], channels: 1 } };
}

function csvTrainData(ctx: Ctx, cfg: TrainConfig, base: ModelMeta['data']): Omit<TrainData, 'summary' | 'image'> {
  const d = cfg.data;
  const file = path.resolve(ctx.cwd, d.path!);
  const t = px.data.readCsv(file, { name: d.path!, target: d.target!, targetType: d.targetType ?? 'auto', ignore: d.ignore ?? [], dtype: 'float32' });
  const classification = t.classes !== null;
  // Regression targets get a feature dimension so mse compares [N, 1] with [N, 1], not [N, 1] with [N].
  const y = classification ? t.y! : t.y!.reshape([t.rows, 1]);
  const split = px.data.trainTestSplit(t.x, y, { seed: base.seed, testFraction: base.testFraction!, stratify: classification });
  const standardizer = px.data.fitStandardizer(split.train.x);
  const std = (s: Split): Split => ({ x: px.data.applyStandardizer(s.x, standardizer), y: s.y });
  return {
    train: std(split.train), test: std(split.test),
    meta: { task: classification ? 'classification' : 'regression', classes: t.classes, features: t.columns, target: t.target, standardizer, data: base },
  };
}

/** Raw -> model input with the saved standardizer. */
export function prepare(x: Tensor, meta: ModelMeta): Tensor {
  return px.data.applyStandardizer(x, meta.standardizer);
}

/** Built-in test split for `eval`: raw values, the split the model was trained with when it is the same set. */
export function builtinEvalData(ctx: Ctx, name: 'digits' | 'iris' | 'fashion-mnist', meta: ModelMeta, dir: string | undefined): Split & { note: string } {
  const same = meta.data.name === name;
  const seed = same ? meta.data.seed : 0;
  const testFraction = same && meta.data.testFraction !== null ? meta.data.testFraction : 0.2;
  let raw: Split;
  let note: string;
  if (name === 'fashion-mnist') {
    raw = px.data.fashionMnist({ normalize: false, ...(dir === undefined ? {} : { dir: path.resolve(ctx.cwd, dir) }) }).test;
    note = 'the Fashion-MNIST test set';
  } else {
    raw = name === 'digits' ? px.data.digits({ seed, testFraction, normalize: false }).test : px.data.iris({ seed, testFraction }).test;
    note = `the ${name} test split (seed ${seed}, testFraction ${testFraction})${same ? ', as in training' : ''}`;
  }
  if (raw.x.shape[1] !== meta.features.length) {
    throw new CliError('FEATURE_MISMATCH', `${name} has ${raw.x.shape[1]} features but the model takes ${meta.features.length}`);
  }
  return { x: prepare(raw.x, meta), y: raw.y, note };
}

const MAX_CSV_BYTES = 2 ** 28;

/** Header names of a CSV text (first record only). */
function csvHeader(text: string, name: string): string[] {
  let header: string[] | null = null;
  const stop = new Error('header read');
  try {
    px.data.tokenizeCsv(text, { name }, (r) => {
      header = r.fields;
      throw stop; // only the first record is wanted
    });
  } catch (e) {
    if (e !== stop) throw e;
  }
  if (header === null) throw new px.CsvError('EMPTY_DATASET', `${name}: the file is empty (no header)`);
  return header;
}

/**
 * Reads a CSV for `eval` (target required) or `predict` (target optional, ignored): the model's
 * feature columns by name, in the model's order, standardised as in training. Other columns are
 * ignored; a missing feature column is an error naming it.
 */
export function csvModelInput(ctx: Ctx, file: string, meta: ModelMeta, needTarget: boolean, targetFlag?: string): { x: Tensor; y: Tensor | null; rows: number } {
  const abs = path.resolve(ctx.cwd, file);
  let size: number;
  try {
    size = statSync(abs).size;
  } catch (e) {
    throw new CliError('FILE_NOT_FOUND', `cannot read ${file}: ${(e as { code?: string }).code ?? String(e)}`);
  }
  if (size > MAX_CSV_BYTES) throw new px.CsvError('FILE_TOO_LARGE', `${file}: file has ${size} bytes, more than the cap of ${MAX_CSV_BYTES}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(abs));
  } catch (e) {
    throw new px.CsvError('BAD_ENCODING', `${file}: not valid UTF-8 (${(e as Error).message})`);
  }
  const header = csvHeader(text, file);
  const target = targetFlag ?? meta.target ?? undefined;
  const hasTarget = target !== undefined && header.includes(target);
  if (needTarget && !hasTarget) {
    throw new CliError('MISSING_COLUMNS', `${file}: no target column ${JSON.stringify(target ?? '(none saved; pass --target)')}; columns are ${JSON.stringify(header)}`);
  }
  const missing = meta.features.filter((f) => !header.includes(f));
  if (missing.length) throw new CliError('MISSING_COLUMNS', `${file}: missing feature column(s) ${missing.map((m) => JSON.stringify(m)).join(', ')} the model was trained on`);
  const ignore = header.filter((h) => !meta.features.includes(h) && !(hasTarget && h === target));
  const t = px.data.parseCsv(text, {
    name: file, ignore, dtype: 'float32',
    ...(hasTarget ? { target: target!, ...(meta.classes ? { classes: meta.classes, targetType: 'categorical' as const } : { targetType: 'numeric' as const }) } : {}),
  });
  // Columns in the model's order (a file may order them differently).
  const order = meta.features.map((f) => t.columns.indexOf(f));
  const x = order.every((k, i) => k === i) ? t.x : px.indexSelect(t.x, 1, order);
  const y = !hasTarget ? null : meta.classes ? t.y! : t.y!.reshape([t.rows, 1]);
  return { x: prepare(x, meta), y, rows: t.rows };
}
