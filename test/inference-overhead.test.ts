/**
 * @file The shortcuts taken on the per-call path of single-sample inference (issue #18, workload g)
 * keep their semantics: a scope whose result is one tensor, a typed array, a number or nested
 * tensors frees exactly what it did before; the wasm kernels' `ptr` fast path (a tensor's storage
 * block) gives the same offset as the view's byteOffset for fresh tensors, reshape views and
 * detached tensors, and falls back (-1, or the DisposedError of reading it) for an evicted,
 * disposed or foreign tensor; linear's shape and dtype errors are unchanged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { createWasmBackend, type WasmBackend } from '../src/backends/wasm/index.js';
import { type WasmContext, ptr } from '../src/backends/wasm/context.js';
import { on } from './backend-compare.js';

if (!px.availableBackends().includes('wasm')) px.registerBackend('wasm', createWasmBackend);
px.registerBackend('wasm-ptr-other', () => createWasmBackend({ name: 'wasm-ptr-other' }));

const ctxOf = (t: px.Tensor): WasmContext => ({ heap: (t._storage.backend as WasmBackend).heap }) as unknown as WasmContext;

describe('scope results on the inference path', () => {
  it('a scope returning a typed array (dataSync) frees every tensor made inside', () => on('wasm', () => {
    const w = px.keep(px.randn([3, 4]));
    const x = px.keep(px.randn([1, 4]));
    const before = px.memory().numTensors;
    const y = px.noGrad(() => px.scope(() => px.relu(px.linear(x, w)).dataSync()));
    assert.ok(y instanceof Float32Array && y.length === 3);
    assert.equal(px.memory().numTensors, before);
  }));
  it('returning one tensor keeps it (readable) and frees the rest', () => on('wasm', () => {
    const x = px.keep(px.randn([2, 2]));
    const before = px.memory().numTensors;
    let inner: px.Tensor | null = null;
    const y = px.scope(() => {
      inner = px.mul(x, 2);
      return px.add(inner, 1);
    });
    assert.equal(px.memory().numTensors, before + 1);
    assert.ok(inner!.isDisposed && !y.isDisposed);
    assert.deepEqual(Array.from(y.values), Array.from(x.values).map((v) => Math.fround(v * 2 + 1)));
  }));
  it('returning a number or nested tensors', () => on('wasm', () => {
    const x = px.keep(px.randn([2]));
    const before = px.memory().numTensors;
    assert.equal(typeof px.scope(() => px.sum(x).item()), 'number');
    assert.equal(px.memory().numTensors, before);
    const r = px.scope(() => ({ a: [px.mul(x, 3)], b: px.neg(x), c: 1 }));
    assert.equal(px.memory().numTensors, before + 2);
    assert.ok(!r.a[0]!.isDisposed && !r.b.isDisposed);
  }));
});

describe('wasm ptr fast path', () => {
  it('equals the view offset for a fresh tensor, a reshape view and a detached tensor', () => on('wasm', () => {
    px.scope(() => {
      const t = px.randn([4, 6]);
      const ctx = ctxOf(t);
      for (const v of [t, t.reshape([24]), t.reshape([2, 12]), t.detach()]) assert.equal(ptr(ctx, v), v._peek().byteOffset);
      assert.ok(ptr(ctx, t) > 0);
    });
  }));
  it('an evicted tensor (after a sweep) is not in the heap: -1', () => on('wasm', () => {
    const t = px.randn([5]);
    px.sweep();
    assert.equal(ptr(ctxOf(px.keep(px.zeros([1]))), t), -1);
    assert.equal(px.add(t, 0).values[0], t.values[0], 'kernels still read it');
  }));
  it('a disposed tensor throws DisposedError, as reading it does', () => on('wasm', () => {
    const t = px.randn([3]);
    const ctx = ctxOf(t);
    t.dispose();
    assert.throws(() => ptr(ctx, t), px.DisposedError);
  }));
  it("another wasm backend's tensor: -1", () => {
    const mine = on('wasm', () => px.keep(px.zeros([1])));
    const other = on('wasm-ptr-other', () => px.randn([3]));
    assert.equal(ptr(ctxOf(mine), other), -1);
  });
});

describe('linear shape and dtype errors are unchanged', () => {
  it('names every shape', () => on('wasm', () => {
    const x = px.randn([2, 3]);
    assert.throws(() => px.linear(x, px.randn([4, 5])), { name: 'ShapeError', message: "linear: x [2,3], weight [4,5]: last dim of x must equal weight's in-features 5" });
    assert.throws(() => px.linear(x, px.randn([4, 3]), px.randn([3])), { name: 'ShapeError', message: 'linear: x [2,3], weight [4,3], bias [3]: bias must be [4]' });
    assert.throws(() => px.linear(x, px.randn([4, 3, 1])), { name: 'ShapeError', message: 'linear: x [2,3], weight [4,3,1]: weight must be [out, in]' });
    assert.throws(() => px.linear(x, px.randn([4, 3]), px.randn([4], { dtype: 'float64' })), { name: 'DTypeError', message: 'linear: operand dtypes differ (x float32 vs float64)' });
    assert.deepEqual(px.noGrad(() => px.linear(px.randn([2, 3, 3]), px.randn([4, 3]))).shape, [2, 3, 4]);
    assert.deepEqual(px.noGrad(() => px.linear(px.randn([3]), px.randn([4, 3]))).shape, [4]);
  }));
});

describe('nn.Linear input errors are unchanged', () => {
  it('a wrong trailing size, a rank-0 input and a dtype mix-up name the layer', () => {
    const layer = new px.nn.Linear(3, 2);
    assert.throws(() => layer.forward(px.randn([2, 4])), { name: 'ShapeError', message: 'Linear(3, 2): input shape [2,4] must end with [3]' });
    assert.throws(() => layer.forward(px.tensor(1)), { name: 'ShapeError', message: 'Linear(3, 2): input shape [] must end with [3]' });
    assert.throws(() => layer.forward(px.randn([2, 3], { dtype: 'float64' })), { name: 'DTypeError', message: /^Linear\(3, 2\): input dtype float64 \[2,3\] does not match the parameters' float32/ });
    assert.deepEqual(layer.forward(px.randn([5, 3])).shape, [5, 2]);
  });
});
