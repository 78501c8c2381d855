/**
 * @file The issue-12 layers of src/nn/mlp/ owned by the GLU area (GLU family, BilinearGLU,
 * GLUFeedForward, QuadraticLinear, GatedPerceptron, CRMSNorm, PreNormResidualMLP) and the analysis
 * helpers over them: formulas against hand computations, construction and shape errors that name the
 * argument and the shapes, config / saveModel round trips, ReLinear's initialisation and parameter
 * groups, the Pre-LN -> Pre-RMSNorm / Pre-CRMSNorm conversions (same outputs to float64 rounding),
 * the interaction matrices (x'^T Q x' equals the layer's output) and `eigh` on known matrices.
 * PyTorch agreement is in test/golden/modules-glu.json (test/nn-golden.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { analysis, nn } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';

const f64 = { dtype: 'float64' } as const;
const rnd = (shape: number[], seed = 1): px.Tensor => px.randn(shape, { ...f64, generator: new px.Generator(seed) });
const maxAbs = (a: px.Tensor, b: px.Tensor): number => px.max(px.abs(px.sub(a, b))).item();
/** Every parameter drawn from N(0, 1) (the default inits leave norms and ReLinear's terms trivial). */
function randomize(m: nn.Module, seed = 7): void {
  const g = new px.Generator(seed);
  px.noGrad(() => { for (const p of m.parameters()) p.assign(px.randn(p.shape, { dtype: p.dtype as px.FloatDType, generator: g })); });
}
const throwsNaming = (fn: () => unknown, cls: new (...a: never[]) => Error, ...words: RegExp[]): void => {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e.constructor.name}: ${e.message}`);
    for (const w of words) assert.match(e.message, w);
    return true;
  });
};

const examples = (): nn.Module[] => [
  new nn.GLU(), new nn.GLU(1), new nn.GatedLinear(4, 3, { gate: 'geluTanh', ...f64 }), new nn.GeGLU(4, 3), new nn.SwiGLU(4, 3, { bias: false }),
  new nn.ReGLU(4, 3), new nn.BilinearGLU(4, 3, { bias: false }), new nn.GLUFeedForward(4, 6, 2, { gate: 'identity', bias: false, outBias: true }),
  new nn.QuadraticLinear(4, 2, { init: 'random' }), new nn.GatedPerceptron(3, 2, { products: [[0, 1], [1, 2]], bias: false }),
  new nn.CRMSNorm(5, { eps: 1e-6 }), new nn.CRMSNorm([3], { elementwiseAffine: false }),
  new nn.PreNormResidualMLP(4, 6, 3, { depth: 1, hidden: 5, norm: 'crms', activation: 'relu' }),
];

describe('GLU family: formulas', () => {
  it('GLU(dim) halves the dim: a * sigmoid(b), as torch.nn.GLU', () => {
    const x = rnd([2, 4, 3]);
    const y = new nn.GLU(1).forward(x);
    assert.deepEqual(y.shape, [2, 2, 3]);
    const want = px.mul(px.sliceAxis(x, 1, 0, 2), px.sigmoid(px.sliceAxis(x, 1, 2, 4)));
    assert.ok(maxAbs(y, want) === 0);
  });

  it('GatedLinear variants: gate(x W^T + b) * (x V^T + c) with the named gate', () => {
    const x = rnd([5, 4]);
    const gates: [nn.GatedLinear, (t: px.Tensor) => px.Tensor][] = [
      [new nn.GatedLinear(4, 3, f64), px.sigmoid], [new nn.GeGLU(4, 3, f64), (t) => px.gelu(t)], [new nn.SwiGLU(4, 3, f64), px.silu],
      [new nn.ReGLU(4, 3, f64), px.relu], [new nn.BilinearGLU(4, 3, f64), (t) => t],
    ];
    for (const [m, g] of gates) {
      const want = px.mul(g(px.linear(x, m.w.weight, m.w.bias)), px.linear(x, m.v.weight, m.v.bias));
      assert.ok(maxAbs(m.forward(x), want) < 1e-15, m.constructor.name);
    }
  });

  it('GLUFeedForward is out(proj(x)) and keeps leading dims', () => {
    const m = new nn.GLUFeedForward(4, 6, 2, { gate: 'silu', ...f64 });
    const x = rnd([2, 3, 4]);
    assert.deepEqual(m.forward(x).shape, [2, 3, 2]);
    assert.ok(maxAbs(m.forward(x), m.out.forward(m.proj.forward(x))) === 0);
  });
});

describe('construction and input errors name the argument and the shapes', () => {
  it('bad sizes, gates, inits, products and options are typed ValueErrors naming the argument', () => {
    throwsNaming(() => new nn.GatedLinear(0, 3), px.ValueError, /GatedLinear/, /inFeatures/);
    throwsNaming(() => new nn.SwiGLU(4, 2.5), px.ValueError, /SwiGLU/, /outFeatures/);
    throwsNaming(() => new nn.GatedLinear(4, 3, { gate: 'swish' as never }), px.ValueError, /gate/, /'sigmoid'/);
    throwsNaming(() => new nn.GeGLU(4, 3, { gate: 'relu' } as never), px.ValueError, /GeGLU/, /gate/);
    throwsNaming(() => new nn.GLU(0.5), px.ValueError, /GLU/, /dim/);
    throwsNaming(() => new nn.GLUFeedForward(4, -1, 2), px.ValueError, /hiddenFeatures/);
    throwsNaming(() => new nn.QuadraticLinear(2, 1, { init: 'zeros' as never }), px.ValueError, /init/, /'reLinear', 'random'/);
    throwsNaming(() => new nn.QuadraticLinear(2, 1, { lr: 1 } as never), px.ValueError, /QuadraticLinear/, /lr/);
    throwsNaming(() => new nn.GatedPerceptron(1, 1), px.ValueError, /inFeatures/);
    throwsNaming(() => new nn.GatedPerceptron(3, 1, { products: [[0, 3]] }), px.ValueError, /products\[0\]/, /index 3/);
    throwsNaming(() => new nn.GatedPerceptron(3, 1, { products: [[0]] }), px.ValueError, /products\[0\]/, /at least 2/);
    throwsNaming(() => new nn.CRMSNorm([2, 3]), px.ValueError, /CRMSNorm/, /normalizedShape/);
    throwsNaming(() => new nn.CRMSNorm(4, { eps: -1 }), px.ValueError, /eps/);
    throwsNaming(() => new nn.PreNormResidualMLP(4, 6, 3, { norm: 'batch' as never }), px.ValueError, /norm/, /'layer', 'rms', 'crms'/);
    throwsNaming(() => new nn.PreNormResidualMLP(4, 1, 3), px.ValueError, /width/);
  });

  it('forward on a wrong shape is a ShapeError naming the expected and the given shape', () => {
    const x = rnd([5, 3]);
    throwsNaming(() => new nn.GLU(-1).forward(x), px.ShapeError, /\[5,even\]/, /\[5,3\]/);
    for (const m of [new nn.GatedLinear(4, 2, f64), new nn.BilinearGLU(4, 2, f64), new nn.GLUFeedForward(4, 3, 2, f64),
      new nn.QuadraticLinear(4, 2, f64), new nn.GatedPerceptron(4, 2, f64), new nn.CRMSNorm(4, f64), new nn.PreNormResidualMLP(4, 6, 2, f64)]) {
      throwsNaming(() => m.forward(x), px.ShapeError, /\[5,3\]/, /\[4\]/);
    }
  });

  it('a float32 input into float64 parameters is a DTypeError, not a silent cast', () => {
    throwsNaming(() => new nn.QuadraticLinear(2, 1, f64).forward(px.ones([1, 2])), px.DTypeError, /float32/, /float64/);
  });
});

describe('configs and model files', () => {
  it('getConfig -> JSON -> fromConfig rebuilds each layer with the same structure and outputs', () => {
    for (const m of examples()) {
      const cfg = m.getConfig();
      const rebuilt = nn.fromConfig(JSON.parse(JSON.stringify(cfg)));
      assert.equal(rebuilt.constructor, m.constructor, cfg.type);
      assert.deepEqual(rebuilt.getConfig(), cfg, cfg.type);
      rebuilt.loadStateDict(m.stateDict());
      const dtype = (m.parameters()[0]?.dtype ?? 'float32') as px.FloatDType;
      const x = px.randn([3, m instanceof nn.GLU ? 4 : m instanceof nn.CRMSNorm ? m.normalizedShape[0]! : (m as { inFeatures?: number }).inFeatures ?? (m as nn.GLUFeedForward).proj.inFeatures], { dtype });
      const shaped = m instanceof nn.GLU && m.dim === 1 ? px.reshape(x, [3, 4, 1]) : x;
      assert.ok(maxAbs(rebuilt.forward(shaped), m.forward(shaped)) === 0, cfg.type);
    }
  });

  it('unknown config keys and bad values fail naming the key', () => {
    throwsNaming(() => nn.fromConfig({ type: 'SwiGLU', inFeatures: 2, outFeatures: 2, gate: 'relu' }), px.ValueError, /"gate"/);
    throwsNaming(() => nn.fromConfig({ type: 'GatedPerceptron', inFeatures: 2, outFeatures: 1, products: [1, 2] }), px.ValueError, /products/);
    throwsNaming(() => nn.fromConfig({ type: 'QuadraticLinear', inFeatures: 2, outFeatures: 1, init: 'x' }), px.ValueError, /init/);
  });

  it('io.saveModel / loadModel round-trips a bilinear MLP and a quadratic layer', async () => {
    for (const m of [new nn.GLUFeedForward(6, 5, 3, { gate: 'identity', bias: false }), new nn.QuadraticLinear(3, 2), new nn.PreNormResidualMLP(3, 4, 2, { norm: 'rms' })]) {
      randomize(m);
      const { model } = await px.io.loadModel(px.io.saveModel(m));
      const x = px.randn([4, m instanceof nn.GLUFeedForward ? 6 : 3]);
      assert.ok(maxAbs(model.forward(x), m.forward(x)) === 0, m.constructor.name);
    }
  });
});

describe('QuadraticLinear and ReLinear', () => {
  it('reLinear initialisation starts as the linear layer it contains (W_g = 0, b_g = 1, W_b = 0, c = 0)', () => {
    const q = new nn.QuadraticLinear(3, 2, f64);
    const x = rnd([4, 3]);
    assert.ok(maxAbs(q.forward(x), px.linear(x, q.weightR, q.biasR)) === 0);
    const r = new nn.QuadraticLinear(3, 2, { init: 'random', ...f64 });
    assert.ok(maxAbs(r.forward(x), px.linear(x, r.weightR, r.biasR)) > 1e-3, 'random init has live quadratic terms');
  });

  it('the forward is (x W_r^T + b_r)(x W_g^T + b_g) + (x*x) W_b^T + c', () => {
    const q = new nn.QuadraticLinear(3, 2, f64);
    randomize(q);
    const x = rnd([4, 3]);
    const want = px.add(px.mul(px.linear(x, q.weightR, q.biasR), px.linear(x, q.weightG, q.biasG)), px.linear(px.mul(x, x), q.weightB, q.biasB));
    assert.ok(maxAbs(q.forward(x), want) < 1e-14);
  });

  it('reLinearParamGroups: quadratic terms at quadraticLr (default lr / 10), everything else at lr', () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.QuadraticLinear(3, 2));
    const q = model.at(1) as nn.QuadraticLinear;
    const groups = nn.reLinearParamGroups(model, { lr: 0.1 });
    assert.equal(groups.length, 2);
    assert.equal(groups[0]!.lr, 0.1);
    assert.ok(Math.abs(groups[1]!.lr - 0.01) < 1e-15);
    assert.deepEqual(groups[1]!.params, [q.weightG, q.biasG, q.weightB, q.biasB]);
    assert.equal(groups[0]!.params.length + groups[1]!.params.length, model.parameters().length);
    const opt = new px.optim.SGD(nn.reLinearParamGroups(model, { lr: 0.1, quadraticLr: 1e-3 }));
    assert.deepEqual(opt.paramGroups.map((g) => g.lr), [0.1, 1e-3]);
    throwsNaming(() => nn.reLinearParamGroups(model, { lr: -1 }), px.ValueError, /lr/);
    throwsNaming(() => nn.reLinearParamGroups(model, { lr: 1, quadraticlr: 1 } as never), px.ValueError, /quadraticlr/);
    assert.equal(nn.reLinearParamGroups(new nn.Linear(2, 2), { lr: 1 }).length, 1);
  });
});

describe('GatedPerceptron', () => {
  it('adds g * prod(x) (default) or one term per index group', () => {
    const x = rnd([5, 3]);
    const m = new nn.GatedPerceptron(3, 1, f64);
    const c = (t: px.Tensor, k: number): px.Tensor => px.sliceAxis(t, 1, k, k + 1);
    const prod = px.mul(px.mul(c(x, 0), c(x, 1)), c(x, 2));
    assert.ok(maxAbs(m.forward(x), px.add(px.linear(x, m.weight, m.bias), px.mul(prod, m.gateWeight.reshape([1, 1])))) < 1e-15);
    const pairs = new nn.GatedPerceptron(3, 2, { products: [[0, 1], [0, 2]], ...f64 });
    assert.deepEqual(pairs.gateInputs(x).shape, [5, 2]);
    assert.ok(maxAbs(pairs.gateInputs(x), px.cat([px.mul(c(x, 0), c(x, 1)), px.mul(c(x, 0), c(x, 2))], 1)) === 0);
  });
});

describe('CRMSNorm and the pre-norm conversions (Jiang et al. 2023)', () => {
  it('CRMSNorm(x) equals RMSNorm of the zero-mean [x, -sum(x)] on the first d - 1 dims', () => {
    const x = rnd([6, 5]);
    const full = px.cat([x, px.neg(px.sum(x, 1, { keepDims: true }))], 1);
    const want = px.sliceAxis(px.rmsNorm(full, [6], null, 1e-6), 1, 0, 5);
    assert.ok(maxAbs(new nn.CRMSNorm(5, { eps: 1e-6, ...f64 }).forward(x), want) < 1e-15);
  });

  it('a Pre-LN residual MLP and its Pre-RMSNorm and Pre-CRMSNorm twins compute the same function', () => {
    const ln = new nn.PreNormResidualMLP(5, 8, 3, { depth: 3, hidden: 12, ...f64 });
    randomize(ln);
    const before = new Map([...ln.stateDict()].map(([k, t]) => [k, t.dataSync()]));
    const rms = nn.preLNToPreRMSNorm(ln);
    const crms = nn.preLNToPreCRMSNorm(ln);
    assert.equal(rms.normKind, 'rms');
    assert.equal(crms.normKind, 'crms');
    assert.deepEqual(crms.embed.weight.shape, [7, 5], 'the CRMSNorm main branch is d - 1 wide');
    const x = rnd([16, 5], 3);
    const y = ln.forward(x);
    const scale = px.max(px.abs(y)).item();
    const dRms = maxAbs(rms.forward(x), y), dCrms = maxAbs(crms.forward(x), y);
    console.log(`pre-norm equivalence: |Pre-LN - Pre-RMSNorm| = ${dRms.toExponential(2)}, |Pre-LN - Pre-CRMSNorm| = ${dCrms.toExponential(2)} (outputs up to ${scale.toFixed(2)})`);
    assert.ok(dRms < 1e-12 * Math.max(1, scale) && dCrms < 1e-12 * Math.max(1, scale));
    // The main branch of the twin is zero-mean after the embedding (the conversion's invariant).
    assert.ok(px.max(px.abs(px.mean(rms.embed.forward(x), 1))).item() < 1e-14);
    for (const [k, t] of ln.stateDict()) assert.deepEqual(t.dataSync(), before.get(k), `${k}: the source model is unchanged`);
    throwsNaming(() => nn.preLNToPreRMSNorm(rms), px.ValueError, /norm "layer"/);
  });
});

describe('analysis: eigh', () => {
  it('known matrices: diagonal, [[2, 1], [1, 2]], a 3x3 with known spectrum, repeated eigenvalues', () => {
    const d = analysis.eigh([[1, 0, 0], [0, 3, 0], [0, 0, 2]]);
    assert.deepEqual([...d.values.dataSync()], [3, 2, 1]);
    assert.deepEqual(d.vectors.toArray(), [[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    const t = analysis.eigh([[2, 1], [1, 2]]);
    assertClose(t.values, [3, 1], { atol: 1e-15, rtol: 0 });
    assertClose(t.vectors, [Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2, -Math.SQRT1_2], { atol: 1e-15, rtol: 0 });
    // [[2, -1, 0], [-1, 2, -1], [0, -1, 2]]: eigenvalues 2 + sqrt(2), 2, 2 - sqrt(2).
    const l = analysis.eigh(px.tensor([[2, -1, 0], [-1, 2, -1], [0, -1, 2]], f64));
    assertClose(l.values, [2 + Math.SQRT2, 2, 2 - Math.SQRT2], { atol: 1e-14, rtol: 0 });
    assertClose(px.sliceAxis(l.vectors, 1, 1, 2), [Math.SQRT1_2, 0, -Math.SQRT1_2], { atol: 1e-14, rtol: 0 });
    const ones = analysis.eigh(px.ones([4, 4], f64));   // eigenvalues 4, 0, 0, 0
    assertClose(ones.values, [4, 0, 0, 0], { atol: 1e-14, rtol: 0 });
  });

  it('a random symmetric 60x60: A = V diag(values) V^T, V orthogonal, values descending', () => {
    const a = rnd([60, 60], 5);
    const s = px.add(a, a.t());
    const { values, vectors } = analysis.eigh(s);
    const v = [...values.dataSync()];
    assert.ok(v.every((x, i) => i === 0 || v[i - 1]! >= x));
    assert.ok(maxAbs(px.matmul(px.mul(vectors, px.reshape(values, [1, 60])), vectors.t()), s) < 1e-12);
    assert.ok(maxAbs(px.matmul(vectors.t(), vectors), px.eye(60, 60, f64)) < 1e-13);
  });

  it('refuses non-square, asymmetric and non-finite input and unknown options', () => {
    throwsNaming(() => analysis.eigh(px.ones([2, 3])), px.ShapeError, /\[2,3\]/);
    throwsNaming(() => analysis.eigh([[1, 2], [3]]), px.ShapeError, /row 1/);
    throwsNaming(() => analysis.eigh([[1, 2], [0, 1]]), px.ValueError, /not symmetric/);
    throwsNaming(() => analysis.eigh([[NaN]]), px.ValueError, /finite/);
    throwsNaming(() => analysis.eigh([[1]], { tol: 1 } as never), px.ValueError, /tol/);
  });
});

describe('analysis: bilinear interaction matrices (Pearce et al. 2024)', () => {
  it("x'^T Q_k x' reproduces each output of a BilinearGLU, with and without biases", () => {
    for (const bias of [false, true]) {
      const m = new nn.BilinearGLU(4, 3, { bias, ...f64 });
      randomize(m);
      const q = analysis.interactionMatrices(m);
      const n = bias ? 5 : 4;
      assert.deepEqual(q.shape, [3, n, n]);
      const x = rnd([6, 4], 9);
      const xa = bias ? px.cat([x, px.ones([6, 1], f64)], 1) : x;
      // y[s, k] = sum_ij xa[s, i] Q[k, i, j] xa[s, j]
      const y = px.sum(px.mul(px.matmul(px.unsqueeze(xa, 0), q), px.unsqueeze(xa, 0)), 2).t();
      assert.ok(maxAbs(y, m.forward(x)) < 1e-13, `bias ${bias}`);
      assert.ok(maxAbs(q, q.transpose(1, 2)) === 0, 'symmetric');
    }
  });

  it("through the GLUFeedForward head: x'^T Q_c x' is logit c minus the head bias; eigen images have the image shape", () => {
    const m = new nn.GLUFeedForward(6, 5, 3, { gate: 'identity', bias: false, outBias: true, ...f64 });
    randomize(m);
    const q = analysis.interactionMatrices(m);
    assert.deepEqual(q.shape, [3, 6, 6]);
    const x = rnd([4, 6], 11);
    const y = px.sum(px.mul(px.matmul(px.unsqueeze(x, 0), q), px.unsqueeze(x, 0)), 2).t();
    assert.ok(maxAbs(px.add(y, m.out.bias!), m.forward(x)) < 1e-13);
    const eig = analysis.interactionEigen(m);
    assert.equal(eig.length, 3);
    const { images, values } = analysis.topEigenImages(m, { shape: [2, 3], k: 2 });
    assert.deepEqual(images.shape, [3, 2, 2, 3]);
    assertClose(values, eig.flatMap((e) => [...e.values.dataSync()].slice(0, 2)), { atol: 0, rtol: 0 });
    const png = analysis.imageGridPng(images);
    assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    throwsNaming(() => analysis.interactionMatrices(new nn.SwiGLU(2, 2)), px.ValueError, /gate/, /"silu"/);
    throwsNaming(() => analysis.interactionMatrices(m, { readout: px.ones([3, 4]) }), px.ShapeError, /\[C, 5\]/, /\[3,4\]/);
    throwsNaming(() => analysis.topEigenImages(m, { shape: [2, 2] }), px.ValueError, /H \* W = inFeatures 6/);
  });

  it('reading the interaction matrices changes no parameter and no gradient', () => {
    const m = new nn.BilinearGLU(3, 2, f64);
    px.sum(m.forward(rnd([2, 3]))).backward();
    const before = m.parameters().map((p) => [p.dataSync(), p.grad!.dataSync()]);
    analysis.topEigenImages(m, { shape: [1, 3] });
    m.parameters().forEach((p, i) => { assert.deepEqual(p.dataSync(), before[i]![0]); assert.deepEqual(p.grad!.dataSync(), before[i]![1]); });
  });
});
