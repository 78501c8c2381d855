/** @file The spline basis primitive beyond the op table: partition of unity, second derivatives, errors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { assertClose, uniform } from '../src/testing/index.js';

describe('splineBasis', () => {
  it('sums to 1 inside the grid (partition of unity) for every order', () => {
    for (const k of [0, 1, 2, 3, 4]) {
      const g = px.uniformGrid(3, 6, k, [-1, 1], 'float64');
      const b = px.splineBasis(uniform([50, 3], -0.999, 0.999), g, k);
      assertClose(b.sum(-1), px.ones([50, 3], { dtype: 'float64' }), { atol: 1e-12, rtol: 0 }, `k=${k}`);
    }
  });

  it('second derivatives by grad of grad match finite differences of the first', () => {
    const g = px.uniformGrid(1, 5, 3, [-1, 1], 'float64');
    const coef = uniform([1, 8], -1, 1);
    const f = (x: px.Tensor): px.Tensor => px.splineBasis(x, g, 3).mul(coef).sum();
    const d1 = (x: px.Tensor): px.Tensor => px.grad(f)(x) as px.Tensor;
    const x = uniform([7, 1], -0.9, 0.9);
    const d2 = px.grad((t: px.Tensor) => d1(t).sum())(x) as px.Tensor;
    const h = 1e-5;
    const fd = d1(x.add(h)).sub(d1(x.sub(h))).div(2 * h);
    assertClose(d2, fd, { atol: 1e-6, rtol: 1e-6 }, 'second derivative');
  });

  it('rejects bad orders, grids and dtypes with typed errors', () => {
    const g = px.uniformGrid(2, 3, 3, [-1, 1], 'float64');
    const x = px.zeros([4, 2], { dtype: 'float64' });
    assert.throws(() => px.splineBasis(x, g, -1), (e: unknown) => e instanceof px.ValueError && /order k/.test((e as Error).message));
    assert.throws(() => px.splineBasis(px.zeros([4, 3], { dtype: 'float64' }), g, 3), (e: unknown) => e instanceof px.ShapeError && /\[4,3\]/.test((e as Error).message));
    assert.throws(() => px.splineBasis(px.zeros([4, 2], { dtype: 'int32' }), g, 3), px.DTypeError);
    assert.throws(() => px.splineBasis(x, g, 9), px.ShapeError);
    assert.throws(() => px.uniformGrid(2, 0, 3), (e: unknown) => e instanceof px.ValueError && /interval/.test((e as Error).message));
  });
});
