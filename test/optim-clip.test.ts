/**
 * @file Gradient clipping: clipGradNorm returns the pre-clip total norm and scales by
 * maxNorm / (norm + 1e-6) when that is below 1 (PyTorch); a non-finite norm throws
 * NonFiniteGradientError naming the first parameter at fault and leaves the gradients alone
 * (docs/reliability.md "Numerics and training"); clipGradValue clamps elementwise.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { optim } from '../src/index.js';

/** A float64 leaf with a given gradient. */
function withGrad(grad: number[], name?: string): px.Tensor {
  const p = px.zeros([grad.length], { dtype: 'float64', requiresGrad: true });
  p.grad = px.tensor(grad, { dtype: 'float64' });
  if (name) p.name = name;
  return p;
}
const grads = (ps: px.Tensor[]): number[][] => ps.map((p) => Array.from(p.grad!.values));

describe('clipGradNorm', () => {
  it('returns the total 2-norm and scales every gradient by maxNorm / (norm + 1e-6)', () => {
    const ps = [withGrad([3, 4]), withGrad([12]), px.zeros([2], { dtype: 'float64', requiresGrad: true })];
    const norm = optim.clipGradNorm(ps, 6.5);
    assert.equal(norm, 13); // sqrt(3² + 4² + 12²), the no-grad parameter ignored
    const c = 6.5 / (13 + 1e-6);
    assert.deepEqual(grads(ps.slice(0, 2)), [[3 * c, 4 * c], [12 * c]]);
    assert.equal(ps[2]!.grad, null);
  });

  it('leaves gradients bit-identical when already within maxNorm', () => {
    const ps = [withGrad([0.3, -0.4])];
    assert.equal(optim.clipGradNorm(ps, 1), 0.5);
    assert.deepEqual(grads(ps), [[0.3, -0.4]]);
  });

  it('supports the 1-norm, p-norms and the max norm', () => {
    assert.equal(optim.clipGradNorm([withGrad([3, -4]), withGrad([12])], 100, { normType: 1 }), 19);
    assert.equal(optim.clipGradNorm([withGrad([3, -4]), withGrad([-12])], 100, { normType: Infinity }), 12);
    const p3 = optim.clipGradNorm([withGrad([1, 2]), withGrad([2])], 100, { normType: 3 });
    assert.ok(Math.abs(p3 - 17 ** (1 / 3)) < 1e-14);
  });

  it('accepts a single tensor, and returns 0 when nothing has a gradient', () => {
    assert.equal(optim.clipGradNorm(withGrad([6, 8]), 1) > 9.99, true);
    assert.equal(optim.clipGradNorm([px.zeros([2], { dtype: 'float64' })], 1), 0);
  });

  it('throws NonFiniteGradientError naming the first non-finite parameter, gradients untouched', () => {
    const ps = [withGrad([1, 2], 'layers.0.weight'), withGrad([3, NaN], 'layers.0.bias'), withGrad([Infinity], 'layers.1.weight')];
    const before = grads(ps);
    assert.throws(() => optim.clipGradNorm(ps, 1), (e: unknown) => {
      assert.ok(e instanceof optim.NonFiniteGradientError);
      assert.ok(e instanceof px.PlexusError);
      assert.equal(e.code, 'NON_FINITE_GRADIENT');
      assert.equal(e.paramIndex, 1);
      assert.equal(e.paramName, 'layers.0.bias');
      assert.ok(Number.isNaN(e.totalNorm));
      assert.match(e.message, /parameter 1 \('layers.0.bias' \[2\]\) has a non-finite gradient/);
      return true;
    });
    assert.deepEqual(grads(ps), before);
  });

  it('says so when finite gradients overflow the norm', () => {
    const ps = [withGrad([1]), withGrad([1e200, 1e200])];
    assert.throws(() => optim.clipGradNorm(ps, 1), (e: unknown) =>
      e instanceof optim.NonFiniteGradientError && e.paramIndex === 1 && e.totalNorm === Infinity && /finite gradient whose norm overflows/.test(e.message));
  });

  it('with errorIfNonfinite: false, scales by the NaN norm as PyTorch does', () => {
    const ps = [withGrad([1, NaN])];
    assert.ok(Number.isNaN(optim.clipGradNorm(ps, 1, { errorIfNonfinite: false })));
    assert.ok(grads(ps)[0]!.every(Number.isNaN));
  });

  it('rejects invalid maxNorm and normType', () => {
    const ps = [withGrad([1])];
    for (const [max, opts] of [[-1, {}], [NaN, {}], [1, { normType: 0 }], [1, { normType: NaN }]] as const) {
      assert.throws(() => optim.clipGradNorm(ps, max, opts), (e: unknown) => e instanceof px.ValueError && e.code === 'INVALID_HYPERPARAMETER');
    }
  });
});

describe('clipGradValue', () => {
  it('clamps every element into [-clip, clip]; NaN stays NaN', () => {
    const ps = [withGrad([-3, 0.5, 2]), withGrad([NaN, -0.1])];
    optim.clipGradValue(ps, 1);
    assert.deepEqual(grads(ps), [[-1, 0.5, 1], [NaN, -0.1]]);
  });

  it('rejects a negative clip value', () => {
    assert.throws(() => optim.clipGradValue([withGrad([1])], -1), (e: unknown) => e instanceof px.ValueError && /invalid clipValue: -1/.test(e.message));
  });
});
