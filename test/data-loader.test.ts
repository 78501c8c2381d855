/**
 * @file Dataset / DataLoader: batch sizes and contents, dropLast, seeded shuffles that are
 * permutations and reproducible, bit-exact resume from state() mid-epoch and at epoch ends, and the
 * typed errors for bad sizes, mismatched tensors, ragged samples and foreign loader states.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { data } from '../src/index.js';
import { throwsTyped } from './data-helpers.js';

/** n samples: x row i = [i, 10 i] (float64), y = i (int32), so every batch row can be traced. */
function traced(n: number): data.TensorDataset {
  const xs = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) [xs[2 * i], xs[2 * i + 1]] = [i, 10 * i];
  return new data.TensorDataset(px.tensor(xs, { shape: [n, 2] }), px.arange(0, n, 1, { dtype: 'int32' }));
}

/** Labels of every batch of one epoch, checking x rows agree with y. */
function epoch(loader: Iterable<data.Batch>): number[][] {
  const out: number[][] = [];
  for (const [xb, yb] of loader) {
    const ys = [...yb.values];
    assert.deepEqual(xb.shape, [ys.length, 2]);
    assert.equal(yb.dtype, 'int32');
    ys.forEach((y, k) => assert.deepEqual([xb.values[2 * k], xb.values[2 * k + 1]], [y, 10 * y], 'x row does not match its label'));
    out.push(ys);
  }
  return out;
}

const isPermutation = (xs: number[], n: number): boolean => [...xs].sort((a, b) => a - b).every((v, i) => v === i) && xs.length === n;

describe('TensorDataset', () => {
  it('get(i) returns row i without the sample dim', () => {
    const ds = traced(5);
    const s = ds.get(3);
    assert.equal(ds.length, 5);
    assert.deepEqual(s.x.shape, [2]);
    assert.deepEqual([...s.x.values], [3, 30]);
    assert.deepEqual(s.y.shape, []);
    assert.equal(s.y.item(), 3);
  });

  it('rejects tensors with different sample counts, naming both shapes', () => {
    throwsTyped(() => new data.TensorDataset(px.zeros([5, 3]), px.zeros([4])), data.DataError, 'DATASET_MISMATCH', ['[5,3]', '[4]', '5', '4']);
  });

  it('rejects an out-of-range index', () => {
    throwsTyped(() => traced(3).get(3), px.ValueError, 'INDEX_OUT_OF_RANGE', ['3']);
  });
});

