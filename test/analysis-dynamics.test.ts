/**
 * @file Training-dynamics tools against closed forms: layer rotation (cosine distance; the fit
 * callback's curves), Layca (norms kept to 1e-12, each weight rotating by exactly atan(lr) per step
 * without momentum), local rank (Jacobian ranks of a ReLU MLP's pre-activations against the ranks of
 * W_1 and W_2 diag(active) W_1), activation sparsity, neural collapse on an exact simplex ETF (all
 * metrics 0) and on a 1-D two-class set (NC1 by hand), and the linear path between two models
 * (end points equal the models' own losses). Every call on a model is checked read-only.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { analysis, nn, optim, fit } from '../src/index.js';
import { readOnly } from './analysis-helpers.js';

const f64 = (t: px.Tensor): Float64Array => Float64Array.from(t.values as Float64Array);
const norm = (a: Float64Array): number => Math.sqrt(a.reduce((s, x) => s + x * x, 0));

describe('analysis: layer rotation and Layca', () => {
  it('cosineDistance and layerRotation match the closed form', () => {
    assert.ok(Math.abs(analysis.cosineDistance([1, 0], [Math.cos(0.3), Math.sin(0.3)]) - (1 - Math.cos(0.3))) < 1e-15);
    const m = new nn.MLP([3, 4, 2], { dtype: 'float64' });
    const init = new Map([...m.stateDict()].map(([k, t]) => [k, t.clone()]));
    const w = (m.layers.at(0) as nn.Linear).weight;
    px.noGrad(() => w.assign(w.neg()));
    const r = readOnly(m, () => analysis.layerRotation(m, init));
    assert.deepEqual(Object.keys(r), ['layers.0.weight', 'layers.1.weight']);
    assert.ok(Math.abs(r['layers.0.weight']! - 2) < 1e-12 && r['layers.1.weight'] === 0);
    assert.throws(() => analysis.layerRotation(m, {}), (e: unknown) => e instanceof px.ValueError && /no tensor 'layers.0.weight'/.test(e.message));
    assert.throws(() => new analysis.LayerRotation({ include: 'bias' as never }), (e: unknown) => e instanceof px.ValueError && /include must be one of 'weights', 'all'/.test(e.message));
  });

  it('Layca keeps every weight norm and rotates each layer by atan(lr) per step (momentum 0)', () => {
    px.manualSeed(2);
    const m = new nn.MLP([4, 6, 3], { dtype: 'float64' });
    const x = px.randn([16, 4], { dtype: 'float64' }), y = px.randint(0, 3, [16]);
    const lr = 0.05;
    const opt = new optim.Layca(m.parameters(), { lr, momentum: 0 });
    const w0 = (m.layers.at(0) as nn.Linear).weight;
    const n0 = norm(f64(w0));
    for (let s = 0; s < 5; s++) {
      const before = f64(w0);
      opt.zeroGrad(); px.crossEntropy(m.forward(x), y).backward(); opt.step();
      const after = f64(w0);
      const cos = before.reduce((a, v, i) => a + v * after[i]!, 0) / (norm(before) * norm(after));
      assert.ok(Math.abs(norm(after) - n0) <= 1e-12 * n0, `norm drifted: ${norm(after)} vs ${n0}`);
      assert.ok(Math.abs(Math.acos(Math.min(1, cos)) - Math.atan(lr)) < 1e-7, `angle ${Math.acos(cos)} vs ${Math.atan(lr)}`);
    }
    const sd = opt.stateDict();
    const again = new optim.Layca(m.parameters(), { lr });
    again.loadStateDict(sd);
    assert.equal(again.paramGroups[0]!.momentum, 0);
    assert.throws(() => new optim.Layca(m.parameters(), { lr: -1 }), (e: unknown) => e instanceof px.ValueError && /learning rate/.test(e.message));
  });

  it('LayerRotation records one value per epoch and layer in fit', async () => {
    px.manualSeed(3);
    const m = new nn.MLP([4, 8, 8, 3]);
    const x = px.randn([64, 4]), y = px.randint(0, 3, [64]);
    const rot = new analysis.LayerRotation();
    await fit(m, { x, y, batchSize: 16 }, { optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), loss: 'crossEntropy', epochs: 3, callbacks: [rot], progress: false });
    assert.deepEqual(Object.keys(rot.curves), ['layers.0.weight', 'layers.1.weight', 'layers.2.weight']);
    for (const c of Object.values(rot.curves)) {
      assert.equal(c.length, 3);
      assert.ok(c.every((v) => v > 0 && v < 1), `curve ${c}`);
    }
  });
});

describe('analysis: features', () => {
  it('localRank equals the ranks of W1 and W2 diag(active) W1 for a ReLU MLP', () => {
    px.manualSeed(4);
    const m = new nn.MLP([5, 3, 4, 2], { dtype: 'float64' });
    const x = px.randn([6, 5], { dtype: 'float64' });
    const r = readOnly(m, () => analysis.localRank(m, x));
    assert.deepEqual(Object.keys(r), ['layers.0', 'layers.1']);
    assert.deepEqual(r['layers.0']!.perSample, [3, 3, 3, 3, 3, 3]);
    // Layer 1's Jacobian is W2 diag(relu'(z1)) W1: rank = number of active hidden units (W's are generic).
    const z1 = px.noGrad(() => (m.layers.at(0) as nn.Linear).forward(x)).values as Float64Array;
    const active = Array.from({ length: 6 }, (_, n) => [0, 1, 2].filter((j) => z1[n * 3 + j]! > 0).length);
    assert.deepEqual(r['layers.1']!.perSample, active);
    assert.equal(r['layers.1']!.features, 4);
    // A function giving the features names them itself.
    const g = analysis.localRank((t) => ({ lin: t.matmul(px.tensor([[1, 0], [0, 1], [1, 1], [0, 0], [0, 0]], { dtype: 'float64' })) }), x);
    assert.equal(g.lin!.mean, 2);
    assert.throws(() => analysis.localRank(m, x, { layers: ['layers.7'] }), (e: unknown) => e instanceof analysis.UnknownLayerError && /unknown layer "layers.7"; the model's layers.*"layers.0"/.test(e.message));
    assert.throws(() => analysis.localRank(m, px.randn([6, 4], { dtype: 'float64' })), (e: unknown) => e instanceof px.ShapeError && /\[6,4\]/.test(e.message));
  });

  it('activationSparsity counts zeros and dead units', () => {
    const h = px.tensor([[0, 1, 0], [0, 2, 3]], { dtype: 'float64' });
    const s = analysis.activationSparsity({ h, g: px.tensor([[0.05, -1]], { dtype: 'float64' }) }, { threshold: 0.1 });
    assert.deepEqual(s.h, { sparsity: 0.5, deadUnits: 1 / 3 });
    assert.deepEqual(s.g, { sparsity: 0.5, deadUnits: 0.5 });
    assert.deepEqual(analysis.activationSparsity([h])['0'], { sparsity: 0.5, deadUnits: 1 / 3 });
    assert.throws(() => analysis.activationSparsity({ h: [1, 2] as never }), (e: unknown) => e instanceof px.ValueError && /features\['h'\] must be a Tensor/.test(e.message));
  });

  it('neuralCollapse: exact simplex ETF gives zeros; NC1 of a 1-D two-class set by hand', () => {
    const C = 4, d = 4;
    // Simplex ETF: e_c - 1/C, repeated 3 times per class; classifier = the means.
    const rows: number[][] = [], labels: number[] = [];
    for (let c = 0; c < C; c++) for (let r = 0; r < 3; r++) { rows.push(Array.from({ length: d }, (_, k) => (k === c ? 1 : 0) - 1 / C)); labels.push(c); }
    const H = px.tensor(rows, { dtype: 'float64' });
    const W = px.tensor(Array.from({ length: C }, (_, c) => Array.from({ length: d }, (_, k) => (k === c ? 1 : 0) - 1 / C)), { dtype: 'float64' });
    const nc = analysis.neuralCollapse(H, px.tensor(labels, { dtype: 'int32' }), { classifier: W });
    assert.ok(nc.nc1 < 1e-20 && nc.nc2.equinorm < 1e-12 && nc.nc2.equiangular < 1e-12 && nc.nc2.maxAngle < 1e-12 && nc.nc3! < 1e-24 && nc.nc4 === 0, JSON.stringify(nc));
    // d = 1, classes at -1 and +1 with values -1 +- 0.5 and 1 +- 0.5: Sigma_W = 0.25, Sigma_B = 1, NC1 = 0.25 / 2.
    const h1 = px.tensor([[-1.5], [-0.5], [0.5], [1.5]], { dtype: 'float64' });
    const one = analysis.neuralCollapse(h1, px.tensor([0, 0, 1, 1], { dtype: 'int32' }), { classifier: new nn.Linear(1, 2, { dtype: 'float64' }) });
    assert.ok(Math.abs(one.nc1 - 0.125) < 1e-14, `nc1 ${one.nc1}`);
    assert.throws(() => analysis.neuralCollapse(H, px.tensor(labels, { dtype: 'int32' }), { classifier: px.randn([3, d]) }), (e: unknown) => e instanceof px.ShapeError && /\[4, 4\]/.test(e.message));
    assert.throws(() => analysis.neuralCollapse(H, px.tensor([0, 1], { dtype: 'int32' })), (e: unknown) => e instanceof px.ShapeError && /labels must be a Tensor \[12\]/.test(e.message));
  });

  it('linearPath: the end points are the two models\' losses; identical models have no barrier', () => {
    px.manualSeed(5);
    const a = new nn.MLP([3, 5, 2], { dtype: 'float64' }), b = new nn.MLP([3, 5, 2], { dtype: 'float64' });
    const x = px.randn([10, 3], { dtype: 'float64' }), y = px.randint(0, 2, [10]);
    const path = readOnly(a, () => readOnly(b, () => analysis.linearPath(a, b, x, y, { loss: 'crossEntropy', points: 5 })));
    assert.deepEqual(path.alphas, [0, 0.25, 0.5, 0.75, 1]);
    const la = px.crossEntropy(px.noGrad(() => a.forward(x)), y).item(), lb = px.crossEntropy(px.noGrad(() => b.forward(x)), y).item();
    assert.ok(Math.abs(path.losses[0]! - la) < 1e-12 && Math.abs(path.losses[4]! - lb) < 1e-12);
    const same = analysis.linearPath(a, a, x, y, { loss: 'crossEntropy' });
    assert.ok(Math.abs(same.barrier) < 1e-12);
    assert.throws(() => analysis.linearPath(a, new nn.MLP([3, 6, 2], { dtype: 'float64' }), x, y, { loss: 'crossEntropy' }), (e: unknown) => e instanceof px.ShapeError && /'layers.0.weight' is \[5,3\] in model A but \[6,3\]/.test(e.message));
  });
});
