/**
 * @file Architectures as data: getConfig() -> JSON -> fromConfig() rebuilds every built-in module
 * with the same structure (state-dict keys and shapes, so the weights load), and bad configs fail
 * with typed errors that name the path: unknown types (UNKNOWN_LAYER, listing the known ones),
 * unknown keys and wrong value types (INVALID_CONFIG), `__proto__` keys, runaway nesting.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';

const structure = (m: nn.Module): string[] => [...m.stateDict()].map(([k, t]) => `${k}:${t.dtype}[${t.shape.join(',')}]`);

const examples = (): nn.Module[] => [
  new nn.Linear(3, 4), new nn.Linear(3, 4, { bias: false, dtype: 'float64' }),
  new nn.Embedding(10, 3), new nn.Identity(), new nn.Flatten(0, 2), new nn.Dropout(0.2),
  new nn.LayerNorm([2, 3], { eps: 1e-3 }), new nn.LayerNorm(4, { elementwiseAffine: false }),
  new nn.RMSNorm(5), new nn.RMSNorm(5, { eps: 1e-6, elementwiseAffine: false }),
  new nn.BatchNorm1d(3), new nn.BatchNorm1d(3, { momentum: null, affine: false, trackRunningStats: false }),
  new nn.ReLU(), new nn.LeakyReLU(0.2), new nn.PReLU(3), new nn.ELU(0.5), new nn.GELU('tanh'), new nn.SiLU(),
  new nn.Tanh(), new nn.Sigmoid(), new nn.Softplus(2, 15),
  new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Sequential(new nn.Linear(3, 1))),
  new nn.ModuleList([new nn.Linear(1, 1), new nn.Tanh()]),
  new nn.MLP([4, 8, 8, 2], { activation: 'gelu', norm: 'batch', dropout: 0.1, residual: true, dtype: 'float64' }),
  new nn.MLP([4, 2]),
  new nn.Affine(3), new nn.MLPBlock(4, { hidden: 6, norm: 'affine', layerScale: 0.1 }), new nn.PatchEmbed([4, 6], [2, 3], 2, 5),
  new nn.MetaFormerBlock(4, 4, { tokenMixer: 'pooling', gridSize: [2, 2] }), new nn.MetaFormer(4, 2, 4, 1, 3, { tokenMixer: 'identity', norm: null }),
  new nn.MLPMixer(4, 2, 4, 2, 3), new nn.ResMLP(4, 2, 4, 1, 3), new nn.PoolFormer(4, 2, 4, 1, 3), new nn.HourglassMLP(3, 6, 2, 2, 3, { freezeLift: true }),
  new nn.KANLinear(2, 3, { bias: true, dtype: 'float64' }), new nn.KAN([2, 3, 1], { basis: 'rbf', grid: 4 }),
  new nn.SKANLinear(2, 3, { pool: ['bspline', 'fourier'], selected: [1, 0] }), new nn.SKAN([2, 3, 1], { grid: 3 }),
  nn.SymbolicKAN.from(new nn.KAN([2, 1])),
  // src/nn/mlp/ (issue 12: GLU family, quadratic, gated, CRMSNorm, pre-norm residual MLP)
  new nn.GLU(1), new nn.GatedLinear(3, 2, { gate: 'relu' }), new nn.GeGLU(3, 2), new nn.SwiGLU(3, 2, { bias: false }), new nn.ReGLU(3, 2),
  new nn.BilinearGLU(3, 2), new nn.GLUFeedForward(3, 4, 2, { gate: 'identity', bias: false }), new nn.QuadraticLinear(3, 2, { init: 'random' }),
  new nn.GatedPerceptron(3, 2, { products: [[0, 2]] }), new nn.CRMSNorm(4), new nn.PreNormResidualMLP(3, 4, 2, { norm: 'crms', depth: 1 }),
  new nn.encoding.FourierFeatures(2, 8, { kind: 'learnable', scale: 3, includeInput: true }),
  new nn.encoding.ProgressiveImplicitNetwork(2, 6, 4, 1, { levels: 3, layersPerLevel: 2 }),
  // The activation zoo and RBF family (issue #13).
  new nn.Sine(30), new nn.SPDER({ eps: 1e-4 }), new nn.GCU(), new nn.PolyReLU({ order: 2 }), new nn.PolyNorm({ eps: 1e-5, dtype: 'float64' }),
  new nn.SIREN([2, 8, 1], { w0: 20, activation: 'spder', outermostLinear: false }), new nn.MLP([2, 4, 1], { activation: 'sine' }),
  new nn.encoding.GaussianRBF(2, 5), new nn.encoding.RBFNetwork(2, 5, 3, { bias: false }),
  // Multi-stage and sparse (SET) layers (issue #15).
  new nn.MultiStage(1, 1, { stages: 2, hidden: [4] }), new nn.ScaledMLP([2, 3, 1], { firstActivation: 'sin' }),
  new nn.SparseMLP([5, 4, 2], { epsilon: 1, dropout: 0.1 }), new nn.SparseLinear(4, 3, { nnz: 5, bias: false }),
  new nn.encoding.FeatureGrid(2, 4, 3, { range: [0, 1] }), new nn.encoding.GaussianNeuralField(3, 3, 2, 4, 1),
  new nn.Matryoshka([2, 4], 3, { efficient: true, dim: 2, relativeImportance: [1, 2] }), new nn.SortedNet([3, 4, 4, 2], [2, 4], { width: 2, sample: false }),
  new nn.HyperNetwork(new nn.MLP([2, 3, 1]), 2, [4], { encoding: 'none', additive: false }),
  // Recurrent layers (issue #14).
  new nn.RNN(3, 4, { numLayers: 2, nonlinearity: 'relu', dropout: 0.1 }), new nn.LSTM(3, 4, { bidirectional: true, batchFirst: true, dtype: 'float64' }),
  new nn.GRU(3, 4, { bias: false }), new nn.RNNCell(3, 2, { nonlinearity: 'relu' }), new nn.LSTMCell(3, 2), new nn.GRUCell(3, 2, { bias: false }),
  // analysis/ntk: the NTK-parametrised MLP (issue #16).
  new px.analysis.NTKMLP([3, 4, 2], { activation: 'erf', weightStd: 1.5, biasStd: 0.1, dtype: 'float64' }), new px.analysis.NTKLinear(2, 3),
  // src/nn/linear-attention/ (issue #14: linear attention, AFT, GLA, DeltaNet, diagonal RNN, Aaren, Hopfield)
  new nn.LinearAttention(4, { numHeads: 2, featureMap: 'relu', mode: 'recurrent', chunkSize: 3 }), new nn.AFTSimple(4, { bias: false }),
  new nn.AFTFull(4, 6, { chunkSize: 2 }), new nn.GatedLinearAttention(4, { numHeads: 2, gateRank: 2, gateTemperature: 4 }),
  new nn.DeltaNet(4, { numHeads: 2, mode: 'recurrent', dtype: 'float64' }), new nn.DiagonalLinearRNN(3, 4, { negativeEigenvalues: false, norm: true, mode: 'recurrent' }),
  new nn.Aaren(4, { mode: 'recurrent' }), new nn.Hopfield(4, { hiddenSize: 3, beta: 0.5 }), new nn.Hopfield(4, { project: false, updateSteps: 2 }),
  new nn.HopfieldPooling(4, { numQueries: 2, hiddenSize: 3 }),
  // src/nn/attention/ (issue #14)
  // (MultiheadAttention's forward returns PyTorch's (output, weights) pair, so its type is not Module's.)
  new nn.MultiheadAttention(8, 4) as unknown as nn.Module,
  new nn.MultiheadAttention(8, 4, { numKVHeads: 2, bias: false, batchFirst: true, dropout: 0.1, kdim: 3, vdim: 5, dtype: 'float64' }) as unknown as nn.Module,
  new nn.TransformerBlock(8, 2, { numKVHeads: 1, dimFeedforward: 12, glu: 'silu', norm: 'rmsNorm', causal: false }), new nn.TransformerBlock(8, 2, { activation: 'relu', bias: false }),
  new nn.TransformerLM(7, 8, 2, 2, { maxLength: 16, numKVHeads: 1 }),
  // src/nn/pointer/ (issue #14: pointer networks)
  new nn.PointerNetwork(2, 3, { maskVisited: true, closed: true, dtype: 'float64' }), new nn.PointerNetwork(1, 4),
  new nn.NoPropModel(4, 3, { numBlocks: 2, width: 4, imageHidden: [3], schedule: 'linear', embedding: 'onehot' }), new nn.NoPropModel(4, 3, { numBlocks: 1, embeddingDim: 5, width: 2, imageHidden: [], dropout: 0.1 }),
];

describe('getConfig / fromConfig', () => {
  it('round-trips every built-in through JSON to the same config and structure', () => {
    for (const m of examples()) {
      const cfg = m.getConfig();
      const json = JSON.stringify(cfg);
      const rebuilt = nn.fromConfig(JSON.parse(json));
      assert.equal(rebuilt.constructor, m.constructor, cfg.type);
      assert.deepEqual(rebuilt.getConfig(), cfg, cfg.type);
      assert.deepEqual(structure(rebuilt), structure(m), cfg.type);
      rebuilt.loadStateDict(m.stateDict());
    }
  });

  it('covers every registered type', () => {
    const seen = new Set(examples().flatMap((m) => m.modules().map((x) => x.getConfig().type)));
    assert.deepEqual(nn.registeredModules().filter((t) => !seen.has(t)), []);
  });

  it('fills defaults for omitted arguments', () => {
    const m = nn.fromConfig({ type: 'MLP', sizes: [3, 2] }) as nn.MLP;
    assert.deepEqual(m.getConfig(), { type: 'MLP', sizes: [3, 2], activation: 'relu', norm: null, dropout: 0, residual: false, bias: true, dtype: 'float32' });
  });

  it('unknown type: UNKNOWN_LAYER listing the known types, with the path', () => {
    assert.throws(() => nn.fromConfig({ type: 'Sequential', layers: [{ type: 'Linear', inFeatures: 1, outFeatures: 1 }, { type: 'Conv9d' }] }), (e: px.PlexusError) =>
      e instanceof px.ValueError && e.code === 'UNKNOWN_LAYER' && /config\.layers\[1\]\.type "Conv9d"/.test(e.message) && /known: (.*, )?BatchNorm1d, .*Dropout, .*ELU, /.test(e.message));
    // Prototype names are not layers either (the registry is a Map, not an object).
    for (const type of ['constructor', '__proto__', 'toString']) {
      assert.throws(() => nn.fromConfig({ type }), (e: px.PlexusError) => e.code === 'UNKNOWN_LAYER', type);
    }
  });

  it('bad values and unknown keys: INVALID_CONFIG naming the key', () => {
    const bad: [unknown, RegExp][] = [
      [{ type: 'Linear', inFeatures: '3', outFeatures: 2 }, /config\.inFeatures must be an integer, got "3"/],
      [{ type: 'Linear', inFeatures: 3 }, /config\.outFeatures must be an integer, got undefined/],
      [{ type: 'Linear', inFeatures: 3, outFeatures: 2, activaton: 'relu' }, /unknown key\(s\) "activaton"/],
      [{ type: 'MLP', sizes: [3, 2], norm: 'group' }, /config\.norm must be null or one of layer, rms, batch/],
      [{ type: 'MLP', sizes: [3, 'x'] }, /config\.sizes must be an array of integers/],
      [{ type: 'Dropout', p: null }, /config\.p must be a finite number/],
      [{ type: 'Linear', inFeatures: 3, outFeatures: 2, dtype: 'int32' }, /config\.dtype must be "float32" or "float64"/],
      [{ type: 'Sequential', layers: {} }, /config\.layers must be an array of layer configs/],
      [{ type: 3 }, /config\.type must be a string/],
      [[], /config must be an object/],
      [null, /config must be an object/],
    ];
    for (const [cfg, re] of bad) {
      assert.throws(() => nn.fromConfig(cfg), (e: px.PlexusError) => e.code === 'INVALID_CONFIG' && re.test(e.message), JSON.stringify(cfg));
    }
  });

  it('a JSON "__proto__" key is an unknown key, and nothing is polluted', () => {
    const cfg = JSON.parse('{"type": "ReLU", "__proto__": {"polluted": true}}') as unknown;
    assert.throws(() => nn.fromConfig(cfg), (e: px.PlexusError) => e.code === 'INVALID_CONFIG' && /"__proto__"/.test(e.message));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('argument range errors come from the layer constructors (ValueError)', () => {
    assert.throws(() => nn.fromConfig({ type: 'Linear', inFeatures: -3, outFeatures: 2 }), px.ValueError);
    assert.throws(() => nn.fromConfig({ type: 'Dropout', p: 2 }), px.ValueError);
  });

  it('caps nesting depth', () => {
    let cfg: unknown = { type: 'ReLU' };
    for (let i = 0; i < 100; i++) cfg = { type: 'Sequential', layers: [cfg] };
    assert.throws(() => nn.fromConfig(cfg), (e: px.PlexusError) => e.code === 'INVALID_CONFIG' && /deeper than 64/.test(e.message));
  });

  it('custom modules: getConfig throws until implemented; registerModule adds a type once', () => {
    class Scale extends nn.Module {
      constructor(readonly k: number) { super(); }
      forward(x: px.Tensor): px.Tensor { return px.mul(x, this.k); }
    }
    assert.throws(() => new Scale(2).getConfig(), (e: px.PlexusError) => e.code === 'NOT_CONFIGURABLE');
    nn.registerModule('TestScale', (c) => new Scale(c.number('k')));
    assert.equal((nn.fromConfig({ type: 'TestScale', k: 3 }) as Scale).k, 3);
    assert.throws(() => nn.registerModule('TestScale', () => new Scale(1)), (e: px.PlexusError) => e.code === 'DUPLICATE_LAYER');
    assert.throws(() => nn.registerModule('Linear', () => new Scale(1)), (e: px.PlexusError) => e.code === 'DUPLICATE_LAYER');
  });
});
