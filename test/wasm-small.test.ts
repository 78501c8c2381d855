/**
 * @file The wasm backend's small-M path (assembly/gemm-small.as: `linear` and x·Wᵀ products with
 * few rows run unpacked dot products with bias and relu folded in) against a float64 loop, at
 * every remainder of the 2×4 tile and the 4-wide k loop, on the relaxed and baseline builds; and
 * that inference after an in-place weight update (optimizer step, assign, mutate) sees the new
 * weights (the path reads the weight where it lives, so there is nothing to go stale: this pins it).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { createWasmBackend } from '../src/backends/wasm/index.js';
import { SMALL_M } from '../src/backends/wasm/kernels/matmul.js';
import { erfScalar } from '../src/core/special.js';
import { on } from './backend-compare.js';

if (!px.availableBackends().includes('wasm')) px.registerBackend('wasm', createWasmBackend);
px.registerBackend('wasm-small-baseline', () => createWasmBackend({ relaxed: false, name: 'wasm-small-baseline' }));

const U = 2 ** -24;

/** Deterministic float32 values in [lo, 1). */
function values(n: number, seed: number, lo = -1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((1 - lo) * s) / 2 ** 32;
  });
}

const ACTS: Record<string, (z: number) => number> = {
  none: (z) => z,
  relu: (z) => (z <= 0 ? 0 : z),
  tanh: Math.tanh,
  gelu: (z) => z * 0.5 * (erfScalar(z * Math.SQRT1_2) + 1),
};

/** linear(x [rows, k], w [n, k], b?) on `backend` against float64 loops, |err| <= 2·k·u·Σ|x·w| (+ activation slack). */
function checkLinear(backend: string, rows: number, n: number, k: number, act: keyof typeof ACTS, bias: boolean, lo = -1): void {
  const xv = values(rows * k, rows * 13 + k, lo);
  const wv = values(n * k, n * 7 + k + 1, lo);
  const bv = values(n, n + 3);
  const out = on(backend, () => px.noGrad(() => px.linear(px.tensor(xv, { shape: [rows, k] }), px.tensor(wv, { shape: [n, k] }), bias ? px.tensor(bv) : null, act as 'none')));
  assert.deepEqual(out.shape, [rows, n]);
  const o = out.values;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bv[j]! : 0;
      let sAbs = Math.abs(s);
      for (let p = 0; p < k; p++) {
        const t = xv[i * k + p]! * wv[j * k + p]!;
        s += t;
        sAbs += Math.abs(t);
      }
      const want = ACTS[act]!(s);
      const bound = 2 * (k + 1) * U * sAbs + 1e-6 + 8 * U * Math.abs(want);
      const got = o[i * n + j]!;
      if (!(Math.abs(got - want) <= bound)) assert.fail(`linear ${rows}x${k}->${n} ${act} bias=${bias} on ${backend}: [${i},${j}] got ${got}, expected ${want} (bound ${bound})`);
    }
  }
}

