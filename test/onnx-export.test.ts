/**
 * @file ONNX export checked by ONNX Runtime (onnxruntime-node, a dev dependency): for every module
 * type with a lowering, a model using it is exported, loaded by ONNX Runtime and run on random
 * inputs; the outputs must equal plexus's forward to 1e-5 (float32) / 1e-10 (float64). Also: dynamic
 * batch and rank-3 inputs, dynamic sequence lengths for the sequence layers, Embedding's int64 input,
 * every supported opset's special paths (ReduceMean/ReduceMax axes, LayerNorm before opset 17, the
 * RNN operators), and typed errors for an unsupported layer, bad options and shapes (raised before
 * any byte is produced).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import type { Module } from '../src/nn/module.js';
import { decodeOnnx, reencode } from './onnx-proto.js';

const { nn, io } = px;

type Ort = typeof import('onnxruntime-node').default;
let ort: Ort | null = null;
let skip: string | false = false;

before(async () => {
  try {
    ort = (await import('onnxruntime-node')).default;
  } catch (e) {
    skip = `onnxruntime-node did not load (${(e as Error).message.split('\n')[0]}); ONNX Runtime checks skipped`;
    console.log(`# SKIP ${skip}`);
  }
});

/** Runs the exported model in ONNX Runtime on x; returns the max |ort - plexus| and the output dims. */
async function compare(model: Module, shape: number[], opts: { dtype?: 'float32' | 'float64'; opset?: number; exportShape?: (number | null)[]; lo?: number; hi?: number } = {}): Promise<{ err: number; dims: readonly number[] }> {
  const dtype = opts.dtype ?? 'float32';
  const bytes = io.exportOnnx(model, { inputShape: opts.exportShape ?? [null, ...shape.slice(1)], opset: opts.opset });
  const session = await ort!.InferenceSession.create(bytes);
  const lo = opts.lo ?? -1;
  const hi = opts.hi ?? 1;
  const x = px.rand(shape, { dtype }).mul(hi - lo).add(lo);
  // Recurrent modules return [output, state]: the graph exports the main output. MultiheadAttention
  // exports as self-attention of its one input (query = key = value).
  const res = px.noGrad(() => (model instanceof nn.MultiheadAttention ? model.forward(x, x, x, { needWeights: false }) : model.forward(x)) as unknown);
  const y = (Array.isArray(res) ? res[0] : res) as px.Tensor;
  const data = dtype === 'float32' ? Float32Array.from(x.values as ArrayLike<number>) : Float64Array.from(x.values as ArrayLike<number>);
  const out = (await session.run({ input: new ort!.Tensor(dtype, data, shape) })).output!;
  assert.deepEqual([...out.dims], y.shape, 'ONNX output shape');
  const o = out.data as Float32Array | Float64Array;
  const v = y.values as ArrayLike<number>;
  let err = 0;
  for (let i = 0; i < v.length; i++) err = Math.max(err, Math.abs(o[i]! - v[i]!) / Math.max(1, Math.abs(v[i]!)));
  return { err, dims: out.dims };
}

function trainedBatchNorm(): Module {
  const m = new nn.Sequential(new nn.Linear(4, 6), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.Linear(6, 2));
  m.train();
  for (let i = 0; i < 3; i++) px.noGrad(() => m.forward(px.randn([16, 4])));
  m.eval();
  return m;
}

function fourierFeatures(): Module {
  const ff = new nn.encoding.FourierFeatures(2, 6, { kind: 'gaussian', includeInput: true, inputRange: [0, 1] });
  ff.setFrequencyMask([1, 1, 0.5, 0.25, 0, 0]);
  return new nn.Sequential(ff, new nn.Linear(14, 3));
}

/** Every parameter redrawn (LayerScale gammas, Affine, ReLinear's zero-initialised terms), so each term is exercised. */
function randomized(m: Module): Module {
  px.noGrad(() => { for (const p of m.parameters()) p.assign(px.randn(p.shape, { dtype: p.dtype as 'float32' }).mul(0.5)); });
  return m;
}

