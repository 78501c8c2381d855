/**
 * @file The wasm backend's float64 kernels (issue #18): the f64x2 GEMM at sizes that cross its
 * cache blocks (kc = 256, mc = 64, nc = 256) and leave edge tiles, in all four transpose cases,
 * single- and multi-threaded, against a plain float64 loop with the length-scaled bound of
 * docs/reliability.md "Tolerances" (2·K·u·Σ|a·b|, u = 2^-53); the elementwise ops and reductions
 * bitwise against the reference loops (each is one IEEE operation per element, or the same summation
 * order); the fused Adam/SGD updates bitwise against src/optim's functions; the op table in float64
 * with every splittable op forced onto the pool; splineBasis bitwise the js kernel; and that a float64 training step on wasm runs no
 * reference loop.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { createWasmBackend, setNumThreads, type WasmBackend } from '../src/backends/wasm/index.js';
import { BLOCKS64 } from '../src/backends/wasm/kernels/matmul64.js';
import { configurePool, forceThreading, poolOf, waitForWorkers } from '../src/backends/wasm/pool/testing.js';
import { getPrimitive } from '../src/internal.js';
import { runOpCase } from '../src/testing/index.js';
import { ALL_ROWS } from './op-table/all.rows.js';
import { on } from './backend-compare.js';
import { assertGemmMatchesLoop } from './gemm-loop.js';

px.registerBackend('wasm-plain', () => createWasmBackend({ shared: false, name: 'wasm-plain' }));
px.registerBackend('wasm-baseline', () => createWasmBackend({ relaxed: false, name: 'wasm-baseline' }));

const U = 2 ** -53;
const backend = (): WasmBackend => on('wasm', () => px.zeros([1])._storage.backend as WasmBackend);

/** Deterministic float64 values in [lo, hi). */
function values(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * (s + 0.5 * ((s * 7919) % 65536) / 65536)) / 2 ** 32;
  });
}

const f64 = (shape: number[], seed: number, lo = -1): px.Tensor =>
  px.tensor(values(shape.reduce((p, d) => p * d, 1), seed, lo), { shape, dtype: 'float64' });

/** mm(a, b, tA, tB) on `backend` for op(A) m×k, op(B) k×n with batch dims ba / bb, against a float64 loop. */
function checkGemm(backendName: string, m: number, n: number, k: number, tA: boolean, tB: boolean, lo = -1, ba: number[] = [], bb: number[] = []): void {
  const aShape = [...ba, ...(tA ? [k, m] : [m, k])];
  const bShape = [...bb, ...(tB ? [n, k] : [k, n])];
  const out = on(backendName, () => {
    const y = px.mm(f64(aShape, m * 31 + k, lo), f64(bShape, n * 17 + k + 5, lo), tA, tB);
    assert.equal(y._storage.backend.name, backendName);
    return y;
  });
  const av = values(aShape.reduce((p, d) => p * d, 1), m * 31 + k, lo);
  const bv = values(bShape.reduce((p, d) => p * d, 1), n * 17 + k + 5, lo);
  assert.equal(out.dtype, 'float64');
  assertGemmMatchesLoop(out, av, bv, { m, n, k, tA, tB, ba, bb }, (_s, sAbs) => 1e-300 + 2 * (k + 1) * U * sAbs, 'mm f64');
}

const COMBOS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