describe('wasm small-M linear against a float64 loop', () => {
  it('is the path taken for a few rows', () => assert.ok(SMALL_M.linear >= 8 && SMALL_M.matmul >= 8, JSON.stringify(SMALL_M)));
  // rows: 1 (the 1×4 tile), odd and even counts around the 2-row tile; n: every remainder of 4;
  // k: every remainder of 4, one vector step, and a long row.
  for (const rows of [1, 2, 3, 5, 8]) {
    for (const [n, k] of [[1, 1], [2, 3], [3, 4], [5, 7], [8, 8], [9, 17], [13, 784]] as const) {
      it(`${rows}x${k} -> ${n}, every activation, with and without bias`, () => {
        for (const act of Object.keys(ACTS)) for (const bias of [true, false]) checkLinear('wasm', rows, n, k, act, bias);
      });
    }
  }
  it('same-sign data (catches a dropped k step or a lost accumulator set)', () => {
    for (const rows of [1, 2, 3]) checkLinear('wasm', rows, 11, 203, 'none', true, 0);
  });
  it('the baseline-SIMD build (no FMA) too', () => {
    for (const rows of [1, 2, 3]) for (const act of ['none', 'relu']) checkLinear('wasm-small-baseline', rows, 10, 70, act, true);
  });
  it('a rank-3 input folds its leading dims into rows', () => {
    on('wasm', () => {
      const x = px.tensor(values(2 * 3 * 6, 9), { shape: [2, 3, 6] });
      const w = px.tensor(values(5 * 6, 10), { shape: [5, 6] });
      const got = px.noGrad(() => px.linear(x, w, null, 'relu'));
      const want = px.noGrad(() => px.relu(px.matmul(x, w.transpose(0, 1))));
      assert.deepEqual(got.shape, [2, 3, 5]);
      const g = got.values;
      const e = want.values;
      for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i]! - e[i]!) <= 1e-6, `[${i}] ${g[i]} vs ${e[i]}`);
    });
  });
  it('relu passes NaN through (NaN·0 included) and maps negatives to 0, like the reference', () => {
    on('wasm', () => {
      const x = px.tensor([1, NaN, 1, -1], { shape: [2, 2] });
      const w = px.tensor([1, 0, -1, 0, 0, 0], { shape: [3, 2] });
      const got = Array.from(px.noGrad(() => px.linear(x, w, px.tensor([0, 0, -0]), 'relu')).values);
      assert.deepEqual(got.map((v) => (Number.isNaN(v) ? 'NaN' : v)), ['NaN', 'NaN', 'NaN', 1, 0, 0]);
    });
  });
  it('x·Wᵀ through matmul with few rows equals linear without bias', () => {
    on('wasm', () => {
      const x = px.tensor(values(3 * 37, 11), { shape: [3, 37] });
      const w = px.tensor(values(21 * 37, 12), { shape: [21, 37] });
      assert.deepEqual(Array.from(px.mm(x, w, false, true).values), Array.from(px.noGrad(() => px.linear(x, w, null, 'none')).values));
    });
  });
});

describe('inference after an in-place weight update sees the new weights', () => {
  /** The model's output for one input, computed now. */
  const predict = (model: px.nn.MLP, x: px.Tensor): number[] => Array.from(px.noGrad(() => px.scope(() => model.forward(x).dataSync())));
  /** The same model evaluated on the reference backend from its current weights. */
  const reference = (model: px.nn.MLP, x: px.Tensor): number[] => on('reference', () => {
    const twin = new px.nn.MLP([12, 9, 3], { activation: 'relu' });
    twin.loadStateDict(new Map([...model.stateDict()].map(([k, v]) => [k, px.tensor(v.dataSync(), { shape: v.shape })])));
    return Array.from(px.noGrad(() => twin.forward(px.tensor(x.dataSync(), { shape: x.shape })).dataSync()));
  });
  const close = (a: number[], b: number[], what: string): void => {
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-5, `${what}: [${i}] ${a[i]} vs reference ${b[i]}`);
  };

  it('after an optimizer step, an assign and a mutate', () => {
    on('wasm', () => {
      px.manualSeed(3);
      const model = new px.nn.MLP([12, 9, 3], { activation: 'relu' });
      const x = px.tensor(values(12, 4), { shape: [1, 12] });
      const y0 = predict(model, x);
      close(y0, reference(model, x), 'initial');
      const opt = new px.optim.Adam(model.parameters(), { lr: 0.05 });
      opt.zeroGrad();
      px.sum(model.forward(px.tensor(values(4 * 12, 5), { shape: [4, 12] }))).backward();
      opt.step();
      const y1 = predict(model, x);
      assert.notDeepEqual(y1, y0, 'the step changed the output');
      close(y1, reference(model, x), 'after Adam');
      const w0 = model.layers.at(0) as px.nn.Linear;
      px.noGrad(() => w0.weight.assign(px.mul(w0.weight, -1)));
      const y2 = predict(model, x);
      assert.notDeepEqual(y2, y1);
      close(y2, reference(model, x), 'after assign');
      px.noGrad(() => (model.layers.at(1) as px.nn.Linear).weight.mutate((v) => { for (let i = 0; i < v.length; i++) v[i] = v[i]! + 0.1; }));
      const y3 = predict(model, x);
      assert.notDeepEqual(y3, y2);
      close(y3, reference(model, x), 'after mutate');
    });
  });
});
