/**
 * @file Built-in datasets shipped in the repository (data/builtin/, attribution in its README):
 * the UCI optical digits 8x8 set and Fisher's Iris. Loaders return seeded, stratified train/test
 * splits as tensors. The files are found relative to this module (import.meta.url), both from the
 * compiled dist/src/data/ and from src/data/ when run from source, so nothing depends on the cwd.
 * Node-only (plexus/node): it reads the shipped files; a browser can fetch data/builtin/digits.txt
 * and decode it with the portable `data.parseDigitsText` (digits-text.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FloatDType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { Generator } from '../core/rng.js';
import { parseCsv } from './csv.js';
import type { Split } from './dataset.js';
import { parseDigitsText } from './digits-text.js';
import { DataError } from './errors.js';
import { fromTyped, gatherRows } from './rows.js';
import { splitIndices } from './split.js';
import { type Standardizer, applyStandardizer, fitStandardizer } from './standardize.js';

export interface BuiltinOptions {
  /** Seed of the split (default 0). */
  seed?: number;
  /** Fraction held out for test, in [0, 1) (default 0.2). */
  testFraction?: number;
  /** Split each class in the same proportion (default true). */
  stratify?: boolean;
  /** dtype of x (default float32). */
  dtype?: FloatDType;
}

export interface BuiltinDataset {
  train: Split;
  test: Split;
  /** Class names by id. */
  classes: string[];
  /** Feature names, in column order. */
  features: string[];
}

export { parseDigitsText };

/** Absolute path of a shipped file; tries the layouts of dist/src/data/ and src/data/. */
export function builtinPath(file: string): string {
  const tried: string[] = [];
  for (const rel of ['../../../data/builtin/', '../../data/builtin/']) {
    const p = fileURLToPath(new URL(rel + file, import.meta.url));
    if (existsSync(p)) return p;
    tried.push(p);
  }
  throw new DataError('DATASET_NOT_FOUND', `built-in dataset file ${file} not found; looked in ${tried.join(' and ')} (is data/builtin in the package "files"?)`);
}

let digitsCache: { px: Uint8Array; labels: Int32Array } | null = null;

function split(x: Float64Array, nFeat: number, labels: Int32Array, opts: BuiltinOptions): { train: Split; test: Split } {
  const f = opts.testFraction ?? 0.2;
  if (!(f >= 0 && f < 1)) throw new ValueError(`testFraction must be in [0, 1), got ${f}`);
  const n = labels.length;
  const { train, test } = splitIndices(n, opts.stratify === false ? null : labels, f, new Generator(opts.seed ?? 0));
  const xAll = fromTyped(x, [n, nFeat], opts.dtype ?? 'float32');
  const yAll = fromTyped(labels, [n], 'int32');
  const part = (idx: number[]): Split => ({ x: gatherRows(xAll, idx), y: gatherRows(yAll, idx) });
  return { train: part(train), test: part(test) };
}

/**
 * UCI optical digits 8x8: 1797 samples, x [n, 64] (pixels/16 in [0,1] unless normalize is false), y int32 [n].
 * @example const { train, test } = digits({ seed: 0, testFraction: 0.2 });
 */
export function digits(opts: BuiltinOptions & { normalize?: boolean } = {}): BuiltinDataset {
  digitsCache ??= parseDigitsText(readFileSync(builtinPath('digits.txt'), 'utf8'), builtinPath('digits.txt'));
  const { px, labels } = digitsCache;
  const scale = opts.normalize === false ? 1 : 16;
  const x = Float64Array.from(px, (v) => v / scale);
  const features = Array.from({ length: 64 }, (_, k) => `pixel_${Math.floor(k / 8)}_${k % 8}`);
  return { ...split(x, 64, labels, opts), classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], features };
}

/**
 * Fisher's Iris: 150 samples, x [n, 4] in cm, y int32 [n] (setosa, versicolor, virginica). With
 * `standardize`, features are standardised by the train part's statistics, which are returned.
 * @example const { train, test, classes } = iris({ seed: 1, standardize: true });
 */
export function iris(opts: BuiltinOptions & { standardize?: boolean } = {}): BuiltinDataset & { standardizer?: Standardizer } {
  const path = builtinPath('iris.csv');
  const t = parseCsv(readFileSync(path, 'utf8'), { name: path, target: 'species', targetType: 'categorical', dtype: 'float64' });
  const y = t.y!._peek() as Int32Array;
  const parts = split(t.x._peek() as Float64Array, t.columns.length, y, opts);
  const out = { ...parts, classes: t.classes!, features: t.columns };
  if (!opts.standardize) return out;
  const standardizer = fitStandardizer(parts.train.x);
  return {
    ...out,
    train: { x: applyStandardizer(parts.train.x, standardizer), y: parts.train.y },
    test: { x: applyStandardizer(parts.test.x, standardizer), y: parts.test.y },
    standardizer,
  };
}

/** Shipped text corpora (data/builtin/README.md): 'gnu-licenses' = GPL-2, GPL-3, LGPL-2.1, GFDL-1.3 verbatim (102,726 ASCII characters). */
export const BUILTIN_TEXTS = ['gnu-licenses'] as const;
export type BuiltinTextName = (typeof BUILTIN_TEXTS)[number];

/** The text of a shipped corpus, for `data.charText`. @example data.charText(data.builtinText('gnu-licenses')) */
export function builtinText(name: BuiltinTextName = 'gnu-licenses'): string {
  if (!(BUILTIN_TEXTS as readonly string[]).includes(name)) throw new ValueError(`builtinText: name must be one of ${BUILTIN_TEXTS.map((n) => `'${n}'`).join(', ')}, got ${JSON.stringify(name)}`, 'INVALID_ENUM');
  return readFileSync(builtinPath(`${name}.txt`), 'utf8');
}
