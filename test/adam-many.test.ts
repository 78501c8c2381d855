/**
 * @file The multi-tensor Adam/AdamW update (FusedUpdates.adamUpdateMany, wasm kernels/adam-many.ts,
 * optim adamStepMany): bitwise the per-parameter fused update, on 1 thread and split across 2
 * (forced tiny pieces, workers only and workers + main, and at the default threshold), all or
 * nothing when an item is not on the heap, float64 parameters through the f64 kernel, and through
 * `Adam.step` / `AdamW.step` bitwise the per-parameter path with one backend call per step. Also:
 * a step with one bad gradient updates no parameter.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { setNumThreads, type WasmBackend } from '../src/backends/wasm/index.js';
import { configurePool, forceThreading, poolOf, waitForWorkers } from '../src/backends/wasm/pool/testing.js';
import type { AdamItem, AdamUpdateArgs, FusedUpdates } from '../src/core/backend.js';
import { on } from './backend-compare.js';

const LENGTHS = [1, 3, 5, 16, 37, 1000, 4099];

/** Five arrays per length (p, g, m, v, vmax) on the wasm heap, deterministic; v and vmax >= 0. */
function heapSet(lengths: readonly number[], dtype: 'float32' | 'float64' = 'float32'): px.Tensor[][] {
  return on('wasm', () => lengths.map((n, j) => [0, 1, 2, 3, 4].map((k) => {
    const v = Float64Array.from({ length: n }, (_, i) => Math.sin(j * 13 + k * 7 + i * 1.3) * (k === 3 ? 0.01 : 1));
    if (k >= 3) for (let i = 0; i < n; i++) v[i] = Math.abs(v[i]!);
    return px.keep(px.tensor(v, { dtype }));
  })));
}

/** Each parameter its own step count, so each item has its own bias corrections. */
function argsOf(j: number, round: number, opts: { decoupled: boolean; wd: number; maximize: boolean }): AdamUpdateArgs {
  const step = 1 + round + (j % 3);
  const lr = 0.01;
  const [beta1, beta2] = [0.9, 0.999];
  return {
    decay: opts.decoupled ? 1 - lr * opts.wd : 1, l2: opts.decoupled ? 0 : opts.wd, beta1, beta2,
    stepSize: lr / (1 - beta1 ** step), bc2Sqrt: Math.sqrt(1 - beta2 ** step), eps: 1e-8, maximize: opts.maximize,
  };
}

const itemsOf = (set: px.Tensor[][], round: number, amsgrad: boolean, opts: Parameters<typeof argsOf>[2]): AdamItem[] =>
  set.map((ts, j) => {
    const [p, g, m, v, vmax] = ts.map((t) => t._peek());
    return { p: p!, g: g!, m: m!, v: v!, vmax: amsgrad ? vmax! : null, h: argsOf(j, round, opts) };
  });

function assertSame(a: px.Tensor[][], b: px.Tensor[][], what: string): void {
  a.forEach((ts, j) => ts.forEach((t, k) => {
    const x = t._peek();
    const y = b[j]![k]!._peek();
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) assert.fail(`${what}: item ${j} array ${k} [${i}]: ${x[i]} vs ${y[i]}`);
  }));
}

const backend = (): WasmBackend => on('wasm', () => px.zeros([1])._storage.backend as WasmBackend);
const fusedOf = (): Required<FusedUpdates> => backend().fused as Required<FusedUpdates>;

const CASES: [string, boolean, Parameters<typeof argsOf>[2]][] = [
  ['Adam', false, { decoupled: false, wd: 0, maximize: false }],
  ['Adam + L2 + maximize', false, { decoupled: false, wd: 0.1, maximize: true }],
  ['AMSGrad', true, { decoupled: false, wd: 0, maximize: false }],
  ['AdamW', false, { decoupled: true, wd: 0.05, maximize: false }],
];

/** Three rounds of adamUpdate per item on `ref` and of `many` on `set`, compared after each. */
function compareRounds(ref: px.Tensor[][], set: px.Tensor[][], amsgrad: boolean, opts: Parameters<typeof argsOf>[2], many: (items: AdamItem[]) => void, what: string): void {
  const f = fusedOf();
  for (let round = 0; round < 3; round++) {
    for (const it of itemsOf(ref, round, amsgrad, opts)) assert.ok(f.adamUpdate(it.p, it.g, it.m, it.v, it.vmax, it.h));
    many(itemsOf(set, round, amsgrad, opts));
    assertSame(ref, set, `${what} round ${round}`);
  }
}

