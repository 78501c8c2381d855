/**
 * @file LAMB and LARS, which PyTorch lacks, against independent hand-written float64 traces: the
 * loss gradient is derived by hand (chain rule on mean((tanh(XW + b) - Y)^2)), and each update is
 * written from the papers' formulas as plain loops over number arrays, sharing no code with
 * src/optim. Three steps, parameters compared after each.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { optim } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';
import { freshParams, golden, lossOf } from './optim-golden-helpers.js';

const TOL = { atol: 1e-10, rtol: 1e-10 };
const X = golden.problem.X.values; // [5,3]
const Y = golden.problem.Y.values; // [5,4]
const N = 5, I = 3, J = 4;

/** dL/dW [3,4] and dL/db [4] for L = mean((tanh(XW + b) - Y)^2), by hand. */
function handGrad(W: number[], b: number[]): [number[], number[]] {
  const gW = new Array<number>(I * J).fill(0);
  const gb = new Array<number>(J).fill(0);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < J; j++) {
      let z = b[j]!;
      for (let i = 0; i < I; i++) z += X[n * I + i]! * W[i * J + j]!;
      const t = Math.tanh(z);
      const dz = ((2 * (t - Y[n * J + j]!)) / (N * J)) * (1 - t * t); // dL/dt · dt/dz
      gb[j] = gb[j]! + dz;
      for (let i = 0; i < I; i++) gW[i * J + j] = gW[i * J + j]! + X[n * I + i]! * dz;
    }
  }
  return [gW, gb];
}

const norm = (a: number[]): number => Math.sqrt(a.reduce((s, x) => s + x * x, 0));

interface LambCfg { lr: number; betas: [number, number]; eps: number; weightDecay: number; biasCorrection: boolean }

/** LAMB (You et al. 2019, Alg. 2, φ = identity) for one tensor; returns the new weights. */
function lambRef(w: number[], g: number[], s: { m: number[]; v: number[] }, c: LambCfg, t: number): number[] {
  const [b1, b2] = c.betas;
  const r = w.map((wi, k) => {
    s.m[k] = b1 * s.m[k]! + (1 - b1) * g[k]!;
    s.v[k] = b2 * s.v[k]! + (1 - b2) * g[k]! ** 2;
    const mHat = c.biasCorrection ? s.m[k]! / (1 - b1 ** t) : s.m[k]!;
    const vHat = c.biasCorrection ? s.v[k]! / (1 - b2 ** t) : s.v[k]!;
    return mHat / (Math.sqrt(vHat) + c.eps) + c.weightDecay * wi;
  });
  const wn = norm(w);
  const rn = norm(r);
  const trust = wn === 0 || rn === 0 ? 1 : wn / rn;
  return w.map((wi, k) => wi - c.lr * trust * r[k]!);
}

interface LarsCfg { lr: number; momentum: number; weightDecay: number; trustCoefficient: number }

/** LARS (You et al. 2017, Alg. 1) for one tensor; returns the new weights. */
function larsRef(w: number[], g: number[], s: { v: number[] }, c: LarsCfg): number[] {
  const wn = norm(w);
  const gn = norm(g);
  const local = wn === 0 || gn === 0 ? 1 : (c.trustCoefficient * wn) / (gn + c.weightDecay * wn);
  return w.map((wi, k) => {
    s.v[k] = c.momentum * s.v[k]! + c.lr * local * (g[k]! + c.weightDecay * wi);
    return wi - s.v[k]!;
  });
}

/** Runs the implementation and the reference side by side for three steps. */
function compare(
  make: (params: px.Tensor[]) => optim.Optimizer,
  refStep: (w: number[], g: number[], slot: 0 | 1, t: number) => number[],
  zeroBias: boolean,
): void {
  const { W, b } = freshParams();
  if (zeroBias) px.noGrad(() => b.assign(new Array<number>(J).fill(0)));
  let w = Array.from(W.values);
  let bb = Array.from(b.values);
  const w0 = w.slice();
  const opt = make([W, b]);
  for (let t = 1; t <= 3; t++) {
    opt.zeroGrad();
    lossOf(W, b).backward();
    const [gW, gb] = handGrad(w, bb);
    // The hand gradient must agree with autograd, or the trace would test nothing.
    assertClose(W.grad!, gW, { atol: 1e-14, rtol: 1e-12 }, 'hand dL/dW');
    assertClose(b.grad!, gb, { atol: 1e-14, rtol: 1e-12 }, 'hand dL/db');
    opt.step();
    w = refStep(w, gW, 0, t);
    bb = refStep(bb, gb, 1, t);
    assertClose(W, w, TOL, `W after step ${t}`);
    assertClose(b, bb, TOL, `b after step ${t}`);
  }
  // Guard against a vacuous pass: the weights must really have moved.
  assert.ok(Math.max(...w.map((x, k) => Math.abs(x - w0[k]!))) > 1e-4, 'the trace moved the weights');
}

function lambCase(c: LambCfg, zeroBias: boolean): void {
  const state = [0, 1].map(() => ({ m: new Array<number>(12).fill(0), v: new Array<number>(12).fill(0) }));
  compare((p) => new optim.LAMB(p, c), (w, g, slot, t) => lambRef(w, g, state[slot]!, c, t), zeroBias);
}

function larsCase(c: LarsCfg, zeroBias: boolean): void {
  const state = [0, 1].map(() => ({ v: new Array<number>(12).fill(0) }));
  compare((p) => new optim.LARS(p, c), (w, g, slot) => larsRef(w, g, state[slot]!, c), zeroBias);
}

describe('LAMB vs a hand-written float64 trace', () => {
  it('bias correction and weight decay', () => lambCase({ lr: 0.05, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0.01, biasCorrection: true }, false));
  it('no bias correction, no weight decay', () => lambCase({ lr: 0.05, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, biasCorrection: false }, false));
  it('zero bias: trust ratio 1 while ||w|| = 0', () => lambCase({ lr: 0.05, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0.1, biasCorrection: true }, true));
  it('defaults are the documented ones', () => {
    const { W } = freshParams();
    assert.deepEqual(new optim.LAMB([W]).defaults, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0.01, biasCorrection: true });
  });
});

describe('LARS vs a hand-written float64 trace', () => {
  it('momentum and weight decay', () => larsCase({ lr: 0.5, momentum: 0.9, weightDecay: 5e-3, trustCoefficient: 0.02 }, false));
  it('no momentum', () => larsCase({ lr: 1, momentum: 0, weightDecay: 0, trustCoefficient: 0.05 }, false));
  it('zero bias: local lr 1 while ||w|| = 0', () => larsCase({ lr: 0.1, momentum: 0.9, weightDecay: 1e-3, trustCoefficient: 0.02 }, true));
  it('defaults are the documented ones', () => {
    const { W } = freshParams();
    assert.deepEqual(new optim.LARS([W]).defaults, { lr: 1, momentum: 0.9, weightDecay: 0, trustCoefficient: 1e-3 });
  });
});
