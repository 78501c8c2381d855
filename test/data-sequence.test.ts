/**
 * @file The sequence tasks (src/data/sequence/): shapes, determinism by seed, labels recomputed
 * from the inputs, and the metrics (tokenAccuracy, sequenceExactMatch, leastSquaresBaseline).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { data } from '../src/index.js';

const ints = (t: px.Tensor): number[] => Array.from(t.values as Int32Array);
const rows = (t: px.Tensor): number[][] => {
  const [n, l] = t.shape as [number, number];
  const v = ints(t);
  return Array.from({ length: n }, (_, i) => v.slice(i * l, (i + 1) * l));
};
/** Each generator: same seed same data, other seed other data. */
const determinism = (make: (seed: number) => { x: px.Tensor; y: px.Tensor }): void => {
  const a = make(3), b = make(3), c = make(4);
  assert.deepEqual(Array.from(a.x.values), Array.from(b.x.values));
  assert.deepEqual(Array.from(a.y.values), Array.from(b.y.values));
  assert.notDeepEqual(Array.from(a.x.values), Array.from(c.x.values));
};

describe('data: sequence tasks', () => {
  it('copyTask: symbols, delay blanks, go marker; targets are the symbols after the marker', () => {
    const t = data.copyTask({ n: 50, length: 5, delay: 7, vocab: 6, seed: 1 });
    assert.deepEqual(t.x.shape, [50, 17]);
    assert.equal(t.x.dtype, 'int32');
    assert.equal(t.vocabSize, 8);
    const ys = rows(t.y);
    rows(t.x).forEach((r, i) => {
      const sym = r.slice(0, 5);
      assert.ok(sym.every((s) => s >= 1 && s <= 6));
      assert.deepEqual(r.slice(5, 12), [0, 0, 0, 0, 0, 0, 0]);
      assert.equal(r[12], 7);
      assert.deepEqual(r.slice(13), [0, 0, 0, 0]);
      assert.deepEqual(ys[i], [...Array(12).fill(-100), ...sym]);
    });
    determinism((seed) => data.copyTask({ n: 10, seed }));
  });

  it('parityTask: bits and their prefix parities', () => {
    const t = data.parityTask({ n: 40, length: 9, seed: 2 });
    assert.deepEqual(t.x.shape, [40, 9]);
    const ys = rows(t.y);
    let ones = 0;
    rows(t.x).forEach((r, i) => {
      let p = 0;
      r.forEach((b, j) => { assert.ok(b === 0 || b === 1); ones += b; p ^= b; assert.equal(ys[i]![j], p); });
    });
    assert.ok(ones > 120 && ones < 240, `bits are balanced: ${ones}/360 ones`);
    determinism((seed) => data.parityTask({ n: 10, seed }));
  });

  it('sortTask: list, separator, sorted prefix (teacher forcing); targets the sorted list', () => {
    const t = data.sortTask({ n: 30, length: 6, vocab: 9, seed: 3 });
    assert.deepEqual(t.x.shape, [30, 12]);
    const ys = rows(t.y);
    rows(t.x).forEach((r, i) => {
      const sorted = r.slice(0, 6).sort((a, b) => a - b);
      assert.equal(r[6], 10);
      assert.deepEqual(r.slice(7), sorted.slice(0, 5));
      assert.deepEqual(ys[i], [...Array(6).fill(-100), ...sorted]);
    });
    determinism((seed) => data.sortTask({ n: 10, seed }));
  });

  it('associativeRecall: distinct keys, the query is one of them, target its value', () => {
    const t = data.associativeRecall({ n: 60, numPairs: 3, numKeys: 5, numValues: 4, seed: 4 });
    assert.deepEqual(t.x.shape, [60, 7]);
    assert.equal(t.vocabSize, 9);
    const ys = rows(t.y);
    rows(t.x).forEach((r, i) => {
      const keys = [r[0]!, r[2]!, r[4]!];
      assert.equal(new Set(keys).size, 3);
      assert.ok(keys.every((k) => k >= 0 && k < 5) && [r[1]!, r[3]!, r[5]!].every((v) => v >= 5 && v < 9));
      const q = keys.indexOf(r[6]!);
      assert.ok(q >= 0);
      assert.deepEqual(ys[i], [-100, -100, -100, -100, -100, -100, r[2 * q + 1]]);
    });
    determinism((seed) => data.associativeRecall({ n: 10, seed }));
    assert.throws(() => data.associativeRecall({ numPairs: 5, numKeys: 4 }), (e: Error) => e instanceof px.ValueError && /numKeys \(4\) must be >= numPairs \(5\)/.test(e.message));
  });

  it('inductionHead: the last token occurred once before; target the token after it', () => {
    const t = data.inductionHead({ n: 60, length: 10, vocab: 5, seed: 5 });
    assert.deepEqual(t.x.shape, [60, 10]);
    const ys = rows(t.y);
    rows(t.x).forEach((r, i) => {
      const a = r[9]!;
      const at = r.map((v, j) => (v === a ? j : -1)).filter((j) => j >= 0);
      assert.equal(at.length, 2);
      assert.ok(at[0]! <= 7);
      assert.deepEqual(ys[i], [...Array(9).fill(-100), r[at[0]! + 1]]);
    });
    determinism((seed) => data.inductionHead({ n: 10, seed }));
  });

  it('inContextRegression: y = w . x_q; least squares recovers it from the context', () => {
    const t = data.inContextRegression({ n: 20, numPoints: 6, dim: 3, dtype: 'float64', seed: 6 });
    assert.deepEqual(t.x.shape, [20, 7, 4]);
    assert.deepEqual(t.y.shape, [20, 1]);
    const xv = t.x.values, wv = t.w.values, yv = t.y.values;
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 7; j++) {
        const off = (i * 7 + j) * 4;
        let dot = 0;
        for (let k = 0; k < 3; k++) dot += Number(xv[off + k]) * Number(wv[i * 3 + k]);
        assert.ok(Math.abs((j < 6 ? Number(xv[off + 3]) : Number(yv[i])) - dot) < 1e-12);
        if (j === 6) assert.equal(Number(xv[off + 3]), 0);
      }
    }
    const ls = data.leastSquaresBaseline(t.x);
    assert.ok(px.mse(ls, t.y).item() < 1e-12);
    // Fewer points than dimensions: least squares cannot pin w down.
    const under = data.inContextRegression({ n: 200, numPoints: 2, dim: 6, dtype: 'float64', seed: 6 });
    assert.ok(px.mse(data.leastSquaresBaseline(under.x), under.y).item() > 0.5);
    const noisy = data.inContextRegression({ n: 5, noise: 0.5, seed: 6 });
    assert.equal(noisy.x.dtype, 'float32');
    determinism((seed) => data.inContextRegression({ n: 4, seed }));
  });

  it('bad options are typed ValueErrors naming the task and option', () => {
    const V = px.ValueError;
    const bad: [() => unknown, RegExp][] = [
      [() => data.copyTask({ length: 0 }), /copyTask: length must be an integer >= 1, got 0/],
      [() => data.copyTask({ delay: -1 }), /copyTask: delay must be an integer >= 0/],
      [() => data.parityTask({ n: 1.5 }), /parityTask: n must be an integer >= 1/],
      [() => data.parityTask({ lenght: 3 } as never), /lenght/],
      [() => data.sortTask({ seed: 'a' as never }), /sortTask: seed must be a finite number/],
      [() => data.inductionHead({ length: 3 }), /inductionHead: length must be an integer >= 4/],
      [() => data.inContextRegression({ noise: -1 }), /noise must be a finite number >= 0/],
    ];
    for (const [call, re] of bad) assert.throws(call, (e: Error) => e instanceof V && re.test(e.message), re.source);
    assert.throws(() => data.inContextRegression({ dtype: 'int32' as never }), px.DTypeError);
    assert.throws(() => data.leastSquaresBaseline(px.zeros([3, 4])), px.ShapeError);
  });
});

