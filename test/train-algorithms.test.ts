/**
 * @file The training-algorithm registry and the layer-local algorithms (Forward-Forward, its
 * collaborative variant, Mono-Forward): names and options are validated before training with typed
 * errors naming the option; an algorithm that does not apply to the model is refused with the model
 * unchanged; FF's goodness / loss gradients agree with finite differences (FF1); each algorithm
 * learns the digits set through `fit` (validation through the predict hook); the algorithms' own
 * state round-trips through a checkpoint and a refused load changes nothing.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { data, evaluate, fit, nn, optim, train } from '../src/node.js';
import { gradcheck } from '../src/testing/index.js';

before(() => px.setBackend(px.defaultBackend()));

const weights = (m: nn.Module): number[][] => m.parameters().map((p) => Array.from(p.values));
const digits = data.digits({ seed: 0 });

describe('algorithm registry', () => {
  it('lists backprop, forward-forward and mono-forward; a name registers once', () => {
    for (const n of ['backprop', 'forward-forward', 'mono-forward']) assert.ok(train.algorithmNames().includes(n), n);
    assert.throws(() => train.registerAlgorithm('mono-forward', { options: {}, create: () => new train.Backprop(), description: '' }), { code: 'DUPLICATE_ALGORITHM' });
    assert.throws(() => train.registerAlgorithm('Bad Name', { options: {}, create: () => new train.Backprop(), description: '' }), { code: 'INVALID_ARGUMENT' });
  });

  it('refuses an unknown name, an unknown option and values out of range, naming the option and what it admits', () => {
    assert.throws(() => train.createAlgorithm('noprop-x'), (e: Error) => e instanceof px.ValueError && /unknown algorithm "noprop-x".*registered: backprop/.test(e.message));
    assert.throws(() => train.createAlgorithm('forward-forward', { treshold: 2 }), (e: Error) => e instanceof px.ValueError && /unknown option 'treshold'.*threshold/.test(e.message));
    for (const bad of [0, -1, Infinity, '2']) {
      assert.throws(() => train.createAlgorithm('forward-forward', { threshold: bad }), (e: Error) => e instanceof px.ValueError && (e as px.ValueError).code === 'INVALID_ALGORITHM_OPTION' && /option 'threshold' must be a finite number > 0/.test(e.message));
    }
    assert.throws(() => new train.ForwardForward({ goodness: 'max' as 'sum' }), /option 'goodness' must be one of 'sum', 'mean', got "max"/);
    assert.throws(() => new train.MonoForward({ head: 'bp' as 'linear' }), /option 'head' must be one of 'projection', 'linear'/);
    assert.throws(() => new train.ForwardForward({ mode: 'unsupervised' }), /option 'prediction' must be 'head' in unsupervised mode/);
  });

  it('option specs of every kind: defaults filled in (arrays copied), bad values named', () => {
    const spec: train.AlgorithmOptionsSpec = {
      stages: { kind: 'numbers', default: [1, 2], doc: '', integer: true, min: 1, minLength: 1 },
      rate: { kind: 'number', gt: 0, max: 1, default: 0.5, doc: '' },
      on: { kind: 'boolean', default: false, doc: '' },
    };
    const a = train.resolveAlgorithmOptions<{ stages: number[]; rate: number; on: boolean }>('algo', spec, {});
    assert.deepEqual(a, { stages: [1, 2], rate: 0.5, on: false });
    a.stages.push(3);
    assert.deepEqual(spec.stages!.default, [1, 2]);
    assert.throws(() => train.resolveAlgorithmOptions('algo', spec, { stages: [1, 0.5] }), /option 'stages' must be an array of at least 1 integers >= 1/);
    assert.throws(() => train.resolveAlgorithmOptions('algo', spec, { rate: 2 }), /option 'rate' must be a finite number > 0 and <= 1, got 2/);
    assert.throws(() => train.resolveAlgorithmOptions('algo', spec, { on: 1 }), /option 'on' must be true or false/);
    assert.throws(() => train.resolveAlgorithmOptions('algo', spec, [1]), /options must be an object/);
  });

  it('fit refuses an algorithm that does not apply, before training, with the model unchanged', async () => {
    const kan = new nn.KAN([64, 4, 10]);
    const w0 = weights(kan);
    const opts = { optimizer: new optim.Adam(kan.parameters()), progress: false as const };
    await assert.rejects(fit(kan, { ...digits.train }, { ...opts, algorithm: 'mono-forward' }), (e: Error) => (e as px.ValueError).code === 'ALGORITHM_NOT_APPLICABLE' && /mono-forward.*nn\.MLP.*KAN/.test(e.message));
    await assert.rejects(fit(kan, { ...digits.train }, { ...opts, algorithm: new train.ForwardForward() }), { code: 'ALGORITHM_NOT_APPLICABLE' });
    assert.deepEqual(weights(kan), w0);
    const mlp = new nn.MLP([64, 8, 10]);
    // Options go with a name, not with an object; a regression loss is refused too.
    await assert.rejects(fit(mlp, { ...digits.train }, { optimizer: new optim.Adam(mlp.parameters()), algorithm: new train.MonoForward(), algorithmOptions: { head: 'linear' }, progress: false }), /algorithmOptions go with an algorithm given by name/);
    await assert.rejects(fit(mlp, { x: digits.train.x, y: digits.train.x }, { optimizer: new optim.Adam(mlp.parameters()), loss: 'mse', algorithm: 'mono-forward', progress: false }), /loss must be 'crossEntropy', got 'mse'/);
    await assert.rejects(fit(mlp, { ...digits.train }, { optimizer: new optim.LBFGS(mlp.parameters()), algorithm: 'forward-forward', progress: false }), /first-order optimizer/);
  });
});

describe('Forward-Forward gradients (FF1)', () => {
  it('goodness, length normalisation and the FF loss (plain and collaborative) match finite differences', () => {
    const g = new px.Generator(3);
    const o = { dtype: 'float64' as const, generator: g };
    const w = px.randn([6, 5], o).requiresGrad_();
    const b = px.randn([6], o).requiresGrad_();
    const xp = px.randn([4, 5], o);
    const xn = px.randn([4, 5], o);
    const other = px.randn([4], o);
    for (const kind of ['sum', 'mean'] as const) {
      const layer = (x: px.Tensor, W: px.Tensor, B: px.Tensor): px.Tensor => px.relu(px.add(px.matmul(train.lengthNormalize(x), px.t(W)), B));
      const ff = (W: px.Tensor, B: px.Tensor): px.Tensor => train.forwardForwardLoss(
        px.sub(train.goodness(layer(xp, W, B), kind), 2), px.sub(train.goodness(layer(xn, W, B), kind), 2));
      const r = gradcheck(ff, [w, b]);
      assert.ok(r.ok, `FF ${kind}: ${r.message}`);
      const cff = (W: px.Tensor, B: px.Tensor): px.Tensor => train.forwardForwardLoss(
        px.add(px.sub(train.goodness(layer(xp, W, B), kind), 2), other), px.add(px.sub(train.goodness(layer(xn, W, B), kind), 2), other));
      const rc = gradcheck(cff, [w, b]);
      assert.ok(rc.ok, `CFF ${kind}: ${rc.message}`);
      console.log(`FF1 ${kind}: max |analytic - numeric| ${Math.max(...r.maxErrors).toExponential(2)} (FF), ${Math.max(...rc.maxErrors).toExponential(2)} (CFF)`);
    }
    // The loss itself: softplus(theta - g+) and softplus(g- - theta), halved.
    const sp = (v: number): number => Math.log1p(Math.exp(v));
    const l = train.forwardForwardLoss(px.tensor([1, 3], { dtype: 'float64' }), px.tensor([-2, 0.5], { dtype: 'float64' })).item();
    assert.ok(Math.abs(l - 0.5 * ((sp(-1) + sp(-3)) / 2 + (sp(-2) + sp(0.5)) / 2)) < 1e-12);
  });
});

describe('layer-local algorithms learn digits through fit', () => {
  const cases: [string, Record<string, unknown>, number, number][] = [
    ['mono-forward', {}, 3e-3, 0.85],
    ['mono-forward', { head: 'linear' }, 3e-3, 0.85],
    ['forward-forward', {}, 0.01, 0.75],
    ['forward-forward', { collaborative: true, prediction: 'head' }, 0.01, 0.75],
  ];
  for (const [name, options, lr, want] of cases) {
    it(`${name} ${JSON.stringify(options)}: validation accuracy >= ${want} after 8 epochs`, async () => {
      px.manualSeed(0);
      const model = new nn.MLP([64, 64, 64, 10]);
      const algorithm = train.createAlgorithm(name, options, model);
      const h = await fit(model, { ...digits.train, batchSize: 64 }, { optimizer: new optim.Adam(model.parameters(), { lr }), epochs: 8, validation: digits.test, algorithm, progress: false, seed: 0 });
      const acc = h.last!.valAccuracy!;
      console.log(`${name} ${JSON.stringify(options)}: valAccuracy ${acc.toFixed(3)}`);
      assert.ok(acc >= want, `${acc}`);
      // Validation predicted through the algorithm: evaluate({ algorithm }) gives the same number.
      assert.equal(evaluate(model, digits.test, { algorithm }).accuracy, acc);
    });
  }

  it('Forward-Forward: model.forward is not the prediction; predict scores every label', () => {
    px.manualSeed(0);
    const model = new nn.MLP([64, 16, 10]);
    const ff = new train.ForwardForward();
    const s = ff.predict(model, digits.test.x);
    assert.deepEqual(s.shape, [digits.test.x.shape[0], 10]);
    assert.throws(() => ff.predict(model, px.zeros([2, 63])), /expected x \[N, 64\]/);
  });
});

describe('algorithm state', () => {
  it('Mono-Forward projections and their optimizer, FF generator: stateDict -> checkpoint -> loadStateDict; a bad state changes nothing', async () => {
    px.manualSeed(0);
    const model = new nn.MLP([64, 16, 16, 10]);
    const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
    let saved: Uint8Array | null = null;
    let live: train.AlgorithmStateDict | null = null;
    await fit(model, { ...digits.train, batchSize: 64 }, {
      optimizer, epochs: 1, algorithm: 'mono-forward', progress: false,
      callbacks: [{ onEpochEnd: (_e, _l, ctl) => { live = ctl.algorithmState!(); saved = px.io.saveCheckpoint({ model, optimizer, epoch: 1, step: ctl.step, algorithm: live }); } }],
    });
    assert.ok(live !== null && saved !== null);
    const back = await px.io.loadCheckpoint(saved!, { model, optimizer });
    assert.equal(back.algorithm!.algorithm, 'mono-forward');
    assert.deepEqual(Object.keys(back.algorithm!.tensors).sort(), Object.keys((live as train.AlgorithmStateDict).tensors).sort());
    assert.ok(Object.keys(back.algorithm!.tensors).includes('projections.0.weight'));
    // Loaded into a fresh run: the projections equal the saved ones.
    const mf = new train.MonoForward();
    const ctx = { optimizer, loss: train.resolveLoss('crossEntropy'), lossName: 'crossEntropy', metrics: [], schedulerInterval: 'epoch' as const };
    const state = mf.init(model, ctx);
    mf.loadStateDict(state, back.algorithm! as train.AlgorithmStateDict);
    assert.deepEqual(Array.from(state.projections.at(0).parameters()[0]!.values), Array.from(back.algorithm!.tensors['projections.0.weight']!.values));
    // Refused loads: wrong algorithm, wrong head, wrong shape; the projections stay as they were.
    const before = Array.from(state.projections.at(0).parameters()[0]!.values);
    assert.throws(() => mf.loadStateDict(state, { ...back.algorithm!, algorithm: 'forward-forward' } as train.AlgorithmStateDict), { code: 'INVALID_STATE_DICT' });
    assert.throws(() => new train.MonoForward({ head: 'linear' }).loadStateDict(new train.MonoForward({ head: 'linear' }).init(model, ctx), back.algorithm! as train.AlgorithmStateDict), /head 'projection'/);
    const wrong = { ...back.algorithm!, tensors: { ...back.algorithm!.tensors, 'projections.0.weight': px.zeros([10, 3]) } } as train.AlgorithmStateDict;
    assert.throws(() => mf.loadStateDict(state, wrong));
    assert.deepEqual(Array.from(state.projections.at(0).parameters()[0]!.values), before);
    // FF keeps its generator.
    const ff = new train.ForwardForward({ seed: 5 });
    const fs = ff.init(model, ctx);
    const sd = ff.stateDict(fs);
    fs.generator.nextU32();
    ff.loadStateDict(fs, sd);
    assert.deepEqual(fs.generator.getState(), (sd.meta as { generator: number[] }).generator);
    assert.throws(() => ff.loadStateDict(fs, { ...sd, meta: { generator: [1, 2] } }), /four uint32/);
  });
});
