/**
 * @file The wasm backend's float32 layer-norm kernels (assembly/layernorm.as) against the reference
 * backend: both compute in doubles and round once, so they agree to 1 ulp (only the summation order
 * differs), at n = 64 (MLP-Mixer's rows), odd n (scalar tails), n = 1, two trailing dims, eps 0 and
 * a large eps, rows of very different scales, and gradients through nn.LayerNorm.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { createWasmBackend } from '../src/backends/wasm/index.js';
import { layerNormBackward, layerNormForward } from '../src/ops/primitives/layer-norm.js';
import { on } from './backend-compare.js';

if (!px.availableBackends().includes('wasm')) px.registerBackend('wasm', createWasmBackend);

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const ulp = (x: number): number => {
  f32[0] = Math.abs(x);
  u32[0] = u32[0]! + 1;
  return Math.max(f32[0]! - Math.abs(Math.fround(x)), 2 ** -149);
};

/** Deterministic values, each row scaled by 10^(row % 5 - 2) and offset, so rows differ in scale. */
function data(shape: number[], n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const row = Math.floor(i / n);
    return (s / 2 ** 32 - 0.3) * 10 ** ((row % 5) - 2) + (row % 3);
  });
}

function assertUlp(what: string, a: ArrayLike<number>, e: ArrayLike<number>, slack: number): void {
  assert.equal(a.length, e.length);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(e[i]!) && Number.isNaN(a[i]!)) continue;
    if (!(Math.abs(a[i]! - e[i]!) <= ulp(e[i]!) + slack)) assert.fail(`${what} [${i}]: wasm ${a[i]}, reference ${e[i]}`);
  }
}

const CASES: [number[], number, number][] = [[[9, 64], 1, 1e-5], [[4, 3, 7], 1, 1e-5], [[6, 1], 1, 1e-5], [[3, 5, 2, 3], 2, 0.1], [[5, 8], 1, 0], [[0, 4], 1, 1e-5]];

describe('wasm float32 layer norm vs the reference backend (1 ulp: both round doubles once)', () => {
  for (const [shape, dims, eps] of CASES) {
    const n = shape.slice(shape.length - dims).reduce((a, b) => a * b, 1);
    it(`x${JSON.stringify(shape)} over ${dims} dim(s), eps ${eps}`, () => {
      const x = data(shape, n, 1);
      const g = data(shape, n, 2);
      const run = (b: string): Float32Array[] => on(b, () => {
        const xt = px.tensor(x, { shape });
        const gt = px.tensor(g, { shape });
        return [layerNormForward(xt, dims, eps).values as Float32Array, layerNormBackward(gt, xt, dims, eps).values as Float32Array];
      });
      const [fw, bw] = run('wasm');
      const [fr, br] = run('reference');
      assertUlp('forward', fw!, fr!, 0);
      // the backward's g - mean(g) - x̂·mean(g·x̂) can cancel: allow the double rounding of its terms too
      assertUlp('backward', bw!, br!, 1e-12);
    });
  }

  it('a constant row (variance 0) gives 0 with eps > 0 and NaN with eps 0, as the reference', () => {
    const x = new Float32Array(8).fill(3);
    for (const eps of [1e-5, 0]) {
      const a = on('wasm', () => layerNormForward(px.tensor(x, { shape: [2, 4] }), 1, eps).values);
      const e = on('reference', () => layerNormForward(px.tensor(x, { shape: [2, 4] }), 1, eps).values);
      assert.deepEqual([...a].map(String), [...e].map(String));
    }
  });

  it('nn.LayerNorm forward and gradients agree with the reference backend', () => {
    const x = data([7, 5, 64], 64, 3);
    const run = (b: string): Float32Array[] => on(b, () => {
      px.manualSeed(0);
      const ln = new px.nn.LayerNorm([64]);
      const xt = px.tensor(x, { shape: [7, 5, 64], requiresGrad: true });
      const y = ln.forward(xt);
      px.sum(px.mul(y, y)).backward();
      return [y.values as Float32Array, xt.grad!.values as Float32Array, ln.weight!.grad!.values as Float32Array];
    });
    const a = run('wasm');
    const e = run('reference');
    a.forEach((t, i) => {
      for (let j = 0; j < t.length; j++) assert.ok(Math.abs(t[j]! - e[i]![j]!) <= 1e-5 + 1e-5 * Math.abs(e[i]![j]!), `#${i}[${j}]: wasm ${t[j]} reference ${e[i]![j]}`);
    });
  });
});
