/**
 * @file analysis.ntk and the kernel tools, checked against independent computations:
 * - T1: the empirical NTK of a 3-layer MLP (N = 16) against Jacobians by central differences of the
 *   outputs (relative error max|K - K_fd| / max|K| <= 1e-6), layerwise parts summing to the total
 *   (1e-12), symmetry and positive semi-definiteness, the explicit MLP path against the autograd path
 *   (1e-12, also residual MLPs, tanh, X1 != X2, output subsets and chunking);
 * - T2: a one-hidden-layer ReLU net in the NTK parametrisation: the relative Frobenius error of the
 *   empirical NTK against the analytic kernel at widths 256, 1024, 4096 (printed; it must fall, at
 *   4096 below half the error at 256: 1/sqrt(width) predicts a quarter);
 * - T3: the NTK-predicted change of the outputs after 10 full-batch GD steps on MSE against the
 *   actual change at width 4096 (train and test points), within 1%;
 * - the analytic kernels against Monte-Carlo estimates are implied by T2; erf against a closed form
 *   at depth 1; kernel regression interpolates its training targets;
 * - read-only: parameters, .grad, buffers and training flags unchanged after every call;
 * - bad input: typed errors naming the option, the shape or the output index.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { analysis, nn, optim } from '../src/index.js';
import { readOnly } from './analysis-helpers.js';

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i]! - b[i]!)); den = Math.max(den, Math.abs(b[i]!)); }
  return num / den;
};
const frob = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i]! - b[i]!) ** 2; den += b[i]! ** 2; }
  return Math.sqrt(num / den);
};
const vals = (t: px.Tensor | Record<string, px.Tensor>): Float64Array => (t as px.Tensor).values as Float64Array;

/** Full NTK [N, N, O, O] from central-difference Jacobians (functionalCall with perturbed copies). */
function fdNTK(model: nn.Module, x: px.Tensor, h = 1e-5): Float64Array {
  const named = model.namedParameters();
  const base = new Map(named.map(([k, p]) => [k, px.tensor(Array.from(p.values as Float64Array), { dtype: 'float64', shape: p.shape })]));
  const N = x.shape[0]!;
  const cols: Float64Array[] = [];
  for (const [k] of named) {
    const t = base.get(k)!;
    for (let i = 0; i < t.size; i++) {
      const plus = new Map(base), minus = new Map(base);
      const vp = Float64Array.from(t.values as Float64Array); vp[i]! += h;
      const vm = Float64Array.from(t.values as Float64Array); vm[i]! -= h;
      plus.set(k, px.tensor(vp, { dtype: 'float64', shape: t.shape }));
      minus.set(k, px.tensor(vm, { dtype: 'float64', shape: t.shape }));
      const fp = nn.functionalCall(model, plus, x).values as Float64Array;
      const fm = nn.functionalCall(model, minus, x).values as Float64Array;
      cols.push(fp.map((v, j) => (v - fm[j]!) / (2 * h)));
    }
  }
  const O = cols[0]!.length / N;
  const K = new Float64Array(N * N * O * O);
  for (const c of cols) for (let n = 0; n < N; n++) for (let m = 0; m < N; m++) for (let o = 0; o < O; o++) for (let p = 0; p < O; p++) {
    K[((n * N + m) * O + o) * O + p]! += c[n * O + o]! * c[m * O + p]!;
  }
  return K;
}