describe('wasm float64 GEMM against a float64 loop', () => {
  it('block sizes are what these sizes are chosen to cross', () => {
    // 257 crosses kc = 256 and nc = 256 by one, 65 crosses mc = 64.
    assert.deepEqual(BLOCKS64, { kc: 256, mc: 64, nc: 256 });
  });
  for (const s of [1, 3, 5, 65, 257]) {
    for (const [tA, tB] of COMBOS) it(`square ${s}, transA=${tA}, transB=${tB}`, () => checkGemm('wasm', s, s, s, tA, tB));
  }
  for (const [m, n, k] of [[257, 3, 65], [3, 257, 17], [65, 17, 257], [1, 257, 3], [257, 1, 300], [5, 9, 600], [6, 259, 260], [7, 9, 15], [9, 8, 12]] as const) {
    for (const [tA, tB] of COMBOS) {
      it(`rectangular ${m}x${k} · ${k}x${n}, transA=${tA}, transB=${tB}`, () => checkGemm('wasm', m, n, k, tA, tB));
    }
  }
  for (const [tA, tB] of COMBOS) {
    it(`same-sign data 65x520x33 (catches a dropped k block), transA=${tA}, transB=${tB}`, () => checkGemm('wasm', 65, 33, 520, tA, tB, 0));
    it(`batch broadcast [2,1]x[3] of 17x33·33x9, transA=${tA}, transB=${tB}`, () => checkGemm('wasm', 17, 9, 33, tA, tB, -1, [2, 1], [3]));
    it(`baseline-SIMD build (no FMA) 65x257·257x17, transA=${tA}, transB=${tB}`, () => checkGemm('wasm-baseline', 65, 17, 257, tA, tB));
  }
  it('runs on a plain (non-shared) memory too', () => checkGemm('wasm-plain', 67, 35, 270, true, false));
  it('k = 0 overwrites garbage in a reused block with zeros', () => {
    on('wasm', () => {
      px.full([7, 9], NaN, { dtype: 'float64' }).dispose();
      const out = px.mm(px.ones([7, 0], { dtype: 'float64' }), px.ones([0, 9], { dtype: 'float64' }));
      assert.ok(Array.from(out.values).every((v) => v === 0));
    });
  });
  it('linear (bias + tanh/relu epilogue) equals matmul + add + activation', () => {
    for (const activation of ['none', 'relu', 'tanh'] as const) {
      const [x, w, b] = [f64([37, 67], 1), f64([45, 67], 2), f64([45], 3)];
      const fused = on('wasm', () => px.linear(x, w, b, activation).values);
      const composed = on('js', () => {
        const z = px.add(px.mm(x, w, false, true), b);
        return (activation === 'relu' ? px.relu(z) : activation === 'tanh' ? px.tanh(z) : z).values;
      });
      for (let i = 0; i < fused.length; i++) {
        const e = composed[i]!;
        assert.ok(Math.abs(fused[i]! - e) <= 1e-13 * (1 + Math.abs(e)), `${activation} [${i}] ${fused[i]} vs ${e}`);
      }
    }
  });
});

/** The elementwise and reduction cases compared bitwise with the js kernels (odd sizes: vector tails). */
const BITWISE: [string, () => px.Tensor][] = [
  ['add same shape [1001]', () => px.add(f64([1001], 1), f64([1001], 2))],
  ['sub scalar [999] - [1]', () => px.sub(f64([999], 3), f64([1], 4))],
  ['mul bias row [67,45]·[45]', () => px.mul(f64([67, 45], 5), f64([45], 6))],
  ['div column [67,45]/[67,1]', () => px.div(f64([67, 45], 7), f64([67, 1], 8, 0.5))],
  ['maximum 3-D broadcast [3,1,5]·[4,1]', () => px.maximum(f64([3, 1, 5], 9), f64([4, 1], 10))],
  ['minimum with NaN and signed zeros', () => px.minimum(px.tensor([NaN, 0, -0, 1, 2], { dtype: 'float64' }), px.tensor([1, -0, 0, NaN, -3], { dtype: 'float64' }))],
  ['neg [1003]', () => px.neg(f64([1003], 11))],
  ['abs [1003]', () => px.abs(f64([1003], 12))],
  ['sqrt [1003]', () => px.sqrt(f64([1003], 13, 0))],
  ['where [257]', () => px.where(px.gt(f64([257], 14), 0), f64([257], 15), f64([1], 16))],
  ['sum rows [67,1001]', () => px.sum(f64([67, 1001], 17), -1)],
  ['sum cols [1001,67]', () => px.sum(f64([1001, 67], 18), 0)],
  ['sum middle [5,67,9]', () => px.sum(f64([5, 67, 9], 19), 1)],
  ['max rows [33,515]', () => px.max(f64([33, 515], 20), -1)],
  ['min cols [515,33]', () => px.min(f64([515, 33], 21), 0)],
];