const MLP_FAMILY: [string, string[], () => Module, number[]][] = [
  ['MLPMixer', ['MLPMixer', 'MetaFormerBlock', 'PatchEmbed', 'MLPBlock'], () => randomized(new nn.MLPMixer([8, 8], 4, 6, 2, 3, { tokenHidden: 5, channelHidden: 7 })), [3, 64]],
  ['ResMLP (linear mixer, Affine, LayerScale)', ['ResMLP', 'Affine'], () => randomized(new nn.ResMLP([8, 8], 2, 5, 2, 3)), [2, 1, 8, 8]],
  ['PoolFormer (pooling mixer)', ['PoolFormer'], () => randomized(new nn.PoolFormer([12, 12], 4, 4, 1, 2)), [2, 12, 12]],
  ['MetaFormer identity mixer, 2 channels', ['MetaFormer'], () => randomized(new nn.MetaFormer([4, 6], 2, 5, 1, 2, { tokenMixer: 'identity', inChannels: 2, norm: 'rms' })), [2, 2, 4, 6]],
  ['HourglassMLP', ['HourglassMLP'], () => randomized(new nn.HourglassMLP(6, 12, 4, 2, 3)), [4, 6]],
  ['GLU halving (dim 1)', ['GLU'], () => new nn.Sequential(new nn.Linear(3, 8), new nn.GLU(1)), [4, 3]],
  ['GLU variants', ['GatedLinear', 'GeGLU', 'SwiGLU', 'ReGLU', 'BilinearGLU'], () => new nn.Sequential(
    new nn.GatedLinear(4, 5, { gate: 'geluTanh' }), new nn.GeGLU(5, 5), new nn.SwiGLU(5, 5), new nn.ReGLU(5, 5), new nn.BilinearGLU(5, 3)), [6, 4]],
  ['GLUFeedForward', ['GLUFeedForward'], () => new nn.GLUFeedForward(4, 8, 3, { gate: 'silu' }), [6, 4]],
  ['QuadraticLinear', ['QuadraticLinear'], () => randomized(new nn.QuadraticLinear(4, 3)), [6, 4]],
  ['GatedPerceptron', ['GatedPerceptron'], () => new nn.GatedPerceptron(3, 2, { products: [[0, 1], [0, 1, 2]] }), [6, 3]],
  ['PreNormResidualMLP with CRMSNorm', ['PreNormResidualMLP', 'PreNormBlock', 'CRMSNorm'], () => randomized(new nn.PreNormResidualMLP(4, 6, 3, { norm: 'crms', depth: 2 })), [5, 4]],
];

const RECURRENT: [string, string[], () => Module, number[]][] = [
  ['RNN tanh, 2 layers', ['RNN'], () => new nn.RNN(3, 5, { numLayers: 2 }), [6, 4, 3]],
  ['RNN relu, bidirectional, batchFirst, no bias', [], () => new nn.RNN(3, 4, { nonlinearity: 'relu', bidirectional: true, batchFirst: true, bias: false }), [4, 6, 3]],
  ['LSTM', ['LSTM'], () => new nn.LSTM(3, 5), [7, 2, 3]],
  ['LSTM 2 layers, bidirectional, batchFirst', [], () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true }), [2, 7, 3]],
  ['LSTM unbatched, no bias', [], () => new nn.LSTM(3, 4, { bias: false }), [5, 3]],
  ['GRU', ['GRU'], () => new nn.GRU(3, 5), [7, 2, 3]],
  ['GRU 3 layers, bidirectional', [], () => new nn.GRU(2, 3, { numLayers: 3, bidirectional: true }), [6, 3, 2]],
  ['RNNCell relu', ['RNNCell'], () => new nn.RNNCell(3, 5, { nonlinearity: 'relu' }), [4, 3]],
  ['LSTMCell', ['LSTMCell'], () => new nn.LSTMCell(3, 5), [4, 3]],
  ['GRUCell', ['GRUCell'], () => new nn.GRUCell(3, 5), [4, 3]],
  ['LSTMCell unbatched, no bias', [], () => new nn.LSTMCell(3, 4, { bias: false }), [3]],
];

