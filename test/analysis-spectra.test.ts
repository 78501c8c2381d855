/**
 * @file Weight spectra (src/analysis/spectra): agreement with the numpy reference
 * (scripts/golden/spectra.py -> test/golden/spectra.json: a torch-trained MLP's layers loaded into
 * nn.MLP, a Gaussian and a heavy-tailed matrix) to 1e-6; an i.i.d. Gaussian matrix's ESD against
 * Marchenko–Pastur (KS distance printed) with a large fitted alpha; a planted power-law spectrum's
 * alpha recovered within 0.1; the MP law's own normalisation; bad input as typed errors.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { analysis, nn } from '../src/index.js';

interface Ref {
  name: string; shape: [number, number]; eigenvalues: number[]; alpha: number; xmin: number; D: number; n: number;
  alphaWeighted: number; logSpectralNorm: number; stableRank: number; sigma2: number; mpLambdaMax: number; numSpikes: number;
}
interface Golden {
  mlp: { sizes: number[]; state: Record<string, { shape: number[]; values: number[] }>; spectra: Ref[] };
  matrices: (Ref & { values: number[] })[];
}
const golden = JSON.parse(readFileSync(new URL('../../test/golden/spectra.json', import.meta.url), 'utf8')) as Golden;

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs numpy ${b}`);

function check(s: analysis.WeightSpectrum, r: Ref): void {
  assert.deepEqual(s.shape, r.shape);
  s.eigenvalues.forEach((v, i) => close(v, r.eigenvalues[i]!, 1e-10, `${r.name} eigenvalue ${i}`));
  close(s.alpha, r.alpha, 1e-6, `${r.name} alpha`);
  close(s.fit!.xmin, r.xmin, 1e-9, `${r.name} xmin`);
  close(s.fit!.D, r.D, 1e-6, `${r.name} D`);
  assert.equal(s.fit!.n, r.n);
  close(s.alphaWeighted, r.alphaWeighted, 1e-6, `${r.name} alphaWeighted`);
  close(s.logSpectralNorm, r.logSpectralNorm, 1e-10, `${r.name} logSpectralNorm`);
  close(s.stableRank, r.stableRank, 1e-10, `${r.name} stableRank`);
  close(s.mpLambdaMax, r.mpLambdaMax, 1e-10, `${r.name} mpLambdaMax`);
  assert.equal(s.numSpikes, r.numSpikes);
}

describe('weight spectra against the numpy reference (1e-6)', () => {
  it('the layers of a torch-trained MLP, loaded into nn.MLP, through weightSpectra(model)', () => {
    const model = new nn.MLP(golden.mlp.sizes, { dtype: 'float64' });
    model.loadStateDict(new Map(Object.entries(golden.mlp.state).map(([k, v]) => [k, px.tensor(v.values, { dtype: 'float64', shape: v.shape })])));
    const spectra = analysis.weightSpectra(model);
    assert.deepEqual(spectra.map((s) => s.name), golden.mlp.spectra.map((r) => r.name));
    spectra.forEach((s, i) => {
      const r = golden.mlp.spectra[i]!;
      console.log(`${s.name} [${s.shape.join(', ')}]: alpha ${s.alpha.toFixed(6)} (numpy ${r.alpha.toFixed(6)}, |diff| ${Math.abs(s.alpha - r.alpha).toExponential(1)}), xmin ${s.fit!.xmin.toPrecision(5)}, tail ${s.fit!.n}, stable rank ${s.stableRank.toFixed(3)}, spikes ${s.numSpikes}`);
      check(s, r);
    });
  });
  it('a Gaussian and a Student-t matrix, through weightSpectrum', () => {
    for (const m of golden.matrices) {
      const s = analysis.weightSpectrum(px.tensor(m.values, { dtype: 'float64', shape: m.shape }));
      console.log(`${m.name} [${m.shape.join(', ')}]: alpha ${s.alpha.toFixed(6)} (numpy ${m.alpha.toFixed(6)})`);
      check(s, m);
    }
  });
});

describe('random-matrix reference and planted tails', () => {
  it('an i.i.d. Gaussian matrix: ESD matches Marchenko–Pastur, no spikes, and the fitted alpha is large', () => {
    px.manualSeed(11);
    const s = analysis.weightSpectrum(px.randn([600, 200], { dtype: 'float64' }));
    const exact = analysis.marchenkoPastur(600, 200, 1);
    const ks = analysis.mpKSDistance(s.eigenvalues, exact);
    console.log(`Gaussian 600x200: KS(ESD, MP σ²=1) = ${ks.toFixed(4)}, with fitted σ² = ${s.mpKS.toFixed(4)}; λmax ${s.eigenvalues[0]!.toFixed(1)} vs MP edge ${exact.lambdaMax.toFixed(1)}; alpha ${s.alpha.toFixed(3)} (xmin ${s.fit!.xmin.toFixed(1)}, tail ${s.fit!.n}, D ${s.fit!.D.toFixed(3)}); spikes ${s.numSpikes}`);
    assert.ok(ks < 0.05 && s.mpKS < 0.05, 'ESD within KS 0.05 of MP');
    assert.ok(s.numSpikes <= 1, 'no spikes beyond the bulk edge (one allowed at the Tracy-Widom edge)');
    assert.ok(s.alpha > 4, `alpha of a random matrix is large (above Martin & Mahoney's well-trained 2-4): ${s.alpha}`);
  });

  for (const alpha of [2.5, 3, 4]) {
    it(`a planted power-law tail (alpha ${alpha}) above a bulk: xmin found, alpha within 0.1`, () => {
      px.manualSeed(12);
      const M = 200, N = 240, T = 120;
      // A bulk of M - T eigenvalues spread evenly over [0.05, 0.9] under a tail of T at the Pareto(alpha)
      // quantiles (λ >= 1): the KS choice of xmin must find the tail's start. W = U diag(√λ) Vᵀ, U, V random orthonormal.
      const lam = [
        ...Array.from({ length: M - T }, (_, i) => 0.05 + (0.85 * i) / (M - T - 1)),
        ...Array.from({ length: T }, (_, i) => (1 - (i + 0.5) / T) ** (-1 / (alpha - 1))),
      ];
      // Random orthogonal matrices from eigh of random symmetric ones (cheaper than an SVD with vectors).
      const orth = (n: number): px.Tensor => { const g = px.randn([n, n], { dtype: 'float64' }); return analysis.eigh(g.add(g.t())).vectors; };
      const U = px.tensor(Array.from(orth(N).values).filter((_, i) => i % N < M), { dtype: 'float64', shape: [N, M] });
      const V = orth(M);
      const W = U.mul(px.tensor(lam.map(Math.sqrt), { dtype: 'float64' }).unsqueeze(0)).matmul(V.t());
      const s = analysis.weightSpectrum(W);
      const back = [...s.eigenvalues].sort((a, b) => a - b);
      const sorted = [...lam].sort((a, b) => a - b);
      assert.ok(back.every((v, i) => Math.abs(v - sorted[i]!) < 1e-9 * sorted[M - 1]!), 'the SVD returns the planted eigenvalues');
      console.log(`planted alpha ${alpha}: fitted ${s.alpha.toFixed(4)} (xmin ${s.fit!.xmin.toFixed(3)}, tail ${s.fit!.n} of ${M}, D ${s.fit!.D.toFixed(4)}, σ ${s.fit!.sigma.toFixed(3)})`);
      assert.ok(Math.abs(s.alpha - alpha) < 0.1);
      assert.ok(s.fit!.xmin >= 0.9 && s.fit!.n >= T - 5 && s.fit!.n <= T + 1, 'xmin at the start of the planted tail');
    });
  }

  it('the Marchenko–Pastur law integrates to 1 with mean Nσ² and the known edges', () => {
    const mp = analysis.marchenkoPastur(300, 100, 2);
    assert.ok(Math.abs(mp.lambdaMax - 2 * (Math.sqrt(300) + 10) ** 2) < 1e-9 && Math.abs(mp.lambdaMin - 2 * (Math.sqrt(300) - 10) ** 2) < 1e-9);
    let mass = 0, mean = 0;
    const K = 200000, h = (mp.lambdaMax - mp.lambdaMin) / K;
    for (let i = 0; i < K; i++) { const l = mp.lambdaMin + (i + 0.5) * h; mass += mp.pdf(l) * h; mean += l * mp.pdf(l) * h; }
    assert.ok(Math.abs(mass - 1) < 1e-3 && Math.abs(mean / (300 * 2) - 1) < 1e-3, `mass ${mass}, mean / Nσ² ${mean / 600}`);
    assert.ok(mp.cdf(mp.lambdaMin * (1 - 1e-12)) === 0 && mp.cdf(mp.lambdaMax * (1 + 1e-12)) === 1);
    let acc = 0;
    for (let i = 0; i < K; i++) {
      const l = mp.lambdaMin + (i + 0.5) * h;
      acc += mp.pdf(l) * h;
      if (i % 40000 === 39999) assert.ok(Math.abs(mp.cdf(mp.lambdaMin + (i + 1) * h) - acc) < 1e-3, `cdf at step ${i + 1}`);
    }
  });

  it('bad input is typed and names the parameter', () => {
    const m = new nn.MLP([4, 5, 2]);
    assert.throws(() => analysis.weightSpectra(m, { params: ['layers.9.weight'] }), (e: unknown) => e instanceof px.ValueError && /layers\.9\.weight/.test(e.message) && /layers\.0\.weight/.test(e.message));
    assert.throws(() => analysis.weightSpectra(m, { params: ['layers.0.bias'] }), (e: unknown) => e instanceof px.ShapeError && /layers\.0\.bias/.test(e.message));
    assert.throws(() => analysis.weightSpectra(m, { minDims: 2 } as never), px.ValueError);
    assert.throws(() => analysis.weightSpectrum(px.ones([3])), px.ShapeError);
    assert.throws(() => analysis.fitPowerLaw([1, 1, 1]), px.ValueError);
    assert.throws(() => analysis.weightSpectra({} as never), px.ValueError);
  });
});