describe('wasm float64 elementwise and reductions: bitwise the reference loops (the js kernels too)', () => {
  for (const [name, f] of BITWISE) {
    it(name, () => {
      const [ref, js, wasm] = ['reference', 'js', 'wasm'].map((b) => on(b, () => {
        const y = f();
        assert.equal(y._storage.backend.name, b);
        return Array.from(y.values);
      })) as [number[], number[], number[]];
      // The reference sums rows sequentially, wasm in 8 lanes: within the length-scaled bound, not bitwise.
      const rowSum = name.startsWith('sum rows');
      for (const [which, got] of [['wasm', wasm], ['js', js]] as const) {
        assert.equal(got.length, ref.length);
        for (let i = 0; i < ref.length; i++) {
          if (rowSum && which === 'wasm') assert.ok(Math.abs(got[i]! - ref[i]!) <= 2 * 1001 * U * 1001, `[${i}] ${got[i]} vs ${ref[i]}`);
          else if (!Object.is(got[i], ref[i])) assert.fail(`${name} [${i}]: ${which} ${got[i]}, reference ${ref[i]}`);
        }
      }
    });
  }
});

/** Knots per feature: uniform (KAN's default grid, spacing varying per feature) except feature 2. */
function splineGrid(F: number, K: number): px.Tensor {
  const g = new Float64Array(F * K);
  for (let f = 0; f < F; f++) {
    for (let j = 0; j < K; j++) g[f * K + j] = f === 2 ? -1.1 + (j - 3) * 0.41 + 0.01 * j * j : -1 + (j - 3) * (0.4 + 0.01 * f);
  }
  return px.tensor(g, { shape: [F, K], dtype: 'float64' });
}

/** splineBasis inputs with NaN, the grid's ends and points outside the knots. */
function splineInput(n: number, F: number): px.Tensor {
  const x = values(n * F, n + F, -1.7, 1.7);
  x[3] = NaN;
  x[5] = 1;
  x[6] = -1;
  x[7] = 2;
  return px.tensor(x, { shape: [n, F], dtype: 'float64' });
}

describe('wasm float64 splineBasis (assembly/spline64.as)', () => {
  for (const [n, F, k] of [[7, 33, 3], [3000, 33, 3], [400, 5, 3], [50, 6, 2]] as const) {
    it(`[${n}, ${F}] order ${k} equals the js kernel bitwise (NaN, +-1, outside the knots, a non-uniform feature)`, () => {
      const [js, wasm] = ['js', 'wasm'].map((b) => on(b, () => {
        const y = px.splineBasis(splineInput(n, F), splineGrid(F, 12), k);
        assert.equal(y.dtype, 'float64');
        return Array.from(y.values);
      })) as [number[], number[]];
      assert.equal(wasm.length, n * F * (12 - k - 1));
      for (let i = 0; i < js.length; i++) if (!Object.is(js[i], wasm[i])) assert.fail(`[${i}] js ${js[i]} wasm ${wasm[i]}`);
      assert.ok(js.some((v) => v > 0), 'non-trivial output');
    });
  }
});

