/**
 * @file Layer behaviour beyond the PyTorch golden file: shape contracts on ranks 1-3 and zero-size
 * batches, default initialisation ranges, Dropout and BatchNorm train/eval semantics, gradchecks of
 * the norms (input and parameters, float64), and the typed errors for bad inputs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';
import { assertClose, assertGradcheck } from '../src/testing/index.js';

const f64 = { dtype: 'float64' } as const;
const vals = (t: px.Tensor): number[] => Array.from(t.values);
const std = (v: ArrayLike<number>): number => {
  const a = Array.from(v);
  const m = a.reduce((s, x) => s + x, 0) / a.length;
  return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length);
};

/**
 * Puts plain tensors where a module expects Parameters, so gradcheck's perturbed inputs reach the
 * layer (a Parameter would be a new leaf and cut the path to gradcheck's own leaves).
 */
function withParams<M extends nn.Module>(m: M, ps: Record<string, px.Tensor>): M {
  for (const [k, t] of Object.entries(ps)) (m as unknown as Record<string, px.Tensor>)[k] = t;
  return m;
}

describe('Linear', () => {
  it('maps [..., in] to [..., out] as x W^T + b for ranks 1-3 and empty batches', () => {
    const lin = new nn.Linear(3, 2, f64);
    const W = vals(lin.weight);
    const b = vals(lin.bias!);
    const x = px.randn([2, 2, 3], f64);
    const y = lin.forward(x);
    assert.deepEqual(y.shape, [2, 2, 2]);
    const xv = vals(x);
    const want = Array.from({ length: 8 }, (_, i) => {
      const [r, o] = [Math.floor(i / 2), i % 2];
      return b[o]! + [0, 1, 2].reduce((s, k) => s + xv[r * 3 + k]! * W[o * 3 + k]!, 0);
    });
    assertClose(y, want, { atol: 1e-14, rtol: 1e-14 });
    assert.deepEqual(lin.forward(px.randn([3], f64)).shape, [2]);
    assert.deepEqual(lin.forward(px.zeros([0, 3], f64)).shape, [0, 2]);
  });

  it('initialises like PyTorch: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias', () => {
    const lin = new nn.Linear(400, 300);
    const bound = 1 / Math.sqrt(400);
    for (const p of [lin.weight, lin.bias!]) assert.ok(vals(p).every((v) => Math.abs(v) <= bound));
    const s = std(lin.weight.values);
    assert.ok(Math.abs(s / (bound / Math.sqrt(3)) - 1) < 0.02, `weight std ${s}`);
    assert.equal(new nn.Linear(3, 2, { bias: false }).bias, null);
  });

  it('is reproducible under manualSeed and independent of other generators', () => {
    px.manualSeed(7);
    const a = vals(new nn.Linear(5, 4).weight);
    px.manualSeed(7);
    assert.deepEqual(vals(new nn.Linear(5, 4).weight), a);
    const g = new px.Generator(7);
    assert.deepEqual(vals(new nn.Linear(5, 4, { generator: g }).weight), a);
  });

  it('throws typed errors naming the layer', () => {
    const lin = new nn.Linear(4, 3);
    assert.throws(() => lin.forward(px.ones([2, 5])), (e: px.ShapeError) => e instanceof px.ShapeError && /Linear\(4, 3\).*\[2,5\].*\[4\]/.test(e.message));
    assert.throws(() => lin.forward(px.ones([2, 4], f64)), (e: Error) => e instanceof px.DTypeError && /float64/.test(e.message));
    assert.throws(() => new nn.Linear(-1, 2), px.ValueError);
    assert.throws(() => new nn.Linear(2.5, 2), px.ValueError);
    assert.throws(() => new nn.Linear(2, 2, { dtype: 'int32' as 'float32' }), px.DTypeError);
  });
});

