/**
 * @file nll / crossEntropy with class-index targets, no class weights and no ignored target take a
 * shorter graph (no mask, no product by the all-ones weights, N instead of their sum): it must give
 * bitwise the numbers of the general graph, values and gradients, for every reduction, which the
 * general graph computes here with weights of ones (the same arithmetic: x·1 and Σ1 are exact).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { on } from './backend-compare.js';

/** loss (as values) and the gradient of its sum w.r.t. the logits. */
function lossAndGrad(x0: Float64Array, shape: number[], target: Int32Array, opts: px.CrossEntropyOptions, dtype: px.FloatDType, nll: boolean): number[][] {
  const x = px.tensor(x0, { shape, dtype, requiresGrad: true });
  const t = px.tensor(target, { dtype: 'int32' });
  const loss = nll ? px.nll(px.logSoftmax(x, 1), t, opts) : px.crossEntropy(x, t, opts);
  px.sum(loss).backward();
  return [[...loss.values], [...x.grad!.values]];
}

describe('nll / crossEntropy fast path (no weights, nothing ignored) = the general graph, bitwise', () => {
  const N = 37;
  const C = 11;
  const x0 = Float64Array.from({ length: N * C }, (_, i) => Math.sin(i * 0.77) * 4);
  const target = Int32Array.from({ length: N }, (_, i) => (i * 7) % C);
  for (const backend of ['wasm', 'reference']) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        for (const fn of ['crossEntropy', 'nll'] as const) {
          it(`${fn} ${backend} ${dtype} reduction ${reduction}`, () => on(backend, () => {
            const ones = px.ones([C], { dtype });
            const fast = lossAndGrad(x0, [N, C], target, { reduction }, dtype, fn === 'nll');
            const general = lossAndGrad(x0, [N, C], target, { reduction, weight: ones }, dtype, fn === 'nll');
            assert.deepEqual(fast, general);
          }));
        }
      }
    }
  }

  it('an ignored target still takes the general graph (its row contributes nothing)', () => {
    const t = Int32Array.from(target);
    t[3] = -100;
    const [loss, grad] = lossAndGrad(x0, [N, C], t, { reduction: 'none' }, 'float64', false);
    assert.equal(loss![3], 0);
    for (let c = 0; c < C; c++) assert.equal(grad![3 * C + c], 0);
  });

  it('an out-of-range target is still a typed error naming the op', () => {
    const t = Int32Array.from(target);
    t[5] = C;
    assert.throws(() => lossAndGrad(x0, [N, C], t, {}, 'float64', false), (e: Error) => e instanceof px.ValueError && /nll: index 11 at position 5 is out of range \[0, 11\)/.test(e.message));
  });
});
