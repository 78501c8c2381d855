/**
 * @file KANLinear and KAN: values against an independent float64 formula (recursive Cox-de Boor,
 * written here from the definition), gradients by finite differences, the other bases against
 * their closed forms, initialisation, regularisation, config round trips, and typed errors.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { assertClose, assertGradcheck, uniform } from '../src/testing/index.js';

const { nn } = px;
const f64 = { dtype: 'float64' as const };

/** B_{i,p}(x) from the textbook recursion (de Boor 1978), 0/0 terms taken as 0. */
function bspline(t: number[], i: number, p: number, x: number): number {
  if (p === 0) return t[i]! <= x && x < t[i + 1]! ? 1 : 0;
  const a = t[i + p]! - t[i]!;
  const b = t[i + p + 1]! - t[i + 1]!;
  return (a === 0 ? 0 : ((x - t[i]!) / a) * bspline(t, i, p - 1, x)) + (b === 0 ? 0 : ((t[i + p + 1]! - x) / b) * bspline(t, i + 1, p - 1, x));
}

const silu = (v: number): number => v / (1 + Math.exp(-v));

/** y[n, j] = sum_i wb[j,i] silu(x_i) + s[j,i] sum_c W[j, i*nb + c] B_c(x_i) + bias_j, from plain arrays. */
function reference(layer: px.nn.KANLinear, x: px.Tensor, knots: (f: number) => number[]): number[] {
  const { inFeatures: F, outFeatures: O, numBases: nb } = layer;
  const k = layer.options.k;
  const wb = layer.baseWeight!.values;
  const W = layer.splineWeight.values;
  const s = layer.splineScaler?.values;
  const bias = layer.bias?.values;
  const xv = x.values;
  const N = x.size / F;
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < O; j++) {
      let acc = bias ? bias[j]! : 0;
      for (let i = 0; i < F; i++) {
        const v = xv[n * F + i]!;
        let sp = 0;
        for (let c = 0; c < nb; c++) sp += W[j * F * nb + i * nb + c]! * bspline(knots(i), c, k, v);
        acc += wb[j * F + i]! * silu(v) + (s ? s[j * F + i]! : 1) * sp;
      }
      out.push(acc);
    }
  }
  return out;
}

/** Uniform knots of a fresh layer: lo + (m - k) h, m = 0..G+2k. */
const uniformKnots = (G: number, k: number, lo = -1, hi = 1) => (): number[] => Array.from({ length: G + 2 * k + 1 }, (_, m) => lo + ((m - k) * (hi - lo)) / G);

describe('KANLinear forward', () => {
  it('matches the independent formula (shape [..., in] -> [..., out], with bias and per-edge scaler)', () => {
    const layer = new nn.KANLinear(3, 2, { grid: 4, k: 3, bias: true, dtype: 'float64', generator: new px.Generator(3) });
    noGradSet(layer.bias!, [0.25, -0.5]);
    const x = uniform([2, 5, 3], -1.2, 1.2); // some inputs in the extension zone
    const y = layer.forward(x);
    assert.deepEqual(y.shape, [2, 5, 2]);
    assertClose(y, reference(layer, x, uniformKnots(4, 3)), { atol: 1e-13, rtol: 1e-12 });
  });

  it('matches for order k = 1 and without the standalone scaler', () => {
    const layer = new nn.KANLinear(2, 3, { grid: 6, k: 1, standaloneScaleSpline: false, dtype: 'float64' });
    assert.equal(layer.splineScaler, null);
    const x = uniform([7, 2], -1, 1);
    assertClose(layer.forward(x), reference(layer, x, uniformKnots(6, 1)), { atol: 1e-13, rtol: 1e-12 });
  });

  it('edgeActivations [..., out, in] sum to the output', () => {
    const layer = new nn.KANLinear(3, 4, { grid: 5, bias: true, dtype: 'float64' });
    const x = uniform([2, 6, 3], -1, 1);
    const e = layer.edgeActivations(x);
    assert.deepEqual(e.shape, [2, 6, 4, 3]);
    assertClose(px.add(e.sum(-1), layer.bias!), layer.forward(x), { atol: 1e-14, rtol: 1e-13 });
  });

  it("baseActivation 'zero' drops the base branch and its weight", () => {
    const layer = new nn.KANLinear(2, 2, { baseActivation: 'zero', dtype: 'float64' });
    assert.equal(layer.baseWeight, null);
    const x = uniform([4, 2], -1, 1);
    const B = px.splineBasis(x, layer.basis.grid!, 3).reshape([4, 2 * layer.numBases]);
    assertClose(layer.forward(x), px.matmul(B, layer.effectiveSplineWeight().T), { atol: 1e-14, rtol: 1e-13 });
  });
});

