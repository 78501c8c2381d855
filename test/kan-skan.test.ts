/**
 * @file S-KAN (nn/kan/s-kan.ts, train/kan/skan.ts): the mixture layer's edges sum to its output,
 * its gradients (mixing logits included) match finite differences, selection keeps the space of
 * the largest mixing weight and preserves the function (exactly for the kept part without
 * samples, to least squares with them), the three-phase routine runs and reports, configs and
 * model files round-trip the selection, and bad arguments are typed errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as px from '../src/node.js';
import { io } from '../src/node.js';
import { assertGradcheck } from '../src/testing/index.js';
import { SKAN, SKANLinear } from '../src/nn/kan/s-kan.js';
import { trainSKAN } from '../src/train/kan/skan.js';
import { trainSteps } from '../src/train/kan/steps.js';

const previous = px.getBackend();
let dir = '';
before(() => { px.setBackend('js'); dir = mkdtempSync(path.join(tmpdir(), 'plexus-skan-')); });
after(() => { px.setBackend(previous); rmSync(dir, { recursive: true, force: true }); });

const maxDiff = (a: px.Tensor, b: px.Tensor): number => px.noGrad(() => a.sub(b).abs().max().item());
const inputs = (n: number, d: number, seed: number): px.Tensor => {
  const g = new px.Generator(seed);
  return px.tensor(Float64Array.from({ length: n * d }, () => 1.8 * g.nextFloat() - 0.9), { dtype: 'float64', shape: [n, d] });
};

/** Gives each layer's mixing logits random values, so the weights differ between spaces. */
function randomMix(m: SKAN, seed: number): void {
  const g = new px.Generator(seed);
  px.noGrad(() => {
    for (let l = 0; l < m.depth; l++) {
      const p = m.layer(l).mixLogits!;
      p.assign(Float64Array.from({ length: p.size }, () => 3 * g.nextFloat()));
    }
  });
}

