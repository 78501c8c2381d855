/**
 * @file Symbolic snapping (nn/kan/symbolic-lib.ts, nn/kan/symbolic.ts): the per-edge fit finds
 * c f(a x + b) + d; acceptance of issue #5 (K3, second part): a [2, 1, 1] KAN trained on
 * exp(sin(pi x) + y^2) snaps to sin and x^2 on its first layer and exp on the second, every
 * R^2 > 0.99, and with the affine parameters refit the formula reproduces the function; fixed
 * edges evaluate their formula and stop training their splines; the formula printer drops
 * trivial parts; SymbolicKAN files round-trip through io.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as px from '../src/node.js';
import { io } from '../src/node.js';
import { KAN } from '../src/nn/kan/kan.js';
import { fitSymbolic, suggestSymbolic } from '../src/nn/kan/symbolic-lib.js';
import { SymbolicKAN } from '../src/nn/kan/symbolic.js';
import { LBFGS } from '../src/optim/lbfgs.js';
import { type RegressionData, trainSteps } from '../src/train/kan/steps.js';
import { rmse } from '../src/train/kan/skan.js';

const previous = px.getBackend();
let dir = '';
before(() => { px.setBackend('js'); dir = mkdtempSync(path.join(tmpdir(), 'plexus-sym-')); });
after(() => { px.setBackend(previous); rmSync(dir, { recursive: true, force: true }); });

const lin = (n: number, lo: number, hi: number): Float64Array => Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

function toy(n: number, seed: number): RegressionData {
  const g = new px.Generator(seed);
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = 2 * g.nextFloat() - 1;
    x[2 * i + 1] = 2 * g.nextFloat() - 1;
    y[i] = Math.exp(Math.sin(Math.PI * x[2 * i]!) + x[2 * i + 1]! ** 2);
  }
  return { x: px.tensor(x, { dtype: 'float64', shape: [n, 2] }), y: px.tensor(y, { dtype: 'float64', shape: [n, 1] }) };
}

const lbfgs = (p: px.Parameter[]): LBFGS => new LBFGS(p, {
  lineSearchFn: 'strong_wolfe', historySize: 10, maxIter: 20, toleranceGrad: 1e-32, toleranceChange: 1e-32, toleranceYs: 1e-32,
});

describe('fitSymbolic / suggestSymbolic', () => {
  it('recovers c f(a x + b) + d for sin and a shifted square (R^2 ~ 1, same predictions)', () => {
    const x = lin(200, -1, 1);
    const y = x.map((v) => 3 * Math.sin(2 * v + 0.5) + 1);
    const f = fitSymbolic(x, y, 'sin');
    assert.ok(f.r2 > 1 - 1e-9, `r2 ${f.r2}`);
    for (const v of [-0.9, 0, 0.7]) assert.ok(Math.abs(f.c * Math.sin(f.a * v + f.b) + f.d - (3 * Math.sin(2 * v + 0.5) + 1)) < 1e-5);
    const sq = x.map((v) => 2 * (v - 0.3) ** 2 - 1);
    const best = suggestSymbolic(x, sq)[0]!;
    assert.equal(best.fn, 'x^2');
    assert.ok(best.r2 > 1 - 1e-9);
    assert.equal(suggestSymbolic(x, y)[0]!.fn, 'sin');
    assert.equal(suggestSymbolic(x, x.map((v) => Math.exp(1.5 * v)))[0]!.fn, 'exp');
    assert.equal(fitSymbolic(x, x.map((v) => -2 * v + 3), 'x').c, -2);
    assert.throws(() => fitSymbolic(x, y, 'cosh'), (e: unknown) => e instanceof px.ValueError && e.code === 'UNKNOWN_FUNCTION');
  });
});

describe('K3 (symbolic): a [2,1,1] KAN on exp(sin(pi x) + y^2) snaps to sin, x^2 and exp', () => {
  it('recovers the functions with R^2 > 0.99 and a formula that reproduces f after refitting the affine parameters', () => {
    const tr = toy(500, 0);
    const te = toy(500, 1);
    // Best of 6 short starts by training loss: [2,1,1] has wide basins of poor minima (see kan-accept-protocol.ts).
    let model: KAN | null = null;
    let bestLoss = Infinity;
    for (let seed = 1; seed <= 6; seed++) {
      const m = new KAN([2, 1, 1], { grid: 5, k: 3, dtype: 'float64', generator: new px.Generator(seed) });
      px.noGrad(() => m.updateGrid(tr.x, { padding: 0.05 }));
      trainSteps(m, tr, { optimizerFactory: lbfgs, steps: 2 });
      const l = rmse(m, tr);
      if (l < bestLoss) [model, bestLoss] = [m, l];
    }
    for (let r = 0; r < 3; r++) {
      px.noGrad(() => model!.updateGrid(tr.x, { padding: 0.05 }));
      trainSteps(model!, tr, { optimizerFactory: lbfgs, steps: 2 });
    }
    const kanTest = rmse(model!, te);
    const sym = SymbolicKAN.from(model!);
    const report = sym.autoSymbolic(tr.x, { maxSamples: 200 });
    const fnOf = (l: number, j: number, i: number): string => report.find((r) => r.layer === l && r.out === j && r.in === i)!.fn;
    for (const r of report) console.log(`  layer ${r.layer} edge ${r.in}->${r.out}: ${r.fn.padEnd(4)} R^2 = ${r.r2.toFixed(6)}  (a ${r.a.toFixed(4)}, b ${r.b.toFixed(4)}, c ${r.c.toFixed(4)}, d ${r.d.toFixed(4)})`);
    assert.equal(report.length, 3);
    assert.equal(fnOf(0, 0, 0), 'sin');
    assert.equal(fnOf(0, 0, 1), 'x^2');
    assert.equal(fnOf(1, 0, 0), 'exp');
    for (const r of report) assert.ok(r.r2 > 0.99, `edge ${JSON.stringify(r)}`);
    const snapped = rmse(sym, te);
    trainSteps(sym, tr, { optimizerFactory: lbfgs, steps: 5 }); // refit a, b, c, d (the splines are masked)
    const refit = rmse(sym, te);
    const formula = sym.formula({ names: ['x', 'y'] })[0]!;
    console.log(`  KAN test RMSE ${kanTest.toExponential(2)}; snapped ${snapped.toExponential(2)}; affine refit ${refit.toExponential(2)}\n  f = ${formula}`);
    assert.match(formula, /exp\(.*sin\(.*x.*\).*\^2/);
    assert.ok(!formula.includes('phi_'));
    assert.ok(refit < 1e-4, `refit test RMSE ${refit}`);
  });
});

describe('SymbolicKAN', () => {
  it('fixed edges evaluate c f(a x + b) + d; their splines get no gradient; the others stay numeric', () => {
    const kan = new KAN([2, 2], { grid: 4, dtype: 'float64', generator: new px.Generator(3) });
    const sym = SymbolicKAN.from(kan);
    sym.fixSymbolic(0, 1, 0, 'tanh', { affine: [1.5, -0.2, 0.7, 0.1] });
    const x = px.tensor([[0.3, -0.4], [-0.8, 0.9]], { dtype: 'float64' });
    const e = sym.edgeActivations(x)[0]!;
    const ref = kan.edgeActivations(x)[0]!;
    const xv = [0.3, -0.8];
    for (let n = 0; n < 2; n++) {
      for (let j = 0; j < 2; j++) {
        for (let i = 0; i < 2; i++) {
          const want = j === 1 && i === 0 ? 0.7 * Math.tanh(1.5 * xv[n]! - 0.2) + 0.1 : ref.values[(n * 2 + j) * 2 + i]!;
          assert.ok(Math.abs(e.values[(n * 2 + j) * 2 + i]! - want) < 1e-14);
        }
      }
    }
    assert.ok(px.noGrad(() => sym.forward(x).sub(e.sum(-1)).abs().max().item()) < 1e-15);
    sym.zeroGrad();
    sym.forward(x).square().sum().backward();
    const layer = sym.layer(0).numeric as px.nn.KANLinear;
    const nb = layer.numBases;
    const g = layer.splineWeight.grad!.values; // [out, in * nb]: edge (1, 0) is row 1, columns 0..nb
    assert.ok(Array.from(g.subarray(2 * nb, 3 * nb)).every((v) => v === 0));
    assert.ok(Array.from(g.subarray(0, nb)).some((v) => v !== 0));
    assert.ok(sym.layer(0).affine.grad!.values.slice(8, 12).every((v) => v !== 0)); // a, b, c, d of edge (1, 0) all train
    sym.unfixSymbolic(0, 1, 0);
    assert.ok(px.noGrad(() => sym.forward(x).sub(kan.forward(x)).abs().max().item()) === 0);
  });

  it('prints the network with trivial parts dropped and constants merged', () => {
    const sym = SymbolicKAN.from(new KAN([2, 1, 1], { grid: 3, dtype: 'float64' }));
    sym.fixSymbolic(0, 0, 0, 'x', { affine: [2, 1, 0.5, 0.25] }); // 0.5 (2 x1 + 1) + 0.25 = x1 + 0.75
    sym.fixSymbolic(0, 0, 1, 'x^2', { affine: [1, 0, 1, 0] });
    sym.fixSymbolic(1, 0, 0, 'sin', { affine: [1, 0, -1, 0] });
    assert.deepEqual(sym.formula(), ['-sin(x1 + x2^2 + 0.75)']);
    sym.fixSymbolic(0, 0, 1, '0');
    sym.fixSymbolic(1, 0, 0, 'x^2', { affine: [3, -1, 2, 1] });
    assert.deepEqual(sym.formula(), ['2*(3*(x1 + 0.75) - 1)^2 + 1']);
    sym.unfixSymbolic(0, 0, 0);
    assert.deepEqual(sym.formula({ names: ['a', 'b'] }), ['2*(3*(phi_0_0_0(a)) - 1)^2 + 1']);
  });

  it('getConfig + stateDict carry the functions and affine parameters: io.saveModel/loadModel round-trips', async () => {
    const sym = SymbolicKAN.from(new KAN([2, 2, 1], { grid: 3, dtype: 'float64', generator: new px.Generator(4) }));
    sym.fixSymbolic(0, 1, 1, 'sin', { affine: [3, 0.1, 2, -1] });
    sym.fixSymbolic(1, 0, 0, 'exp', { affine: [0.5, 0, 1, 0] });
    const file = path.join(dir, 'sym.safetensors');
    await io.saveModel(sym, file);
    const { model, config } = await io.loadModel(file);
    assert.ok(model instanceof SymbolicKAN);
    assert.deepEqual((config.functions as string[][])[0], ['', '', '', 'sin']);
    assert.deepEqual(model.formula(), sym.formula());
    const x = px.tensor([[0.1, 0.2], [-0.5, 0.7]], { dtype: 'float64' });
    assert.equal(px.noGrad(() => model.forward(x).sub(sym.forward(x)).abs().max().item()), 0);
    assert.throws(() => px.nn.fromConfig({ ...sym.getConfig(), functions: [['', '', '', 'cosh'], ['', '']] }), (e: unknown) => e instanceof px.ValueError && e.code === 'INVALID_CONFIG');
    assert.throws(() => sym.fixSymbolic(0, 2, 0, 'sin'), (e: unknown) => e instanceof px.ValueError && e.code === 'INDEX_OUT_OF_RANGE');
    assert.throws(() => sym.fixSymbolic(0, 0, 0, 'cosh'), (e: unknown) => e instanceof px.ValueError && e.code === 'UNKNOWN_FUNCTION');
  });
});
