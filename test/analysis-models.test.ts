/**
 * @file Analysis on models: `activations` (hooks, batching, typed errors naming layers and shapes,
 * hooks removed when forward throws), read-only-ness of every analysis call (parameters, .grad,
 * buffers and modes unchanged), `layerCKA` across two nets trained from different seeds on the
 * built-in digits (corresponding layers more similar than non-corresponding ones, printed), pairing
 * by name refused for different architectures, and the Hungarian matching recovering the known
 * permutation of a copied net's hidden units exactly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { analysis, nn, optim } from '../src/node.js';

const { train, test } = px.data.digits({ seed: 0, testFraction: 0.2 });

/** Full-batch Adam on the digits training split. */
function trained<M extends nn.Module>(seed: number, make: () => M = () => new nn.MLP([64, 64, 64, 64, 10]) as unknown as M, steps = 80): M {
  px.manualSeed(seed);
  const m = make();
  const opt = new optim.Adam(m.parameters(), { lr: 1e-2 });
  for (let s = 0; s < steps; s++) {
    px.scope(() => {
      opt.zeroGrad();
      px.crossEntropy(m.forward(train.x), train.y).backward();
      opt.step();
    });
  }
  return m;
}

const accuracy = (m: nn.Module): number => px.noGrad(() => {
  const pred = m.forward(test.x).argmax(1).values;
  const y = test.y.values;
  return Array.from(pred).filter((p, i) => p === y[i]).length / y.length;
});

const hasOwnForward = (m: nn.Module): boolean => m.modules().some((x) => Object.hasOwn(x, 'forward'));

describe('analysis.activations', () => {
  it('collects [N, features] per layer, the same in one batch or many', () => {
    px.manualSeed(0);
    const m = new nn.MLP([64, 16, 8, 10]);
    const one = analysis.activations(m, test.x, ['layers.0', 'layers.2', '']);
    const many = analysis.activations(m, test.x, ['layers.0', 'layers.2', ''], { batchSize: 37 });
    assert.deepEqual([...one.keys()], ['layers.0', 'layers.2', '']);
    assert.deepEqual(one.get('layers.0')!.shape, [test.x.shape[0], 16]);
    assert.deepEqual(one.get('')!.shape, [test.x.shape[0], 10]);
    for (const k of one.keys()) assert.ok(one.get(k)!.sub(many.get(k)!).abs().max().item() < 1e-6);
    const out = px.noGrad(() => m.forward(test.x));
    assert.ok(one.get('')!.sub(out.cast('float64')).abs().max().item() === 0, 'the root output is the model output');
    assert.ok(!hasOwnForward(m), 'hooks removed');
  });

  it('typed errors: unknown layer (listing the names), shape that does not fit, shared module; hooks removed after a throw', () => {
    const m = new nn.MLP([64, 16, 16, 10]);
    assert.throws(() => analysis.activations(m, test.x, ['layers.7']), (e: unknown) => e instanceof analysis.UnknownLayerError && e instanceof px.ValueError
      && /"layers\.7"/.test(e.message) && /"layers\.0", "layers\.1", "layers\.2", "activation"/.test(e.message));
    assert.throws(() => analysis.activations(m, px.ones([5, 63]), ['layers.0']), (e: unknown) => e instanceof px.ShapeError && /\[5, ?63\]/.test(e.message) && /64/.test(e.message));
    assert.ok(!hasOwnForward(m), 'hooks removed although forward threw');
    const bad = new nn.Sequential(new nn.Linear(64, 8), new nn.ReLU(), new nn.Linear(9, 2));
    assert.throws(() => analysis.activations(bad, test.x, ['0']), (e: unknown) => e instanceof px.ShapeError && /in layer "2" \(Linear\)/.test(e.message) && /Linear\(9, 2\)/.test(e.message));
    assert.ok(!hasOwnForward(bad), 'hooks and the failure tracker removed');
    // With a norm the MLP calls its one shared activation module after every hidden layer.
    const normed = new nn.MLP([64, 16, 16, 10], { norm: 'layer' });
    assert.throws(() => analysis.activations(normed, test.x, ['activation']), (e: unknown) => e instanceof px.ValueError && /"activation" ran more than once/.test(e.message));
    assert.ok(!hasOwnForward(normed));
    // Without one the activation is fused into the Linear kernel and never runs as a module.
    assert.throws(() => analysis.activations(m, test.x, ['activation']), (e: unknown) => e instanceof px.ValueError && /did not run/.test(e.message));
    assert.ok(!hasOwnForward(m));
    assert.throws(() => analysis.activations(m, test.x, ['layers.0', 'layers.0']), /listed twice/);
    assert.throws(() => analysis.activations(m, test.x, 'layers.0' as never), px.ValueError);
    assert.throws(() => analysis.activations(m, test.x, ['layers.0'], { batch: 3 } as never), (e: unknown) => e instanceof px.ValueError && /batch/.test(e.message));
    assert.throws(() => analysis.activations(m, test.x, ['layers.0'], { batchSize: 0 }), px.ValueError);
  });
});