describe('data: sequence metrics', () => {
  const y = px.tensor([[-100, 1, 2], [-100, 0, 2]], { dtype: 'int32' });
  it('tokenAccuracy and sequenceExactMatch over scored positions, from ids or logits', () => {
    const ids = px.tensor([[5, 1, 2], [5, 1, 2]], { dtype: 'int32' });
    assert.equal(data.tokenAccuracy(ids, y), 3 / 4);
    assert.equal(data.tokenAccuracy(ids, y, { positions: 'last' }), 1);
    assert.equal(data.sequenceExactMatch(ids, y), 1 / 2);
    const logits = px.oneHot(ids, 6).cast('float32');
    assert.equal(data.tokenAccuracy(logits, y), 3 / 4);
    assert.equal(data.sequenceExactMatch(logits, y), 1 / 2);
  });
  it('bad arguments', () => {
    assert.throws(() => data.tokenAccuracy(px.zeros([2, 4, 3]), y), (e: Error) => e instanceof px.ShapeError && /logits \[2, 3, classes\].*got float32 \[2,4,3\]/.test(e.message));
    assert.throws(() => data.tokenAccuracy(px.zeros([2, 3, 3]), px.zeros([2, 3])), px.ShapeError);
    assert.throws(() => data.tokenAccuracy(px.zeros([2, 3, 3]), y, { positions: 'first' as never }), px.ValueError);
    assert.throws(() => data.sequenceExactMatch(px.zeros([2, 3, 3]), y, { ignore: 0 } as never), px.ValueError);
  });
});