const ATTENTION: [string, string[], () => Module, number[]][] = [
  ['MultiheadAttention (self-attention, batchFirst)', ['MultiheadAttention'], () => randomized(new nn.MultiheadAttention(8, 2, { batchFirst: true }) as unknown as Module), [2, 5, 8]],
  ['MultiheadAttention [L, N, E], GQA (4 heads, 2 KV heads)', [], () => randomized(new nn.MultiheadAttention(8, 4, { numKVHeads: 2 }) as unknown as Module), [5, 2, 8]],
  ['MultiheadAttention MQA', [], () => randomized(new nn.MultiheadAttention(8, 4, { numKVHeads: 1, batchFirst: true, bias: false }) as unknown as Module), [2, 6, 8]],
  ['TransformerBlock causal', ['TransformerBlock'], () => randomized(new nn.TransformerBlock(8, 2, { dimFeedforward: 16 })), [2, 5, 8]],
  ['TransformerBlock non-causal, SwiGLU, RMSNorm, relu', [], () => randomized(new nn.TransformerBlock(8, 2, { causal: false, glu: 'silu', norm: 'rmsNorm' })), [2, 4, 8]],
];

const SEQUENCE_MIXERS: [string, string[], () => Module, number[]][] = [
  ['LinearAttention elu+1, 2 heads, chunked', ['LinearAttention'], () => new nn.LinearAttention(8, { numHeads: 2, chunkSize: 3 }), [2, 7, 8]],
  ['LinearAttention relu, recurrent', [], () => new nn.LinearAttention(6, { featureMap: 'relu', mode: 'recurrent' }), [2, 5, 6]],
  ['LinearAttention softplus', [], () => new nn.LinearAttention(6, { featureMap: 'softplus', numHeads: 3 }), [2, 5, 6]],
  ['AFTSimple', ['AFTSimple'], () => new nn.AFTSimple(5, { chunkSize: 4 }), [2, 9, 5]],
  ['AFTFull (random position biases, seq < maxSeqLen)', ['AFTFull'], () => randomized(new nn.AFTFull(5, 12, { chunkSize: 4 })), [2, 9, 5]],
  ['GatedLinearAttention, 2 heads, chunked', ['GatedLinearAttention'], () => new nn.GatedLinearAttention(8, { numHeads: 2, gateRank: 4, gateTemperature: 2, chunkSize: 4 }), [2, 9, 8]],
  ['DeltaNet, 2 heads, chunked', ['DeltaNet'], () => new nn.DeltaNet(8, { numHeads: 2, chunkSize: 4 }), [2, 11, 8]],
  ['DeltaNet recurrent', [], () => new nn.DeltaNet(4, { mode: 'recurrent' }), [2, 6, 4]],
  ['Aaren', ['Aaren'], () => new nn.Aaren(6), [2, 7, 6]],
  ['Hopfield (projections, self-association)', ['Hopfield'], () => new nn.Hopfield(6, { hiddenSize: 4 }), [2, 5, 6]],
  ['Hopfield bare update, 3 steps', [], () => new nn.Hopfield(6, { project: false, beta: 2, updateSteps: 3 }), [2, 5, 6]],
  ['HopfieldPooling', ['HopfieldPooling'], () => new nn.HopfieldPooling(6, { numQueries: 3, hiddenSize: 4 }), [2, 5, 6]],
  ['DiagonalLinearRNN (negative eigenvalues, scan)', ['DiagonalLinearRNN'], () => new nn.DiagonalLinearRNN(3, 5), [2, 11, 3]],
  ['DiagonalLinearRNN ([0, 1], RMS norm, recurrent)', [], () => new nn.DiagonalLinearRNN(3, 5, { negativeEigenvalues: false, norm: true, mode: 'recurrent' }), [2, 8, 3]],
];