describe('wasm float64 tanh (assembly/vmath64.as)', () => {
  const ulp = (v: number): number => (v === 0 ? 5e-324 : 2 ** (Math.floor(Math.log2(Math.abs(v))) - 52));
  const specials = [0, -0, 1e-300, -1e-300, 5e-324, Infinity, -Infinity, NaN, 0.625, -0.625, 0.6249999999999999, 20, 710, -710, 1e-8];
  const sweep = Float64Array.from([...Array.from({ length: 200001 }, (_, i) => -25 + i / 4000), ...specials]);
  /** `input`: what the kernel's tanh sees (a GEMM's sum starts at +0, so -0 reaches it as +0). */
  const check = (what: string, got: ArrayLike<number>, input = (v: number): number => v): void => {
    for (let i = 0; i < sweep.length; i++) {
      const e = Math.tanh(input(sweep[i]!));
      const g = got[i]!;
      if (Number.isNaN(e) || e === 0) assert.ok(Object.is(g, e), `${what}: tanh(${sweep[i]}) = ${g}, expected ${e}`);
      else assert.ok(Math.abs(g - e) <= 3 * ulp(e), `${what}: tanh(${sweep[i]}) = ${g}, Math.tanh ${e} (${(Math.abs(g - e) / ulp(e)).toFixed(1)} ulp)`);
    }
  };
  it('tanh is within 3 ulp of Math.tanh over [-25, 25]; ±0, ±Inf, NaN and huge inputs exact', () => {
    check('tanh', on('wasm', () => px.tanh(px.tensor(sweep, { dtype: 'float64' })).values));
  });
  it('so is the tanh epilogue of linear (identity weight, no bias)', () => {
    const n = sweep.length;
    check('linear', on('wasm', () => px.linear(px.tensor(sweep, { shape: [n, 1], dtype: 'float64' }), px.ones([1, 1], { dtype: 'float64' }), undefined, 'tanh').values), (v) => v + 0);
  });
});

describe('wasm float64 fused optimizer updates: bitwise src/optim', () => {
  const n = 1001;
  const fresh = (seed: number, lo = -1): Float64Array => values(n, seed, lo);
  for (const [name, h] of [
    ['Adam', { decay: 1, l2: 0, amsgrad: false, maximize: false }],
    ['Adam L2 + AMSGrad + maximize', { decay: 1, l2: 0.01, amsgrad: true, maximize: true }],
    ['AdamW', { decay: 1 - 1e-3 * 0.1, l2: 0, amsgrad: false, maximize: false }],
  ] as const) {
    it(name, () => {
      const lr = 1e-3;
      const opts: px.optim.AdamOptions = { lr, betas: [0.9, 0.999], eps: 1e-8, weightDecay: h.l2 || (h.decay !== 1 ? 0.1 : 0), amsgrad: h.amsgrad, maximize: h.maximize };
      const decoupled = h.decay !== 1;
      const host = { p: fresh(1), g: fresh(2), m: fresh(3).map(Math.abs), v: fresh(4, 0), vmax: fresh(5, 0) };
      const wasm = on('wasm', () => Object.fromEntries(Object.entries(host).map(([k, a]) => [k, px.tensor(a.slice(), { dtype: 'float64' })]))) as Record<keyof typeof host, px.Tensor>;
      const b = backend();
      for (let step = 1; step <= 3; step++) {
        px.optim.adamUpdate(host.p, host.g, { expAvg: host.m, expAvgSq: host.v, maxExpAvgSq: h.amsgrad ? host.vmax : null }, opts, step, decoupled);
        const ok = b.fused!.adamUpdate!(wasm.p._peek(), wasm.g._peek(), wasm.m._peek(), wasm.v._peek(), h.amsgrad ? wasm.vmax._peek() : null, {
          decay: decoupled ? 1 - lr * opts.weightDecay : 1, l2: decoupled ? 0 : opts.weightDecay, beta1: 0.9, beta2: 0.999,
          stepSize: lr / (1 - 0.9 ** step), bc2Sqrt: Math.sqrt(1 - 0.999 ** step), eps: 1e-8, maximize: h.maximize,
        });
        assert.equal(ok, true, 'the float64 kernel took the arrays');
      }
      for (const k of ['p', 'm', 'v', 'vmax'] as const) {
        const got = wasm[k]._peek();
        for (let i = 0; i < n; i++) if (!Object.is(got[i], host[k][i])) assert.fail(`${k}[${i}]: wasm ${got[i]}, optim ${host[k][i]}`);
      }
    });
  }
  for (const nesterov of [false, true]) {
    it(`SGD momentum, weight decay, nesterov=${nesterov}`, () => {
      const opts: px.optim.SGDOptions = { lr: 0.01, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3, nesterov, maximize: false };
      const host = { p: fresh(6), g: fresh(7), buf: fresh(8) };
      const wasm = on('wasm', () => Object.fromEntries(Object.entries(host).map(([k, a]) => [k, px.tensor(a.slice(), { dtype: 'float64' })]))) as Record<keyof typeof host, px.Tensor>;
      const b = backend();
      for (let step = 0; step < 3; step++) {
        px.optim.sgdUpdate(host.p, host.g, host.buf, opts, step === 0);
        assert.equal(b.fused!.sgdUpdate!(wasm.p._peek(), wasm.g._peek(), wasm.buf._peek(), { ...opts, fresh: step === 0 }), true);
      }
      for (const k of ['p', 'buf'] as const) {
        const got = wasm[k]._peek();
        for (let i = 0; i < n; i++) if (!Object.is(got[i], host[k][i])) assert.fail(`${k}[${i}]: wasm ${got[i]}, optim ${host[k][i]}`);
      }
    });
  }
});