describe('analysis.ntk: exactness (T1)', () => {
  px.manualSeed(0);
  const model = new nn.MLP([5, 12, 10, 3], { activation: 'tanh', dtype: 'float64' });
  const x = px.randn([16, 5], { dtype: 'float64' });

  it('matches central-difference Jacobians, is symmetric and PSD, layerwise parts sum to the total', () => {
    const K = readOnly(model, () => vals(analysis.ntk(model, x)));
    const Kfd = fdNTK(model, x);
    const err = relErr(K, Kfd);
    console.log(`  T1: NTK vs central differences, max relative error ${err.toExponential(2)} (bound 1e-6)`);
    assert.ok(err <= 1e-6, `relative error ${err}`);
    const N = 16, O = 3;
    let asym = 0;
    for (let n = 0; n < N; n++) for (let m = 0; m < N; m++) for (let o = 0; o < O; o++) for (let p = 0; p < O; p++) {
      asym = Math.max(asym, Math.abs(K[((n * N + m) * O + o) * O + p]! - K[((m * N + n) * O + p) * O + o]!));
    }
    assert.ok(asym <= 1e-12 * Math.max(...K), `asymmetry ${asym}`);
    const flat = px.tensor(K, { dtype: 'float64', shape: [N, N, O, O] });
    const spec = analysis.kernelSpectrum(flat).values as Float64Array;
    console.log(`  T1: eigenvalues ${spec[0]!.toFixed(3)} ... ${spec.at(-1)!.toExponential(2)} (min >= -1e-10 max)`);
    assert.ok(spec.at(-1)! >= -1e-10 * spec[0]!, `negative eigenvalue ${spec.at(-1)}`);
    const parts = readOnly(model, () => analysis.ntk(model, x, null, { mode: 'layerwise' })) as Record<string, px.Tensor>;
    assert.deepEqual(Object.keys(parts), model.namedParameters().map(([k]) => k));
    const total = new Float64Array(K.length);
    for (const p of Object.values(parts)) (p.values as Float64Array).forEach((v, i) => { total[i]! += v; });
    assert.ok(relErr(total, K) <= 1e-12, `layerwise sum off by ${relErr(total, K)}`);
    const tr = vals(analysis.ntk(model, x, null, { mode: 'trace' }));
    const trRef = Array.from({ length: N * N }, (_, i) => K[i * O * O]! + K[i * O * O + 4]! + K[i * O * O + 8]!);
    assert.ok(relErr(tr, trRef) <= 1e-12);
  });

  it('the explicit MLP path equals the autograd path to 1e-12', () => {
    const y = px.randn([7, 5], { dtype: 'float64' });
    const res = new nn.MLP([5, 6, 6, 2], { activation: 'gelu', residual: true, dtype: 'float64' });
    const ntkNet = new analysis.NTKMLP([5, 9, 2], { activation: 'erf', weightStd: 1.3, biasStd: 0.4, dtype: 'float64' });
    for (const m of [model, res, ntkNet]) {
      for (const opts of [{ mode: 'full' as const }, { mode: 'trace' as const }, { mode: 'layerwise' as const, outputs: [1], chunkSize: 3 }]) {
        for (const x2 of [null, y]) {
          const e = readOnly(m, () => analysis.ntk(m, x, x2, { ...opts, implementation: 'explicit' }));
          const a = readOnly(m, () => analysis.ntk(m, x, x2, { ...opts, implementation: 'autograd', chunkSize: 5 }));
          const ev = e instanceof px.Tensor ? [e] : Object.values(e);
          const av = a instanceof px.Tensor ? [a] : Object.values(a);
          ev.forEach((t, i) => {
            assert.deepEqual(t.shape, av[i]!.shape);
            const err = relErr(t.values as Float64Array, av[i]!.values as Float64Array);
            assert.ok(err <= 1e-12, `${m.constructor.name} ${opts.mode} x2=${x2 ? 'y' : 'x'}: explicit vs autograd ${err}`);
          });
        }
      }
    }
  });

  it('is read-only for a model in training mode with dropout and batch norm (autograd path)', () => {
    const m = new nn.MLP([5, 8, 2], { norm: 'batch', dropout: 0.5, dtype: 'float64' });
    const k = readOnly(m, () => analysis.ntk(m, x.reshape([16, 5]), null, { mode: 'trace' })) as px.Tensor;
    assert.deepEqual(k.shape, [16, 16]);
    assert.equal(m.training, true);
  });

  it('bad input: typed errors naming the option, the shape or the index', () => {
    assert.throws(() => analysis.ntk(model, px.randn([4, 6], { dtype: 'float64' })), (e: unknown) => e instanceof px.ShapeError && /X1 must be \[N, 5\].*\[4,6\]/.test(e.message));
    assert.throws(() => analysis.ntk(model, x, px.randn([3, 4], { dtype: 'float64' })), (e: unknown) => e instanceof px.ShapeError && /X2/.test(e.message));
    assert.throws(() => analysis.ntk(model, x, null, { mode: 'diag' as never }), (e: unknown) => e instanceof px.ValueError && /mode must be one of 'full', 'layerwise', 'trace'/.test(e.message));
    assert.throws(() => analysis.ntk(model, x, null, { outputs: [3] }), (e: unknown) => e instanceof px.ValueError && /outputs.*\[0, 3\)/.test(e.message));
    assert.throws(() => analysis.ntk(model, x, null, { chunk: 4 } as never), (e: unknown) => e instanceof px.ValueError && /unknown option 'chunk'/.test(e.message));
    assert.throws(() => analysis.ntk(new nn.MLP([5, 4, 2], { norm: 'layer' }), x, null, { implementation: 'explicit' }), (e: unknown) => e instanceof px.ValueError && /explicit/.test(e.message));
  });
});

