/**
 * @file nn.init: each initialiser's distribution checked by sample statistics on large tensors
 * (std within 5%, bounds exact), orthogonality Q^T Q = I, gains, fans, in-place and generator
 * behaviour, and errors.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';

const { init } = nn;
const stats = (t: px.Tensor): { mean: number; std: number; min: number; max: number } => {
  const v = Array.from(t.values);
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  // reduce, not Math.min(...v): spreading 200k arguments overflows the stack.
  return { mean, std, min: v.reduce((a, b) => Math.min(a, b)), max: v.reduce((a, b) => Math.max(a, b)) };
};

/** Sample std within 5% of `want` (500 x 400 samples: relative sampling error ~0.2%). */
function assertStd(t: px.Tensor, want: number, what: string): void {
  const s = stats(t);
  assert.ok(Math.abs(s.std / want - 1) < 0.05, `${what}: std ${s.std}, want ${want}`);
  assert.ok(Math.abs(s.mean) < 0.05 * want, `${what}: mean ${s.mean}`);
}

const W = (): px.Tensor => px.empty([500, 400], { dtype: 'float64' });

describe('nn.init distributions', () => {
  it('kaiming normal/uniform: std = gain / sqrt(fan)', () => {
    assertStd(init.kaimingNormal(W()), Math.sqrt(2 / 400), 'kaimingNormal fanIn');
    assertStd(init.kaimingNormal(W(), { mode: 'fanOut' }), Math.sqrt(2 / 500), 'kaimingNormal fanOut');
    assertStd(init.kaimingNormal(W(), { nonlinearity: 'tanh' }), (5 / 3) / Math.sqrt(400), 'kaimingNormal tanh');
    const u = init.kaimingUniform(W(), { a: Math.sqrt(5) });
    const bound = 1 / Math.sqrt(400); // PyTorch's Linear default
    const s = stats(u);
    assert.ok(s.max <= bound && s.min >= -bound && s.max > 0.99 * bound && s.min < -0.99 * bound);
    assertStd(u, bound / Math.sqrt(3), 'kaimingUniform a=sqrt(5)');
    assertStd(init.kaimingUniform(W(), { nonlinearity: 'relu' }), Math.sqrt(2 / 400), 'kaimingUniform relu');
  });

  it('xavier normal/uniform: std = gain * sqrt(2 / (fanIn + fanOut))', () => {
    assertStd(init.xavierNormal(W()), Math.sqrt(2 / 900), 'xavierNormal');
    assertStd(init.xavierUniform(W(), { gain: 2 }), 2 * Math.sqrt(2 / 900), 'xavierUniform gain 2');
    assert.ok(stats(init.xavierUniform(W())).max <= Math.sqrt(6 / 900));
  });

  it('lecunNormal, normal, uniform, constant, zeros, ones', () => {
    assertStd(init.lecunNormal(W()), 1 / Math.sqrt(400), 'lecunNormal');
    const n = stats(init.normal(W(), 3, 0.5));
    assert.ok(Math.abs(n.mean - 3) < 0.01 && Math.abs(n.std - 0.5) < 0.025);
    const u = stats(init.uniform(W(), -2, 1));
    assert.ok(u.min >= -2 && u.max < 1 && Math.abs(u.mean + 0.5) < 0.02);
    assert.deepEqual(Array.from(init.constant(px.empty([3], { dtype: 'int32' }), 7).values), [7, 7, 7]);
    assert.deepEqual(Array.from(init.zeros(px.ones([2])).values), [0, 0]);
    assert.deepEqual(Array.from(init.ones(px.zeros([2])).values), [1, 1]);
  });

  it('fans count the receptive field: [out, in, k1, k2]', () => {
    assert.deepEqual(init.computeFans(px.empty([8, 3, 5, 5])), { fanIn: 75, fanOut: 200 });
    assert.throws(() => init.computeFans(px.empty([8])), px.ValueError);
  });

  it('calculateGain follows PyTorch', () => {
    assert.equal(init.calculateGain('linear'), 1);
    assert.equal(init.calculateGain('sigmoid'), 1);
    assert.equal(init.calculateGain('tanh'), 5 / 3);
    assert.equal(init.calculateGain('relu'), Math.SQRT2);
    assert.equal(init.calculateGain('leakyRelu'), Math.sqrt(2 / (1 + 0.01 ** 2)));
    assert.equal(init.calculateGain('leakyRelu', 0.2), Math.sqrt(2 / 1.04));
    assert.equal(init.calculateGain('selu'), 0.75);
    assert.throws(() => init.calculateGain('swish' as 'relu'), px.ValueError);
  });
});

describe('nn.init.orthogonal', () => {
  /** max |(A A^T or A^T A) - gain^2 I| over the shorter side. */
  function orthoError(t: px.Tensor, gain: number): number {
    const rows = t.shape[0]!;
    const cols = t.size / rows;
    const v = t.values;
    const tall = rows >= cols;
    const m = tall ? cols : rows;
    const n = tall ? rows : cols;
    const at = (i: number, j: number): number => (tall ? v[j * cols + i]! : v[i * cols + j]!); // vector i, entry j
    let worst = 0;
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += at(a, k) * at(b, k);
        worst = Math.max(worst, Math.abs(dot - (a === b ? gain * gain : 0)));
      }
    }
    return worst;
  }

  it('gives orthonormal columns (tall), rows (wide) and square matrices, scaled by gain', () => {
    for (const shape of [[7, 3], [3, 7], [6, 6], [4, 2, 3]]) {
      const t = init.orthogonal(px.empty(shape, { dtype: 'float64' }));
      assert.ok(orthoError(t, 1) < 1e-13, `${shape}: ${orthoError(t, 1)}`);
    }
    const g = init.orthogonal(px.empty([5, 5], { dtype: 'float64' }), { gain: 2 });
    assert.ok(orthoError(g, 2) < 1e-12);
    const f32 = init.orthogonal(px.empty([16, 16]));
    assert.ok(orthoError(f32, 1) < 1e-5, 'float32 storage: rounding only');
  });

  it('rejects rank < 2 and leaves zero-size tensors alone', () => {
    assert.throws(() => init.orthogonal(px.empty([4])), px.ValueError);
    assert.equal(init.orthogonal(px.empty([0, 3])).size, 0);
  });
});

describe('nn.init mechanics', () => {
  it('works in place on Parameters (under grad mode) and bumps nothing else', () => {
    const lin = new nn.Linear(3, 2);
    const w = lin.weight;
    assert.equal(init.zeros(w), w);
    assert.deepEqual(Array.from(lin.weight.values), [0, 0, 0, 0, 0, 0]);
    assert.ok(w.requiresGrad);
  });

  it('uses the default generator (manualSeed) or the given one', () => {
    px.manualSeed(5);
    const a = Array.from(init.normal(px.empty([10])).values);
    px.manualSeed(5);
    assert.deepEqual(Array.from(init.normal(px.empty([10])).values), a);
    assert.deepEqual(Array.from(init.normal(px.empty([10]), 0, 1, { generator: new px.Generator(5) }).values), a);
  });

  it('random initialisers need float tensors and sane arguments', () => {
    assert.throws(() => init.normal(px.empty([2], { dtype: 'int32' })), px.DTypeError);
    assert.throws(() => init.uniform(px.empty([2]), 1, 0), px.ValueError);
    assert.throws(() => init.normal(px.empty([2]), 0, -1), px.ValueError);
    assert.throws(() => init.kaimingNormal(px.empty([2, 2]), { mode: 'fan_in' as 'fanIn' }), px.ValueError);
  });
});