describe('wasm adamUpdateMany: bitwise adamUpdate per parameter', () => {
  before(() => {
    setNumThreads(2);
    forceThreading(true);
  });
  after(() => forceThreading(false));
  for (const [name, amsgrad, opts] of CASES) {
    it(`${name}: lengths ${LENGTHS.join(', ')}, 1 thread, 2 threads (workers only; workers + main)`, () => {
      const b = backend();
      assert.equal(waitForWorkers(b), 1, 'worker ready');
      const pool = poolOf(b)!;
      const f = fusedOf();
      const ref = heapSet(LENGTHS);
      const one = heapSet(LENGTHS);
      const saved = configurePool({ inline: true });
      try {
        compareRounds(ref, one, amsgrad, opts, (items) => assert.ok(f.adamUpdateMany(items)), `${name} 1 thread`);
      } finally {
        configurePool(saved);
      }
      const ref2 = heapSet(LENGTHS);
      const workers = heapSet(LENGTHS);
      const before = pool.stats.workerChunks;
      const prev = configurePool({ mainClaims: false });
      try {
        compareRounds(ref2, workers, amsgrad, opts, (items) => assert.ok(f.adamUpdateMany(items)), `${name} workers only`);
      } finally {
        configurePool(prev);
      }
      assert.ok(pool.stats.workerChunks > before, 'the worker ran chunks');
      const ref3 = heapSet(LENGTHS);
      const mixed = heapSet(LENGTHS);
      compareRounds(ref3, mixed, amsgrad, opts, (items) => assert.ok(f.adamUpdateMany(items)), `${name} workers + main`);
    });
  }

  it('splits at the default threshold (2^16 elements in all) and stays bitwise', () => {
    forceThreading(false);
    try {
      const lengths = [70001, 513, 10];
      const pool = poolOf(backend())!;
      const ref = heapSet(lengths);
      const set = heapSet(lengths);
      const tasks = pool.stats.tasks;
      compareRounds(ref, set, false, CASES[0]![2], (items) => assert.ok(fusedOf().adamUpdateMany(items)), 'default threshold');
      assert.ok(pool.stats.tasks >= tasks + 3, 'each round was one pool task');
    } finally {
      forceThreading(true);
    }
  });

  it('refuses the whole call, updating nothing, when one item is not float32 on its heap', () => {
    const set = heapSet([8, 8]);
    const copy = set.map((ts) => ts.map((t) => t._peek().slice()));
    const items = itemsOf(set, 0, false, CASES[0]![2]);
    for (const bad of [new Float32Array(8), new Float64Array(8)]) {
      assert.equal(fusedOf().adamUpdateMany([items[0]!, { ...items[1]!, m: bad }]), false);
      set.forEach((ts, j) => ts.forEach((t, k) => assert.deepEqual(t._peek(), copy[j]![k], `item ${j} array ${k} unchanged`)));
    }
  });

  it('float64 parameters: the f64 kernel over every item, bitwise adamUpdate per parameter', () => {
    const ref = heapSet(LENGTHS, 'float64');
    const set = heapSet(LENGTHS, 'float64');
    compareRounds(ref, set, true, CASES[3]![2], (items) => assert.ok(fusedOf().adamUpdateMany(items)), 'float64');
  });
});

describe('Adam/AdamW.step through adamUpdateMany', () => {
  /** Parameters and optimizer state after 4 steps of a 5-12-7-3 MLP on wasm (2 threads, forced splits). */
  function train(kind: 'Adam' | 'AdamW', opts: Record<string, unknown>, many: boolean): { values: Float32Array[]; calls: number } {
    return on('wasm', () => {
      const fused = backend().fused as FusedUpdates;
      const orig = fused.adamUpdateMany!;
      let calls = 0;
      fused.adamUpdateMany = many ? (items) => (calls++, orig(items)) : undefined;
      setNumThreads(2);
      forceThreading(true);
      try {
        px.manualSeed(3);
        const model = new px.nn.MLP([5, 12, 7, 3], { activation: 'relu' });
        const opt = kind === 'Adam' ? new px.optim.Adam(model.parameters(), opts) : new px.optim.AdamW(model.parameters(), opts);
        const x = px.randn([9, 5]);
        for (let s = 0; s < 4; s++) {
          opt.zeroGrad();
          px.sum(px.mul(model.forward(x), model.forward(x))).backward();
          opt.step();
        }
        const state = [...opt.state.values()].flatMap((st) => Object.values(st).filter((v): v is px.Tensor => v instanceof px.Tensor));
        return { values: [...model.parameters(), ...state].map((t) => t.values.slice() as Float32Array), calls };
      } finally {
        fused.adamUpdateMany = orig;
        forceThreading(false);
      }
    });
  }
  for (const [kind, opts] of [['Adam', { lr: 0.01 }], ['Adam', { lr: 0.01, amsgrad: true, weightDecay: 0.1 }], ['AdamW', { lr: 0.02, weightDecay: 0.1 }]] as const) {
    it(`${kind} ${JSON.stringify(opts)}: parameters and state bitwise the per-parameter path, one call per step`, () => {
      const a = train(kind, opts, true);
      const b = train(kind, opts, false);
      assert.equal(a.calls, 4, 'one adamUpdateMany call per step');
      assert.equal(a.values.length, b.values.length);
      a.values.forEach((v, i) => assert.deepEqual(v, b.values[i], `tensor ${i}`));
    });
  }

  it('a step with one gradient of the wrong shape throws and updates no parameter', () => {
    for (const backendName of ['wasm', 'reference']) {
      on(backendName, () => {
        const p1 = px.tensor([1, 2, 3], { requiresGrad: true });
        const p2 = px.tensor([4, 5], { requiresGrad: true });
        const opt = new px.optim.Adam([p1, p2], { lr: 0.1 });
        p1.grad = px.tensor([1, 1, 1]);
        p2.grad = px.tensor([1, 1, 1]);
        assert.throws(() => opt.step(), px.ShapeError);
        assert.deepEqual([...p1.values], [1, 2, 3], `${backendName}: the first parameter is unchanged`);
        assert.equal(opt.state.get(p1)?.step, undefined, `${backendName}: no step counted`);
      });
    }
  });
});
