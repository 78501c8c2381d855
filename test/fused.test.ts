/**
 * @file The fused primitives against their composite oracles (ops/composite/oracles.ts, cosSin's inline): values,
 * gradients and gradients of gradients, on the reference and js backends in float64 and on wasm in
 * float32; and the wasm backend's fused optimizer updates against src/optim's pure functions (SGD
 * bit for bit, Adam/AdamW to float32 rounding), including odd lengths that end in a scalar tail.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { linearComposite, logSoftmaxComposite, rbfBasisComposite } from '../src/ops/composite/oracles.js';
import { type AdamOptions, adamUpdate } from '../src/optim/adam.js';
import { type SGDOptions, sgdUpdate } from '../src/optim/sgd.js';
import type { FusedUpdates } from '../src/core/backend.js';
import { assertClose, uniform } from '../src/testing/index.js';
import { standardize } from '../src/ops/composite/norm.js';
import { cosSin } from '../src/ops/primitives/cos-sin.js';
import { on } from './backend-compare.js';

type Act = px.LinearActivation;
const ACTS: Act[] = ['none', 'relu', 'tanh', 'gelu'];
const F64 = { rtol: 1e-12, atol: 1e-13 };
const F32 = { rtol: 2e-5, atol: 2e-6 };

/** Leaves holding `data` (float64 arrays) in `dtype` on the current backend. */
const leaves = (data: px.Tensor[], dtype: px.FloatDType): px.Tensor[] =>
  data.map((d) => px.tensor(Float64Array.from(d.values), { dtype, shape: d.shape, requiresGrad: true }));

/**
 * Value, first gradients (of Σ out·seed) and a second-order quantity: the gradient w.r.t. the first
 * input of Σ(first gradient of the second input)², through createGraph (grad of grad).
 */
function probe(f: (...xs: px.Tensor[]) => px.Tensor, data: px.Tensor[], dtype: px.FloatDType): px.Tensor[] {
  const xs = leaves(data, dtype);
  const y = f(...xs);
  const seed = px.tensor(Float64Array.from({ length: y.size }, (_, i) => 0.5 + ((i * 0.618) % 1)), { dtype, shape: y.shape });
  const gs = px.gradients([px.sum(px.mul(y, seed))], xs, { createGraph: true });
  const gg = px.gradients([px.sum(px.mul(gs[1]!, gs[1]!))], [xs[0]!], { allowUnused: true });
  return [y, ...gs, ...gg];
}

function compare(fused: (...xs: px.Tensor[]) => px.Tensor, oracle: (...xs: px.Tensor[]) => px.Tensor, data: px.Tensor[], backend: string, dtype: px.FloatDType): void {
  const tol = dtype === 'float64' ? F64 : F32;
  const a = on(backend, () => probe(fused, data, dtype));
  const e = on(backend, () => probe(oracle, data, dtype));
  const names = ['value', ...data.map((_, i) => `d/dx${i}`), 'grad of grad'];
  a.forEach((t, i) => assertClose(t, e[i]!, tol, `${backend} ${dtype} ${names[i]}`));
}

const SETUPS: [string, px.FloatDType][] = [['reference', 'float64'], ['js', 'float64'], ['wasm', 'float32']];

describe('linear: fused primitive vs mm + add + activation', () => {
  for (const [backend, dtype] of SETUPS) {
    for (const act of ACTS) {
      it(`${backend} ${dtype} ${act}: x[9,13] W[6,13] b[6], x[2,3,5] without bias`, () => {
        const fused = (x: px.Tensor, w: px.Tensor, b?: px.Tensor): px.Tensor => px.linear(x, w, b ?? null, act);
        const oracle = (x: px.Tensor, w: px.Tensor, b?: px.Tensor): px.Tensor => linearComposite(x, w, b ?? null, act);
        compare(fused, oracle, [uniform([9, 13], -1, 1), uniform([6, 13], -1, 1), uniform([6], -1, 1)], backend, dtype);
        compare(fused, oracle, [uniform([2, 3, 5], -1, 1), uniform([4, 5], -1, 1)], backend, dtype);
      });
    }
  }

  it('an input that does not require grad gets none, and the others are unchanged', () => {
    const [x, w, b] = [uniform([5, 4]), uniform([3, 4]), uniform([3])];
    const full = probe((xx, ww, bb) => px.linear(xx!, ww!, bb!, 'relu'), [x, w, b], 'float64');
    const xc = px.tensor(x.values.slice(), { dtype: 'float64', shape: x.shape });
    const [ww, bb] = leaves([w, b], 'float64');
    px.sum(px.mul(px.linear(xc, ww!, bb!, 'relu'), px.tensor(Float64Array.from({ length: 15 }, (_, i) => 0.5 + ((i * 0.618) % 1)), { dtype: 'float64', shape: [5, 3] }))).backward();
    assert.equal(xc.grad, null);
    assertClose(ww!.grad!, full[2]!, F64, 'dW');
    assertClose(bb!.grad!, full[3]!, F64, 'db');
  });
});