describe('KANLinear gradients (float64 finite differences)', () => {
  it('input gradients, for every basis', () => {
    for (const basis of nn.BASIS_NAMES) {
      const layer = new nn.KANLinear(3, 2, { basis, grid: 4, dtype: 'float64', generator: new px.Generator(5) });
      assertGradcheck((x) => layer.forward(x), [uniform([4, 3], -0.95, 0.95)], { atol: 1e-7, rtol: 1e-5 });
    }
  });

  it('parameter gradients of a 2-layer KAN loss', () => {
    const model = new nn.KAN([2, 3, 1], { grid: 3, bias: true, dtype: 'float64', generator: new px.Generator(9) });
    const x = uniform([12, 2], -1, 1);
    const t = uniform([12, 1], -1, 1);
    const loss = (): px.Tensor => px.mse(model.forward(x), t);
    model.zeroGrad();
    loss().backward();
    const h = 1e-6;
    for (const [name, p] of model.namedParameters()) {
      const fd = Array.from({ length: p.size }, (_, j) => {
        const v = p.values[j]!;
        const at = (d: number): number => {
          px.noGrad(() => p.mutate((a) => { a[j] = v + d; }));
          return px.noGrad(loss).item();
        };
        const g = (at(h) - at(-h)) / (2 * h);
        px.noGrad(() => p.mutate((a) => { a[j] = v; }));
        return g;
      });
      assertClose(p.grad!, fd, { atol: 1e-8, rtol: 1e-6 }, name);
    }
  });
});

describe('bases against closed forms', () => {
  const x = uniform([5, 2], -2, 2);
  const check = (b: px.nn.BasisModule, formula: (v: number, c: number) => number): void => {
    const got = b.evaluate(x);
    assert.deepEqual(got.shape, [5, 2, b.numBases]);
    const want = [...x.values].flatMap((v) => Array.from({ length: b.numBases }, (_, c) => formula(v, c)));
    assertClose(got, want, { atol: 1e-13, rtol: 1e-12 }, b.kind);
  };
  it('Gaussian RBF: exp(-((x - c_j)/h)^2), c_j evenly on the range, h = range/(n-1)', () => {
    check(new nn.GaussianRBFBasis(2, 6, { gridRange: [-2, 3], dtype: 'float64' }), (v, c) => Math.exp(-(((v - (-2 + c)) / 1) ** 2)));
  });
  it('Chebyshev: T_n(tanh x) = cos(n acos(tanh x))', () => {
    check(new nn.ChebyshevBasis(2, 5), (v, n) => Math.cos(n * Math.acos(Math.tanh(v))));
  });
  it('Fourier: cos(j x) for j = 1..K, then sin(j x)', () => {
    check(new nn.FourierBasis(2, 3), (v, c) => (c < 3 ? Math.cos((c + 1) * v) : Math.sin((c - 2) * v)));
  });
  it('FastKAN: the rbf layer puts a LayerNorm before its basis by default', () => {
    const layer = new nn.KANLinear(4, 2, { basis: 'rbf', dtype: 'float64' });
    assert.ok(layer.layerNorm instanceof nn.LayerNorm);
    assert.deepEqual(layer.stateDict().has('layerNorm.weight'), true);
    assert.equal(new nn.KANLinear(4, 2, { dtype: 'float64' }).layerNorm, null);
  });
});

describe('initialisation', () => {
  it("pykan: spline ~ small noise, base ~ U(-1,1)/sqrt(in), scaler = 1/sqrt(in)", () => {
    const layer = new nn.KANLinear(4, 3, { grid: 5, dtype: 'float64', generator: new px.Generator(1) });
    for (const v of layer.baseWeight!.values) assert.ok(Math.abs(v) <= 0.5);
    for (const v of layer.splineScaler!.values) assert.equal(v, 0.5);
    // The noise (U - 1/2) * 0.3 / G was fitted at the G + 1 grid points: each edge's spline has
    // |value| <= 0.03 there (one input, so the output is that one edge).
    const one = new nn.KANLinear(1, 3, { grid: 5, dtype: 'float64', generator: new px.Generator(1) });
    const grid = px.tensor(Array.from({ length: 6 }, (_, i) => -1 + 0.4 * i), { dtype: 'float64', shape: [6, 1] });
    const B = px.splineBasis(grid, one.basis.grid!, 3).reshape([6, one.numBases]);
    const spline = [...px.matmul(B, one.splineWeight.T).values].map(Math.abs);
    assert.ok(Math.max(...spline) <= 0.03 + 1e-12);
    assert.ok(Math.max(...spline) > 0.005, 'the noise is not zero');
  });
  it('efficient-kan: kaiming-uniform base weights and scalers, noise 0.1 by default', () => {
    const layer = new nn.KANLinear(4, 3, { init: 'efficient-kan', dtype: 'float64', generator: new px.Generator(2) });
    const bound = Math.sqrt(6 / (6 * 4)); // a = sqrt(5): gain^2 = 2 / (1 + 5)
    for (const v of [...layer.baseWeight!.values, ...layer.splineScaler!.values]) assert.ok(Math.abs(v) <= bound);
    assert.equal(layer.options.scaleNoise, 0.1);
  });
  it('is reproducible from a generator', () => {
    const a = new nn.KAN([2, 2, 1], { generator: new px.Generator(4), dtype: 'float64' });
    const b = new nn.KAN([2, 2, 1], { generator: new px.Generator(4), dtype: 'float64' });
    for (const [k, v] of a.stateDict()) assert.deepEqual([...v.values], [...b.stateDict().get(k)!.values], k);
  });
});