describe('analysis.ntk: infinite width (T2, T3)', () => {
  const d = 6, N = 12;
  px.manualSeed(1);
  const x = px.randn([N, d], { dtype: 'float64' });
  const opts = { activation: 'relu' as const, weightStd: Math.SQRT2, biasStd: 0.2 };
  const { ntk: kInf } = analysis.analyticKernels(x, null, { ...opts, depth: 1 });

  it('T2: the empirical NTK approaches the analytic kernel as the width grows', () => {
    // Mean over three initialisations per width (one draw's error is itself a random variable).
    const errs = [256, 1024, 4096].map((w) => [0, 1, 2].reduce((acc, s) => {
      const net = new analysis.NTKMLP([d, w, 1], { ...opts, dtype: 'float64', generator: new px.Generator(w + s) });
      return acc + frob(vals(analysis.ntk(net, x, null, { mode: 'trace' })), kInf.values as Float64Array) / 3;
    }, 0));
    console.log(`  T2: relative Frobenius error at widths 256, 1024, 4096: ${errs.map((e) => e.toFixed(4)).join(', ')} (1/sqrt(width) predicts ratios 2, 2)`);
    assert.ok(errs[2]! < errs[0]! / 2, `error did not fall: ${errs}`);
  });

  it('T3: NTK-predicted change of the outputs after 10 GD steps matches the actual change within 1% (width 4096)', () => {
    const net = new analysis.NTKMLP([d, 4096, 1], { ...opts, dtype: 'float64', generator: new px.Generator(7) });
    const xt = px.randn([5, d], { dtype: 'float64' });
    const y = px.randn([N, 1], { dtype: 'float64' });
    const all = px.cat([x, xt], 0);
    const k = analysis.ntk(net, all, null, { mode: 'trace' }) as px.Tensor;
    const kv = k.values as Float64Array;
    const kTrain = px.tensor(Array.from({ length: N * N }, (_, i) => kv[Math.floor(i / N) * (N + 5) + (i % N)]!), { dtype: 'float64', shape: [N, N] });
    const kTest = px.tensor(Array.from({ length: 5 * N }, (_, i) => kv[(N + Math.floor(i / N)) * (N + 5) + (i % N)]!), { dtype: 'float64', shape: [5, N] });
    const f0 = px.noGrad(() => net.forward(x));
    const f0t = px.noGrad(() => net.forward(xt));
    const lr = 0.05;   // small steps: lr c lambda_max ~ 0.2 for this kernel (c = 2 / N)
    const pred = analysis.linearizedPrediction(kTrain, y, f0, { lr, steps: 10, kTestTrain: kTest, f0Test: f0t });
    const opt = new optim.SGD(net.parameters(), { lr });
    for (let s = 0; s < 10; s++) { opt.zeroGrad(); px.mse(net.forward(x), y).backward(); opt.step(); }
    const f1 = px.noGrad(() => net.forward(x)), f1t = px.noGrad(() => net.forward(xt));
    const change = (a: px.Tensor, b: px.Tensor): Float64Array => (a.values as Float64Array).map((v, i) => v - (b.values as Float64Array)[i]!);
    const eTrain = frob(change(pred.train, f0), change(f1, f0));
    const eTest = frob(change(pred.test!, f0t), change(f1t, f0t));
    console.log(`  T3: |predicted - actual change| / |actual change| after 10 steps: train ${(100 * eTrain).toFixed(3)}%, test ${(100 * eTest).toFixed(3)}% (bound 1%)`);
    assert.ok(eTrain <= 0.01 && eTest <= 0.01, `train ${eTrain}, test ${eTest}`);
  });

  it('erf kernels match the closed form at depth 1; kernel regression interpolates; bad kernels are typed errors', () => {
    const sw2 = 1.5 ** 2, sb2 = 0.3 ** 2;
    const { nngp, ntk } = analysis.analyticKernels(x, null, { activation: 'erf', depth: 1, weightStd: 1.5, biasStd: 0.3 });
    const xv = x.values as Float64Array;
    const s = (i: number, j: number): number => { let a = 0; for (let k = 0; k < d; k++) a += xv[i * d + k]! * xv[j * d + k]!; return (sw2 * a) / d + sb2; };
    const [i, j] = [2, 5];
    const den = Math.sqrt((1 + 2 * s(i, i)) * (1 + 2 * s(j, j)));
    const nngpRef = sw2 * (2 / Math.PI) * Math.asin((2 * s(i, j)) / den) + sb2;
    const ntkRef = nngpRef + sw2 * (4 / Math.PI) / Math.sqrt(den * den - 4 * s(i, j) ** 2) * s(i, j);
    assert.ok(Math.abs((nngp.values as Float64Array)[i * N + j]! - nngpRef) < 1e-12);
    assert.ok(Math.abs((ntk.values as Float64Array)[i * N + j]! - ntkRef) < 1e-12);
    const y = px.randn([N, 2], { dtype: 'float64' });
    const fit = analysis.kernelRegression(kInf, y, kInf);
    assert.ok(relErr(fit.values as Float64Array, y.values as Float64Array) < 1e-8);
    assert.throws(() => analysis.kernelRegression(kInf, px.randn([N + 1, 2]), kInf), (e: unknown) => e instanceof px.ShapeError && /yTrain must be \[12, O\]/.test(e.message));
    assert.throws(() => analysis.linearizedPrediction(kInf, y, y, { lr: 0.1 }), (e: unknown) => e instanceof px.ValueError && /exactly one of time/.test(e.message));
    assert.throws(() => analysis.analyticKernels(x, null, { activation: 'tanh' as never }), (e: unknown) => e instanceof px.ValueError && /activation must be one of 'relu', 'erf'/.test(e.message));
    // Gradient flow at large time converges to kernel regression on the training points.
    const flow = analysis.linearizedPrediction(kInf, y, px.zeros([N, 2], { dtype: 'float64' }), { lr: 1, time: 1e9 });
    assert.ok(relErr(flow.train.values as Float64Array, y.values as Float64Array) < 1e-6);
  });
});