describe('logSoftmax: fused primitive vs shift / exp / sum / log composite', () => {
  for (const [backend, dtype] of SETUPS) {
    it(`${backend} ${dtype}: every axis of [3,4,5], rows of [6,11]`, () => {
      // A scale w in front gives probe a second input, so grad of grad runs through the vjp's own ops.
      for (const axis of [0, 1, 2, -1]) {
        compare((x, w) => px.logSoftmax(px.mul(x!, w!), axis), (x, w) => logSoftmaxComposite(px.mul(x!, w!), axis), [uniform([3, 4, 5], -4, 4), uniform([1], 0.5, 1.5)], backend, dtype);
      }
      compare((x, w) => px.logSoftmax(px.mul(x!, w!), 1), (x, w) => logSoftmaxComposite(px.mul(x!, w!), 1), [uniform([6, 11], -30, 30), uniform([1], 0.5, 1.5)], backend, dtype);
    });

    it(`${backend} ${dtype}: masked, infinite and NaN rows match the composite exactly in kind`, () => {
      const I = Infinity;
      const data = [[-I, -I, -I, -I, -I], [0.5, -I, 2, -I, -1], [I, 1, 2, 3, 4], [NaN, 1, 2, 3, 4], [1e30, -1e30, 0, 7, 7]];
      const run = (f: (x: px.Tensor) => px.Tensor): px.Tensor[] => on(backend, () => {
        const x = px.tensor(data, { dtype, requiresGrad: true });
        const y = f(x);
        const seed = px.tensor(Float64Array.from({ length: y.size }, (_, i) => 0.3 + ((i * 0.618) % 1)), { dtype, shape: y.shape });
        // Only finite outputs carry a cotangent (an Inf·seed would make the loss itself Inf).
        px.sum(px.where(px.isFinite(y), px.mul(y, seed), 0)).backward();
        return [y, x.grad!];
      });
      const [ya, ga] = run((x) => px.logSoftmax(x, -1));
      const [ye, ge] = run((x) => logSoftmaxComposite(x, -1));
      assertClose(ya!, ye!, dtype === 'float64' ? F64 : F32, 'value');
      assertClose(ga!, ge!, dtype === 'float64' ? F64 : F32, 'gradient');
    });
  }
});

// ---- fused optimizer updates on the wasm backend ----------------------------------------------

const U = 2 ** -24;

/** Float32 arrays on the wasm heap (as a parameter's storage would be) plus plain copies. */
function heapArrays(n: number, count: number, seed: number): { heap: px.Tensor[]; plain: Float32Array[] } {
  return on('wasm', () => {
    const heap: px.Tensor[] = [];
    const plain: Float32Array[] = [];
    for (let k = 0; k < count; k++) {
      const v = Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 31 + k * 7 + i * 1.3) * (k === 3 ? 0.01 : 1));
      if (k === 3 || k === 4) for (let i = 0; i < n; i++) v[i] = Math.abs(v[i]!); // second moments are >= 0
      heap.push(px.tensor(v));
      plain.push(v.slice());
    }
    return { heap, plain };
  });
}

function fusedOf(t: px.Tensor): FusedUpdates {
  const f = t._storage.backend.fused;
  assert.ok(f?.adamUpdate && f.sgdUpdate, 'the wasm backend has fused Adam and SGD updates');
  return f;
}

const LENGTHS = [1, 3, 4, 5, 37, 1000];

