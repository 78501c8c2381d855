/**
 * @file Tensor basics: creation, random streams, readback, dtype promotion, printing and memory
 * accounting (a training step leaks nothing, with scope() or via garbage collection).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { allocationsDuring, collectUntilReleased } from './allocations.js';

const arr = (t: px.Tensor): number[] => Array.from(t.values);

describe('creation', () => {
  it('tensor() infers shape and dtype; float32 by default, bool from booleans', () => {
    const t = px.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.equal(t.size, 6);
    assert.equal(t.rank, 2);
    assert.ok(t.values instanceof Float32Array);
    assert.equal(px.tensor([true, false]).dtype, 'bool');
    assert.deepEqual(px.tensor(7).shape, []);
    assert.ok(px.tensor([1], { dtype: 'float64' }).values instanceof Float64Array);
    assert.ok(px.tensor([1], { dtype: 'int32' }).values instanceof Int32Array);
    // shape reshapes flat data; a typed array keeps its dtype
    const s = px.tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] });
    assert.deepEqual(s.toArray(), [[1, 2], [3, 4], [5, 6]]);
    assert.equal(px.tensor(new Int32Array([1, 2])).dtype, 'int32');
  });

  it('zeros / ones / full / *Like', () => {
    const zf = px.zeros([2, 2], { dtype: 'float64' });
    assert.deepEqual(arr(zf), [0, 0, 0, 0]);
    assert.equal(zf.dtype, 'float64');
    assert.deepEqual(arr(px.ones([3], { dtype: 'int32' })), [1, 1, 1]);
    assert.deepEqual(arr(px.full([2], 2.5)), [2.5, 2.5]);
    const like = px.onesLike(px.zeros([2, 1], { dtype: 'int32' }));
    assert.deepEqual([like.shape, like.dtype, arr(like)], [[2, 1], 'int32', [1, 1]]);
    assert.deepEqual(arr(px.zerosLike(px.ones([2]))), [0, 0]);
    assert.deepEqual(px.zeros([0, 3]).shape, [0, 3]);
    assert.deepEqual(px.zeros([]).shape, []);
  });

  it('arange / linspace / eye', () => {
    assert.deepEqual(arr(px.arange(5)), [0, 1, 2, 3, 4]);
    assert.deepEqual(arr(px.arange(1, 2, 0.25)), [1, 1.25, 1.5, 1.75]); // end excluded
    assert.deepEqual(arr(px.arange(5, 0, -2)), [5, 3, 1]);
    assert.deepEqual(px.arange(3, 3).shape, [0]);
    assert.deepEqual(arr(px.linspace(0, 1, 5)), [0, 0.25, 0.5, 0.75, 1]); // both ends included
    assert.deepEqual(arr(px.linspace(2, 2, 1)), [2]);
    assert.deepEqual(px.eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
    assert.deepEqual(px.eye(2).toArray(), [[1, 0], [0, 1]]);
  });
});

describe('random numbers', () => {
  const draws = () => [
    arr(px.randn([20], { dtype: 'float64' })),
    arr(px.rand([20], { dtype: 'float64' })),
    arr(px.randint(-3, 4, [20])),
    arr(px.bernoulli(0.3, [20])),
  ];

  it('manualSeed makes randn / rand / randint / bernoulli reproducible; other seeds differ', () => {
    px.manualSeed(123);
    const a = draws();
    px.manualSeed(123);
    assert.deepEqual(draws(), a);
    px.manualSeed(124);
    const b = draws();
    for (let k = 0; k < a.length; k++) assert.notDeepEqual(b[k], a[k], `stream ${k} with another seed`);
  });

  it('values lie in their documented ranges and dtypes', () => {
    px.manualSeed(5);
    const u = px.rand([1000], { dtype: 'float64' });
    assert.ok(arr(u).every((v) => v >= 0 && v < 1));
    const r = px.randint(-3, 4, [1000]);
    assert.equal(r.dtype, 'int32');
    assert.deepEqual([...new Set(arr(r))].sort((x, y) => x - y), [-3, -2, -1, 0, 1, 2, 3]);
    const b = px.bernoulli(0.3, [1000]);
    assert.equal(b.dtype, 'float32');
    assert.ok(arr(b).every((v) => v === 0 || v === 1));
  });

  it('randn of 10k samples has mean ~0 and std ~1 (within 0.05)', () => {
    // Standard error of the mean is 0.01 for n=10k, so 0.05 is a 5-sigma band.
    px.manualSeed(2024);
    const x = px.randn([10000], { dtype: 'float64' });
    assert.ok(Math.abs(x.mean().item()) < 0.05, `mean ${x.mean().item()}`);
    assert.ok(Math.abs(x.std().item() - 1) < 0.05, `std ${x.std().item()}`);
    const u = px.rand([10000], { dtype: 'float64' });
    assert.ok(Math.abs(u.mean().item() - 0.5) < 0.05);
  });

  it('Generator getState/setState round-trips and continues identically', () => {
    const g = new px.Generator(77);
    px.randn([5], { generator: g }); // advance past the seed state
    const state = g.getState();
    const a = arr(px.randn([16], { generator: g, dtype: 'float64' }));
    const ints = arr(px.randint(0, 100, [8], { generator: g }));
    g.setState(state);
    assert.deepEqual(arr(px.randn([16], { generator: g, dtype: 'float64' })), a);
    const h = new px.Generator(1);
    h.setState(g.getState()); // a second generator picks up the stream where g is
    assert.deepEqual(arr(px.randint(0, 100, [8], { generator: h })), ints);
    assert.throws(() => g.setState([1, 2, 3]), px.ValueError);
  });

  it('a private generator does not disturb the default stream', () => {
    px.manualSeed(9);
    const a = arr(px.rand([4]));
    px.manualSeed(9);
    px.rand([100], { generator: new px.Generator(3) });
    assert.deepEqual(arr(px.rand([4])), a);
  });
});

describe('readback', () => {
  it('item / toArray / dataSync', () => {
    assert.equal(px.tensor([[2.5]], { dtype: 'float64' }).item(), 2.5);
    assert.throws(() => px.tensor([1, 2]).item(), px.ShapeError);
    assert.deepEqual(px.tensor([[1, 2], [3, 4]], { dtype: 'int32' }).toArray(), [[1, 2], [3, 4]]);
    assert.deepEqual(px.tensor([true, false]).toArray(), [true, false]);
    assert.equal(px.tensor(4, { dtype: 'float64' }).toArray(), 4);
    const t = px.tensor([1, 2], { dtype: 'float64' });
    const d = t.dataSync();
    assert.ok(d instanceof Float64Array);
    d[0] = 99; // a copy: writing it must not change the tensor
    assert.deepEqual(arr(t), [1, 2]);
  });

  it('float32 storage rounds like Math.fround', () => {
    assert.equal(px.tensor([0.1]).item(), Math.fround(0.1));
  });
});

describe('dtype promotion (PyTorch rules)', () => {
  const i = px.tensor([1, 2], { dtype: 'int32' });
  it('int32 + float32 -> float32; float32 + float64 -> float64', () => {
    assert.equal(i.add(px.tensor([0.5, 0.5])).dtype, 'float32');
    assert.equal(px.tensor([1]).add(px.tensor([1], { dtype: 'float64' })).dtype, 'float64');
  });

  it('int32 + 2.5 -> the default float; int32 + 2 stays int32', () => {
    const y = i.add(2.5);
    assert.equal(y.dtype, 'float32');
    assert.deepEqual(arr(y), [3.5, 4.5]);
    assert.equal(i.add(2).dtype, 'int32');
    px.setDefaultDType('float64');
    try {
      assert.equal(i.add(2.5).dtype, 'float64');
    } finally {
      px.setDefaultDType('float32');
    }
  });

  it('int32 / int32 is true division in float', () => {
    const q = px.tensor([1, 7], { dtype: 'int32' }).div(px.tensor([2, 2], { dtype: 'int32' }));
    assert.equal(q.dtype, 'float32');
    assert.deepEqual(arr(q), [0.5, 3.5]);
  });
});

describe('toString', () => {
  it('formats float64, bool, int32 and scalars', () => {
    assert.equal(px.tensor([[1, 2], [3, 4]], { dtype: 'float64' }).toString(), 'tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], dtype=float64)');
    assert.equal(px.tensor([true, false]).toString(), 'tensor([true, false], dtype=bool)');
    assert.equal(px.tensor([1, -2, 3], { dtype: 'int32' }).toString(), 'tensor([1, -2, 3], dtype=int32)');
    assert.equal(px.tensor(3.5).toString(), 'tensor(3.5000)');
    assert.equal(px.tensor([1e-6, 1]).toString(), 'tensor([1.0000e-6, 1.0000e+0])'); // tiny values switch to exponent
  });

  it('shows autograd state', () => {
    const x = px.tensor([1, 2], { requiresGrad: true });
    assert.equal(x.toString(), 'tensor([1.0000, 2.0000], requiresGrad=true)');
    assert.equal(x.mul(2).toString(), 'tensor([2.0000, 4.0000], gradFn=mul)');
  });

  it("summarises large tensors with '...' (edges only)", () => {
    const s = px.arange(2000, undefined, 1, { dtype: 'int32' }).toString();
    assert.equal(s, 'tensor([0, 1, 2, ..., 1997, 1998, 1999], dtype=int32)');
    const m = px.arange(2000).reshape([40, 50]).toString();
    assert.equal(m.split('\n').length, 7, '3 head rows, an elided row, 3 tail rows');
    assert.ok(m.includes('...'));
    assert.ok(!m.includes('1000.0000'), 'middle values are elided');
  });
});

/** One optimisation step of a linear-tanh regressor: matmul, tanh, mse, backward, noGrad update. */
function trainStep(w: px.Tensor, x: px.Tensor, y: px.Tensor): void {
  const loss = px.mse(x.matmul(w).tanh(), y);
  loss.backward();
  px.noGrad(() => w.assign(w.sub(w.grad!.mul(0.1))));
  w.grad = null;
}

