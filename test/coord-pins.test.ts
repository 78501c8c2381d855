/**
 * @file ProgressiveImplicitNetwork (PINs, Landgraf et al. 2022, arXiv 2202.04713): the level
 * structure (level l sees only frequency bands 0..l, so changing a finer band leaves the coarser
 * outputs bit-identical), forwardAt / forwardAll / forward agreeing, B sorted by frequency,
 * multiScaleLoss as the weighted sum of per-level MSEs, typed errors, and the multi-scale claim on
 * a 1-D signal with a coarse and a fine component: after training every level on the full signal,
 * the coarse output tracks the coarse component while the finest output fits the detail (printed).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';

const { nn } = px;
const PIN = nn.encoding.ProgressiveImplicitNetwork;

function values(t: px.Tensor): number[] {
  return Array.from(t.values as ArrayLike<number>);
}

describe('ProgressiveImplicitNetwork', () => {
  it('forward stacks forwardAll; forwardAt(l) equals level l; B rows sorted by norm', () => {
    px.manualSeed(0);
    const m = new PIN(2, 12, 8, 3, { levels: 3, layersPerLevel: 2, dtype: 'float64' });
    const x = px.rand([5, 2], { dtype: 'float64' });
    const all = m.forwardAll(x);
    const stacked = m.forward(x);
    assert.deepEqual(stacked.shape, [3, 5, 3]);
    for (let l = 0; l < 3; l++) {
      assert.deepEqual(values(m.forwardAt(x, l)), values(all[l]!));
      assert.deepEqual(values(px.sliceAxis(stacked, 0, l, l + 1)), values(all[l]!));
    }
    const B = values(m.frequencies);
    const norms = Array.from({ length: 12 }, (_, j) => B[2 * j]! ** 2 + B[2 * j + 1]! ** 2);
    for (let j = 1; j < 12; j++) assert.ok(norms[j]! >= norms[j - 1]!, `row ${j} norm ${norms[j]} < ${norms[j - 1]}`);
  });

  it('a finer band never reaches a coarser output: changing band 2 leaves levels 0 and 1 bit-identical', () => {
    px.manualSeed(1);
    const m = new PIN(1, 9, 6, 1, { levels: 3, dtype: 'float64' });
    const x = px.rand([7, 1], { dtype: 'float64' });
    const before = m.forwardAll(x).map(values);
    const B = m.frequencies;
    const v = Float64Array.from(B._peek() as ArrayLike<number>);
    for (let j = 6; j < 9; j++) v[j] = v[j]! * 1.7 + 3;
    px.noGrad(() => B.assign(v));
    const after = m.forwardAll(x).map(values);
    assert.deepEqual(after[0], before[0]);
    assert.deepEqual(after[1], before[1]);
    assert.notDeepEqual(after[2], before[2]);
  });

  it('multiScaleLoss is the weighted sum of per-level MSEs, for one target or one per level', () => {
    px.manualSeed(2);
    const m = new PIN(1, 8, 5, 2, { levels: 2, dtype: 'float64' });
    const x = px.rand([6, 1], { dtype: 'float64' });
    const t = px.rand([6, 2], { dtype: 'float64' });
    const t2 = px.rand([6, 2], { dtype: 'float64' });
    const ys = m.forwardAll(x);
    const mse = (a: px.Tensor, b: px.Tensor): number => px.mse(a, b).item();
    assert.ok(Math.abs(m.multiScaleLoss(x, t).item() - (mse(ys[0]!, t) + mse(ys[1]!, t))) < 1e-14);
    assert.ok(Math.abs(m.multiScaleLoss(x, [t, t2], { weights: [0.25, 2] }).item() - (0.25 * mse(ys[0]!, t) + 2 * mse(ys[1]!, t2))) < 1e-14);
  });

  it('bad arguments are typed errors naming the argument', () => {
    assert.throws(() => new PIN(2, 10, 8, 1, { levels: 3 }), /levels \(3\) must divide mappingSize \(10\)/);
    assert.throws(() => new PIN(2, 12, 8, 1, { scale: 0 }), /scale/);
    assert.throws(() => new PIN(2, 12, 8, 1, { level: 3 } as never), /level/);
    const m = new PIN(2, 8, 4, 1, { levels: 2 });
    const x = px.rand([3, 2]);
    assert.throws(() => m.forwardAt(x, 2), /level must be an integer in \[0, 1\], got 2/);
    assert.throws(() => m.forward(px.rand([3, 3])), /ShapeError|\[3,3\]|3, 3/);
    assert.throws(() => m.multiScaleLoss(x, [px.rand([3, 1])]), /array of 2 Tensors/);
    assert.throws(() => m.multiScaleLoss(x, px.rand([3, 1]), { weights: [1] }), /weights must be 2 finite numbers/);
  });

  it('multi-scale: the coarse level tracks the coarse component, the finest level fits the detail (printed)', () => {
    // f(t) = sin(pi t) + 0.5 sin(12 pi t) on 200 points of [-1, 1]; 4 levels of 8 frequencies, sigma 3.
    px.manualSeed(3);
    const n = 200;
    const ts = Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
    const low = ts.map((t) => Math.sin(Math.PI * t));
    const full = ts.map((t, i) => low[i]! + 0.5 * Math.sin(12 * Math.PI * t));
    const x = px.tensor(ts, { shape: [n, 1], dtype: 'float64' });
    const y = px.tensor(full, { shape: [n, 1], dtype: 'float64' });
    const m = new PIN(1, 32, 32, 1, { levels: 4, scale: 3, dtype: 'float64' });
    const opt = new px.optim.Adam(m.parameters(), { lr: 5e-3 });
    for (let s = 0; s < 400; s++) px.scope(() => { opt.zeroGrad(); m.multiScaleLoss(x, y).backward(); opt.step(); });
    const outs = px.noGrad(() => m.forwardAll(x)).map(values);
    const err = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length;
    const toFull = outs.map((o) => err(o, full));
    const toLow = outs.map((o) => err(o, low));
    console.log(`# PINs levels 0..3: MSE to the signal ${toFull.map((e) => e.toExponential(2)).join(', ')}; to its coarse component ${toLow.map((e) => e.toExponential(2)).join(', ')}`);
    assert.ok(toFull[3]! < 0.1 * toFull[0]!, `finest level fits the detail: ${toFull[3]} vs coarse ${toFull[0]}`);
    assert.ok(toLow[0]! < toFull[0]!, `coarse level is nearer the coarse component (${toLow[0]}) than the signal (${toFull[0]})`);
    for (let l = 1; l < 4; l++) assert.ok(toFull[l]! <= toFull[l - 1]! * 1.05, `error to the signal falls with the level: ${toFull.join(', ')}`);
  });
});