describe('Embedding, Identity, Flatten', () => {
  it('Embedding looks rows up and sums gradients of repeated indices', () => {
    const e = new nn.Embedding(5, 3, f64);
    const idx = px.tensor([[1, 4], [1, 0]], { dtype: 'int32' });
    const y = e.forward(idx);
    assert.deepEqual(y.shape, [2, 2, 3]);
    const W = vals(e.weight);
    assert.deepEqual(vals(y), [1, 4, 1, 0].flatMap((r) => W.slice(r * 3, r * 3 + 3)));
    px.sum(y).backward();
    assert.deepEqual(vals(e.weight.grad!), [1, 1, 1, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    assert.deepEqual(e.forward(px.tensor(2, { dtype: 'int32' })).shape, [3]);
    assert.throws(() => e.forward(px.tensor([1.0])), px.DTypeError);
    assert.throws(() => e.forward(px.tensor([5], { dtype: 'int32' })), (err: px.PlexusError) => err.code === 'INDEX_OUT_OF_RANGE');
  });

  it('Embedding init is N(0, 1)', () => {
    const s = std(new nn.Embedding(200, 100).weight.values);
    assert.ok(Math.abs(s - 1) < 0.03, `std ${s}`);
  });

  it('Identity returns its input; Flatten keeps the batch dim by default', () => {
    const x = px.ones([2, 3, 4]);
    assert.equal(new nn.Identity().forward(x), x);
    assert.deepEqual(new nn.Flatten().forward(x).shape, [2, 12]);
    assert.deepEqual(new nn.Flatten(0, 1).forward(x).shape, [6, 4]);
  });
});

describe('Dropout', () => {
  it('in training zeroes about p of the elements and scales survivors by 1/(1-p)', () => {
    const d = new nn.Dropout(0.3);
    px.manualSeed(1);
    const x = px.ones([4000], f64).requiresGrad_();
    const y = d.forward(x);
    const v = vals(y);
    const zeros = v.filter((a) => a === 0).length / v.length;
    // Binomial std of the zero fraction is sqrt(0.3 * 0.7 / 4000) ~ 0.007; 0.03 is > 4 sigma.
    assert.ok(Math.abs(zeros - 0.3) < 0.03, `zero fraction ${zeros}`);
    assert.ok(v.every((a) => a === 0 || Math.abs(a - 1 / 0.7) < 1e-15));
    px.sum(y).backward();
    assert.deepEqual(vals(x.grad!), v, 'gradient is the scaled mask');
    px.manualSeed(1);
    assert.deepEqual(vals(d.forward(px.ones([4000], f64))), v, 'manualSeed fixes the mask');
  });

  it('is the identity in eval mode and for p = 0; p = 1 gives zeros', () => {
    const x = px.randn([3, 4]);
    assert.equal(new nn.Dropout(0.5).eval().forward(x), x);
    assert.equal(new nn.Dropout(0).forward(x), x);
    assert.ok(vals(new nn.Dropout(1).forward(x)).every((v) => v === 0)); // -0 for negative x, as PyTorch's x * 0
    for (const p of [-0.1, 1.5, NaN]) assert.throws(() => new nn.Dropout(p), px.ValueError);
  });
});

describe('LayerNorm / RMSNorm', () => {
  it('LayerNorm output has zero mean and unit (biased) variance per sample', () => {
    const ln = new nn.LayerNorm([3, 4], { ...f64, eps: 0 });
    const y = ln.forward(px.add(px.mul(px.randn([5, 3, 4], f64), 3), 2));
    const v = vals(y);
    for (let s = 0; s < 5; s++) {
      const row = v.slice(s * 12, s * 12 + 12);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) / 12) < 1e-12);
      assert.ok(Math.abs(std(row) - 1) < 1e-12);
    }
    assert.throws(() => ln.forward(px.ones([5, 4, 3], f64)), (e: Error) => e instanceof px.ShapeError && /LayerNorm\(\[3,4\]\)/.test(e.message));
  });

  it('RMSNorm is x / sqrt(mean(x^2) + eps) * weight, eps defaulting to the dtype epsilon', () => {
    const rms = new nn.RMSNorm(3, f64);
    px.noGrad(() => rms.weight!.assign([1, 2, -1]));
    const y = rms.forward(px.tensor([[1, 2, 2], [0, 3, 4]], f64));
    const r1 = Math.sqrt(9 / 3 + 2 ** -52);
    const r2 = Math.sqrt(25 / 3 + 2 ** -52);
    assertClose(y, [1 / r1, 4 / r1, -2 / r1, 0, 6 / r2, -4 / r2], { atol: 1e-15, rtol: 1e-14 });
    const noAffine = new nn.RMSNorm(2, { elementwiseAffine: false, eps: 1 });
    assert.equal(noAffine.numParameters(), 0);
    assertClose(noAffine.forward(px.tensor([[3, 4]])), [3 / Math.sqrt(12.5 + 1), 4 / Math.sqrt(12.5 + 1)], { atol: 1e-6, rtol: 1e-6 });
  });

  it('gradcheck: LayerNorm and RMSNorm w.r.t. input, weight and bias (float64)', () => {
    const x = px.randn([3, 2, 4], f64);
    const w = px.add(px.randn([2, 4], f64), 1);
    const b = px.randn([2, 4], f64);
    assertGradcheck((xi, wi, bi) => withParams(new nn.LayerNorm([2, 4], f64), { weight: wi!, bias: bi! }).forward(xi!), [x, w, b]);
    assertGradcheck((xi, wi) => withParams(new nn.RMSNorm(4, { ...f64, eps: 1e-6 }), { weight: wi! }).forward(xi!), [x, px.randn([4], f64)]);
  });
});