describe('KAN module', () => {
  it('counts parameters as pykan: KAN [2,1,1], G = 20, k = 3 has 75', () => {
    assert.equal(new nn.KAN([2, 1, 1], { grid: 20, k: 3 }).numParameters(), 75);
  });

  it('regularization: L1 of mean |phi| plus entropy (meanAbs) and the std-ratio variant', () => {
    const model = new nn.KAN([3, 2, 1], { grid: 4, dtype: 'float64', scaleNoise: 1, generator: new px.Generator(6) });
    const x = uniform([20, 3], -1, 1);
    const edges = model.edgeActivations(x);
    const acts = model.activations(x);
    let want = 0;
    let wantStd = 0;
    edges.forEach((e, l) => {
      const [N, O, I] = e.shape as [number, number, number];
      const v = e.values;
      const mean = (o: number, i: number): number => Array.from({ length: N }, (_, n) => Math.abs(v[(n * O + o) * I + i]!)).reduce((a, b) => a + b) / N;
      const sd = (get: (n: number) => number): number => {
        const m = Array.from({ length: N }, (_, n) => get(n)).reduce((a, b) => a + b) / N;
        return Math.sqrt(Array.from({ length: N }, (_, n) => (get(n) - m) ** 2).reduce((a, b) => a + b) / (N - 1));
      };
      const vec = Array.from({ length: O }, (_, o) => Array.from({ length: I }, (_, i) => mean(o, i)));
      const l1 = vec.flat().reduce((a, b) => a + b);
      const ent = -vec.flat().reduce((a, q) => a + (q / l1) * Math.log2(q / l1 + 1e-4), 0);
      want += l1 + 2 * ent;
      const xin = acts[l]!.values;
      const r = Array.from({ length: O }, (_, o) => Array.from({ length: I }, (_, i) => sd((n) => v[(n * O + o) * I + i]!) / (sd((n) => xin[n * I + i]!) + 0.1)));
      const rl1 = r.flat().reduce((a, b) => a + b);
      const rowS = r.map((row) => row.reduce((a, b) => a + b));
      const colS = Array.from({ length: I }, (_, i) => r.reduce((a, row) => a + row[i]!, 0));
      const plog = (p: number): number => p * Math.log2(p + 1e-4);
      const eRow = -r.map((row, o) => row.reduce((a, q) => a + plog(q / (rowS[o]! + 1)), 0)).reduce((a, b) => a + b) / O;
      const eCol = -Array.from({ length: I }, (_, i) => r.reduce((a, row) => a + plog(row[i]! / (colS[i]! + 1)), 0)).reduce((a, b) => a + b) / I;
      wantStd += rl1 + 2 * (eRow + eCol);
    });
    assertClose([model.regularization(x).item()], [want], { atol: 1e-12, rtol: 1e-12 }, 'meanAbs');
    assertClose([model.regularization(x, { metric: 'stdRatio' }).item()], [wantStd], { atol: 1e-12, rtol: 1e-12 }, 'stdRatio');
    const { y, reg } = model.forwardWithRegularization(x, { lambdaL1: 0.5, lambdaEntropy: 0 });
    assertClose(y, model.forward(x), { atol: 1e-14, rtol: 1e-13 });
    reg.backward();
    for (const p of model.parameters()) assert.ok(p.grad && [...p.grad.values].every(Number.isFinite));
  });

  it('getConfig / fromConfig / loadStateDict round-trip, grids included', () => {
    const model = new nn.KAN([2, 3, 1], { grid: 4, bias: true, dtype: 'float64', generator: new px.Generator(8) });
    const x = uniform([50, 2], -0.8, 0.6);
    model.updateGrid(x); // non-uniform knots must travel in the state dict
    model.extendGrid(7, x);
    const cfg = JSON.parse(JSON.stringify(model.getConfig())) as px.nn.ModuleConfig;
    assert.equal(cfg.grid, 7);
    const copy = nn.fromConfig(cfg) as px.nn.KAN;
    copy.loadStateDict(model.stateDict());
    assertClose(copy.forward(x), model.forward(x), { atol: 0, rtol: 0 });
    const layer = nn.fromConfig({ type: 'KANLinear', inFeatures: 2, outFeatures: 3, basis: 'fourier', grid: 3, dtype: 'float64' }) as px.nn.KANLinear;
    assert.equal(layer.numBases, 6);
    assert.throws(() => nn.fromConfig({ type: 'KAN', widths: [2, 1], grdi: 3 }), /unknown key/);
    for (const b of [model.layer(0).basis, new nn.GaussianRBFBasis(2, 5, { dtype: 'float64' }), new nn.ChebyshevBasis(3, 2), new nn.FourierBasis(1, 2)]) {
      const again = nn.basisFromConfig(JSON.parse(JSON.stringify(b.getConfig())) as px.nn.ModuleConfig);
      assert.deepEqual(again.getConfig(), b.getConfig());
    }
  });

  it('round-trips like every built-in (the nn-config test pattern)', () => {
    for (const m of [new nn.KANLinear(2, 3, { dtype: 'float64' }), new nn.KAN([2, 3, 1], { basis: 'rbf', grid: 4 }), new nn.KAN([1, 2], { basis: 'chebyshev', bias: true })]) {
      const cfg = m.getConfig();
      const rebuilt = nn.fromConfig(JSON.parse(JSON.stringify(cfg)));
      assert.equal(rebuilt.constructor, m.constructor);
      assert.deepEqual(rebuilt.getConfig(), cfg);
      assert.deepEqual([...rebuilt.stateDict()].map(([k, t]) => `${k}${t.shape.join()}`), [...m.stateDict()].map(([k, t]) => `${k}${t.shape.join()}`));
      rebuilt.loadStateDict(m.stateDict());
    }
  });
});

