/**
 * @file nn.encoding.FeatureGrid (dense multilinear feature grid) and GaussianNeuralField (grid ->
 * Gaussian kernels in feature space -> linear read-out; Bouzidi et al. 2025, arXiv 2503.06762):
 * interpolation against a direct multilinear formula in 1-D, 2-D and 3-D, exact values at grid
 * points, gradients against finite differences, typed errors, round trips, and a 2-D fit with its
 * PSNR printed beside a tanh MLP of about the same parameter count.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { io, nn } from '../src/index.js';
import { assertClose, assertGradcheck } from '../src/testing/index.js';
import { fitMse, image32 } from './fit-helpers.js';

const { FeatureGrid, GaussianNeuralField } = nn.encoding;
const f64 = (v: number[], shape?: number[]): px.Tensor => px.tensor(v, { dtype: 'float64', ...(shape ? { shape } : {}) });
const isValueError = (name: RegExp) => (e: unknown): boolean => e instanceof px.ValueError && name.test(e.message);

/** Multilinear interpolation by the textbook sum over the 2^d corners, in plain JS. */
function reference(g: InstanceType<typeof FeatureGrid>, point: number[]): number[] {
  const { resolution: R, features: F, inFeatures: d } = g;
  const [low, high] = g.range;
  const w = g.weight.values;
  const u = point.map((p) => Math.min(Math.max(((p - low) / (high - low)) * (R - 1), 0), R - 1));
  const i0 = u.map((v) => Math.min(Math.floor(v), R - 2));
  const out = Array<number>(F).fill(0);
  for (let c = 0; c < 1 << d; c++) {
    let weight = 1;
    let row = 0;
    for (let a = 0; a < d; a++) {
      const bit = (c >> (d - 1 - a)) & 1;
      const t = u[a]! - i0[a]!;
      weight *= bit ? t : 1 - t;
      row = row * R + i0[a]! + bit;
    }
    for (let f = 0; f < F; f++) out[f] = out[f]! + weight * w[row * F + f]!;
  }
  return out;
}