describe('BatchNorm1d', () => {
  it('train: normalises with batch stats and moves running stats by momentum (unbiased variance)', () => {
    const bn = new nn.BatchNorm1d(2, { ...f64, eps: 0 });
    const x = px.tensor([[1, 10], [2, 20], [3, 60], [6, 30]], f64);
    const y = bn.forward(x);
    const v = vals(y);
    for (const c of [0, 1]) {
      const col = [0, 1, 2, 3].map((r) => v[r * 2 + c]!);
      assert.ok(Math.abs(col.reduce((a, b) => a + b, 0)) < 1e-12);
      assert.ok(Math.abs(std(col) - 1) < 1e-12);
    }
    // feature 0: mean 3, biased var 3.5, unbiased 14/3; feature 1: mean 30, unbiased var 1400/3.
    assertClose(bn.runningMean!, [0.3, 3], { atol: 1e-15, rtol: 1e-14 });
    assertClose(bn.runningVar!, [0.9 + 0.1 * 14 / 3, 0.9 + 0.1 * 1400 / 3], { atol: 1e-13, rtol: 1e-14 });
    assert.equal(bn.numBatchesTracked!.item(), 1);
  });

  it('eval: uses running stats, changes nothing; [N, C, L] inputs normalise over N and L', () => {
    const bn = new nn.BatchNorm1d(2, f64);
    px.noGrad(() => {
      bn.runningMean!.assign([1, -1]);
      bn.runningVar!.assign([4, 0.25]);
    });
    bn.eval();
    const y = bn.forward(px.tensor([[[3, 3], [5, 5]], [[1, 1], [0, 0]]], f64)); // [N=2, C=2, L=2]
    // (x - m) / sqrt(v + 1e-5) per channel.
    const s0 = Math.sqrt(4 + 1e-5);
    const s1 = Math.sqrt(0.25 + 1e-5);
    assertClose(y, [2 / s0, 2 / s0, 6 / s1, 6 / s1, 0, 0, 1 / s1, 1 / s1], { atol: 1e-14, rtol: 1e-14 });
    assert.deepEqual(vals(bn.runningMean!), [1, -1]);
    assert.equal(bn.numBatchesTracked!.item(), 0);
  });

  it('without running stats, eval also uses batch statistics and nothing is tracked', () => {
    const bn = new nn.BatchNorm1d(3, { trackRunningStats: false, affine: false });
    assert.equal(bn.stateDict().size, 0);
    const x = px.randn([5, 3]);
    assertClose(bn.eval().forward(x), bn.train().forward(x), { atol: 0, rtol: 0 });
  });

  it('momentum null is a cumulative average over batches', () => {
    const bn = new nn.BatchNorm1d(1, { ...f64, momentum: null });
    for (const batch of [[1, 3], [5, 7], [0, 0]]) bn.forward(px.tensor(batch.map((v) => [v]), f64));
    assertClose(bn.runningMean!, [(2 + 6 + 0) / 3], { atol: 1e-15, rtol: 1e-15 });
  });

  it('throws on one value per feature in training, and on wrong shapes', () => {
    const bn = new nn.BatchNorm1d(3);
    assert.throws(() => bn.forward(px.ones([1, 3])), px.ValueError);
    assert.throws(() => bn.forward(px.ones([4, 2])), (e: Error) => e instanceof px.ShapeError && /BatchNorm1d\(3\).*\[4,2\]/.test(e.message));
    assert.throws(() => bn.forward(px.ones([3])), px.ShapeError);
    assert.throws(() => new nn.BatchNorm1d(3, { momentum: 2 }), px.ValueError);
  });

  it('gradcheck: train and eval forward w.r.t. input, weight and bias (float64)', () => {
    const x = px.add(px.mul(px.randn([5, 3, 2], f64), 2), 1);
    const w = px.add(px.randn([3], f64), 1);
    const b = px.randn([3], f64);
    const make = (wi: px.Tensor, bi: px.Tensor): nn.BatchNorm1d => withParams(new nn.BatchNorm1d(3, f64), { weight: wi, bias: bi });
    assertGradcheck((xi, wi, bi) => make(wi!, bi!).forward(xi!), [x, w, b]);
    assertGradcheck((xi, wi, bi) => {
      const bn = make(wi!, bi!);
      px.noGrad(() => bn.forward(px.randn([6, 3, 2], { ...f64, generator: new px.Generator(3) })));
      return bn.eval().forward(xi!);
    }, [x, w, b]);
  });
});

