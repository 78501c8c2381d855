/**
 * @file nn.encoding.GaussianRBF / RBFNetwork: forward against the closed form
 * exp(-||x - c_k||^2 / (2 sigma_k^2)), typed errors naming the bad argument, round trips, and fits of
 * 1-D and 2-D test signals beside an MLP of (about) the same parameter count, PSNR printed.
 *
 * Fits (float32, Adam lr 1e-2, full batch, 1500 steps, seed 0; PSNR = 10 log10(range^2 / MSE) on
 * the training grid, range = max - min of the target):
 *   - 1-D, 256 points on [-1, 1], RBFNetwork(1, 32, 1) (97 parameters) vs MLP 1-8-8-1 tanh (97):
 *     a sum of sines sin(pi x) + 0.5 sin(3 pi x) + 0.25 sin(5 pi x) and a unit step at x = 0.1;
 *   - 2-D, a 32 x 32 grid on [-1, 1]^2, RBFNetwork(2, 64, 1) (257) vs MLP 2-14-14-1 tanh (267):
 *     f = sin(2x) cos(3y) + exp(-8 ((x - 0.3)^2 + (y + 0.2)^2)), smooth like a blurred photograph.
 * Bounds, set from the kernel spacing before running (not fitted to the outcome): 32 kernels on
 * [-1, 1] are 0.0625 apart, 12+ per wavelength of the 5 pi component, so a Gaussian interpolant is
 * accurate to well under 1% of the range: >= 30 dB for the sines. A jump cannot be matched by smooth
 * kernels; its error lives within about one width of the jump (2 of 256 points missing by ~half the
 * step give ~24 dB): >= 15 dB. 64 kernels on the 2-D square are 0.25 apart against features of
 * scale ~0.35-1: >= 25 dB. The MLP's numbers are printed for comparison, not asserted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { io, nn } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';
import { fitMse, image32 } from './fit-helpers.js';

const { GaussianRBF, RBFNetwork } = nn.encoding;
const f64 = (v: number[], shape?: number[]): px.Tensor => px.tensor(v, { dtype: 'float64', ...(shape ? { shape } : {}) });
const isValueError = (name: RegExp) => (e: unknown): boolean => e instanceof px.ValueError && name.test(e.message);
const count = (m: nn.Module): number => m.parameters().reduce((s, p) => s + p.size, 0);

describe('GaussianRBF', () => {
  it('forward equals exp(-||x - c||^2 / (2 sigma^2)) for any leading dims', () => {
    const m = new GaussianRBF(2, 3, { dtype: 'float64', sigma: 0.7 });
    px.noGrad(() => m.logSigma.mutate((v) => { v[2] = Math.log(1.3); }));
    const x = f64([0.1, -0.5, 0.9, 0.3, -1.2, 0.4, 0, 0], [4, 1, 2]);
    const c = [...m.centres.values];
    const s = [0.7, 0.7, 1.3];
    const want: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (let k = 0; k < 3; k++) {
        const d2 = (x.values[2 * i]! - c[2 * k]!) ** 2 + (x.values[2 * i + 1]! - c[2 * k + 1]!) ** 2;
        want.push(Math.exp(-d2 / (2 * s[k]! ** 2)));
      }
    }
    const y = m.forward(x);
    assert.deepEqual(y.shape, [4, 1, 3]);
    assertClose(y, want, { atol: 1e-14 });
  });
  it('is exactly 1 with a finite gradient on a centre (the clamped distance)', () => {
    const m = new GaussianRBF(2, 1, { dtype: 'float64' });
    const x = px.tensor([...m.centres.values], { dtype: 'float64', shape: [1, 2] }).requiresGrad_();
    const y = m.forward(x);
    assertClose(y, [1], { atol: 1e-12 });
    px.sum(y).backward();
    assert.ok([...x.grad!.values].every(Number.isFinite));
  });
  it('initial centres lie in range, widths default to the centre spacing', () => {
    px.manualSeed(5);
    const m = new GaussianRBF(2, 16, { range: [0, 4] });
    assert.ok([...m.centres.values].every((v) => v >= 0 && v <= 4));
    assertClose(px.exp(m.logSigma), Array(16).fill(1), { atol: 1e-6 }); // side 4 / 16^(1/2)
  });
  it('bad arguments are typed errors naming the argument', () => {
    for (const n of [0, 2.5, -1, NaN]) {
      assert.throws(() => new GaussianRBF(n, 3), isValueError(/GaussianRBF: inFeatures/));
      assert.throws(() => new GaussianRBF(2, n), isValueError(/GaussianRBF: numKernels/));
      assert.throws(() => new RBFNetwork(2, 3, n), isValueError(/RBFNetwork: outFeatures/));
    }
    for (const sigma of [0, -1, Infinity]) assert.throws(() => new GaussianRBF(2, 3, { sigma }), isValueError(/sigma/));
    assert.throws(() => new GaussianRBF(2, 3, { range: [1, -1] }), isValueError(/range/));
    assert.throws(() => new GaussianRBF(2, 3, { range: [0, NaN] }), isValueError(/range\[1\]/));
    assert.throws(() => new GaussianRBF(2, 3, { range: 1 as never }), isValueError(/range/));
    assert.throws(() => new GaussianRBF(2, 3, { width: 1 } as never), isValueError(/width/));
    assert.throws(() => new RBFNetwork(2, 3, 1, { widths: 1 } as never), isValueError(/widths/));
    assert.throws(() => new GaussianRBF(2, 3).forward(px.zeros([4, 3])), (e: unknown) => e instanceof px.ShapeError && /\[2\]/.test((e as Error).message));
    assert.throws(() => new GaussianRBF(2, 3, { dtype: 'float64' }).forward(px.zeros([4, 2], { dtype: 'float32' })), px.DTypeError);
  });
  it('RBFNetwork round-trips through fromConfig and io.saveModel / loadModel', async () => {
    const m = new RBFNetwork(3, 5, 2, { dtype: 'float64' });
    assert.deepEqual([...m.stateDict().keys()], ['rbf.centres', 'rbf.logSigma', 'readout.weight', 'readout.bias']);
    assert.deepEqual(nn.fromConfig(m.getConfig()).getConfig(), m.getConfig());
    const { model } = await io.loadModel(io.saveModel(m));
    const x = f64([0.1, -0.4, 0.8, 1.2, -0.3, 0.5], [2, 3]);
    assertClose(model.forward(x), m.forward(x), { atol: 0 });
  });
});

/** Full-batch Adam fit; returns the PSNR (dB) on the given points. */
function psnrAfterFit(model: nn.Module, x: px.Tensor, y: px.Tensor): number {
  const mse = fitMse(model, x, y, 1500);
  const v = [...y.values];
  const range = Math.max(...v) - Math.min(...v);
  return 10 * Math.log10((range * range) / mse);
}