describe('wasm float64 LAMB', () => {
  for (const biasCorrection of [true, false]) {
    it(`the fused update is lambUpdate bit for bit (odd length, biasCorrection=${biasCorrection})`, () => {
      const n = 1001;
      const opts: px.optim.LAMBOptions = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0.01, biasCorrection };
      const host = { p: values(n, 1), g: values(n, 2), m: values(n, 3), v: values(n, 4, 0) };
      const wasm = on('wasm', () => Object.fromEntries(Object.entries(host).map(([k, a]) => [k, px.tensor(a.slice(), { dtype: 'float64' })]))) as Record<keyof typeof host, px.Tensor>;
      const b = backend();
      for (let step = 1; step <= 3; step++) {
        px.optim.lambUpdate(host.p, host.g, host.m, host.v, opts, step);
        const h = { lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0.01, bc1: biasCorrection ? 1 - 0.9 ** step : 1, bc2Sqrt: biasCorrection ? Math.sqrt(1 - 0.999 ** step) : 1 };
        assert.equal(b.fused!.lambUpdate!(wasm.p._peek(), wasm.g._peek(), wasm.m._peek(), wasm.v._peek(), h), true);
      }
      for (const k of ['p', 'm', 'v'] as const) {
        const got = wasm[k]._peek();
        for (let i = 0; i < n; i++) if (!Object.is(got[i], host[k][i])) assert.fail(`${k}[${i}]: wasm ${got[i]}, optim ${host[k][i]}`);
      }
    });
  }
  it('optim.LAMB on wasm trains bitwise as with the fused kernel switched off (lambUpdate); a zero bias still moves', () => {
    const fused = backend().fused as { lambUpdate?: unknown };
    const kernel = fused.lambUpdate;
    let calls = 0;
    const train = (): number[][] => on('wasm', () => {
      px.manualSeed(3);
      const layer = new px.nn.Linear(5, 3, { dtype: 'float64' });
      px.nn.init.zeros(layer.bias!);
      const opt = new px.optim.LAMB(layer.parameters(), { lr: 1e-2 });
      const x = px.tensor(values(35, 9), { shape: [7, 5], dtype: 'float64' });
      for (let s = 0; s < 4; s++) {
        opt.zeroGrad();
        px.sum(layer.forward(x).pow(2)).backward();
        opt.step();
      }
      return layer.parameters().map((q) => Array.from(q.values));
    });
    fused.lambUpdate = (...args: unknown[]): boolean => {
      calls++;
      return (kernel as (...a: unknown[]) => boolean)(...args);
    };
    let withKernel: number[][];
    try {
      withKernel = train();
      fused.lambUpdate = (): boolean => false;
      const without = train();
      assert.deepEqual(withKernel, without);
    } finally {
      fused.lambUpdate = kernel;
    }
    assert.equal(calls, 8, 'the fused kernel ran for both parameters at every step');
    assert.ok(withKernel[1]!.some((v) => v !== 0), 'the bias moved');
  });
});