describe('SKANLinear', () => {
  it('mixture: edge activations [N, out, in] sum to the output; every space is a group over all inputs', () => {
    const layer = new SKANLinear(3, 2, { grid: 4, dtype: 'float64', generator: new px.Generator(1) });
    const x = inputs(20, 3, 2);
    const e = layer.edgeActivations(x);
    assert.deepEqual(e.shape, [20, 2, 3]);
    assert.ok(maxDiff(e.sum(-1), layer.forward(x)) < 1e-14);
    assert.equal(layer.numGroups, 4);
    assert.deepEqual(layer.mixLogits!.shape, [3, 4]);
    assert.deepEqual(layer.forward(inputs(12, 3, 3).reshape([2, 2, 3, 3])).shape, [2, 2, 3, 2]);
  });

  it('gradients of the output w.r.t. input, mixing logits and coefficients match finite differences (float64)', () => {
    const layer = new SKANLinear(2, 2, { pool: ['bspline', 'chebyshev', 'fourier'], grid: 3, dtype: 'float64', generator: new px.Generator(4) });
    randomMix(new SKAN([2, 2], {}, [layer]), 5);
    const x = inputs(5, 2, 6);
    const params = [layer.mixLogits!, layer.group(0).splineWeight, layer.group(2).splineWeight, layer.baseWeight!];
    assertGradcheck((xi: px.Tensor) => layer.forward(xi), [x], { atol: 1e-7, rtol: 1e-5 });
    // Parameter gradients by central differences on the live Parameters (gradcheck takes inputs only).
    const loss = (): px.Tensor => layer.forward(x).square().sum();
    for (const p of params) {
      layer.zeroGrad();
      loss().backward();
      const g = Float64Array.from(p.grad!.values);
      for (const k of [0, p.size - 1]) {
        const v = Float64Array.from(p.values);
        const h = 1e-6;
        v[k] = v[k]! + h;
        px.noGrad(() => p.assign(v));
        const up = px.noGrad(() => loss().item());
        v[k] = v[k]! - 2 * h;
        px.noGrad(() => p.assign(v));
        const down = px.noGrad(() => loss().item());
        v[k] = v[k]! + h;
        px.noGrad(() => p.assign(v));
        assert.ok(Math.abs((up - down) / (2 * h) - g[k]!) < 1e-7 + 1e-5 * Math.abs(g[k]!), `d/d${k}: fd ${(up - down) / (2 * h)} vs ${g[k]}`);
      }
    }
  });

  it('select() keeps the largest mixing weight per node, absorbing it: the kept part of each edge is unchanged', () => {
    const m = new SKAN([3, 2], { grid: 4, dtype: 'float64', generator: new px.Generator(7) });
    randomMix(m, 8);
    const layer = m.layer(0);
    const w = layer.mixingWeights();
    const want = w.map((r) => r.indexOf(Math.max(...r)));
    const x = inputs(30, 3, 9);
    // The kept part: base branch + w_is * (space s spline part), computed from the mixture with other spaces' weights zeroed.
    const keptOnly = px.noGrad(() => {
      const copy = px.nn.fromConfig(m.getConfig()) as SKAN;
      copy.loadStateDict(m.stateDict());
      // -1e300 logits make the softmax exactly one-hot on the kept space.
      copy.layer(0).mixLogits!.assign(Float64Array.from({ length: 12 }, (_, k) => (k % 4 === want[Math.floor(k / 4)] ? 0 : -1e300)));
      const e = copy.layer(0).edgeActivations(x);
      return { e, copy };
    });
    m.select();
    assert.deepEqual(layer.selected, want);
    assert.equal(layer.mixLogits, null);
    const sel = m.layer(0);
    // Base branch equal; each kept spline part equals w * (one-hot spline part).
    const base = px.noGrad(() => px.silu(x).unsqueeze(1).mul(sel.baseWeight!));
    const splineSel = px.noGrad(() => sel.edgeActivations(x).sub(base));
    const splineOne = px.noGrad(() => keptOnly.e.sub(base));
    const scale = px.tensor(want.map((s, i) => w[i]![s]!), { dtype: 'float64' });
    assert.ok(maxDiff(splineSel, splineOne.mul(scale)) < 1e-13);
    assert.deepEqual(m.nodeSpaces()[0], want.map((s) => ['bspline', 'rbf', 'chebyshev', 'fourier'][s]));
  });

  it('select(x) refits the kept space to the whole mixture: closer to the mixture than keeping coefficients', () => {
    const make = (): SKAN => {
      const m = new SKAN([2, 3, 1], { pool: ['bspline', 'chebyshev'], grid: 5, dtype: 'float64', generator: new px.Generator(11) });
      randomMix(m, 12);
      return m;
    };
    const x = inputs(200, 2, 13);
    const mix = make();
    const y = px.noGrad(() => mix.forward(x));
    const kept = make().select();
    const refit = make().select(x);
    const eKept = maxDiff(px.noGrad(() => kept.forward(x)), y);
    const eRefit = maxDiff(px.noGrad(() => refit.forward(x)), y);
    console.log(`select: max |f - f_mixture| keep-coefficients ${eKept.toExponential(2)}, refit ${eRefit.toExponential(2)}`);
    assert.ok(eRefit < eKept / 5, `refit ${eRefit} vs kept ${eKept}`);
    assert.deepEqual(refit.nodeSpaces(), kept.nodeSpaces());
    // The criteria that look at the samples pick per node too, and 'fit' is never worse than 'weight' on the mixture.
    const fit = make().select(x, { criterion: 'fit' });
    assert.ok(maxDiff(px.noGrad(() => fit.forward(x)), y) <= eRefit * 1.0001 + 1e-12);
    assert.throws(() => make().select(undefined, { criterion: 'contribution' }), /needs samples/);
  });

  it('per-edge scale (standaloneScaleSpline): gradients match finite differences; select(x) refit and foldScaler keep the function', () => {
    const make = (): SKAN => {
      const m = new SKAN([2, 3, 1], { pool: ['bspline', 'fourier'], grid: 4, dtype: 'float64', generator: new px.Generator(30), standaloneScaleSpline: true, scaleNoise: 1 });
      randomMix(m, 31);
      const g = new px.Generator(32);
      px.noGrad(() => { for (let l = 0; l < m.depth; l++) { const p = m.layer(l).splineScaler!; p.assign(Float64Array.from({ length: p.size }, () => 0.5 + g.nextFloat())); } });
      return m;
    };
    const m = make();
    assert.deepEqual(m.layer(0).splineScaler!.shape, [3, 2]);
    const x = inputs(60, 2, 33);
    const layer = m.layer(0);
    const loss = (): number => px.noGrad(() => layer.forward(x).square().sum().item());
    layer.zeroGrad();
    layer.forward(x).square().sum().backward();
    const s = layer.splineScaler!;
    const g = Float64Array.from(s.grad!.values);
    for (const k of [0, s.size - 1]) {
      const v = Float64Array.from(s.values);
      const h = 1e-6;
      v[k] = v[k]! + h; px.noGrad(() => s.assign(v)); const up = loss();
      v[k] = v[k]! - 2 * h; px.noGrad(() => s.assign(v)); const down = loss();
      v[k] = v[k]! + h; px.noGrad(() => s.assign(v));
      assert.ok(Math.abs((up - down) / (2 * h) - g[k]!) < 1e-7 + 1e-5 * Math.abs(g[k]!));
    }
    // The edges sum to the output with the scale, and keep-coefficient selection is exact on the kept part.
    assert.ok(maxDiff(layer.edgeActivations(x).sum(-1), layer.forward(x)) < 1e-13);
    // Refit with a scale: the stored weights are the fit divided by s, so the result matches the unscaled model's refit.
    const plain = make();
    px.noGrad(() => { for (let l = 0; l < plain.depth; l++) plain.layer(l).foldScaler(); });
    assert.equal(plain.layer(0).splineScaler, null);
    assert.ok(maxDiff(px.noGrad(() => plain.forward(x)), px.noGrad(() => make().forward(x))) < 1e-13, 'foldScaler changes the function');
    const a = make().select(x, { criterion: 'fit' });
    const b = plain.select(x, { criterion: 'fit' });
    assert.deepEqual(a.nodeSpaces(), b.nodeSpaces());
    assert.ok(maxDiff(px.noGrad(() => a.forward(x)), px.noGrad(() => b.forward(x))) < 1e-10);
    // A selected, scaled model folds exactly too, and its config round-trips the option.
    const y = px.noGrad(() => a.forward(x));
    const copy = px.nn.fromConfig(JSON.parse(JSON.stringify(a.getConfig()))) as SKAN;
    copy.loadStateDict(a.stateDict());
    assert.equal(maxDiff(px.noGrad(() => copy.forward(x)), y), 0);
    assert.ok(maxDiff(px.noGrad(() => a.foldScaler().forward(x)), y) < 1e-13);
  });

  it('mixScale multiplies the mixture: at uniform weights mixScale |pool| adds every space at full strength', () => {
    const base = { pool: ['bspline', 'chebyshev'] as const, grid: 3, dtype: 'float64' as const, base: false };
    const one = new SKANLinear(2, 2, { ...base, generator: new px.Generator(40) });
    const two = new SKANLinear(2, 2, { ...base, generator: new px.Generator(40), mixScale: 2 });
    const x = inputs(10, 2, 41);
    assert.ok(maxDiff(two.forward(x), one.forward(x).mul(2)) < 1e-14);
    assert.equal(two.getConfig().mixScale, 2);
    assert.throws(() => new SKANLinear(2, 2, { mixScale: 0 }), /mixScale/);
  });

  it('getConfig + stateDict rebuild the mixture and the selected layer exactly; io.saveModel/loadModel round-trips', async () => {
    const m = new SKAN([2, 3, 1], { grid: { bspline: 4, rbf: 6, chebyshev: 3, fourier: 2 }, dtype: 'float64', generator: new px.Generator(14) });
    randomMix(m, 15);
    const x = inputs(40, 2, 16);
    const mixCopy = px.nn.fromConfig(JSON.parse(JSON.stringify(m.getConfig()))) as SKAN;
    mixCopy.loadStateDict(m.stateDict());
    assert.equal(maxDiff(mixCopy.forward(x), m.forward(x)), 0);
    m.select(x);
    const cfg = m.getConfig();
    assert.deepEqual(cfg.grid, [4, 6, 3, 2]);
    assert.equal((cfg.selected as number[][]).length, 2);
    await io.saveModel(m, path.join(dir, 'skan.safetensors'));
    const { model } = await io.loadModel(path.join(dir, 'skan.safetensors'));
    assert.ok(model instanceof SKAN);
    assert.deepEqual(model.nodeSpaces(), m.nodeSpaces());
    assert.equal(maxDiff(model.forward(x), m.forward(x)), 0);
  });

  it('typed errors: unknown or repeated spaces, bad selections, bad grids, config typos', () => {
    assert.throws(() => new SKANLinear(2, 2, { pool: ['bspline', 'wavelet' as 'rbf'] }), (e: unknown) => e instanceof px.ValueError && e.code === 'UNKNOWN_BASIS');
    assert.throws(() => new SKANLinear(2, 2, { pool: ['rbf', 'rbf'] }), /twice/);
    assert.throws(() => new SKANLinear(2, 2, { pool: [] }), /at least one/);
    assert.throws(() => new SKANLinear(2, 2, { selected: [0, 9] }), /selected/);
    assert.throws(() => new SKANLinear(2, 2, { grid: 0 }), /grid of bspline/);
    assert.throws(() => new SKANLinear(2, 2, { pool: ['rbf'], grid: 1 }), /grid of rbf/);
    assert.throws(() => new SKAN([2]), /widths/);
    assert.throws(() => px.nn.fromConfig({ type: 'SKAN', widths: [2, 1], pool: ['bspline'], gird: 3 }), (e: unknown) => e instanceof px.ValueError && e.code === 'INVALID_CONFIG');
    assert.throws(() => px.nn.fromConfig({ type: 'SKAN', widths: [2, 1], pool: ['bspline'], grid: [3, 4] }), /one integer per pool entry/);
    assert.throws(() => new SKANLinear(2, 2, { dtype: 'float64' }).forward(px.tensor([[NaN, 0]], { dtype: 'float64' })), (e: unknown) => e instanceof px.ValueError && e.code === 'NON_FINITE_INPUT');
  });
});

