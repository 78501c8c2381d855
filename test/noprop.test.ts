/**
 * @file NoProp-DT (src/nn/noprop/, src/train/algorithms/noprop/): the noise schedule's closed forms,
 * a block loss's gradient against central differences in float64, "no gradient crosses blocks",
 * determinism by seed, the algorithm's checkpoint state, the model's config/io round trip, typed
 * errors for bad options, and a small learning check on the built-in digits (8x8) set.
 * The Fashion-MNIST reproduction is test/noprop-fmnist.slow.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { nn, train } from '../src/node.js';

const V = (code?: string) => (e: unknown): boolean => e instanceof px.ValueError && (code === undefined || e.code === code);

/** The cosine ᾱ_t written out independently of schedule.ts. */
function cosineAlphaBar(T: number, t: number): number {
  const f = (s: number): number => Math.cos(((s / (T + 1) + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  return t === 0 ? 0 : f(T + 1 - t) / f(0);
}

function ctxFor(model: nn.Module, lr = 1e-2): train.TrainContext {
  return { optimizer: new px.optim.Adam(model.parameters(), { lr }), loss: train.resolveLoss('crossEntropy'), metrics: [], schedulerInterval: 'epoch' };
}

function tiny(seed: number, opts: nn.NoPropModelOptions = {}): nn.NoPropModel {
  px.manualSeed(seed);
  return new nn.NoPropModel(5, 3, { numBlocks: 3, width: 4, imageHidden: [3], dtype: 'float64', ...opts });
}

function tinyBatch(seed: number, n = 8): [px.Tensor, px.Tensor] {
  const g = new px.Generator(seed);
  return [px.randn([n, 5], { dtype: 'float64', generator: g }), px.tensor(Array.from({ length: n }, (_, i) => i % 3), { dtype: 'int32' })];
}

describe('NoProp noise schedule', () => {
  it('cosine: ᾱ_0 = 0, strictly increasing to ᾱ_T < 1, the closed form, SNR and the posterior identities', (t) => {
    const T = 10;
    const s = nn.noPropSchedule(T, 'cosine');
    t.diagnostic(`ᾱ = ${s.alphaBar.map((v) => v.toFixed(4)).join(' ')}`);
    t.diagnostic(`SNR = ${s.snr.map((v) => v.toPrecision(3)).join(' ')}`);
    assert.equal(s.alphaBar.length, T + 1);
    assert.equal(s.alphaBar[0], 0);
    for (let k = 1; k <= T; k++) {
      assert.ok(s.alphaBar[k]! > s.alphaBar[k - 1]!, `ᾱ not increasing at ${k}`);
      assert.ok(Math.abs(s.alphaBar[k]! - cosineAlphaBar(T, k)) < 1e-15);
      assert.ok(Math.abs(s.snr[k]! - s.alphaBar[k]! / (1 - s.alphaBar[k]!)) < 1e-12 * s.snr[k]!);
      assert.ok(s.snr[k]! > s.snr[k - 1]!, 'SNR(t) - SNR(t-1) must be > 0 (the loss weight)');
      // Marginal consistency: z_{t-1} ~ q(z_{t-1}|y) through the step gives q(z_t|y).
      const abPrev = s.alphaBar[k - 1]!;
      assert.ok(Math.abs(s.a[k]! + s.b[k]! * Math.sqrt(abPrev) - Math.sqrt(s.alphaBar[k]!)) < 1e-14, `mean identity at ${k}`);
      assert.ok(Math.abs(s.b[k]! ** 2 * (1 - abPrev) + s.c[k]! - (1 - s.alphaBar[k]!)) < 1e-14, `variance identity at ${k}`);
      assert.ok(s.c[k]! > 0);
    }
    assert.ok(s.alphaBar[T]! < 1);
    // Known values (T = 10): ᾱ_T = cos²((1/11 + 0.008)/1.008 · π/2) / cos²(0.008/1.008 · π/2).
    assert.ok(Math.abs(s.alphaBar[T]! - 0.976582) < 1e-6, `ᾱ_T = ${s.alphaBar[T]}`);
    assert.ok(Math.abs(s.snr[T]! - 41.70) < 0.01, `SNR(T) = ${s.snr[T]}`);
    // z_0 carries no signal: the first step ignores it (b_1 = 0, a_1 = sqrt(ᾱ_1), c_1 = 1 - ᾱ_1).
    assert.equal(s.b[1], 0);
    assert.ok(Math.abs(s.a[1]! - Math.sqrt(s.alphaBar[1]!)) < 1e-15);
  });

  it("linear: ᾱ_t = t / (T + 1); bad T and schedule names are typed errors naming them", () => {
    assert.deepEqual(nn.noPropAlphaBar(3, 'linear'), [0, 0.25, 0.5, 0.75]);
    assert.throws(() => nn.noPropSchedule(0), (e: unknown) => V('INVALID_ARGUMENT')(e) && /T \(the number of blocks\) must be an integer >= 1, got 0/.test((e as Error).message));
    assert.throws(() => nn.noPropSchedule(2.5), V('INVALID_ARGUMENT'));
    assert.throws(() => nn.noPropSchedule(3, 'cosin' as never), (e: unknown) => V('INVALID_ARGUMENT')(e) && /schedule must be one of 'cosine', 'linear', got "cosin"/.test((e as Error).message));
  });
});

describe('NoProp block loss', () => {
  it('gradient of L_t (float64) matches central differences for block t, the classifier and W_embed', (t) => {
    const model = tiny(1);
    const [x, y] = tinyBatch(2);
    const g = new px.Generator(3);
    const noise = { epsPrev: px.randn([8, 3], { dtype: 'float64', generator: g }), epsT: px.randn([8, 3], { dtype: 'float64', generator: g }) };
    const tb = 2;
    const lossValue = (): number => px.noGrad(() => train.noPropLoss(model, tb, x, y, noise).total.item());
    const terms = train.noPropLoss(model, tb, x, y, noise);
    assert.ok(terms.weight > 0);
    terms.total.backward();
    const checked: [string, px.Tensor][] = [
      ...model.block(tb).namedParameters().map(([k, p]) => [`blocks.1.${k}`, p] as [string, px.Tensor]),
      ['embed', model.embed], ['classifier.weight', model.classifier.weight],
    ];
    let worst = 0;
    const h = 1e-6;
    for (const [name, p] of checked) {
      const grad = p.grad!.values;
      for (let i = 0; i < p.size; i++) {
        const orig = p.values[i]!;
        const set = (value: number): void => { px.noGrad(() => p.mutate((v) => { v[i] = value; })); };
        set(orig + h);
        const up = lossValue();
        set(orig - h);
        const down = lossValue();
        set(orig);
        const fd = (up - down) / (2 * h);
        const err = Math.abs(fd - grad[i]!) / Math.max(1, Math.abs(fd));
        worst = Math.max(worst, err);
        assert.ok(err < 1e-6, `${name}[${i}]: autograd ${grad[i]} vs finite difference ${fd}`);
      }
    }
    t.diagnostic(`${checked.length} tensors, worst relative error ${worst.toExponential(2)}`);
  });

  it("no gradient crosses blocks: block t's loss leaves every other block's .grad untouched", () => {
    const model = tiny(4);
    const [x, y] = tinyBatch(5);
    for (let tb = 1; tb <= 3; tb++) {
      for (const p of model.parameters()) p.grad = null;
      const g = new px.Generator(tb);
      train.noPropLoss(model, tb, x, y, { epsPrev: px.randn([8, 3], { dtype: 'float64', generator: g }), epsT: px.randn([8, 3], { dtype: 'float64', generator: g }) }).total.backward();
      for (let other = 1; other <= 3; other++) {
        for (const [k, p] of model.block(other).namedParameters()) {
          if (other === tb) assert.ok(p.grad !== null, `block ${tb}'s own ${k} got no gradient`);
          else assert.equal(p.grad, null, `block ${tb}'s loss reached block ${other}'s ${k}`);
        }
      }
      assert.ok(model.embed.grad !== null && model.classifier.weight.grad !== null);
    }
  });
});

/** Trains `model` with NoProp for `steps` batches of the tiny problem; returns the algorithm and its state. */
function runSteps(model: nn.NoPropModel, steps: number, opts: train.NoPropOptions = {}, from?: { alg: train.NoProp; state: train.NoPropState }): { alg: train.NoProp; state: train.NoPropState; losses: number[] } {
  const alg = from?.alg ?? new train.NoProp({ trainMetrics: false, ...opts });
  const state = from?.state ?? alg.init(model, ctxFor(model));
  const losses: number[] = [];
  model.train();
  for (let s = 0; s < steps; s++) losses.push(px.scope(() => alg.step(model, tinyBatch(100 + s), state).loss));
  return { alg, state, losses };
}

const weights = (m: nn.Module): number[][] => m.parameters().map((p) => [...p.values]);

describe('NoProp algorithm', () => {
  it('is deterministic by seed (same seeds: bitwise equal weights; another NoProp seed: different)', () => {
    const a = tiny(7); runSteps(a, 3, { seed: 1 });
    const b = tiny(7); runSteps(b, 3, { seed: 1 });
    const c = tiny(7); runSteps(c, 3, { seed: 2 });
    assert.deepEqual(weights(a), weights(b));
    assert.notDeepEqual(weights(a), weights(c));
  });

  it('stateDict/loadStateDict: a restored run continues bitwise like the uninterrupted one; a bad state changes nothing', () => {
    const ref = tiny(8);
    const first = runSteps(ref, 2);
    const sd = first.alg.stateDict(first.state);
    const modelSd = new Map([...ref.stateDict()].map(([k, v]) => [k, px.clone(v)]));
    runSteps(ref, 2, {}, first);
    const fresh = tiny(9);
    fresh.loadStateDict(modelSd);
    const alg = new train.NoProp({ trainMetrics: false });
    const state = alg.init(fresh, ctxFor(fresh));
    const before = state.blockOptimizers[0]!.stateDict();
    const broken = { ...sd, tensors: { ...sd.tensors } };
    delete broken.tensors[Object.keys(broken.tensors).find((k) => k.startsWith('head.'))!];
    assert.throws(() => alg.loadStateDict(state, broken), V('INVALID_STATE_DICT'));
    assert.deepEqual(state.blockOptimizers[0]!.stateDict(), before, 'a failed load changed block 1\'s optimizer');
    assert.throws(() => alg.loadStateDict(state, { ...sd, algorithm: 'backprop' }), V('INVALID_STATE_DICT'));
    alg.loadStateDict(state, sd);
    runSteps(fresh, 2, {}, { alg, state });
    assert.deepEqual(weights(fresh), weights(ref));
  });

  it('a non-finite loss applies no update and names the culprit; clipping reports gradNorm; the run lr is followed', () => {
    const m = tiny(11);
    const alg = new train.NoProp({ trainMetrics: false });
    const state = alg.init(m, ctxFor(m));
    const [x, y] = tinyBatch(12);
    const before = weights(m);
    const bad = px.noGrad(() => px.mul(x, px.tensor([NaN, 1, 1, 1, 1], { dtype: 'float64' })));
    const out = px.scope(() => alg.step(m, [bad, y], state));
    assert.ok(out.nonFinite !== undefined && !Number.isFinite(out.loss));
    assert.equal(out.nonFinite.culprit?.kind, 'gradient');
    assert.deepEqual(weights(m), before, 'a non-finite step changed the weights');
    assert.ok(m.parameters().every((p) => p.grad === null));
    // lr 0 on the run optimizer: NoProp's own optimizers follow it, so nothing moves.
    const frozen = { ...ctxFor(m, 0), clipGradNorm: 1e-3 };
    const st2 = alg.init(m, frozen);
    const r = px.scope(() => alg.step(m, [x, y], st2));
    assert.ok(r.gradNorm !== undefined && r.gradNorm > 1e-3, `gradNorm ${r.gradNorm}`);
    assert.deepEqual(weights(m), before, 'lr 0 on the run optimizer still moved the weights');
  });

  it('refuses what it cannot train, with typed errors naming the problem', async () => {
    const mlp = new nn.MLP([4, 3]);
    assert.match(new train.NoProp().appliesTo(mlp)!, /NoPropModel/);
    assert.throws(() => new train.NoProp().init(mlp, ctxFor(mlp)), V('ALGORITHM_NOT_APPLICABLE'));
    const m = tiny(1);
    const lbfgs = { ...ctxFor(m), optimizer: new px.optim.LBFGS(m.parameters()) };
    assert.throws(() => new train.NoProp().init(m, lbfgs), (e: unknown) => V('ALGORITHM_NOT_APPLICABLE')(e) && /LBFGS/.test((e as Error).message));
    const [x] = tinyBatch(1);
    const alg = new train.NoProp();
    const state = alg.init(m, ctxFor(m));
    assert.throws(() => alg.step(m, [x, px.zeros([8, 3], { dtype: 'float64' })], state), V('INVALID_ARGUMENT'));
  });

  it('options: unknown key, eta <= 0, bad seed, non-boolean trainMetrics are typed errors naming the option', () => {
    assert.deepEqual(train.parseNoPropOptions({}), { eta: 0.1, seed: 0, trainMetrics: true });
    const cases: [unknown, RegExp][] = [
      [{ etaa: 1 }, /unknown option 'etaa' \(its options: eta, seed, trainMetrics\)/], [{ eta: 0 }, /option 'eta' must be a finite number > 0, got 0/],
      [{ eta: NaN }, /'eta'/], [{ seed: -1 }, /option 'seed'/], [{ seed: 1.5 }, /option 'seed'/], [{ trainMetrics: 1 }, /option 'trainMetrics' must be true or false/], [[1], /options must be an object/],
    ];
    for (const [opts, re] of cases) assert.throws(() => new train.NoProp(opts as never), (e: unknown) => V('INVALID_ALGORITHM_OPTION')(e) && re.test((e as Error).message), JSON.stringify(opts));
  });
});

describe('NoPropModel', () => {
  it('constructor: typed errors naming numBlocks (T), schedule, embedding, embeddingDim and unknown options', () => {
    assert.throws(() => new nn.NoPropModel(4, 3, { numBlocks: 0 }), (e: unknown) => V()(e) && /numBlocks \(T\)/.test((e as Error).message));
    assert.throws(() => new nn.NoPropModel(4, 3, { schedule: 'cos' as never }), (e: unknown) => V('INVALID_ARGUMENT')(e) && /schedule must be one of 'cosine', 'linear'/.test((e as Error).message));
    assert.throws(() => new nn.NoPropModel(4, 3, { embedding: 'prototype' as never }), (e: unknown) => V('INVALID_ARGUMENT')(e) && /embedding must be one of 'learned', 'onehot'/.test((e as Error).message));
    assert.throws(() => new nn.NoPropModel(4, 3, { embedding: 'onehot', embeddingDim: 5 }), (e: unknown) => V('INVALID_ARGUMENT')(e) && /embeddingDim = numClasses/.test((e as Error).message));
    assert.throws(() => new nn.NoPropModel(4, 3, { blocks: 2 } as never), V());
    assert.throws(() => new nn.NoPropModel(0, 3), V());
  });

  it('forward checks the input shape; the deterministic chain is repeatable, sample() follows its generator', () => {
    const m = tiny(2);
    m.eval();
    assert.throws(() => m.forward(px.zeros([2, 4], { dtype: 'float64' })), (e: unknown) => e instanceof px.ShapeError && /5/.test((e as Error).message));
    const [x] = tinyBatch(3);
    const out = m.forward(x);
    assert.deepEqual(out.shape, [8, 3]);
    assert.deepEqual([...m.forward(x).values], [...out.values]);
    const s1 = m.sample(x, { generator: new px.Generator(5) }).values;
    assert.deepEqual([...m.sample(x, { generator: new px.Generator(5) }).values], [...s1]);
    assert.notDeepEqual([...s1], [...out.values]);
    // One-hot embeddings are fixed: not trainable.
    assert.equal(tiny(1, { embedding: 'onehot' }).embed.requiresGrad, false);
  });

  it('round-trips through fromConfig and io.saveModel / loadModel', async () => {
    const m = tiny(3, { schedule: 'linear', embedding: 'onehot' });
    runSteps(m, 1);
    m.eval();
    const [x] = tinyBatch(4);
    const cfg = m.getConfig();
    assert.deepEqual(nn.fromConfig(JSON.parse(JSON.stringify(cfg))).getConfig(), cfg);
    const loaded = (await px.io.loadModel(px.io.saveModel(m))).model as nn.NoPropModel;
    loaded.eval();
    assert.ok(loaded instanceof nn.NoPropModel);
    assert.equal(loaded.schedule.name, 'linear');
    assert.deepEqual([...loaded.forward(x).values], [...m.forward(x).values]);
  });
});

describe('NoProp learns (digits, 8x8)', () => {
  it('fit with algorithm: NoProp reaches >= 85% test accuracy on digits in 4 epochs', async (t) => {
    const { train: tr, test } = px.data.digits({ seed: 0 });
    px.manualSeed(0);
    const model = new nn.NoPropModel(64, 10, { numBlocks: 4, width: 32, imageHidden: [32] });
    const optimizer = new px.optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 1e-3 });
    const history = await px.fit(model, { ...tr, batchSize: 64 }, { optimizer, epochs: 4, validation: test, algorithm: new train.NoProp(), progress: false, seed: 0 });
    assert.equal(history.stopReason, 'completed');
    const acc = history.epochs.map((e) => e.valAccuracy!);
    t.diagnostic(`NoProp-DT (T=4) on digits: test accuracy per epoch ${acc.map((a) => (100 * a).toFixed(1) + '%').join(', ')}; train accuracy ${(100 * history.last!.accuracy!).toFixed(1)}%`);
    assert.ok(acc.at(-1)! >= 0.85, `test accuracy ${acc.at(-1)} < 0.85`);
  });
});