function compare(name: string, x: px.Tensor, y: px.Tensor, rbf: () => nn.Module, mlp: () => nn.Module): number {
  px.manualSeed(0);
  const r = rbf();
  const pr = psnrAfterFit(r, x, y);
  px.manualSeed(0);
  const m = mlp();
  const pm = psnrAfterFit(m, x, y);
  console.log(`  ${name}: RBF (${count(r)} params) ${pr.toFixed(2)} dB, tanh MLP (${count(m)} params) ${pm.toFixed(2)} dB`);
  return pr;
}

describe('RBF network fits test signals (PSNR beside an MLP of equal size)', () => {
  const xs = Array.from({ length: 256 }, (_, i) => -1 + (2 * i) / 255);
  const x1 = px.tensor(xs, { shape: [256, 1] });
  const rbf1 = (): nn.Module => new RBFNetwork(1, 32, 1);
  const mlp1 = (): nn.Module => new nn.MLP([1, 8, 8, 1], { activation: 'tanh' });
  it('1-D sum of sines >= 30 dB', () => {
    const y = px.tensor(xs.map((x) => Math.sin(Math.PI * x) + 0.5 * Math.sin(3 * Math.PI * x) + 0.25 * Math.sin(5 * Math.PI * x)), { shape: [256, 1] });
    assert.ok(compare('1-D sum of sines', x1, y, rbf1, mlp1) >= 30);
  });
  it('1-D step >= 15 dB', () => {
    const y = px.tensor(xs.map((x) => (x > 0.1 ? 1 : 0)), { shape: [256, 1] });
    assert.ok(compare('1-D step', x1, y, rbf1, mlp1) >= 15);
  });
  it('2-D smooth image-like function on 32 x 32 >= 25 dB', () => {
    const { x, y } = image32((u, v) => Math.sin(2 * u) * Math.cos(3 * v) + Math.exp(-8 * ((u - 0.3) ** 2 + (v + 0.2) ** 2)));
    const p = compare('2-D image 32x32', x, y, () => new RBFNetwork(2, 64, 1), () => new nn.MLP([2, 14, 14, 1], { activation: 'tanh' }));
    assert.ok(p >= 25);
  });
});