describe('bad input gives typed errors', () => {
  it('grid < 1, k < 0, unknown basis, bad range at construction', () => {
    const isValue = (re: RegExp) => (e: unknown): boolean => e instanceof px.ValueError && re.test((e as Error).message);
    assert.throws(() => new nn.KANLinear(2, 2, { grid: 0 }), isValue(/grid/));
    assert.throws(() => new nn.KANLinear(2, 2, { k: -1 }), isValue(/\bk\b/));
    assert.throws(() => new nn.KAN([2, 1], { grid: 2.5 }), isValue(/grid/));
    assert.throws(() => new nn.KANLinear(2, 2, { basis: 'wavelet' as never }), isValue(/basis/));
    assert.throws(() => new nn.KANLinear(2, 2, { gridRange: [1, -1] }), isValue(/gridRange/));
    assert.throws(() => new nn.KANLinear(2, 2, { basis: 'rbf', grid: 1 }), isValue(/grid/));
  });

  it('NaN and Infinity inputs: NonFiniteInputError with the position', () => {
    const layer = new nn.KANLinear(3, 2, { dtype: 'float64' });
    const x = px.tensor([[0, 0.5, 0.1], [0.2, NaN, 0.3]], f64);
    assert.throws(() => layer.forward(x), (e: unknown) => e instanceof nn.NonFiniteInputError && e.code === 'NON_FINITE_INPUT'
      && e.position.join() === '1,1' && /\[1,1\]/.test(e.message) && e instanceof px.ValueError);
    assert.throws(() => layer.edgeActivations(px.tensor([[0, 0, -Infinity]], f64)), (e: unknown) => e instanceof nn.NonFiniteInputError && e.position.join() === '0,2');
  });

  it('extrapolate: false rejects inputs outside the grid, naming feature and value', () => {
    const layer = new nn.KANLinear(2, 1, { extrapolate: false, dtype: 'float64' });
    layer.forward(px.tensor([[-1, 1]], f64)); // the grid ends are inside
    assert.throws(() => layer.forward(px.tensor([[0, 0], [0.5, 1.25]], f64)), (e: unknown) => e instanceof nn.OutOfGridError
      && e.code === 'OUT_OF_GRID' && e.feature === 1 && e.value === 1.25 && /feature 1 = 1.25/.test(e.message));
    // With extrapolation (the default) the same input is fine.
    new nn.KANLinear(2, 1, { dtype: 'float64' }).forward(px.tensor([[0.5, 1.25]], f64));
  });

  it('shape and dtype mismatches', () => {
    const layer = new nn.KANLinear(3, 2, { dtype: 'float64' });
    assert.throws(() => layer.forward(px.zeros([4, 2], f64)), px.ShapeError);
    assert.throws(() => layer.forward(px.zeros([4, 3])), px.DTypeError);
  });
});

function noGradSet(p: px.Tensor, v: number[]): void {
  px.noGrad(() => p.assign(v));
}