describe('trainSKAN: full training, selection, selective training, pruning', () => {
  it('runs the three phases with fresh optimizers and reports losses, mixing weights and spaces', () => {
    const g = new px.Generator(20);
    const n = 128;
    const xv = Float64Array.from({ length: 2 * n }, () => 2 * g.nextFloat() - 1);
    const yv = Float64Array.from({ length: n }, (_, i) => Math.sin(Math.PI * xv[2 * i]!) + 0.5 * xv[2 * i + 1]! ** 2);
    const data = { x: px.tensor(xv, { dtype: 'float64', shape: [n, 2] }), y: px.tensor(yv, { dtype: 'float64', shape: [n, 1] }) };
    const model = new SKAN([2, 3, 1], { grid: 5, dtype: 'float64', generator: new px.Generator(21) });
    const made: number[] = [];
    const r = trainSKAN(model, data, {
      optimizerFactory: (p) => { made.push(p.length); return new px.optim.Adam(p, { lr: 1e-2 }); },
      stepsFull: 60, stepsSelective: 60, prune: { threshold: 0.05, edgeThreshold: 0.02, steps: 20 }, criterion: 'contribution',
    });
    assert.equal(made.length, 3);
    assert.equal(r.losses.full.length, 60);
    assert.equal(r.losses.selective.length, 60);
    assert.equal(r.losses.prune.length, 20);
    assert.ok(r.losses.full.at(-1)! < r.losses.full[0]! / 2, `full: ${r.losses.full[0]} -> ${r.losses.full.at(-1)}`);
    assert.ok(r.losses.selective.at(-1)! < r.losses.full[0]!);
    assert.equal(r.mixing.length, 2);
    assert.ok(r.mixing[0]!.every((w) => Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12));
    assert.ok(r.model.isSelected);
    assert.deepEqual(r.spaces.map((s) => s.length), r.model.widths.slice(0, -1));
    assert.ok(r.pruned !== null && r.pruned.removedNodes >= 0);
    console.log(`trainSKAN: loss ${r.losses.full[0]!.toExponential(2)} -> ${r.losses.full.at(-1)!.toExponential(2)} (full) -> ${r.losses.selective.at(-1)!.toExponential(2)} (selective) -> ${r.losses.prune.at(-1)!.toExponential(2)} (pruned: ${r.pruned!.removedNodes} nodes, ${r.pruned!.removedEdges} edges); spaces ${JSON.stringify(r.spaces)}`);
    assert.throws(() => trainSKAN(r.model, data, { optimizerFactory: (p) => new px.optim.Adam(p), stepsFull: 1, stepsSelective: 1 }), /already selected/);
    // mixing 'fixed': the logits are left out of phase 1's optimizer, so the weights stay uniform.
    const fresh = new SKAN([2, 3, 1], { grid: 5, dtype: 'float64', generator: new px.Generator(22) });
    assert.throws(() => trainSKAN(fresh, data, { optimizerFactory: (p) => new px.optim.Adam(p), stepsFull: 1, stepsSelective: 1, mixing: 'fixed' }), /criterion 'fit' or 'contribution'/);
    const counts: number[] = [];
    const f = trainSKAN(fresh, data, { optimizerFactory: (p) => { counts.push(p.length); return new px.optim.Adam(p, { lr: 1e-2 }); }, stepsFull: 5, stepsSelective: 5, mixing: 'fixed', criterion: 'fit' });
    assert.ok(f.mixing.flat(2).every((w) => Math.abs(w - 0.25) < 1e-15));
    assert.equal(counts[0], new SKAN([2, 3, 1], { grid: 5 }).parameters().length - 2); // all but the 2 layers' logits
    // With the per-edge scale (the default), pruning slices it with the edges: phase 3 keeps the
    // architecture and starts from the function selective training ended with.
    const scaled = new SKAN([2, 3, 1], { grid: 5, dtype: 'float64', generator: new px.Generator(23) });
    const p = trainSKAN(scaled, data, { optimizerFactory: (q) => new px.optim.Adam(q, { lr: 1e-2 }), stepsFull: 5, stepsSelective: 5, prune: { threshold: 0, edgeThreshold: 0, steps: 1 } });
    assert.ok(p.model.layers.length === 2 && p.model.layer(0).splineScaler !== null);
    assert.ok(p.losses.prune[0]! <= p.losses.selective.at(-1)! * 1.01, `prune must start where selective training ended: ${p.losses.prune[0]} vs ${p.losses.selective.at(-1)}`);
  });
});

