/**
 * @file Seeded train/test splits, optionally stratified (each class split in the same proportion, so
 * a small test set still holds every class). Both parts come back shuffled, not sorted by class.
 */
import { ValueError, ShapeError, DTypeError, fmtShape } from '../core/errors.js';
import { Generator } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import type { Split } from './dataset.js';
import { gatherRows } from './rows.js';

export interface SplitOptions {
  /** Fraction of samples in the test part, in [0, 1) (default 0.2). */
  testFraction?: number;
  /** Seed of the split (default 0). */
  seed?: number;
  /** Split each class separately (needs int32 class ids in y; default false). */
  stratify?: boolean;
}

/** In-place Fisher-Yates shuffle driven by `g`. */
export function shuffleInPlace(a: Int32Array | number[], g: Generator): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = g.nextInt(0, i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** Row indices of the train and test parts. */
export function splitIndices(n: number, labels: ArrayLike<number> | null, testFraction: number, g: Generator): { train: number[]; test: number[] } {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const k = labels ? labels[i]! : 0;
    let grp = groups.get(k);
    if (!grp) groups.set(k, (grp = []));
    grp.push(i);
  }
  const train: number[] = [];
  const test: number[] = [];
  // Classes in ascending order, so the draw sequence does not depend on which class appears first.
  for (const k of [...groups.keys()].sort((a, b) => a - b)) {
    const idx = groups.get(k)!;
    shuffleInPlace(idx, g);
    const nTest = Math.round(idx.length * testFraction);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  shuffleInPlace(train, g);
  shuffleInPlace(test, g);
  return { train, test };
}

/**
 * Splits rows of x and y into shuffled train and test parts.
 * @example const { train, test } = trainTestSplit(x, y, { testFraction: 0.25, seed: 1, stratify: true });
 */
export function trainTestSplit(x: Tensor, y: Tensor, opts: SplitOptions = {}): { train: Split; test: Split } {
  const f = opts.testFraction ?? 0.2;
  if (!(f >= 0 && f < 1)) throw new ValueError(`trainTestSplit: testFraction must be in [0, 1), got ${f}`);
  if (x.rank < 1 || y.rank < 1 || x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`trainTestSplit: x ${fmtShape(x.shape)} and y ${fmtShape(y.shape)} need the same number of rows`);
  }
  if (opts.stratify && (y.dtype !== 'int32' || y.rank !== 1)) {
    throw new DTypeError(`trainTestSplit: stratify needs int32 class ids of shape [rows], got ${y.dtype} ${fmtShape(y.shape)}`);
  }
  const g = new Generator(opts.seed ?? 0);
  const { train, test } = splitIndices(x.shape[0]!, opts.stratify ? y._peek() : null, f, g);
  const part = (idx: number[]): Split => ({ x: gatherRows(x, idx, 'trainTestSplit'), y: gatherRows(y, idx, 'trainTestSplit') });
  return { train: part(train), test: part(test) };
}