describe('analysis is read-only', () => {
  it('parameters, .grad, buffers and training modes are unchanged after every analysis call', () => {
    px.manualSeed(4);
    const m = new nn.MLP([64, 12, 12, 10], { norm: 'batch', dropout: 0.2 });
    px.crossEntropy(m.forward(train.x), train.y).backward(); // every parameter gets a .grad
    const other = new nn.MLP([64, 12, 12, 10], { norm: 'batch' });
    const snap = (): string => JSON.stringify({
      p: m.namedParameters().map(([k, p]) => [k, Array.from(p.values), p.grad ? Array.from(p.grad.values) : null]),
      b: m.namedBuffers().map(([k, b]) => [k, Array.from(b.values)]),
      t: m.modules().map((x) => x.training),
      f: hasOwnForward(m),
    });
    const before = snap();
    const acts = analysis.activations(m, test.x, ['layers.0', 'layers.1']);
    const a0 = acts.get('layers.0')!, a1 = acts.get('layers.1')!;
    const calls: [string, () => unknown][] = [
      ['layerCKA', () => analysis.layerCKA(m, other, test.x)],
      ['layerCKA unbiased rbf', () => analysis.layerCKA(m, other, test.x, { kernel: 'rbf', unbiased: true, batchSize: 100 })],
      ['weightSpectra', () => analysis.weightSpectra(m)],
      ['weightSpectrum', () => analysis.weightSpectrum(m.parameters()[0]!)],
      ['esd', () => analysis.esd(m.parameters()[0]!)],
      ['svd', () => analysis.svd(m.parameters()[0]!)],
      ['cka', () => analysis.cka(a0, a1)],
      ['svcca', () => analysis.svcca(a0, a1)],
      ['pwcca', () => analysis.pwcca(a0, a1)],
      ['rsa', () => analysis.rsa(a0, a1)],
      ['matchUnits', () => analysis.matchUnits(a0, a1)],
      ['activations failing', () => { try { analysis.activations(m, px.ones([2, 3]), ['layers.0']); } catch { /* expected */ } }],
    ];
    for (const [name, call] of calls) {
      call();
      assert.equal(snap(), before, `${name} changed the model`);
    }
    assert.ok(m.training, 'still in training mode');
  });
});