describe('FeatureGrid', () => {
  for (const [d, R, F] of [[1, 5, 3], [2, 4, 2], [3, 3, 2]] as const) {
    it(`${d}-D, resolution ${R}, ${F} features: equals the corner-sum formula, inside and outside the box`, () => {
      px.manualSeed(d);
      const g = new FeatureGrid(d, R, F, { dtype: 'float64' });
      const pts = Array.from({ length: 7 }, (_, i) => Array.from({ length: d }, (_, a) => -1.3 + 0.37 * i + 0.11 * a));
      const y = g.forward(f64(pts.flat(), [7, d]));
      assertClose(y, pts.flatMap((p) => reference(g, p)), { atol: 1e-14 });
    });
  }
  it('returns the stored features at grid points; keeps leading dims; range moves the box', () => {
    const g = new FeatureGrid(2, 3, 2, { dtype: 'float64', range: [0, 2] });
    const w = g.weight.values;
    // Grid point (i, j) = (1, 2) sits at (1, 2) in the box [0, 2]^2; its row is 1 * 3 + 2.
    const y = g.forward(f64([1, 2, 0, 0], [2, 1, 2]));
    assert.deepEqual(y.shape, [2, 1, 2]);
    assertClose(y, [w[10]!, w[11]!, w[0]!, w[1]!], { atol: 1e-15 });
  });
  it('gradients of the input and of the grid match finite differences', () => {
    px.manualSeed(7);
    const g = new FeatureGrid(2, 4, 3, { dtype: 'float64' });
    const x = f64([0.21, -0.43, 0.77, 0.12, -0.9, 0.55], [3, 2]); // inside cells, away from grid lines
    assertGradcheck((t) => g.forward(t), [x], { atol: 1e-7, rtol: 1e-6 });
    const r = px.randn([3, 3], { dtype: 'float64' });
    g.zeroGrad();
    px.sum(px.mul(g.forward(x), r)).backward();
    const wv = [...g.weight.values];
    const fd = wv.map((_, i) => {
      const at = (dv: number): number => {
        px.noGrad(() => g.weight.mutate((v) => { v[i] = wv[i]! + dv; }));
        return px.noGrad(() => px.sum(px.mul(g.forward(x), r)).item());
      };
      const d = (at(1e-6) - at(-1e-6)) / 2e-6;
      px.noGrad(() => g.weight.mutate((v) => { v[i] = wv[i]!; }));
      return d;
    });
    assertClose(g.weight.grad!, fd, { atol: 1e-7 });
  });
  it('bad arguments are typed errors naming the argument', () => {
    for (const v of [0, 2.5, NaN]) {
      assert.throws(() => new FeatureGrid(v, 4, 2), isValueError(/FeatureGrid: inFeatures/));
      assert.throws(() => new FeatureGrid(2, 4, v), isValueError(/FeatureGrid: features/));
      assert.throws(() => new GaussianNeuralField(2, 4, 2, v, 1), isValueError(/numKernels/));
      assert.throws(() => new GaussianNeuralField(2, 4, 2, 8, v), isValueError(/GaussianNeuralField: outFeatures/));
    }
    assert.throws(() => new FeatureGrid(2, 1, 2), isValueError(/resolution must be an integer >= 2/));
    assert.throws(() => new FeatureGrid(2, 4.5, 2), isValueError(/resolution/));
    assert.throws(() => new FeatureGrid(9, 8, 1), isValueError(/8\^9/));
    assert.throws(() => new FeatureGrid(2, 4, 2, { range: [1, 1] }), isValueError(/low < high/));
    assert.throws(() => new FeatureGrid(2, 4, 2, { range: ['a', 1] as never }), isValueError(/range\[0\]/));
    assert.throws(() => new FeatureGrid(2, 4, 2, { initScale: -1 }), isValueError(/initScale/));
    assert.throws(() => new FeatureGrid(2, 4, 2, { res: 4 } as never), isValueError(/res/));
    assert.throws(() => nn.fromConfig({ type: 'FeatureGrid', inFeatures: 2, resolution: 4, features: 2, range: [2, 0] }), isValueError(/range/));
    assert.throws(() => new FeatureGrid(2, 4, 2).forward(px.zeros([5, 3])), px.ShapeError);
  });
  it('FeatureGrid and GaussianNeuralField round-trip through fromConfig and io.saveModel / loadModel', async () => {
    for (const m of [new FeatureGrid(2, 4, 3, { range: [0, 1], dtype: 'float64' }), new GaussianNeuralField(2, 4, 3, 5, 2, { dtype: 'float64' })]) {
      assert.deepEqual(nn.fromConfig(m.getConfig()).getConfig(), m.getConfig());
      const { model } = await io.loadModel(io.saveModel(m));
      const x = f64([0.1, -0.4, 0.8, 0.3], [2, 2]);
      assertClose(model.forward(x), m.forward(x), { atol: 0 });
    }
    assert.deepEqual([...new GaussianNeuralField(2, 4, 3, 5, 2).stateDict().keys()],
      ['grid.weight', 'rbf.centres', 'rbf.logSigma', 'readout.weight', 'readout.bias']);
  });
});

describe('GaussianNeuralField fits a 2-D image-like function', () => {
  it('32 x 32 image: >= 25 dB (the bound of the plain RBF test), printed beside a tanh MLP of similar size', () => {
    // f = sin(2x) cos(3y) + a Gaussian blob + a disk of radius 0.35 around (-0.4, 0.4): smooth parts and an edge.
    const { x, y, vals } = image32((u, v) => {
      const disk = (u + 0.4) ** 2 + (v - 0.4) ** 2 < 0.35 ** 2 ? 0.5 : 0;
      return Math.sin(2 * u) * Math.cos(3 * v) + Math.exp(-8 * ((u - 0.3) ** 2 + (v + 0.2) ** 2)) + disk;
    });
    const range = Math.max(...vals) - Math.min(...vals);
    const fit = (model: nn.Module): [number, number] => {
      const mse = fitMse(model, x, y, 1000);
      return [10 * Math.log10((range * range) / mse), model.parameters().reduce((s, p) => s + p.size, 0)];
    };
    px.manualSeed(0);
    const [gnf, gnfParams] = fit(new GaussianNeuralField(2, 12, 4, 32, 1));
    px.manualSeed(0);
    const [mlp, mlpParams] = fit(new nn.MLP([2, 25, 25, 1], { activation: 'tanh' }));
    console.log(`  2-D image with an edge, 1000 Adam steps: GaussianNeuralField 12x12x4 grid + 32 kernels (${gnfParams} params) ${gnf.toFixed(2)} dB, tanh MLP 2-25-25-1 (${mlpParams} params) ${mlp.toFixed(2)} dB`);
    assert.ok(gnf >= 25, `GaussianNeuralField PSNR ${gnf} < 25 dB`);
  });
});