describe('wasm float64: no reference loops on a training step', () => {
  it('an MLP (tanh, Adam, SGD and LAMB) and a KAN layer step run only wasm and js kernels', () => {
    const hits = new Set<string>();
    const saved = px.PRIMITIVE_NAMES.map((name) => {
      const prim = getPrimitive(name) as { reference: px.Kernel };
      const ref = prim.reference;
      prim.reference = (out, ins, attrs) => {
        hits.add(name);
        ref(out, ins, attrs);
      };
      return () => (prim.reference = ref);
    });
    try {
      on('wasm', () => {
        px.manualSeed(0);
        const mlp = new px.nn.MLP([8, 33, 1], { activation: 'tanh', dtype: 'float64' });
        const x = px.randn([19, 8], { dtype: 'float64' });
        const y = px.randn([19, 1], { dtype: 'float64' });
        for (const opt of [new px.optim.Adam(mlp.parameters()), new px.optim.SGD(mlp.parameters(), { lr: 0.1, momentum: 0.9 }), new px.optim.LAMB(mlp.parameters())]) {
          opt.zeroGrad();
          px.mse(mlp.forward(x), y).backward();
          opt.step();
        }
        const kan = new px.nn.KAN([4, 5, 2], { dtype: 'float64' });
        px.sum(kan.forward(px.rand([9, 4], { dtype: 'float64' })).pow(2)).backward();
        px.logSoftmax(px.randn([5, 7], { dtype: 'float64' }), -1);
      });
    } finally {
      for (const restore of saved) restore();
    }
    assert.deepEqual([...hits], []);
  });
});

describe('wasm float64 on the pool (2 threads, every splittable op split)', () => {
  let prev: ReturnType<typeof configurePool>;
  let start = 0;
  before(() => {
    setNumThreads(2);
    forceThreading(true);
    assert.equal(waitForWorkers(backend()), 1);
    start = poolOf(backend())!.stats.workerChunks;
    prev = configurePool({ mainClaims: false });
  });
  after(() => {
    configurePool(prev);
    forceThreading(false);
  });
  for (const [tA, tB] of COMBOS) {
    it(`GEMM 130x260·260x70 and a batch, transA=${tA}, transB=${tB}`, () => {
      checkGemm('wasm', 130, 70, 260, tA, tB);
      checkGemm('wasm', 17, 9, 33, tA, tB, -1, [2, 1], [3]);
    });
  }
  it('GEMM, linear, elementwise, reductions and splineBasis give bitwise the 1-thread results', () => {
    const cases: [string, () => px.Tensor][] = [['mm 130x260x70', () => px.mm(f64([130, 260], 1), f64([260, 70], 2))], ['mm wide 9x40x300', () => px.mm(f64([9, 40], 3), f64([40, 300], 4))], ...BITWISE,
      ...(['none', 'relu', 'tanh'] as const).map((act): [string, () => px.Tensor] => [`linear ${act} 300x40x70`, () => px.linear(f64([300, 40], 5), f64([70, 40], 6), f64([70], 7), act)]),
      ['splineBasis [300, 19]', () => px.splineBasis(splineInput(300, 19), splineGrid(19, 12), 3)]];
    for (const [name, f] of cases) {
      const two = on('wasm', () => Array.from(f().values));
      const saved = configurePool({ inline: true });
      let one: number[];
      try {
        one = on('wasm', () => Array.from(f().values));
      } finally {
        configurePool(saved);
      }
      for (let i = 0; i < one.length; i++) if (!Object.is(one[i], two[i])) assert.fail(`${name} [${i}]: 1 thread ${one[i]}, 2 threads ${two[i]}`);
    }
  });
  for (const row of ALL_ROWS) {
    describe(`op table ${row.kind} ${row.op}`, () => {
      for (const c of row.cases) it(c.name, () => on('wasm', () => runOpCase(row, c)));
    });
  }
  it('the worker did the pool work', () => {
    const worker = poolOf(backend())!.stats.workerChunks - start;
    assert.ok(worker > 200, `worker ${worker} chunks`);
  });
});
