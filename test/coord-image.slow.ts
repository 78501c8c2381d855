/**
 * @file Reproduction checks of issue #13 on the shipped Fashion-MNIST mosaic (data/builtin/), full-batch
 * Adam on MSE, wasm backend. Each prints its numbers and fails when the paper's claim is missed.
 *
 * I1 (Tancik et al. 2020, arXiv 2006.10739, their 2-D image protocol): the 112x112 mosaic, train on the
 *    even-pixel grid (56x56), test on the other pixels; 3x128 ReLU MLP with a sigmoid output, Adam 1e-3,
 *    1000 steps, 128 Fourier features. Held-out PSNR of the best Gaussian scale s in {1, 3, 10} >= no
 *    encoding + 4 dB; basic (B = I) >= none + 3 dB; training PSNR of Gaussian s = 10 >= 45 dB.
 * I4 (Li et al. 2021, arXiv 2106.02795): learnable Fourier features (B initialised as the best fixed
 *    Gaussian's) in the I1 protocol: held-out PSNR >= the fixed Gaussian's - 0.5 dB.
 * I2 (Sitzmann et al. 2020, arXiv 2006.09661): the 56x56 mosaic as values in [-1, 1], every pixel; 3x128
 *    SIREN (w0 = 30), Adam 1e-4, 500 steps: PSNR (peak 2) >= 30 dB and >= a same-size ReLU MLP's + 20 dB.
 * I3 (Shah & Sitawarin 2023, arXiv 2306.15242): SPDER in the same network and steps: MSE <= SIREN's / 100.
 *
 * Measured (Dec 2026, wasm, loaded 2-core VM, FourierFeatures inputRange [-1, 1] mapped onto Tancik's
 * [0, 1)): I1 none 14.04 dB held out, basic 15.71, Gaussian s = 1 / 3 / 10: 16.25 / 15.64 / 14.87 (train
 * 24.75 / 36.80 / 41.05): I1 does NOT reproduce on this image (+2.21 dB, basic +1.67, train 41.05 < 45).
 * Why: the mosaic's 28-pixel garments are at their native resolution, so the even grid is below
 * Nyquist for their edges: bilinear interpolation of the even grid reaches only 16.64 dB on the held-out
 * pixels (none + 4 would need 18.04), where Tancik's 512 -> 256 natural images are smooth at that
 * scale. The thresholds stay as the issue states them. I4 learnable 16.37 vs 16.25 (passes); I2 SIREN
 * 43.88 dB vs ReLU 11.11 (passes); I3 SPDER MSE 1.5e-13 vs SIREN 1.7e-4 (passes).
 *
 * Several minutes on the 2-core machine (I1: six 1000-step runs on 3136 points), so `npm run test:slow`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { fitFullBatch, tancikNet, type FitResult } from './coord-helpers.js';

const fmt = (v: number | null): string => (v === null ? '-' : v.toFixed(2));

describe('coordinate networks on the Fashion-MNIST mosaic (issue #13 I1-I4)', () => {
  let prev = '';
  before(() => {
    prev = px.getBackend();
    px.setBackend('wasm');
  });
  after(() => px.setBackend(prev));

  const i1 = new Map<string, FitResult>();
  const runI1 = (name: string, enc: () => px.nn.Module | null): FitResult => {
    const grid = px.data.imageGrid(px.data.builtinImage('mosaic'), { split: 'even-odd' });
    px.manualSeed(0);
    const e = enc();
    const r = fitFullBatch(tancikNet(2, 1, e), grid.train, grid.test, { lr: 1e-3, steps: 1000, peak: 1 });
    console.log(`I1 ${name.padEnd(12)} train ${fmt(r.trainPsnr)} dB, held-out ${fmt(r.testPsnr)} dB (${r.seconds.toFixed(1)} s)`);
    i1.set(name, r);
    return r;
  };

  it('I1: Fourier features beat the plain ReLU MLP on held-out pixels (Tancik protocol)', () => {
    runI1('none', () => null);
    runI1('basic', () => new px.nn.encoding.FourierFeatures(2, undefined, { kind: 'basic' }));
    for (const s of [1, 3, 10]) runI1(`gaussian:${s}`, () => new px.nn.encoding.FourierFeatures(2, 128, { kind: 'gaussian', scale: s }));
    const none = i1.get('none')!.testPsnr!;
    const best = Math.max(...[1, 3, 10].map((s) => i1.get(`gaussian:${s}`)!.testPsnr!));
    const basic = i1.get('basic')!.testPsnr!;
    const train10 = i1.get('gaussian:10')!.trainPsnr;
    console.log(`I1: best Gaussian ${fmt(best)} vs none ${fmt(none)} (+${fmt(best - none)} dB, need +4); basic +${fmt(basic - none)} dB (need +3); Gaussian s=10 train ${fmt(train10)} dB (need 45)`);
    assert.ok(best >= none + 4, `best Gaussian held-out PSNR ${fmt(best)} < none ${fmt(none)} + 4 dB`);
    assert.ok(basic >= none + 3, `basic held-out PSNR ${fmt(basic)} < none ${fmt(none)} + 3 dB`);
    assert.ok(train10 >= 45, `Gaussian s=10 training PSNR ${fmt(train10)} < 45 dB`);
  });

  it('I4: learnable Fourier features are within 0.5 dB of the fixed Gaussian (or better)', () => {
    if (i1.size === 0) for (const s of [1, 3, 10]) runI1(`gaussian:${s}`, () => new px.nn.encoding.FourierFeatures(2, 128, { kind: 'gaussian', scale: s }));
    const [bestS] = [1, 3, 10].map((s) => [s, i1.get(`gaussian:${s}`)?.testPsnr ?? -Infinity] as const).sort((a, b) => b[1] - a[1])[0]!;
    const fixed = i1.get(`gaussian:${bestS}`)!.testPsnr!;
    const learn = runI1(`learnable:${bestS}`, () => new px.nn.encoding.FourierFeatures(2, 128, { kind: 'learnable', scale: bestS })).testPsnr!;
    console.log(`I4: learnable (s=${bestS}) held-out ${fmt(learn)} dB vs fixed ${fmt(fixed)} dB (${fmt(learn - fixed)} dB, need >= -0.5)`);
    assert.ok(learn >= fixed - 0.5, `learnable ${fmt(learn)} dB < fixed Gaussian ${fmt(fixed)} - 0.5 dB`);
  });

  const i2 = new Map<string, FitResult>();
  const runI2 = (name: string, make: () => px.nn.Module): FitResult => {
    const grid = px.data.imageGrid(px.data.builtinImage('mosaic-56'), { split: 'all', range: [-1, 1] });
    px.manualSeed(0);
    const r = fitFullBatch(make(), grid.train, null, { lr: 1e-4, steps: 500, peak: 2 });
    console.log(`I2/I3 ${name.padEnd(6)} PSNR ${fmt(r.trainPsnr)} dB (peak 2), MSE ${r.finalLoss.toExponential(3)} (${r.seconds.toFixed(1)} s)`);
    i2.set(name, r);
    return r;
  };

  it('I2: SIREN memorises the 56x56 mosaic (>= 30 dB, >= ReLU + 20 dB)', () => {
    const siren = runI2('siren', () => new px.nn.SIREN([2, 128, 128, 128, 1])).trainPsnr;
    const relu = runI2('relu', () => new px.nn.MLP([2, 128, 128, 128, 1], { activation: 'relu' })).trainPsnr;
    console.log(`I2: SIREN ${fmt(siren)} dB (need 30), ReLU ${fmt(relu)} dB (+${fmt(siren - relu)}, need +20)`);
    assert.ok(siren >= 30, `SIREN PSNR ${fmt(siren)} < 30 dB`);
    assert.ok(siren >= relu + 20, `SIREN ${fmt(siren)} < ReLU ${fmt(relu)} + 20 dB`);
  });

  it('I3: SPDER reaches 1/100 of SIREN\'s MSE', () => {
    const siren = (i2.get('siren') ?? runI2('siren', () => new px.nn.SIREN([2, 128, 128, 128, 1]))).finalLoss;
    const spder = runI2('spder', () => new px.nn.SIREN([2, 128, 128, 128, 1], { activation: 'spder' })).finalLoss;
    console.log(`I3: SPDER MSE ${spder.toExponential(3)} vs SIREN ${siren.toExponential(3)} (ratio ${(siren / spder).toFixed(1)}x, need 100x)`);
    assert.ok(spder <= siren / 100, `SPDER MSE ${spder.toExponential(3)} > SIREN ${siren.toExponential(3)} / 100`);
  });
});
