/**
 * @file The shipped digits and Iris sets: shapes, class counts, checksums computed independently from
 * scikit-learn's original files (Debian python3-sklearn 1.2.1: digits pixel total 561718, label total
 * 8070; Iris sepal-length total 876.5, petal-width total 179.9), seeded stratified splits that are
 * reproducible, disjoint and complete, and Iris standardised by train-only statistics.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { data } from '../src/node.js';
import { throwsTyped } from './data-helpers.js';

const DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];

const counts = (y: px.Tensor, k: number): number[] => {
  const h = new Array<number>(k).fill(0);
  for (const v of y.values) h[v]!++;
  return h;
};
const vals = (t: px.Tensor): number[] => Array.from(t.values);
const sum = (t: px.Tensor): number => vals(t).reduce((a, b) => a + b, 0);
/** Each row of x as a string key with its label, to compare splits as multisets. */
const rowKeys = (s: data.Split): string[] => {
  const f = s.x.shape[1]!;
  return Array.from({ length: s.x.shape[0]! }, (_, i) => `${s.y.values[i]}|${[...s.x.values.subarray(i * f, (i + 1) * f)].join(',')}`);
};

describe('digits (UCI optical digits 8x8)', () => {
  it('has 1797 samples of 64 pixels in 0..16 with the known class counts and checksums', () => {
    const d = data.digits({ testFraction: 0, normalize: false });
    assert.deepEqual([d.train.x.shape, d.train.x.dtype, d.train.y.shape, d.train.y.dtype], [[1797, 64], 'float32', [1797], 'int32']);
    assert.deepEqual(d.test.x.shape, [0, 64]);
    assert.deepEqual(counts(d.train.y, 10), DIGIT_COUNTS);
    assert.equal(sum(d.train.x), 561718);
    assert.equal(sum(d.train.y), 8070);
    assert.ok(d.train.x.values.every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
    assert.deepEqual([d.classes.length, d.features.length, d.features[9]], [10, 64, 'pixel_1_1']);
  });

  it('normalises to [0, 1] by default (pixels / 16)', () => {
    const d = data.digits({ testFraction: 0 });
    assert.equal(Math.max(...d.train.x.values), 1);
    assert.ok(Math.abs(sum(d.train.x) - 561718 / 16) < 1e-2);
  });

  it('splits stratified: each class loses round(count * f) to test, and the parts are complete and disjoint', () => {
    const d = data.digits({ seed: 3, testFraction: 0.2 });
    assert.deepEqual(counts(d.test.y, 10), DIGIT_COUNTS.map((c) => Math.round(c * 0.2)));
    assert.deepEqual(counts(d.train.y, 10), DIGIT_COUNTS.map((c) => c - Math.round(c * 0.2)));
    const all = rowKeys(data.digits({ testFraction: 0 }).train).sort();
    assert.deepEqual([...rowKeys(d.train), ...rowKeys(d.test)].sort(), all);
  });

  it('is reproducible per seed, differs across seeds, and is not sorted by class', () => {
    const a = data.digits({ seed: 5 });
    const b = data.digits({ seed: 5 });
    const c = data.digits({ seed: 6 });
    assert.deepEqual([...a.train.y.values], [...b.train.y.values]);
    assert.deepEqual([...a.test.x.values], [...b.test.x.values]);
    assert.notDeepEqual([...a.train.y.values], [...c.train.y.values]);
    const y = [...a.train.y.values];
    assert.notDeepEqual(y, [...y].sort((p, q) => p - q));
  });

  it('a bad testFraction is a ValueError', () => {
    for (const f of [1, -0.1, NaN]) throwsTyped(() => data.digits({ testFraction: f }), px.ValueError, 'INVALID_VALUE', ['testFraction']);
  });

  it('a corrupt digits file is refused with the line', () => {
    throwsTyped(() => data.parseDigitsText('# c\n0 zz\n'), data.DataError, 'CORRUPT_BUILTIN', ['expected 1797 samples, found 1']);
  });
});

describe('iris', () => {
  it('has 150 samples, 4 features, 50 of each class, and the known column totals', () => {
    const d = data.iris({ testFraction: 0, dtype: 'float64' });
    assert.deepEqual([d.train.x.shape, d.train.y.shape], [[150, 4], [150]]);
    assert.deepEqual(d.classes, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(d.features, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    assert.deepEqual(counts(d.train.y, 3), [50, 50, 50]);
    const col = (j: number): number => vals(d.train.x).filter((_, i) => i % 4 === j).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(col(0) - 876.5) < 1e-9 && Math.abs(col(3) - 179.9) < 1e-9);
  });

  it('splits 40/10 per class at testFraction 0.2', () => {
    const d = data.iris({ seed: 1 });
    assert.deepEqual([counts(d.train.y, 3), counts(d.test.y, 3)], [[40, 40, 40], [10, 10, 10]]);
  });

  it('standardize uses train statistics for both parts', () => {
    const raw = data.iris({ seed: 2, dtype: 'float64' });
    const z = data.iris({ seed: 2, dtype: 'float64', standardize: true });
    const s = z.standardizer!;
    assert.deepEqual(s, data.fitStandardizer(raw.train.x));
    assert.deepEqual([...z.test.x.values], [...data.applyStandardizer(raw.test.x, s).values]);
    for (let j = 0; j < 4; j++) {
      const colVals = vals(z.train.x).filter((_, i) => i % 4 === j);
      const m = colVals.reduce((a, b) => a + b, 0) / colVals.length;
      const v = colVals.reduce((a, b) => a + (b - m) ** 2, 0) / colVals.length;
      assert.ok(Math.abs(m) < 1e-12 && Math.abs(v - 1) < 1e-12, `column ${j}: mean ${m}, var ${v}`);
    }
  });
});

/** Test accuracy of a nearest-class-mean classifier fitted on train: only high if rows kept their labels. */
function nearestCentroidAccuracy(d: data.BuiltinDataset): number {
  const f = d.train.x.shape[1]!;
  const k = d.classes.length;
  const means = Array.from({ length: k }, () => new Float64Array(f));
  const n = new Array<number>(k).fill(0);
  d.train.y.values.forEach((c, i) => {
    n[c]!++;
    for (let j = 0; j < f; j++) means[c]![j]! += d.train.x.values[i * f + j]!;
  });
  means.forEach((m, c) => m.forEach((v, j) => (m[j] = v / n[c]!)));
  let hits = 0;
  d.test.y.values.forEach((c, i) => {
    const dist = means.map((m) => m.reduce((a, v, j) => a + (d.test.x.values[i * f + j]! - v) ** 2, 0));
    if (dist.indexOf(Math.min(...dist)) === c) hits++;
  });
  return hits / d.test.y.size;
}

describe('labels stay with their rows', () => {
  it('a nearest-centroid classifier scores as published (digits ~0.9, iris ~0.9) on the test split', () => {
    const a = nearestCentroidAccuracy(data.digits({ seed: 0 }));
    const b = nearestCentroidAccuracy(data.iris({ seed: 0 }));
    assert.ok(a > 0.85, `digits accuracy ${a}`);
    assert.ok(b > 0.8, `iris accuracy ${b}`);
  });
});

describe('trainTestSplit', () => {
  it('splits any x/y by fraction, stratified or not', () => {
    const x = px.arange(0, 20, 1, { dtype: 'float64' }).reshape([10, 2]);
    const y = px.tensor([0, 0, 0, 0, 1, 1, 1, 1, 1, 1], { dtype: 'int32' });
    const s = data.trainTestSplit(x, y, { testFraction: 0.5, stratify: true, seed: 4 });
    assert.deepEqual([counts(s.test.y, 2), s.train.x.shape], [[2, 3], [5, 2]]);
    for (const part of [s.train, s.test]) part.y.values.forEach((c, i) => assert.equal(c, part.x.values[2 * i]! >= 8 ? 1 : 0));
    throwsTyped(() => data.trainTestSplit(x, px.zeros([10]), { stratify: true }), px.DTypeError, 'DTYPE_MISMATCH', ['int32']);
    throwsTyped(() => data.trainTestSplit(x, y.reshape([5, 2])), px.ShapeError, 'SHAPE_MISMATCH', ['[10,2]', '[5,2]']);
  });
});