describe('DataLoader batching', () => {
  it('yields ceil(n/b) batches in order, the last one short', () => {
    const loader = new data.DataLoader(traced(10), { batchSize: 3 });
    assert.equal(loader.length, 4);
    assert.deepEqual(epoch(loader), [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  });

  it('dropLast drops the short batch', () => {
    const loader = new data.DataLoader(traced(10), { batchSize: 3, dropLast: true });
    assert.equal(loader.length, 3);
    assert.deepEqual(epoch(loader), [[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  });

  it('dropLast keeps every batch when b divides n', () => {
    assert.deepEqual(epoch(new data.DataLoader(traced(6), { batchSize: 3, dropLast: true })), [[0, 1, 2], [3, 4, 5]]);
  });

  it('batchSize larger than the dataset without dropLast gives one batch', () => {
    assert.deepEqual(epoch(new data.DataLoader(traced(4), { batchSize: 64 })), [[0, 1, 2, 3]]);
  });

  it('batchSize 0, negative or fractional is a typed error', () => {
    for (const b of [0, -1, 1.5, NaN]) throwsTyped(() => new data.DataLoader(traced(4), { batchSize: b }), px.ValueError, 'INVALID_BATCH_SIZE', [String(b)]);
  });

  it('batchSize > length with dropLast is a typed error naming both', () => {
    throwsTyped(() => new data.DataLoader(traced(4), { batchSize: 5, dropLast: true }), px.ValueError, 'INVALID_BATCH_SIZE', ['5', '4', 'dropLast']);
  });

  it('an empty dataset is refused', () => {
    const ds = new data.TensorDataset(px.zeros([0, 2]), px.zeros([0]));
    throwsTyped(() => new data.DataLoader(ds), data.DataError, 'EMPTY_DATASET');
  });

  it('a dataset without getBatch is collated sample by sample', () => {
    const ds: data.Dataset = { length: 5, get: (i) => ({ x: px.tensor([i, 10 * i], { dtype: 'float64' }), y: px.tensor(i, { dtype: 'int32' }) }) };
    assert.deepEqual(epoch(new data.DataLoader(ds, { batchSize: 2 })), [[0, 1], [2, 3], [4]]);
  });

  it('a ragged sample is a ShapeError naming the sample (docs/reliability.md "Data files")', () => {
    const ds: data.Dataset = { length: 3, get: (i) => ({ x: px.zeros([i === 1 ? 3 : 2]), y: px.tensor(0, { dtype: 'int32' }) }) };
    throwsTyped(() => [...new data.DataLoader(ds, { batchSize: 3 })], px.ShapeError, 'SHAPE_MISMATCH', ['sample 1', '[3]', '[2]']);
  });

  it('an epoch inside scope() leaves no tensors behind', () => {
    const loader = new data.DataLoader(traced(20), { batchSize: 4, shuffle: true, seed: 0 });
    px.scope(() => { for (const [xb] of loader) xb.sum(); }); // warm-up: the data set back in backend memory
    const before = px.memory();
    px.scope(() => {
      for (const [xb, yb] of loader) xb.add(1).sum().add(yb.sum());
    });
    const after = px.memory();
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.numBytes, before.numBytes);
  });
});

describe('DataLoader shuffle', () => {
  const flat = (e: number[][]): number[] => e.flat();

  it('each epoch is a permutation, reshuffled per epoch, identical for the same seed', () => {
    const a = new data.DataLoader(traced(50), { batchSize: 8, shuffle: true, seed: 42 });
    const b = new data.DataLoader(traced(50), { batchSize: 8, shuffle: true, seed: 42 });
    const ea = [epoch(a), epoch(a), epoch(a)].map(flat);
    const eb = [epoch(b), epoch(b), epoch(b)].map(flat);
    for (const e of ea) assert.ok(isPermutation(e, 50));
    assert.deepEqual(ea, eb);
    assert.notDeepEqual(ea[0], ea[1]);
    assert.notDeepEqual(ea[0], [...Array(50).keys()]);
  });

  it('another seed gives another order', () => {
    const a = flat(epoch(new data.DataLoader(traced(50), { batchSize: 8, shuffle: true, seed: 1 })));
    const b = flat(epoch(new data.DataLoader(traced(50), { batchSize: 8, shuffle: true, seed: 2 })));
    assert.notDeepEqual(a, b);
  });

  it('without a seed the order follows manualSeed', () => {
    px.manualSeed(7);
    const a = flat(epoch(new data.DataLoader(traced(30), { shuffle: true, batchSize: 4 })));
    px.manualSeed(7);
    const b = flat(epoch(new data.DataLoader(traced(30), { shuffle: true, batchSize: 4 })));
    assert.deepEqual(a, b);
  });

  it('dropLast with shuffle drops different samples each epoch but always n - n mod b', () => {
    const l = new data.DataLoader(traced(10), { batchSize: 4, shuffle: true, dropLast: true, seed: 3 });
    const e1 = flat(epoch(l));
    const e2 = flat(epoch(l));
    assert.equal(e1.length, 8);
    assert.equal(e2.length, 8);
    assert.equal(new Set(e1).size, 8);
  });
});

describe('DataLoader state and resume', () => {
  const opts = { batchSize: 4, shuffle: true, seed: 11 } as const;

  it('resume mid-epoch continues with the same order and later epochs match', () => {
    const ref = new data.DataLoader(traced(18), opts);
    const full = [epoch(ref), epoch(ref), epoch(ref)];

    const a = new data.DataLoader(traced(18), opts);
    epoch(a);
    const partial: number[][] = [];
    let saved = '';
    for (const [, yb] of a) {
      partial.push([...yb.values]);
      if (partial.length === 2) {
        saved = JSON.stringify(a.state()); // a checkpoint taken inside the loop body
        break;
      }
    }
    assert.deepEqual(partial, full[1]!.slice(0, 2));
    const st = JSON.parse(saved) as data.DataLoaderState;
    assert.equal(st.epoch, 1);
    assert.equal(st.batch, 2);

    const b = new data.DataLoader(traced(18), { ...opts, seed: 999 }); // seed is replaced by the state
    b.setState(st);
    assert.deepEqual(epoch(b), full[1]!.slice(2));
    assert.deepEqual(epoch(b), full[2]);
  });

  it('resume from a state taken at the end of an epoch starts the next epoch', () => {
    const ref = new data.DataLoader(traced(18), opts);
    const full = [epoch(ref), epoch(ref)];
    const a = new data.DataLoader(traced(18), opts);
    epoch(a);
    const st = a.state();
    assert.deepEqual([st.epoch, st.batch], [0, 5]);
    const b = new data.DataLoader(traced(18), opts);
    b.setState(JSON.parse(JSON.stringify(st)) as data.DataLoaderState);
    assert.deepEqual(epoch(b), full[1]);
  });

  it('creating the iterator already moves the position (fit numbers batches from it)', () => {
    const a = new data.DataLoader(traced(18), opts);
    epoch(a);
    a[Symbol.iterator]();
    assert.deepEqual([a.state().epoch, a.state().batch], [1, 0]);
    const b = new data.DataLoader(traced(18), opts);
    b.setState({ ...a.state(), batch: 3 });
    b[Symbol.iterator]();
    assert.deepEqual([b.state().epoch, b.state().batch], [1, 3]);
  });

  it('the state of a fresh loader reproduces its first epoch', () => {
    const a = new data.DataLoader(traced(18), opts);
    const st = a.state();
    const first = epoch(a);
    const b = new data.DataLoader(traced(18), { ...opts, seed: 5 });
    b.setState(st);
    assert.deepEqual(epoch(b), first);
  });

  it('a state from a different loader is refused and changes nothing', () => {
    const a = new data.DataLoader(traced(18), opts);
    const b = new data.DataLoader(traced(18), opts);
    const expected = epoch(new data.DataLoader(traced(18), opts));
    const other = new data.DataLoader(traced(20), { ...opts, batchSize: 5 }).state();
    throwsTyped(() => a.setState(other), data.DataError, 'LOADER_STATE_MISMATCH', ['dataset length 20 vs 18', 'batchSize 5 vs 4']);
    throwsTyped(() => a.setState({ ...b.state(), generator: [1, 2, 3] }), px.ValueError, 'INVALID_LOADER_STATE', ['generator']);
    throwsTyped(() => a.setState({ ...b.state(), batch: 99 }), px.ValueError, 'INVALID_LOADER_STATE', ['batch', '99']);
    assert.deepEqual(epoch(a), expected);
  });
});
