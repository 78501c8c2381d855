/**
 * @file Hessian tools: hvp against a known matrix, power iteration and Hutchinson on a quadratic
 * 1/2 w^T A w with a known spectrum (A = Q diag(l) Q^T, Q a seeded random rotation, l = 40, 19, ..., 1:
 * top 40, trace 230; both within 1%, 3000 seeded probes), the top eigenvalue of a small MLP's loss
 * against the dense Hessian (from hvps of the basis vectors, eigh), and on a trained MLP the top
 * eigenvalue printed beside 2 / lr (edge of stability: full-batch GD keeps it at or below about 2 / lr).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { analysis, nn, optim } from '../src/index.js';
import { readOnly } from './analysis-helpers.js';

/** A seeded orthogonal matrix (Gram-Schmidt of a Gaussian one). */
function rotation(n: number, seed: number): Float64Array {
  const g = new px.Generator(seed);
  const q = Float64Array.from({ length: n * n }, () => g.nextNormal());
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let d = 0;
      for (let k = 0; k < n; k++) d += q[i * n + k]! * q[j * n + k]!;
      for (let k = 0; k < n; k++) q[i * n + k]! -= d * q[j * n + k]!;
    }
    let s = 0;
    for (let k = 0; k < n; k++) s += q[i * n + k]! ** 2;
    for (let k = 0; k < n; k++) q[i * n + k]! /= Math.sqrt(s);
  }
  return q;
}

describe('analysis: Hessian', () => {
  const n = 20;
  const lambdas = [40, ...Array.from({ length: n - 1 }, (_, i) => n - 1 - i)];
  const Q = rotation(n, 3);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j]! += Q[k * n + i]! * lambdas[k]! * Q[k * n + j]!;
  const At = px.tensor(A, { dtype: 'float64', shape: [n, n] });
  const quad = (ps: px.Tensor[]): px.Tensor => ps[0]!.reshape([1, n]).matmul(At).matmul(ps[0]!.reshape([n, 1])).sum().mul(0.5);
  const w = px.randn([n], { dtype: 'float64', generator: new px.Generator(1) });

  it('hvp of a quadratic is A v', () => {
    const v = px.randn([n], { dtype: 'float64' });
    const [hv] = analysis.hvp(quad, [w], [v]);
    const ref = At.matmul(v.reshape([n, 1])).reshape([n]).values as Float64Array;
    (hv!.values as Float64Array).forEach((x, i) => assert.ok(Math.abs(x - ref[i]!) < 1e-10));
  });

  it('top eigenvalue and trace of a known spectrum within 1%', () => {
    const top = analysis.hessianEigenvalue(quad, [w], { maxIter: 500, tol: 1e-10, seed: 0 });
    const tr = analysis.hessianTrace(quad, [w], { probes: 3000, seed: 0 });
    const eTop = Math.abs(top.value - 40) / 40, eTr = Math.abs(tr.value - 230) / 230;
    console.log(`  quadratic: top eigenvalue ${top.value.toFixed(6)} (exact 40, ${top.iterations} iterations), trace ${tr.value.toFixed(2)} +- ${tr.stderr.toFixed(2)} (exact 230, 3000 probes)`);
    assert.ok(top.converged && eTop <= 0.01, `top ${top.value}`);
    assert.ok(eTr <= 0.01, `trace ${tr.value}`);
  });

  it('on an MLP: power iteration equals the dense Hessian top eigenvalue; trained MLP sharpness vs 2/lr', () => {
    px.manualSeed(0);
    const x = px.randn([64, 3], { dtype: 'float64' });
    const y = px.tensor(Array.from({ length: 64 }, (_, i) => ((x.values as Float64Array)[i * 3]! * (x.values as Float64Array)[i * 3 + 1]! > 0 ? 1 : 0)), { dtype: 'int32' });
    const model = new nn.MLP([3, 8, 8, 2], { activation: 'tanh', dtype: 'float64' });
    const lr = 0.5;
    const opt = new optim.SGD(model.parameters(), { lr });
    for (let s = 0; s < 300; s++) { opt.zeroGrad(); px.crossEntropy(model.forward(x), y).backward(); opt.step(); }
    const { fn, params } = analysis.lossFunction(model, x, y, { loss: 'crossEntropy' });
    const top = readOnly(model, () => analysis.hessianEigenvalue(fn, params, { maxIter: 1000, tol: 1e-10 }));
    const tr = readOnly(model, () => analysis.hessianTrace(fn, params, { probes: 50 }));
    // Dense Hessian: H e_i for every basis vector.
    const P = params.reduce((a, p) => a + p.size, 0);
    const H = new Float64Array(P * P);
    for (let i = 0; i < P; i++) {
      let at = 0;
      const basis = params.map((p) => { const v = new Float64Array(p.size); if (i >= at && i < at + p.size) v[i - at] = 1; at += p.size; return px.tensor(v, { dtype: 'float64', shape: p.shape }); });
      let k = 0;
      for (const h of analysis.hvp(fn, params, basis)) for (const v of h.values as Float64Array) H[i * P + k++] = v;
    }
    const eig = analysis.eigh(px.tensor(H, { dtype: 'float64', shape: [P, P] }).add(px.tensor(H, { dtype: 'float64', shape: [P, P] }).t()).mul(0.5)).values.values as Float64Array;
    const byMag = Math.abs(eig[0]!) >= Math.abs(eig.at(-1)!) ? eig[0]! : eig.at(-1)!;
    let trace = 0;
    for (let i = 0; i < P; i++) trace += H[i * P + i]!;
    console.log(`  MLP 3-8-8-2 after 300 GD steps (lr ${lr}): top Hessian eigenvalue ${top.value.toFixed(4)} (dense ${byMag.toFixed(4)}), 2/lr = ${(2 / lr).toFixed(1)}; trace ${tr.value.toFixed(3)} +- ${tr.stderr.toFixed(3)} (dense ${trace.toFixed(3)})`);
    assert.ok(Math.abs(top.value - byMag) <= 1e-6 * Math.abs(byMag), `power ${top.value} vs dense ${byMag}`);
    assert.ok(Math.abs(tr.value - trace) <= 4 * tr.stderr + 1e-9, `trace ${tr.value} +- ${tr.stderr} vs ${trace}`);
  });

  it('bad input: typed errors', () => {
    assert.throws(() => analysis.hessianEigenvalue(quad, [], {}), (e: unknown) => e instanceof px.ValueError && /non-empty array/.test(e.message));
    assert.throws(() => analysis.hessianTrace(quad, [w], { samples: 3 } as never), (e: unknown) => e instanceof px.ValueError && /unknown option 'samples'/.test(e.message));
    assert.throws(() => analysis.hessianEigenvalue((ps) => ps[0]!.mul(2), [w]), (e: unknown) => e instanceof px.ShapeError && /one-element/.test(e.message));
    assert.throws(() => analysis.lossFunction(new nn.Linear(2, 2), w, w, { loss: 'hinge' as never }), (e: unknown) => e instanceof px.ValueError && /loss must be 'crossEntropy', 'mse'/.test(e.message));
    assert.throws(() => analysis.hvp(quad, [w], [px.randn([3])]), (e: unknown) => e instanceof px.ShapeError && /vectors/.test(e.message));
  });
});
