/**
 * @file The linear-attention family (src/nn/linear-attention/): each method's recurrent and
 * chunkwise-parallel forms agree to float64 rounding (several chunk sizes, a ragged last chunk,
 * several heads), outputs are causal, gradients are finite; Aaren equals causal softmax attention
 * with its learned query (direct computation); one modern-Hopfield update retrieves a stored
 * pattern from a noisy query; shape and option errors are typed and name what was expected.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';

const maxDiff = (a: px.Tensor, b: px.Tensor): number => {
  assert.deepEqual(a.shape, b.shape);
  const x = a.values, y = b.values;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])));
  return m;
};
const g = (seed: number): px.Generator => new px.Generator(seed);
const x64 = (shape: number[], seed = 1): px.Tensor => px.randn(shape, { dtype: 'float64', generator: g(seed) });

type Chunked = nn.LinearAttention | nn.AFTSimple | nn.AFTFull | nn.GatedLinearAttention | nn.DeltaNet;
const makers: [string, (o: { mode: 'recurrent' | 'chunk'; chunkSize?: number }) => Chunked][] = [
  ['LinearAttention', (o) => new nn.LinearAttention(8, { numHeads: 2, dtype: 'float64', generator: g(3), ...o })],
  ['LinearAttention relu', (o) => new nn.LinearAttention(8, { featureMap: 'relu', dtype: 'float64', generator: g(3), ...o })],
  ['AFTSimple', (o) => new nn.AFTSimple(8, { dtype: 'float64', generator: g(3), ...o })],
  ['AFTFull', (o) => {
    const m = new nn.AFTFull(8, 20, { dtype: 'float64', generator: g(3), ...o });
    px.noGrad(() => m.posBias.assign(px.randn([20, 20], { dtype: 'float64', generator: g(4) })));
    return m;
  }],
  ['GatedLinearAttention', (o) => new nn.GatedLinearAttention(8, { numHeads: 2, gateRank: 3, gateTemperature: 2, dtype: 'float64', generator: g(3), ...o })],
  ['DeltaNet', (o) => new nn.DeltaNet(8, { numHeads: 2, dtype: 'float64', generator: g(3), ...o })],
];

describe('linear attention: recurrent and chunk forms agree (float64, 1e-10)', () => {
  for (const [name, make] of makers) {
    it(name, () => {
      const x = x64([2, 13, 8]);
      const ref = make({ mode: 'recurrent' }).forward(x);
      for (const chunkSize of [1, 4, 5, 16]) {
        const d = maxDiff(make({ mode: 'chunk', chunkSize }).forward(x), ref);
        assert.ok(d < 1e-10, `${name} chunkSize ${chunkSize}: max |diff| ${d}`);
      }
      // Not a trivially constant map: outputs vary over positions.
      assert.ok(maxDiff(px.sliceAxis(ref, 1, 0, 1), px.sliceAxis(ref, 1, 12, 13)) > 1e-3);
    });
  }
});

describe('linear attention: causal, differentiable', () => {
  for (const [name, make] of makers) {
    it(`${name}: changing position 7 leaves positions 0..6 unchanged; grads finite`, () => {
      for (const mode of ['recurrent', 'chunk'] as const) {
        const m = make({ mode, chunkSize: 4 });
        const x = x64([2, 12, 8]);
        const bumped = px.add(x, px.mul(px.oneHot(px.tensor([7], { dtype: 'int32' }), 12).reshape([1, 12, 1]).cast('float64'), 3));
        const a = m.forward(x), b = m.forward(bumped);
        assert.ok(maxDiff(px.sliceAxis(a, 1, 0, 7), px.sliceAxis(b, 1, 0, 7)) < 1e-12, `${name} ${mode}: past changed`);
        assert.ok(maxDiff(px.sliceAxis(a, 1, 7, 8), px.sliceAxis(b, 1, 7, 8)) > 1e-6, `${name} ${mode}: position 7 ignores its input`);
        px.sum(px.square(m.forward(x))).backward();
        for (const [key, p] of m.namedParameters()) {
          assert.ok(p.grad, `${name} ${mode}: ${key} has no grad`);
          assert.ok(p.grad.values.every((v) => Number.isFinite(Number(v))), `${name} ${mode}: ${key} grad not finite`);
        }
      }
    });
  }
});

describe('Aaren: attention as an RNN', () => {
  it('recurrent and prefix-scan forms equal causal softmax attention with the learned query (1e-10)', () => {
    for (const l of [1, 2, 7, 16, 19]) {
      const scan = new nn.Aaren(6, { dtype: 'float64', generator: g(5) });
      const rnn = new nn.Aaren(6, { mode: 'recurrent', dtype: 'float64', generator: g(5) });
      // Large scores exercise the running max (a plain exp would overflow at 800).
      px.noGrad(() => scan.query.assign(px.mul(scan.query, 40)));
      rnn.loadStateDict(scan.stateDict());
      const x = x64([3, l, 6], 9);
      // Direct: row t of the [L, L] score matrix masked to s <= t, softmax, times v.
      const s = px.transpose(scan.scores(x), 1, 2).expand([3, l, l]);
      const mask = px.tensor(Array.from({ length: l * l }, (_, i) => (i % l <= Math.floor(i / l) ? 1 : 0)), { shape: [l, l], dtype: 'float64' });
      const direct = px.matmul(px.softmax(px.where(px.gt(mask, 0), s, -Infinity), -1), scan.v.forward(x));
      const a = scan.forward(x), b = rnn.forward(x);
      assert.ok(maxDiff(a, direct) < 1e-10, `scan L=${l}: ${maxDiff(a, direct)}`);
      assert.ok(maxDiff(b, direct) < 1e-10, `recurrent L=${l}: ${maxDiff(b, direct)}`);
      assert.ok(a.values.every((v) => Number.isFinite(Number(v))));
    }
  });
});

describe('modern Hopfield layers', () => {
  it('one update retrieves the stored pattern from a query with 25% of its signs flipped', () => {
    const d = 64, m = 20;
    const gen = g(11);
    const pats = px.sign(px.randn([1, m, d], { dtype: 'float64', generator: gen }));
    const hop = new nn.Hopfield(d, { project: false, beta: 2 });
    let recovered = 0;
    const p = pats.values;
    for (let i = 0; i < m; i++) {
      const q = Float64Array.from({ length: d }, (_, j) => (j % 4 === i % 4 ? -1 : 1) * Number(p[i * d + j]));
      const out = hop.forward(px.tensor(q, { shape: [1, 1, d], dtype: 'float64' }), pats).values;
      let err = 0;
      for (let j = 0; j < d; j++) err = Math.max(err, Math.abs(Number(out[j]) - Number(p[i * d + j])));
      if (err < 1e-6) recovered++;
    }
    console.log(`Hopfield retrieval: ${recovered}/${m} patterns recovered in one update (25% of the query's signs flipped, beta 2)`);
    assert.equal(recovered, m);
    // beta -> 0 averages the patterns instead: the update is not the identity.
    const blur = new nn.Hopfield(d, { project: false, beta: 1e-6 }).forward(px.sliceAxis(pats, 1, 0, 1), pats);
    assert.ok(maxDiff(blur, px.sliceAxis(pats, 1, 0, 1)) > 0.5);
  });

  it('projected Hopfield and HopfieldPooling: shapes, self-association default, grads', () => {
    const hop = new nn.Hopfield(6, { hiddenSize: 4, dtype: 'float64', generator: g(2) });
    const x = x64([2, 5, 6]);
    assert.deepEqual(hop.forward(x).shape, [2, 5, 6]);
    assert.ok(maxDiff(hop.forward(x), hop.forward(x, x)) === 0);
    assert.deepEqual(hop.forward(px.sliceAxis(x, 1, 0, 2), x).shape, [2, 2, 6]);
    const pool = new nn.HopfieldPooling(6, { numQueries: 3, dtype: 'float64', generator: g(2) });
    const y = pool.forward(x);
    assert.deepEqual(y.shape, [2, 3, 6]);
    px.sum(y).backward();
    assert.ok(pool.query.grad && pool.k.weight.grad);
    // Pooling is permutation-invariant over the set.
    const rev = px.indexSelect(x, 1, px.tensor([4, 3, 2, 1, 0], { dtype: 'int32' }));
    assert.ok(maxDiff(pool.forward(rev), y) < 1e-12);
  });
});

describe('DiagonalLinearRNN', () => {
  it('transitions lie in [-1, 1] (negative allowed) or [0, 1]; h_t = a_t h_{t-1} + b_t', () => {
    const x = px.mul(x64([2, 9, 3]), 5);
    for (const neg of [true, false]) {
      const m = new nn.DiagonalLinearRNN(3, 4, { negativeEigenvalues: neg, mode: neg ? 'scan' : 'recurrent', dtype: 'float64', generator: g(1) });
      const a = m.transitions(x).values.map(Number);
      assert.ok(a.every((v) => v >= (neg ? -1 : 0) && v <= 1));
      assert.equal(a.some((v) => v < 0), neg);
      const h = m.forward(x), av = m.transitions(x).values, bv = m.b.forward(x).values, hv = h.values;
      for (let i = 0; i < 2 * 9 * 4; i++) {
        const t = Math.floor(i / 4) % 9;
        const prev = t === 0 ? 0 : Number(hv[i - 4]);
        assert.ok(Math.abs(Number(hv[i]) - (Number(av[i]) * prev + Number(bv[i]))) < 1e-12);
      }
    }
    // The parallel scan and the step-by-step recurrence give the same states, with negative transitions too.
    for (const l of [1, 2, 5, 9, 16, 17]) {
      const xs = x64([2, l, 3], l);
      const scan = new nn.DiagonalLinearRNN(3, 4, { dtype: 'float64', generator: g(6) });
      const rec = new nn.DiagonalLinearRNN(3, 4, { mode: 'recurrent', dtype: 'float64', generator: g(6) });
      assert.ok(maxDiff(scan.forward(xs), rec.forward(xs)) < 1e-12, `L=${l}`);
    }
    const normed = new nn.DiagonalLinearRNN(3, 4, { norm: true, dtype: 'float64' }).forward(x).values;
    for (let r = 0; r < 18; r++) {
      let ss = 0;
      for (let j = 0; j < 4; j++) ss += Number(normed[r * 4 + j]) ** 2;
      assert.ok(Math.abs(ss / 4 - 1) < 1e-3);
    }
  });
});

describe('linear attention: bad arguments and inputs', () => {
  const V = px.ValueError, S = px.ShapeError;
  it('constructors: typed errors naming the argument', () => {
    const cases: [() => unknown, new (...a: never[]) => Error, RegExp][] = [
      [() => new nn.LinearAttention(0), V, /LinearAttention: dim must be an integer >= 1/],
      [() => new nn.LinearAttention(8, { mode: 'parallel' as never }), V, /mode.*'recurrent', 'chunk'/],
      [() => new nn.LinearAttention(8, { chunkSize: 0 }), V, /chunkSize must be an integer >= 1/],
      [() => new nn.LinearAttention(8, { featureMap: 'elu' as never }), V, /featureMap.*'elu\+1'/],
      [() => new nn.LinearAttention(8, { numHeads: 3 }), S, /dim 8 must be divisible by numHeads 3/],
      [() => new nn.LinearAttention(8, { heads: 2 } as never), V, /heads/],
      [() => new nn.AFTFull(8, 0), V, /maxSeqLen must be an integer >= 1/],
      [() => new nn.AFTSimple(8, { numHeads: 2 } as never), V, /numHeads/],
      [() => new nn.GatedLinearAttention(8, { gateTemperature: 0 }), V, /gateTemperature must be a finite number > 0/],
      [() => new nn.DeltaNet(8, { numHeads: 0 }), V, /numHeads must be an integer >= 1/],
      [() => new nn.DiagonalLinearRNN(3, 4, { negativeEigenvalues: 'yes' as never }), V, /negativeEigenvalues must be true or false/],
      [() => new nn.DiagonalLinearRNN(3, 4, { mode: 'chunk' as never }), V, /mode.*'scan', 'recurrent'/],
      [() => new nn.Aaren(4, { mode: 'chunk' as never }), V, /mode.*'recurrent', 'scan'/],
      [() => new nn.Hopfield(4, { project: false, updateSteps: 0 }), V, /updateSteps must be an integer >= 1/],
      [() => new nn.Hopfield(4, { updateSteps: 2 }), V, /updateSteps must be 1 when project is true/],
      [() => new nn.Hopfield(4, { project: false, hiddenSize: 3 }), V, /hiddenSize \(3\) must equal dim \(4\)/],
      [() => new nn.HopfieldPooling(4, { beta: -1 }), V, /beta must be a finite number > 0/],
    ];
    for (const [call, cls, re] of cases) assert.throws(call, (e: Error) => e instanceof cls && re.test(e.message), re.source);
  });

  it('forward: shape errors name the expected and given shapes; dtype mismatch is a DTypeError', () => {
    const mods: [nn.Module, string][] = [
      [new nn.LinearAttention(8), 'LinearAttention(8)'], [new nn.AFTSimple(8), 'AFTSimple(8)'], [new nn.AFTFull(8, 4), 'AFTFull(8, 4)'],
      [new nn.GatedLinearAttention(8), 'GatedLinearAttention(8)'], [new nn.DeltaNet(8), 'DeltaNet(8)'],
      [new nn.DiagonalLinearRNN(8, 2), 'DiagonalLinearRNN(8, 2)'], [new nn.Aaren(8), 'Aaren(8)'], [new nn.HopfieldPooling(8), 'HopfieldPooling(8)'],
      [new nn.Hopfield(8), 'Hopfield(8)'],
    ];
    for (const [m, name] of mods) {
      for (const bad of [[2, 3, 7], [3, 8], [2, 0, 8]]) {
        assert.throws(() => m.forward(px.zeros(bad)), (e: Error) => e instanceof S && e.message.includes(`${name}: input shape must be [batch, seq >= 1, 8], got [${bad.join(',')}]`), `${name} ${bad}`);
      }
      assert.throws(() => m.forward(px.zeros([1, 2, 8], { dtype: 'float64' })), px.DTypeError, name);
    }
    assert.throws(() => new nn.AFTFull(8, 4).forward(px.zeros([1, 5, 8])), (e: Error) => e instanceof S && /seq <= 4, 8\], got \[1,5,8\]/.test(e.message));
    assert.throws(() => new nn.Hopfield(8).forward(px.zeros([2, 1, 8]), px.zeros([3, 4, 8])), (e: Error) => e instanceof S && /\[2, m, 8\].*got \[3,4,8\]/.test(e.message));
  });
});

describe('linear attention: framed forwards, save / load', () => {
  const all = (): nn.Module[] => [
    new nn.LinearAttention(8, { numHeads: 2 }), new nn.AFTSimple(8), new nn.AFTFull(8, 6), new nn.GatedLinearAttention(8, { numHeads: 2 }),
    new nn.DeltaNet(8, { numHeads: 2 }), new nn.DiagonalLinearRNN(8, 3), new nn.Aaren(8), new nn.Aaren(8, { mode: 'recurrent' }),
    new nn.Hopfield(8), new nn.HopfieldPooling(8, { numQueries: 2 }),
  ];
  it('a forward leaves only its output behind (no intermediates)', () => {
    const x = px.randn([2, 6, 8]);
    for (const m of all()) {
      px.noGrad(() => {
        const before = px.memory().numTensors;
        const y = m.forward(x);
        assert.ok(px.memory().numTensors - before <= 1, `${m.getConfig().type}: ${px.memory().numTensors - before} tensors left`);
        assert.ok(y.size > 0);
      });
    }
  });
  it('io.saveModel / loadModel round-trips every layer with the same outputs', async () => {
    const x = px.randn([2, 6, 8]);
    for (const m of all()) {
      const { model } = await px.io.loadModel(px.io.saveModel(m));
      assert.deepEqual(model.getConfig(), m.getConfig());
      assert.deepEqual(Array.from(model.forward(x).values), Array.from(m.forward(x).values), m.getConfig().type as string);
    }
  });
});