describe('wasm fused Adam/AdamW: float32 kernel vs adamUpdate (float64 arithmetic, float32 storage)', () => {
  const cases: [string, Partial<AdamOptions>, boolean][] = [
    ['Adam', {}, false],
    ['Adam + L2 weight decay + maximize', { weightDecay: 0.1, maximize: true }, false],
    ['AMSGrad', { amsgrad: true, lr: 0.01 }, false],
    ['AdamW', { weightDecay: 0.05, lr: 0.01 }, true],
  ];
  for (const [name, opts, decoupled] of cases) {
    it(`${name}, 6 steps, lengths ${LENGTHS.join(', ')}`, () => {
      const h: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...opts };
      for (const n of LENGTHS) {
        // p, g, m, v, vmax
        const { heap, plain } = heapArrays(n, 5, n);
        const [p, g, m, v, vmax] = heap.map((t) => t._peek() as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
        const fused = fusedOf(heap[0]!);
        const [beta1, beta2] = h.betas;
        for (let step = 1; step <= 6; step++) {
          const ok = fused.adamUpdate!(p, g, m, v, h.amsgrad ? vmax : null, {
            decay: decoupled ? 1 - h.lr * h.weightDecay : 1, l2: decoupled ? 0 : h.weightDecay, beta1, beta2,
            stepSize: h.lr / (1 - beta1 ** step), bc2Sqrt: Math.sqrt(1 - beta2 ** step), eps: h.eps, maximize: h.maximize,
          });
          assert.ok(ok, 'the kernel accepted heap float32 arrays');
          adamUpdate(plain[0]!, plain[1]!, { expAvg: plain[2]!, expAvgSq: plain[3]!, maxExpAvgSq: h.amsgrad ? plain[4]! : null }, h, step, decoupled);
          // A few float32 roundings per step on each buffer; the parameter moves by at most
          // stepSize per step, so its allowance is rounding of p plus a tiny share of the step.
          const stepSize = h.lr / (1 - beta1 ** step);
          const tolOf = (mag: number): number => 16 * step * U * mag;
          for (let i = 0; i < n; i++) {
            const gm = Math.abs(plain[1]![i]!) + h.weightDecay * Math.abs(plain[0]![i]!);
            const within = (a: number, e: number, allow: number, what: string): void =>
              assert.ok(Math.abs(a - e) <= allow, `${name} n=${n} step ${step} ${what}[${i}]: ${a} vs ${e} (allowed ${allow.toExponential(2)})`);
            within(m[i]!, plain[2]![i]!, tolOf(Math.abs(plain[2]![i]!) + gm), 'm');
            within(v[i]!, plain[3]![i]!, tolOf(plain[3]![i]! + gm * gm), 'v');
            within(p[i]!, plain[0]![i]!, tolOf(Math.abs(plain[0]![i]!)) + step * stepSize * 1e-5, 'p');
          }
        }
      }
    });
  }

  it('refuses arrays that are not float32 on its heap (the caller then runs adamUpdate)', () => {
    const { heap } = heapArrays(8, 4, 1);
    const fused = fusedOf(heap[0]!);
    const args = { decay: 1, l2: 0, beta1: 0.9, beta2: 0.999, stepSize: 1e-3, bc2Sqrt: 0.1, eps: 1e-8, maximize: false };
    const vals = heap.map((t) => t._peek() as Float32Array);
    assert.equal(fused.adamUpdate!(new Float32Array(8), vals[1]!, vals[2]!, vals[3]!, null, args), false);
    assert.equal(fused.adamUpdate!(new Float64Array(8), vals[1]!, vals[2]!, vals[3]!, null, args), false);
  });

  it('Adam on wasm parameters goes through the fused kernel and tracks the reference backend', () => {
    const init = uniform([7, 3], -1, 1);
    const run = (backend: string): { p: px.Tensor; calls: number } => on(backend, () => {
      const p = px.tensor(Float32Array.from(init.values), { shape: [7, 3], requiresGrad: true });
      // Count the fused calls by wrapping the backend's kernel for the duration of the run.
      // (The optimizer's step goes through adamUpdateMany, all parameters in one call.)
      const fused = p._storage.backend.fused as { adamUpdateMany?: FusedUpdates['adamUpdateMany'] } | undefined;
      const orig = fused?.adamUpdateMany;
      let calls = 0;
      if (fused && orig) fused.adamUpdateMany = (...a) => (calls++, orig.apply(fused, a));
      try {
        const opt = new px.optim.Adam([p], { lr: 0.01 });
        const w = px.tensor(Float32Array.from({ length: 21 }, (_, i) => i - 10), { shape: [7, 3] });
        for (let k = 0; k < 5; k++) {
          opt.zeroGrad();
          px.sum(px.mul(px.mul(p, p), w)).backward();
          opt.step();
        }
      } finally {
        if (fused && orig) fused.adamUpdateMany = orig;
      }
      return { p, calls };
    });
    const wasm = run('wasm');
    const ref = run('reference');
    assert.equal(wasm.calls, 5, 'one fused call per step');
    assert.equal(ref.calls, 0);
    assertClose(wasm.p, ref.p, { rtol: 1e-5, atol: 1e-6 }, 'parameters after 5 steps');
  });
});