/** [name, types it covers, model, input shape] for float32 at the default opset. */
const CASES: [string, string[], () => Module, number[]][] = [
  ['MLP relu', ['MLP', 'Linear'], () => new nn.MLP([5, 8, 8, 3]), [4, 5]],
  ['MLP gelu + LayerNorm + residual', ['LayerNorm'], () => new nn.MLP([5, 8, 8, 3], { activation: 'gelu', norm: 'layer', residual: true }), [4, 5]],
  ['MLP geluTanh + RMSNorm', ['RMSNorm'], () => new nn.MLP([5, 8, 8, 3], { activation: 'geluTanh', norm: 'rms' }), [4, 5]],
  ['MLP BatchNorm (running stats) + dropout', ['BatchNorm1d', 'Dropout'], () => new nn.MLP([5, 8, 3], { norm: 'batch', dropout: 0.5 }), [4, 5]],
  ['Sequential BatchNorm1d trained', ['Sequential'], trainedBatchNorm, [8, 4]],
  ['activations', ['ReLU', 'LeakyReLU', 'ELU', 'GELU', 'SiLU', 'Tanh', 'Sigmoid', 'Softplus', 'Identity', 'Sine', 'SPDER', 'GCU', 'PReLU'], () => new nn.Sequential(
    new nn.Linear(3, 6), new nn.LeakyReLU(0.1), new nn.ELU(0.7), new nn.GELU(), new nn.SiLU(), new nn.Tanh(), new nn.Sigmoid(),
    new nn.Softplus(2, 1), new nn.Identity(), new nn.Sine(3), new nn.SPDER(), new nn.GCU(), new nn.PReLU(6), new nn.ReLU(), new nn.Linear(6, 2)), [9, 3]],
  ['Flatten', ['Flatten'], () => new nn.Sequential(new nn.Flatten(), new nn.Linear(12, 2)), [3, 3, 4]],
  ['SIREN', ['SIREN'], () => new nn.SIREN([2, 16, 16, 1]), [9, 2]],
  ['SIREN spder', [], () => new nn.SIREN([2, 8, 1], { activation: 'spder' }), [9, 2]],
  ['FourierFeatures (masked, with input)', ['FourierFeatures'], fourierFeatures, [7, 2]],
  ['KAN bspline', ['KAN', 'KANLinear'], () => new nn.KAN([3, 5, 2], { grid: 5, k: 3 }), [7, 3]],
  ['KAN bspline k=1, no base', [], () => new nn.KAN([3, 4, 2], { grid: 3, k: 1, baseActivation: 'zero' }), [7, 3]],
  ['FastKAN (rbf + LayerNorm)', [], () => new nn.KAN([3, 5, 2], { basis: 'rbf', layerNorm: true }), [7, 3]],
  ['ChebyKAN', [], () => new nn.KAN([3, 4, 2], { basis: 'chebyshev', grid: 4 }), [7, 3]],
  ['FourierKAN', [], () => new nn.KAN([3, 4, 2], { basis: 'fourier', grid: 3 }), [7, 3]],
  ['KANLinear rank-3 input', [], () => new nn.KANLinear(3, 2, { grid: 4 }), [2, 5, 3]],
  ...MLP_FAMILY,
  ...RECURRENT,
  ...SEQUENCE_MIXERS,
  ...ATTENTION,
];