describe('activation modules', () => {
  it('match the functional ops', () => {
    const x = px.randn([4, 3], f64);
    const same = (m: nn.Module, want: px.Tensor): void => assert.deepEqual(vals(m.forward(x)), vals(want), m.constructor.name);
    same(new nn.ReLU(), px.relu(x));
    same(new nn.LeakyReLU(0.2), px.leakyRelu(x, 0.2));
    same(new nn.ELU(0.5), px.elu(x, 0.5));
    same(new nn.GELU(), px.gelu(x));
    same(new nn.GELU('tanh'), px.gelu(x, 'tanh'));
    same(new nn.SiLU(), px.silu(x));
    same(new nn.Tanh(), px.tanh(x));
    same(new nn.Sigmoid(), px.sigmoid(x));
    same(new nn.Softplus(2, 10), px.softplus(x, 2, 10));
    assert.throws(() => new nn.GELU('fast' as 'tanh'), px.ValueError);
  });

  it('PReLU learns its slope: init 0.25, grad = sum of x where x <= 0', () => {
    const p = new nn.PReLU();
    assert.equal(p.numParameters(), 1);
    assert.equal(p.weight.item(), 0.25);
    const y = p.forward(px.tensor([-2, 3, -1, 0]));
    assert.deepEqual(vals(y), [-0.5, 3, -0.25, 0]);
    px.sum(y).backward();
    assert.deepEqual(vals(p.weight.grad!), [-3]);
    const per = new nn.PReLU(3);
    assert.deepEqual(per.forward(px.ones([2, 3, 4])).shape, [2, 3, 4]);
    assert.throws(() => per.forward(px.ones([2, 4])), px.ShapeError);
  });
});