describe('wasm fused SGD: bit-identical to sgdUpdate', () => {
  const cases: [string, Partial<SGDOptions>][] = [
    ['plain', {}],
    ['momentum + dampening + weight decay', { momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }],
    ['Nesterov + maximize', { momentum: 0.8, nesterov: true, maximize: true }],
  ];
  for (const [name, opts] of cases) {
    it(`${name}, 4 steps, lengths ${LENGTHS.join(', ')}`, () => {
      const h: SGDOptions = { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...opts };
      for (const n of LENGTHS) {
        const { heap, plain } = heapArrays(n, 3, n + 1);
        const [p, g, buf] = heap.map((t) => t._peek() as Float32Array) as [Float32Array, Float32Array, Float32Array];
        const fused = fusedOf(heap[0]!);
        const withBuf = h.momentum !== 0;
        for (let step = 1; step <= 4; step++) {
          assert.ok(fused.sgdUpdate!(p, g, withBuf ? buf : null, { ...h, fresh: step === 1 }));
          sgdUpdate(plain[0]!, plain[1]!, withBuf ? plain[2]! : null, h, step === 1);
          assert.deepEqual(p, plain[0], `${name} n=${n} step ${step}: parameters`);
          if (withBuf) assert.deepEqual(buf, plain[2], `${name} n=${n} step ${step}: momentum buffer`);
        }
      }
    });
  }
});

describe('indexSelect: the row-copy kernel of the js and wasm backends vs the reference loops', () => {
  for (const backend of ['js', 'wasm']) {
    it(`${backend}: long slices (one set() each) and short ones, on every axis`, () => {
      for (const [shape, axis] of [[[7, 40], 0], [[3, 5, 33], 1], [[4, 6], 1], [[3, 3, 4], 0]] as [number[], number][]) {
        const data = uniform(shape, -5, 5);
        const index = px.tensor([2, 0, 1, 1], { dtype: 'int32' });
        const want = on('reference', () => px.indexSelect(px.tensor(Float32Array.from(data.values), { shape }), axis, index));
        const got = on(backend, () => px.indexSelect(px.tensor(Float32Array.from(data.values), { shape }), axis, px.tensor([2, 0, 1, 1], { dtype: 'int32' })));
        assert.deepEqual(got.shape, want.shape);
        assert.deepEqual(Array.from(got.values), Array.from(want.values), `${backend} [${shape}] axis ${axis}`);
      }
    });
  }
});

describe('rbfBasis: fused primitive vs exp(-((x - c)/h)²) from primitives', () => {
  for (const [backend, dtype] of SETUPS) {
    it(`${backend} ${dtype}: x[7,5] 8 centres, x[2,3,2] 5 centres, x[2,2] 13 centres (values, d/dx, d/dc, grad of grad)`, () => {
      for (const [h, xs, C] of [[2 / 7, [7, 5], 8], [0.6, [2, 3, 2], 5], [0.6, [2, 2], 13]] as const) {
        const centers = px.linspace(-1, 1, C, { dtype: 'float64' });
        compare((x, c) => px.rbfBasis(x!, c!, h), (x, c) => rbfBasisComposite(x!, c!, h), [uniform([...xs], -1.3, 1.3), centers], backend, dtype);
      }
    });
    it(`${backend} ${dtype}: grad of grad through rbfBasisBackward's own vjp (d/dc of Σ(d/dx)²), 8 and 7 centres`, () => {
      // centres first: probe's second-order term is then d/dc of the squared input gradient, which
      // runs the vjp of the fused backward primitive (its g, phi and c terms) instead of centerGrad.
      for (const [h, xs, C] of [[2 / 7, [5, 3], 8], [0.5, [2, 3], 7]] as const) {
        const centers = px.linspace(-1, 1, C, { dtype: 'float64' });
        compare((c, x) => px.rbfBasis(x!, c!, h), (c, x) => rbfBasisComposite(x!, c!, h), [centers, uniform([...xs], -1.3, 1.3)], backend, dtype);
      }
    });
  }
  it('refuses a bad width, mismatched dtypes and non-vector centres, naming them', () => {
    const x = uniform([2, 3]);
    const c = px.linspace(-1, 1, 4, { dtype: 'float64' });
    for (const w of [0, -1, Number.NaN, Infinity]) assert.throws(() => px.rbfBasis(x, c, w), (e: Error) => e instanceof px.ValueError && /rbfBasis: width must be a finite number > 0/.test(e.message));
    assert.throws(() => px.rbfBasis(x, c.cast('float32'), 0.5), (e: Error) => e instanceof px.DTypeError && /centers dtype float32 differs/.test(e.message));
    assert.throws(() => px.rbfBasis(x, c.reshape(2, 2), 0.5), (e: Error) => e instanceof px.ShapeError && /centers must be \[C\]/.test(e.message));
    assert.throws(() => px.rbfBasis(x.cast('int32'), c, 0.5), (e: Error) => e instanceof px.DTypeError && /x must be float32 or float64/.test(e.message));
  });
});

