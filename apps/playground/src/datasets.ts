/**
 * @file The playground's data: the library's 2-D toy sets (data.spiral, circles, moons, xor,
 * gaussians), two 1-D functions, or an uploaded CSV, split into train and test (seeded, 25% test).
 * An upload is untrusted: it is refused with a message naming the problem (size over the limit,
 * too many rows, a malformed line or a non-numeric feature with its line:column, the wrong number
 * of columns) and the page keeps its previous data. Pure, no DOM: runs in the worker and in Node tests.
 */
import * as px from '../../../src/index.js';
import { data, type Tensor } from '../../../src/index.js';
import type { Settings } from './settings.js';

/** Largest CSV upload accepted, in bytes (1 MiB) and in data rows. */
export const CSV_MAX_BYTES = 1 << 20;
export const CSV_MAX_ROWS = 20_000;

export interface Dataset {
  task: 'classification' | 'regression';
  /** Input columns (1 or 2). */
  inFeatures: number;
  /** Classes (classification) or 1 (regression). */
  outFeatures: number;
  features: string[];
  target: string;
  classes: string[] | null;
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
  /** Per input column [min, max] over all rows, padded by 10% (the plot's view). */
  bounds: [number, number][];
}

/** An uploaded CSV, already parsed (the worker keeps it while settings change). */
export interface CsvData {
  name: string;
  x: Tensor;
  y: Tensor;
  features: string[];
  target: string;
  classes: string[] | null;
}

export class UploadError extends Error {
  override readonly name = 'UploadError';
}

/**
 * Parses an uploaded CSV: a header row, 1 or 2 numeric feature columns, the target last (integer
 * labels or text: classes; other numbers: regression). Throws UploadError with the reason.
 */
export function parseUpload(name: string, text: string, bytes: number): CsvData {
  if (bytes > CSV_MAX_BYTES) throw new UploadError(`${name}: ${bytes} bytes is over the upload limit of ${CSV_MAX_BYTES} bytes (1 MiB)`);
  let t: ReturnType<typeof data.parseCsv>;
  try {
    t = data.parseCsv(text, { name, target: -1, maxRows: CSV_MAX_ROWS });
  } catch (e) {
    throw new UploadError(e instanceof Error ? e.message : String(e));
  }
  const cols = t.columns.length;
  if (cols < 1 || cols > 2) throw new UploadError(`${name}: expected 1 or 2 feature columns and the target last, got ${cols} feature columns (${t.columns.join(', ')})`);
  if (t.rows < 8) throw new UploadError(`${name}: ${t.rows} data rows; at least 8 are needed for a train/test split`);
  let { y, classes } = t;
  // Integer labels (at most 20 distinct) are classes, whatever parseCsv's number detection said:
  // class i is the i-th smallest label, its name the label.
  if (!classes) {
    const v = Array.from(y!._peek());
    const distinct = [...new Set(v)].sort((a, b) => a - b);
    if (cols === 2 && distinct.length <= 20 && v.every((a) => Number.isInteger(a))) {
      classes = distinct.map(String);
      const id = new Map(distinct.map((c, i) => [c, i]));
      y = px.tensor(Int32Array.from(v, (a) => id.get(a)!), { dtype: 'int32' });
    } else y = y!.reshape([t.rows, 1]);
  }
  if (classes && cols !== 2) throw new UploadError(`${name}: a classification CSV needs 2 feature columns (the heatmap is 2-D), got ${cols}`);
  if (classes && classes.length < 2) throw new UploadError(`${name}: the target has a single class ${JSON.stringify(classes[0])}`);
  return { name, x: t.x, y: y!, features: t.columns, target: t.target ?? 'target', classes };
}

function oneD(f: (x: number) => number, s: Settings): { x: Tensor; y: Tensor } {
  return data.fitFunction(([a]) => f(a!), { n: 400, dim: 1, seed: s.seed, noise: s.noise / 10 });
}

/** The train/test split of `s.dataset` (csv: the uploaded table, which must be given). */
export function buildDataset(s: Settings, csv: CsvData | null): Dataset {
  let x: Tensor;
  let y: Tensor;
  let classes: string[] | null;
  let features = ['x1', 'x2'];
  let target = 'label';
  const seed = s.seed;
  switch (s.dataset) {
    case 'spiral': ({ x, y } = data.spiral({ nPerClass: 100, classes: 3, noise: s.noise, seed })); classes = ['0', '1', '2']; break;
    case 'circles': ({ x, y } = data.circles({ n: 300, noise: s.noise / 4, seed })); classes = ['0', '1']; break;
    case 'moons': ({ x, y } = data.moons({ n: 300, noise: s.noise / 2, seed })); classes = ['0', '1']; break;
    case 'xor': ({ x, y } = data.xor({ n: 300, noise: s.noise / 4, seed })); classes = ['0', '1']; break;
    case 'gaussians': ({ x, y } = data.gaussians({ centers: [[-1, -1], [1, 1], [-1, 1], [1, -1]], nPerCenter: 75, std: 0.2 + s.noise, seed })); classes = ['0', '1', '2', '3']; break;
    case 'sine': ({ x, y } = oneD((a) => Math.sin(3 * Math.PI * a), s)); classes = null; features = ['x']; target = 'y'; break;
    case 'step': ({ x, y } = oneD((a) => (a > 0 ? 1 : 0) + 0.5 * Math.sin(4 * a), s)); classes = null; features = ['x']; target = 'y'; break;
    case 'csv':
      if (!csv) throw new UploadError('dataset csv: upload a CSV file first');
      ({ x, y, classes, features, target } = csv);
      break;
  }
  // Stratified for classes, so a small class is not missing from the test split.
  const { train, test } = data.trainTestSplit(x, y, { testFraction: 0.25, seed, stratify: classes !== null });
  return {
    task: classes ? 'classification' : 'regression',
    inFeatures: x.shape[1]!, outFeatures: classes ? classes.length : 1, features, target, classes,
    xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y, bounds: boundsOf(x),
  };
}

function boundsOf(x: Tensor): [number, number][] {
  const [n, d] = x.shape as [number, number];
  const v = x._peek();
  const out: [number, number][] = [];
  for (let j = 0; j < d; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, v[i * d + j]!);
      hi = Math.max(hi, v[i * d + j]!);
    }
    const pad = 0.1 * (hi - lo || 1);
    out.push([lo - pad, hi + pad]);
  }
  return out;
}
