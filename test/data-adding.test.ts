/**
 * @file data.addingProblem: shapes, the two markers (one per half), the target as the sum of the
 * marked values, seeding (same seed same data, the global generator untouched), the trivial
 * predictor's MSE near 1/6, and typed errors for bad options.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { data } from '../src/index.js';

describe('data.addingProblem', () => {
  it('x [n, T, 2] with two markers, one per half; y = sum of the marked values', () => {
    const { x, y } = data.addingProblem({ n: 50, length: 21, seed: 3, dtype: 'float64' });
    assert.deepEqual([x.shape, y.shape, x.dtype], [[50, 21, 2], [50, 1], 'float64']);
    const v = x.values;
    for (let s = 0; s < 50; s++) {
      const marked: number[] = [];
      let sum = 0;
      for (let t = 0; t < 21; t++) {
        const val = v[(s * 21 + t) * 2]!;
        assert.ok(val >= 0 && val < 1);
        if (v[(s * 21 + t) * 2 + 1] === 1) {
          marked.push(t);
          sum += val;
        } else assert.equal(v[(s * 21 + t) * 2 + 1], 0);
      }
      assert.equal(marked.length, 2);
      assert.ok(marked[0]! < 10 && marked[1]! >= 10, `markers ${marked} one in each half`);
      assert.equal(y.values[s], sum);
    }
  });
  it('is seeded and leaves the global generator alone', () => {
    px.manualSeed(5);
    const before = px.rand([3]).values;
    px.manualSeed(5);
    const a = data.addingProblem({ n: 8, length: 12, seed: 1 });
    const after = px.rand([3]).values;
    assert.deepEqual(Array.from(after), Array.from(before));
    const b = data.addingProblem({ n: 8, length: 12, seed: 1 });
    const c = data.addingProblem({ n: 8, length: 12, seed: 2 });
    assert.deepEqual(Array.from(a.x.values), Array.from(b.x.values));
    assert.notDeepEqual(Array.from(a.x.values), Array.from(c.x.values));
  });
  it('predicting the mean 1 scores MSE near 1/6', () => {
    const { y } = data.addingProblem({ n: 4000, length: 10, seed: 0, dtype: 'float64' });
    const mse = Array.from(y.values).reduce((acc, v) => acc + (v - 1) ** 2, 0) / 4000;
    assert.ok(Math.abs(mse - 1 / 6) < 0.01, `MSE ${mse}`);
  });
  it('refuses bad options by name', () => {
    assert.throws(() => data.addingProblem({ length: 1 }), (e: Error) => e instanceof px.ValueError && /length/.test(e.message));
    assert.throws(() => data.addingProblem({ n: 0 }), (e: Error) => e instanceof px.ValueError && /\bn\b/.test(e.message));
    assert.throws(() => data.addingProblem({ T: 10 } as never), (e: Error) => e instanceof px.ValueError && /T/.test(e.message));
    assert.throws(() => data.addingProblem({ dtype: 'int32' as never }), (e: Error) => e instanceof px.ValueError && /dtype/.test(e.message));
  });
});