describe('containers', () => {
  it('Sequential chains; ModuleList indexes and iterates but has no forward', () => {
    const seq = new nn.Sequential(new nn.Linear(3, 5), new nn.Tanh(), new nn.Linear(5, 2));
    assert.equal(seq.length, 3);
    assert.ok(seq.at(-1) instanceof nn.Linear);
    assert.deepEqual([...seq].map((m) => m.constructor.name), ['Linear', 'Tanh', 'Linear']);
    const x = px.randn([4, 3]);
    const manual = seq.at(2).forward(seq.at(1).forward(seq.at(0).forward(x)));
    assert.deepEqual(vals(seq.forward(x)), vals(manual));
    assert.throws(() => seq.at(3), px.ValueError);
    const list = new nn.ModuleList([new nn.Linear(1, 1)]).append(new nn.ReLU());
    assert.equal(list.length, 2);
    assert.throws(() => list.forward(), (e: px.PlexusError) => e.code === 'NO_FORWARD');
    assert.throws(() => list.append({} as nn.Module), px.ValueError);
  });
});

describe('MLP', () => {
  it('maps [..., in] to [..., out] for ranks 1-3 with every norm', () => {
    for (const norm of [null, 'layer', 'rms', 'batch'] as const) {
      const m = new nn.MLP([4, 8, 8, 3], { norm, activation: 'gelu', dropout: 0.1, residual: true });
      if (norm !== 'batch') assert.deepEqual(m.forward(px.randn([4])).shape, [3], `${norm} rank 1`);
      assert.deepEqual(m.forward(px.randn([5, 4])).shape, [5, 3], `${norm} rank 2`);
      assert.deepEqual(m.forward(px.randn([2, 5, 4])).shape, [2, 5, 3], `${norm} rank 3`);
    }
  });

  it('has the documented layers, keys and parameter count', () => {
    const m = new nn.MLP([784, 256, 256, 10]);
    assert.equal(m.numParameters(), 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10);
    assert.deepEqual(m.namedParameters().map(([k]) => k), ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.2.weight', 'layers.2.bias']);
    const withNorm = new nn.MLP([3, 5, 5, 2], { norm: 'layer', bias: false });
    assert.deepEqual(withNorm.namedParameters().map(([k]) => k), ['layers.0.weight', 'layers.1.weight', 'layers.2.weight', 'norms.0.weight', 'norms.0.bias', 'norms.1.weight', 'norms.1.bias']);
  });

  it('adds skip connections only where a hidden layer keeps the width, never on the output layer', () => {
    const plain = new nn.MLP([3, 4, 4, 4], { activation: 'tanh' }).to('float64');
    const res = new nn.MLP([3, 4, 4, 4], { activation: 'tanh', residual: true }).to('float64');
    res.loadStateDict(plain.stateDict());
    const x = px.randn([2, 3], f64);
    const L = (i: number): nn.Linear => plain.layers.at(i) as nn.Linear;
    const h1 = px.tanh(L(0).forward(x)); // 3 -> 4: no skip
    const h2 = px.add(h1, px.tanh(L(1).forward(h1))); // 4 -> 4: skip
    assertClose(res.forward(x), L(2).forward(h2), { atol: 1e-14, rtol: 1e-14 });
    assert.notDeepEqual(vals(plain.forward(x)), vals(res.forward(x)));
  });

  it('dropout acts in training only', () => {
    const m = new nn.MLP([3, 50, 2], { dropout: 0.5 });
    const x = px.randn([4, 3]);
    m.eval();
    assert.deepEqual(vals(m.forward(x)), vals(m.forward(x)));
    m.train();
    assert.notDeepEqual(vals(m.forward(x)), vals(m.forward(x)));
  });

  it('rejects bad sizes, activations and norms', () => {
    assert.throws(() => new nn.MLP([4]), px.ValueError);
    assert.throws(() => new nn.MLP([4, 0, 2]), px.ValueError);
    assert.throws(() => new nn.MLP([4, 2], { activation: 'swish' as 'silu' }), (e: px.PlexusError) => e.code === 'UNKNOWN_ACTIVATION' && /relu/.test(e.message));
    assert.throws(() => new nn.MLP([4, 2], { norm: 'group' as 'layer' }), px.ValueError);
    assert.throws(() => new nn.MLP([4, 2], { dropout: 1.2 }), px.ValueError);
  });
});