describe('S-KAN bad input: typed errors naming the option, nothing built', () => {
  it('rejects non-boolean flags, a non-positive mixScale and a params list that is not Parameters', () => {
    const bad: [object, RegExp][] = [
      [{ standaloneScaleSpline: 'yes' }, /standaloneScaleSpline must be true or false, got "yes"/],
      [{ bias: 1 }, /bias must be true or false/],
      [{ base: 'no' }, /base must be true or false/],
      [{ mixScale: 0 }, /mixScale must be a finite number > 0, got 0/],
      [{ scaleSpline: Number.NaN }, /scaleSpline must be a finite number/],
    ];
    for (const [opts, re] of bad) assert.throws(() => new SKANLinear(2, 1, opts as never), (e: Error) => e instanceof px.ValueError && re.test(e.message));
    const m = new SKAN([1, 1], { grid: 3, dtype: 'float64' });
    const data = { x: px.zeros([4, 1], { dtype: 'float64' }), y: px.zeros([4, 1], { dtype: 'float64' }) };
    const before = m.parameters().map((p) => Array.from(p.values));
    assert.throws(() => trainSteps(m, data, { optimizerFactory: (p) => new px.optim.Adam(p), steps: 1, params: [px.zeros([1])] as never }), /params must be an array of Parameters/);
    assert.deepEqual(m.parameters().map((p) => Array.from(p.values)), before);
  });
});