describe('two nets from different seeds (digits), and a permuted copy', () => {
  const a = trained<nn.MLP>(1);
  const b = trained<nn.MLP>(2);
  /** Kornblith et al.'s setting: each hidden layer's output after its own ReLU (Sequential indices 1, 3, 5, 7), then the logits. */
  const seq = (): nn.Sequential => new nn.Sequential(...[0, 1, 2, 3].flatMap(() => [new nn.Linear(64, 64), new nn.ReLU()]), new nn.Linear(64, 10));
  const sa = trained(1, seq);
  const sb = trained(2, seq);
  it('layer CKA: corresponding layers more similar than non-corresponding ones (mean diagonal > mean off-diagonal)', () => {
    const show = (what: string, r: analysis.LayerCKA): { diag: number; off: number; hits: number } => {
      console.log(`${what}: linear CKA on the test split, rows = seed 1 layers, cols = seed 2 layers (${r.cols.join(', ')}):`);
      for (let i = 0; i < r.rows.length; i++) console.log(`  ${r.rows[i]!.padEnd(9)} ${r.matrix[i]!.map((v) => v.toFixed(3)).join('  ')}`);
      const n = r.rows.length;
      const diag = r.matrix.reduce((x, row, i) => x + row[i]!, 0) / n;
      const offs = r.matrix.flatMap((row, i) => row.filter((_, j) => j !== i));
      const off = offs.reduce((x, v) => x + v, 0) / offs.length;
      const hits = r.matrix.filter((row, i) => row.every((v, j) => j === i || v < row[i]!)).length;
      console.log(`  mean diagonal ${diag.toFixed(3)}, mean off-diagonal ${off.toFixed(3)}; rows whose maximum is the corresponding layer: ${hits}/${n}`);
      return { diag, off, hits };
    };
    console.log(`test accuracy: Sequential seeds 1, 2: ${(accuracy(sa) * 100).toFixed(1)}%, ${(accuracy(sb) * 100).toFixed(1)}%; MLP ${(accuracy(a) * 100).toFixed(1)}%, ${(accuracy(b) * 100).toFixed(1)}%`);
    assert.ok(accuracy(sa) > 0.9 && accuracy(sb) > 0.9 && accuracy(a) > 0.9 && accuracy(b) > 0.9, 'all nets learned the task');
    const post = show('Sequential, post-ReLU outputs', analysis.layerCKA(sa, sb, test.x, { layers: ['1', '3', '5', '7', '8'] }));
    const pre = show('MLP, Linear (pre-activation) outputs', analysis.layerCKA(a, b, test.x));
    // The stronger per-row form (Kornblith et al.'s layer-identification accuracy) is checked on
    // Fashion-MNIST in analysis-fmnist.slow.ts; on this small task it is printed above, not asserted.
    assert.ok(post.diag > post.off, `post-ReLU: mean diagonal ${post.diag} <= mean off-diagonal ${post.off}`);
    assert.ok(pre.diag > pre.off, `pre-activation: mean diagonal ${pre.diag} <= mean off-diagonal ${pre.off}`);
  });

  it('Hungarian matching recovers a known permutation of a copied net exactly (and semi-matching too)', () => {
    const h = 64;
    const perm = Array.from({ length: h }, (_, i) => (i * 29 + 5) % h); // unit i of A is unit perm[i] of B
    const sd = a.stateDict();
    const w0 = sd.get('layers.0.weight')!.values, b0 = sd.get('layers.0.bias')!.values, w1 = sd.get('layers.1.weight')!.values;
    const nw0 = new Float32Array(w0.length), nb0 = new Float32Array(h), nw1 = new Float32Array(w1.length);
    for (let i = 0; i < h; i++) {
      for (let c = 0; c < 64; c++) nw0[perm[i]! * 64 + c] = w0[i * 64 + c]!;
      nb0[perm[i]!] = b0[i]!;
      for (let r = 0; r < h; r++) nw1[r * h + perm[i]!] = w1[r * h + i]!;
    }
    const copy = new nn.MLP([64, 64, 64, 64, 10]);
    copy.loadStateDict(new Map([...sd].map(([k, t]) => [k, k === 'layers.0.weight' ? px.tensor(nw0, { shape: [h, 64] }) : k === 'layers.0.bias' ? px.tensor(nb0) : k === 'layers.1.weight' ? px.tensor(nw1, { shape: [h, h] }) : t])));
    const outA = px.noGrad(() => a.forward(test.x)), outB = px.noGrad(() => copy.forward(test.x));
    assert.ok(outA.sub(outB).abs().max().item() < 1e-4, 'the permuted copy computes the same function');
    const xa = analysis.activations(a, test.x, ['layers.0']).get('layers.0')!;
    const xb = analysis.activations(copy, test.x, ['layers.0']).get('layers.0')!;
    const hung = analysis.matchUnits(xa, xb);
    const semi = analysis.matchUnits(xa, xb, { method: 'semi' });
    console.log(`permuted copy: Hungarian mean correlation ${hung.mean.toFixed(6)}, ${hung.assignment.filter((j, i) => j === perm[i]).length}/${h} units matched to their copy; semi ${semi.assignment.filter((j, i) => j === perm[i]).length}/${h}`);
    assert.deepEqual(hung.assignment, perm);
    assert.deepEqual(semi.assignment, perm);
    const other = analysis.matchUnits(xa, analysis.activations(b, test.x, ['layers.0']).get('layers.0')!);
    console.log(`seed 1 vs seed 2 layers.0: one-to-one mean correlation ${other.mean.toFixed(3)} (Li et al.: well below 1, many units without a close twin)`);
    assert.ok(other.mean < hung.mean);
  });

  it('pairing layers by name between different architectures is a typed error naming the layer; layersB pairs explicitly', () => {
    const small = new nn.MLP([64, 32, 10]);
    assert.throws(() => analysis.layerCKA(a, small, test.x), (e: unknown) => e instanceof analysis.UnknownLayerError && /model B has no "layers\.2", "layers\.3"/.test(e.message) && /"layers\.1"/.test(e.message));
    const r = analysis.layerCKA(a, small, test.x, { layersB: ['layers.0', 'layers.1'] });
    assert.deepEqual([r.matrix.length, r.matrix[0]!.length], [4, 2]);
    assert.throws(() => analysis.layerCKA(a, b, px.ones([3, 10])), (e: unknown) => e instanceof px.ShapeError && /\[3, ?10\]/.test(e.message));
    assert.throws(() => analysis.layerCKA(a, b, test.x, { layer: ['layers.0'] } as never), (e: unknown) => e instanceof px.ValueError && /layer/.test(e.message));
  });
});