describe('io.exportOnnx checked by ONNX Runtime', () => {
  for (const [name, , make, shape] of CASES) {
    it(`${name}: float32 outputs equal plexus's to 1e-5`, async (t) => {
      if (skip) return t.skip(skip);
      px.manualSeed(1);
      const model = make();
      model.eval();
      const { err } = await compare(model, shape);
      console.log(`# ${name}: max rel err ${err.toExponential(2)}`);
      assert.ok(err <= 1e-5, `${name}: ${err}`);
    });
  }

  it('covers every exportable module type', () => {
    // Embedding and TransformerLM: their own cases below (int64 input).
    const covered = new Set([...CASES.flatMap(([, types]) => types), 'Embedding', 'TransformerLM']);
    const missing = io.onnxExportableTypes().filter((t) => !covered.has(t));
    assert.deepEqual(missing, [], `exportable types without an ONNX Runtime case: ${missing.join(', ')}`);
  });

  it('float64 models export as double and agree to 1e-10 (MLP, KAN, FastKAN, SIREN, FourierKAN, activations)', async (t) => {
    if (skip) return t.skip(skip);
    px.manualSeed(2);
    const models: [string, Module][] = [
      ['MLP silu + LayerNorm', new nn.MLP([4, 8, 8, 2], { activation: 'silu', norm: 'layer', dtype: 'float64' })],
      ['KAN', new nn.KAN([4, 5, 2], { grid: 6, dtype: 'float64' })],
      ['FastKAN', new nn.KAN([4, 5, 2], { basis: 'rbf', layerNorm: true, dtype: 'float64' })],
      ['SIREN', new nn.SIREN([4, 8, 2], { dtype: 'float64' })],
      ['FourierKAN', new nn.KAN([4, 3, 2], { basis: 'fourier', grid: 3, dtype: 'float64' })],
      // float64 forms of the operators ONNX Runtime 1.16 has only in float32 (Elu, Softplus, Cos; LeakyRelu's float32 alpha).
      ['activations', new nn.Sequential(new nn.Linear(4, 6, { dtype: 'float64' }), new nn.LeakyReLU(0.1), new nn.ELU(0.7), new nn.Softplus(), new nn.Softplus(2, 1),
        new nn.GCU(), new nn.Linear(6, 2, { dtype: 'float64' }))],
    ];
    for (const [name, m] of models) {
      const { err } = await compare(m, [6, 4], { dtype: 'float64' });
      console.log(`# float64 ${name}: max rel err ${err.toExponential(2)}`);
      // LayerNorm's reductions run in a different order in ONNX Runtime: ~1e-12, not 1e-16.
      assert.ok(err <= 1e-10, `${name}: ${err}`);
    }
  });

  it('every supported opset runs (13: ReduceMean/ReduceMax axes as attribute, LayerNorm lowered; 18+: axes as input; the RNN operators)', async (t) => {
    if (skip) return t.skip(skip);
    px.manualSeed(3);
    const m = new nn.MLP([4, 6, 6, 2], { norm: 'layer', activation: 'tanh' });
    const r = new nn.MLP([4, 6, 2], { norm: 'rms' });
    for (const opset of [13, 15, 17, 18, 19]) {
      for (const model of [m, r]) {
        const { err } = await compare(model, [3, 4], { opset });
        assert.ok(err <= 1e-5, `opset ${opset}: ${err}`);
      }
    }
    // The sequence layers: RNN operators (LSTM/GRU/RNN 14 from opset 14), ReduceMax / ReduceMean axes (input from 18).
    const seq: [Module, number[]][] = [
      [new nn.LSTM(4, 3, { bidirectional: true }), [5, 2, 4]], [new nn.GRU(4, 3), [5, 2, 4]], [new nn.RNN(4, 3, { nonlinearity: 'relu' }), [5, 2, 4]],
      [randomized(new nn.AFTFull(4, 6)), [2, 5, 4]], [new nn.AFTSimple(4), [2, 5, 4]], [new nn.GatedLinearAttention(4, { gateRank: 2 }), [2, 5, 4]],
      [new nn.DiagonalLinearRNN(4, 3, { norm: true }), [2, 5, 4]],
    ];
    for (const opset of [13, 19]) { // both ends: axes as attributes, axes as inputs
      for (const [model, shape] of seq) {
        const { err } = await compare(model, shape, { opset });
        assert.ok(err <= 1e-5, `${model.getConfig().type} at opset ${opset}: ${err}`);
      }
    }
  });

  it('a dynamic batch runs at several batch sizes; a static shape is kept', async (t) => {
    if (skip) return t.skip(skip);
    const m = new nn.KAN([2, 3, 1]);
    for (const n of [1, 5, 32]) assert.ok((await compare(m, [n, 2])).err <= 1e-5);
    const fixed = decodeOnnx(io.exportOnnx(m, { inputShape: [4, 2] })) as { graph: { input: { type: { tensorType: { shape: { dim: { dimValue?: number }[] } } } }[] } };
    assert.deepEqual(fixed.graph.input[0]!.type.tensorType.shape.dim.map((d) => d.dimValue), [4, 2]);
  });

  it('the static protobuf encoders agree byte for byte with protobufjs reflection over the same schema', () => {
    px.manualSeed(4);
    for (const [name, , make, shape] of CASES) {
      const bytes = io.exportOnnx(make(), { inputShape: [null, ...shape.slice(1)], opset: 17, metadata: { note: 'é ✓' } });
      assert.deepEqual(reencode(bytes), bytes, name);
      const m = decodeOnnx(bytes) as { irVersion: number; producerName: string; opsetImport: { version: number }[]; metadataProps: { key: string; value: string }[] };
      assert.equal(m.irVersion, 8);
      assert.equal(m.producerName, 'plexus');
      assert.equal(m.opsetImport[0]!.version, 17);
      assert.ok(m.metadataProps.some((p) => p.key === 'note' && p.value === 'é ✓'));
    }
  });

  it('a module without a lowering is an OnnxExportError naming its path and type', () => {
    const model = new nn.Sequential(new nn.Linear(4, 4), new nn.PolyNorm());
    assert.throws(() => io.exportOnnx(model, { inputShape: [null, 4] }), (e: unknown) =>
      e instanceof io.OnnxExportError && e.modulePath === '1' && e.moduleType === 'PolyNorm' && /module 1 of type PolyNorm/.test(e.message));
  });

  it('float64 sequence layers export as double and agree to 1e-10', async (t) => {
    if (skip) return t.skip(skip);
    px.manualSeed(5);
    const dtype = 'float64' as const;
    const models: [string, Module, number[]][] = [
      // Not RNN/LSTM/GRU: ONNX Runtime 1.16's CPU kernels for them are float32 only (the ONNX spec allows double).
      ['LinearAttention', new nn.LinearAttention(6, { numHeads: 2, dtype }), [2, 7, 6]],
      ['AFTFull', randomized(new nn.AFTFull(4, 8, { dtype })), [2, 7, 4]],
      ['AFTSimple', new nn.AFTSimple(4, { dtype }), [2, 7, 4]],
      ['LinearAttention softplus', new nn.LinearAttention(4, { featureMap: 'softplus', dtype }), [2, 7, 4]],
      ['GatedLinearAttention', new nn.GatedLinearAttention(4, { gateRank: 2, chunkSize: 3, dtype }), [2, 7, 4]],
      ['Aaren', new nn.Aaren(4, { dtype }), [2, 7, 4]],
      ['DeltaNet', new nn.DeltaNet(4, { numHeads: 2, chunkSize: 3, dtype }), [2, 9, 4]],
      ['Hopfield', new nn.Hopfield(4, { dtype }), [2, 5, 4]],
      ['HopfieldPooling', new nn.HopfieldPooling(4, { numQueries: 2, dtype }), [2, 5, 4]],
      ['DiagonalLinearRNN', new nn.DiagonalLinearRNN(3, 4, { norm: true, dtype }), [2, 9, 3]],
    ];
    for (const [name, m, shape] of models) {
      m.eval();
      const { err } = await compare(m, shape, { dtype });
      console.log(`# float64 ${name}: max rel err ${err.toExponential(2)}`);
      assert.ok(err <= 1e-10, `${name}: ${err}`);
    }
  });

  it('a dynamic sequence length runs at several lengths (causal masks from the input shape)', async (t) => {
    if (skip) return t.skip(skip);
    px.manualSeed(6);
    const models: [string, Module][] = [
      ['LinearAttention', new nn.LinearAttention(4, { numHeads: 2 })], ['AFTSimple', new nn.AFTSimple(4)],
      ['AFTFull', randomized(new nn.AFTFull(4, 10))], ['GatedLinearAttention', new nn.GatedLinearAttention(4, { gateRank: 2 })],
      ['Aaren', new nn.Aaren(4)], ['LSTM batchFirst', new nn.LSTM(4, 3, { batchFirst: true })],
    ];
    for (const [name, m] of models) {
      for (const L of [1, 4, 10]) {
        const { err } = await compare(m, [2, L, 4], { exportShape: [null, null, 4] });
        assert.ok(err <= 1e-5, `${name} at length ${L}: ${err}`);
      }
    }
  });

  it('DiagonalLinearRNN and DeltaNet need a static sequence length; AFTFull refuses one beyond maxSeqLen', () => {
    assert.throws(() => io.exportOnnx(new nn.DiagonalLinearRNN(3, 4), { inputShape: [null, null, 3] }), (e: unknown) =>
      e instanceof io.OnnxExportError && e.moduleType === 'DiagonalLinearRNN' && /static sequence length/.test(e.message));
    assert.throws(() => io.exportOnnx(new nn.Sequential(new nn.DeltaNet(4)), { inputShape: [null, null, 4] }), (e: unknown) =>
      e instanceof io.OnnxExportError && e.moduleType === 'DeltaNet' && e.modulePath === '0' && /static sequence length/.test(e.message));
    assert.throws(() => io.exportOnnx(new nn.AFTFull(4, 6), { inputShape: [null, 7, 4] }), /at most 6 positions, the graph has 7/);
    assert.throws(() => io.exportOnnx(new nn.LSTM(3, 4), { inputShape: [null, 5] }), /expects an input \[T, N, inputSize\]|\[\.\.\., 3\]/);
    assert.throws(() => io.exportOnnx(new nn.Aaren(4), { inputShape: [null, 4] }), /Aaren expects an input \[batch, seq, 4\]/);
    assert.throws(() => io.exportOnnx(new nn.GRUCell(3, 4), { inputShape: [null, 2, 3] }), /GRUCell expects an input \[N, 3\] or unbatched \[3\]/);
    assert.throws(() => io.exportOnnx(new nn.GRU(3, 4, { batchFirst: true }), { inputShape: [2, 5, 7, 3] }), /GRU expects an input \[N, T, inputSize\]/);
  });

  it('Embedding exports as Gather with an int64 graph input when it comes first', async (t) => {
    px.manualSeed(7);
    const model = new nn.Sequential(new nn.Embedding(10, 4), new nn.Linear(4, 3));
    const bytes = io.exportOnnx(model, { inputShape: [null, 5] });
    const decoded = decodeOnnx(bytes) as { graph: { input: { type: { tensorType: { elemType: number } } }[] } };
    assert.equal(decoded.graph.input[0]!.type.tensorType.elemType, 7, 'graph input is int64');
    assert.throws(() => io.exportOnnx(new nn.Sequential(new nn.Linear(4, 4), new nn.Embedding(3, 4)), { inputShape: [null, 4] }), (e: unknown) =>
      e instanceof io.OnnxExportError && e.modulePath === '1' && e.moduleType === 'Embedding' && /only as the model's first layer/.test(e.message));
    assert.throws(() => io.exportOnnx(model, { inputShape: [null, 5], standardize: { mean: [0, 0, 0, 0, 0], std: [1, 1, 1, 1, 1] } }), /standardize applies to float features/);
    if (skip) return t.skip(skip);
    const idx = [3, 0, 9, 9, 1, 4, 7, 2, 5, 6];
    const session = await ort!.InferenceSession.create(bytes);
    const out = (await session.run({ input: new ort!.Tensor('int64', BigInt64Array.from(idx, BigInt), [2, 5]) })).output!;
    const y = px.noGrad(() => model.forward(px.tensor(idx, { dtype: 'int32', shape: [2, 5] })));
    assert.deepEqual([...out.dims], y.shape);
    const o = out.data as Float32Array;
    const v = y.values as ArrayLike<number>;
    let err = 0;
    for (let i = 0; i < v.length; i++) err = Math.max(err, Math.abs(o[i]! - v[i]!));
    console.log(`# Embedding: max abs err ${err.toExponential(2)}`);
    assert.ok(err <= 1e-5, String(err));
  });

  it('TransformerLM exports with int64 tokens in, logits out, at any length up to maxLength', async (t) => {
    px.manualSeed(8);
    const model = randomized(new nn.TransformerLM(11, 8, 2, 2, { maxLength: 12 }));
    model.eval();
    const bytes = io.exportOnnx(model, { inputShape: [null, null] });
    assert.throws(() => io.exportOnnx(model, { inputShape: [null, 13] }), /has 12 positions, the input shape asks for 13/);
    if (skip) return t.skip(skip);
    const session = await ort!.InferenceSession.create(bytes);
    for (const T of [1, 7, 12]) {
      const idx = Array.from({ length: 2 * T }, (_, i) => (i * 7 + 3) % 11);
      const out = (await session.run({ input: new ort!.Tensor('int64', BigInt64Array.from(idx, BigInt), [2, T]) })).output!;
      const y = px.noGrad(() => model.forward(px.tensor(idx, { dtype: 'int32', shape: [2, T] })));
      assert.deepEqual([...out.dims], y.shape);
      const o = out.data as Float32Array;
      const v = y.values as ArrayLike<number>;
      let err = 0;
      for (let i = 0; i < v.length; i++) err = Math.max(err, Math.abs(o[i]! - v[i]!) / Math.max(1, Math.abs(v[i]!)));
      console.log(`# TransformerLM T=${T}: max rel err ${err.toExponential(2)}`);
      assert.ok(err <= 1e-5, String(err));
    }
  });

  it('bad options and shapes are typed errors', () => {
    const m = new nn.MLP([4, 3, 2]);
    const bad: [unknown, RegExp][] = [
      [{ inputShape: [null, 5] }, /layers\.0 expects an input \[\.\.\., 4\]/],
      [{ inputShape: [] }, /inputShape must be a non-empty array/],
      [{ inputShape: [0, 4] }, /inputShape\[0\] must be a positive integer/],
      [{ inputShape: [null, 4], opset: 12 }, /opset must be an integer in 13\.\.19/],
      [{ inputShape: [null, 4], opest: 17 }, /opest/],
      [{ inputShape: [null, 4], inputName: 'x', outputName: 'x' }, /must differ/],
    ];
    for (const [opts, re] of bad) assert.throws(() => io.exportOnnx(m, opts as never), re);
    assert.throws(() => io.exportOnnx(new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 2, { dtype: 'float64' })), { inputShape: [null, 2] }), /mixes dtypes/);
  });

  it('BatchNorm1d without running statistics is refused with the reason', () => {
    const m = new nn.Sequential(new nn.Linear(3, 3), new nn.BatchNorm1d(3, { trackRunningStats: false }));
    assert.throws(() => io.exportOnnx(m, { inputShape: [null, 3] }), /batch's own statistics/);
  });
});