describe('layerNorm: fused primitives vs the composite standardize (mean, sub, var, sqrt, div)', () => {
  const composite = (dims: number, eps: number) => (x: px.Tensor, w?: px.Tensor, b?: px.Tensor): px.Tensor => {
    let y = standardize(x, Array.from({ length: dims }, (_, i) => x.rank - dims + i), eps).y;
    if (w) y = px.mul(y, w);
    return b ? px.add(y, b) : y;
  };
  /** Value, d/dx, d/dw and the gradient w.r.t. x and w of Σ(d/dx)² (through layerNormBackward's own vjp). */
  function probeX(f: (...xs: px.Tensor[]) => px.Tensor, data: px.Tensor[], dtype: px.FloatDType): px.Tensor[] {
    const xs = leaves(data, dtype);
    const y = f(...xs);
    const seed = px.tensor(Float64Array.from({ length: y.size }, (_, i) => 0.5 + ((i * 0.618) % 1)), { dtype, shape: y.shape });
    const gs = px.gradients([px.sum(px.mul(y, seed))], xs, { createGraph: true });
    const gg = px.gradients([px.sum(px.mul(gs[0]!, gs[0]!))], xs.slice(0, 2), { allowUnused: true });
    return [y, ...gs, ...gg];
  }
  for (const [backend, dtype] of SETUPS) {
    it(`${backend} ${dtype}: x[6,5] affine over [5], x[2,3,4] over [3,4] (values, gradients, grad of grad)`, () => {
      const tol = dtype === 'float64' ? F64 : { rtol: 1e-4, atol: 1e-5 };
      for (const [shape, norm, eps] of [[[6, 5], [5], 1e-5], [[2, 3, 4], [3, 4], 0.01]] as const) {
        const data = [uniform([...shape], -2, 2), uniform([...norm], 0.5, 1.5), uniform([...norm], -1, 1)];
        const a = on(backend, () => probeX((x, w, b) => px.layerNorm(x!, [...norm], w, b, eps), data, dtype));
        const e = on(backend, () => probeX(composite(norm.length, eps), data, dtype));
        a.forEach((t, i) => assertClose(t, e[i]!, tol, `${backend} ${dtype} [${shape}] output ${i}`));
      }
    });
  }
});

describe('cosSin: fused primitive vs cat([cos p, sin p], -1) from primitives', () => {
  // p = x·Bᵀ as in a learnable FourierFeatures, so d/dB and the grad of grad go through the vjp.
  const proj = (x: px.Tensor, b: px.Tensor): px.Tensor => px.matmul(x, px.transpose(b, 0, 1));
  for (const [backend, dtype] of SETUPS) {
    it(`${backend} ${dtype}: x[7,2]·B[5,2]ᵀ (m = 5: a tail), x[2,3,3]·B[8,3]ᵀ (values, d/dx, d/dB, grad of grad)`, () => {
      for (const [xs, bs] of [[[7, 2], [5, 2]], [[2, 3, 3], [8, 3]]] as const) {
        compare((x, b) => cosSin(proj(x!, b!)), (x, b) => {
          const p = proj(x!, b!);
          return px.cat([px.cos(p), px.sin(p)], -1);
        }, [uniform([...xs], 0, 1), uniform([...bs], -20, 20)], backend, dtype);
      }
    });
  }
  it('refuses a rank-0 or non-float p, naming the op', () => {
    assert.throws(() => cosSin(px.tensor(1)), (e: Error) => e instanceof px.ShapeError && /cosSin: p needs at least one dim/.test(e.message));
    assert.throws(() => cosSin(px.tensor([1, 2], { dtype: 'int32' })), (e: Error) => e instanceof px.DTypeError && /cosSin: p must be float32 or float64, got int32/.test(e.message));
  });
});