describe('memory accounting', () => {
  const data = () => {
    px.manualSeed(3);
    return {
      w: px.randn([4, 2], { dtype: 'float64', requiresGrad: true }),
      x: px.randn([8, 4], { dtype: 'float64' }),
      y: px.randn([8, 2], { dtype: 'float64' }),
    };
  };

  it('a training loop inside scope() returns to the baseline after every iteration', () => {
    const { w, x, y } = data();
    const before = arr(w);
    px.resetPeakMemory();
    const base = px.memory();
    for (let it = 0; it < 5; it++) {
      px.scope(() => trainStep(w, x, y));
      const m = px.memory();
      assert.equal(m.numTensors, base.numTensors, `tensors after iteration ${it}`);
      assert.equal(m.numStorages, base.numStorages, `storages after iteration ${it}`);
      assert.equal(m.numBytes, base.numBytes, `bytes after iteration ${it}`);
    }
    assert.notDeepEqual(arr(w), before, 'the update really happened (the loop did work)');
    assert.ok(px.memory().peakBytes > base.numBytes, 'intermediates were allocated and freed');
  });

  it('scope keeps its return value and kept tensors alive', () => {
    const base = px.memory();
    let kept: px.Tensor | undefined;
    const out = px.scope(() => {
      kept = px.keep(px.ones([3]));
      px.zeros([5]); // dropped
      return px.ones([2]).add(1);
    });
    assert.deepEqual(arr(out), [2, 2]);
    assert.deepEqual(arr(kept!), [1, 1, 1]);
    assert.equal(px.memory().numTensors, base.numTensors + 2);
  });

  // Needs V8's gc() (npm test passes --expose-gc; collectUntilReleased falls back to enabling it).
  it('without scope, garbage collection releases every intermediate', async () => {
    const { w, x, y } = data();
    // This loop's own storages, not memory(): earlier tests' finalizers also move memory() meanwhile.
    const loop = await allocationsDuring(() => {
      for (let it = 0; it < 5; it++) trainStep(w, x, y);
    });
    assert.ok(loop.live > 0, 'the loop left intermediates to collect');
    assert.equal(await collectUntilReleased(loop.held), 0, 'storages still held after collection');
  });
});
