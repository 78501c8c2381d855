/**
 * @file Multi-stage fitting (train/algorithms/multistage.ts, nn/multistage): check M1 on
 * sin(2t+1) + 0.2 e^{1.3t}, 300 points on [-1.05, 1.05], float64 (two stages here; the slow file
 * adds stage 3), the prediction as the exact sum of stages, save/load, the fit adapter and the
 * option errors.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { io, nn, train } from '../src/index.js';

function m1Data(): { x: px.Tensor; y: px.Tensor } {
  const N = 300;
  const xs = Array.from({ length: N }, (_, i) => -1.05 + (2.1 * i) / (N - 1));
  const ys = xs.map((t) => Math.sin(2 * t + 1) + 0.2 * Math.exp(1.3 * t));
  return { x: px.tensor(xs, { dtype: 'float64', shape: [N, 1] }), y: px.tensor(ys, { dtype: 'float64', shape: [N, 1] }) };
}

const isValue = (re: RegExp) => (e: Error): boolean => e instanceof px.ValueError && re.test(e.message);

describe('multi-stage fitting (Wang & Lai 2023)', () => {
  it('M1: stage 1 rel. L2 <= 1e-4, stage 2 <= stage 1 / 100 and <= 1e-7; prediction = the sum of stages exactly', () => {
    const { x, y } = m1Data();
    const model = new nn.MultiStage(1, 1, { stages: 2, generator: new px.Generator(1) });
    const reports = train.multistage(model, x, y, { adamIters: 2000, lbfgsIters: 2000 });
    for (const r of reports) console.log(`  stage ${r.stage}: relL2 ${r.relL2.toExponential(3)}, eps ${r.amplitude.toExponential(3)}, kappa ${r.kappa.toFixed(3)}, ${r.seconds.toFixed(2)} s`);
    const [s1, s2] = reports;
    assert.ok(s1!.relL2 <= 1e-4, `stage 1 relL2 ${s1!.relL2}`);
    assert.ok(s2!.relL2 <= s1!.relL2 / 100 && s2!.relL2 <= 1e-7, `stage 2 relL2 ${s2!.relL2} (stage 1 ${s1!.relL2})`);
    assert.equal(s1!.kappa, 1);
    assert.ok(s2!.kappa > 2 * Math.PI, 'stage 2 starts at a higher frequency than stage 1');
    // The prediction is eps_1 u_1 + eps_2 u_2, bit for bit.
    const a = model.amplitudes;
    const manual = model.stage(0).forward(x).mul(a[0]!).add(model.stage(1).forward(x).mul(a[1]!));
    assert.deepEqual(Array.from(model.forward(x).values), Array.from(manual.values));
    // saveModel / loadModel restores stages, kappas and amplitudes exactly.
    return io.loadModel(io.saveModel(model)).then(({ model: back }) => {
      assert.ok(back instanceof nn.MultiStage);
      assert.deepEqual(back.amplitudes, a);
      assert.equal(back.stage(1).kappa, model.stage(1).kappa);
      assert.deepEqual(Array.from(back.forward(x).values), Array.from(model.forward(x).values));
    });
  });

  it('a partly trained model predicts with its trained stages; untrained ones contribute nothing', () => {
    const model = new nn.MultiStage(1, 1, { stages: 3 });
    const x = px.tensor([[0.1], [0.2]], { dtype: 'float64' });
    assert.equal(model.trainedStages, 0);
    assert.deepEqual(Array.from(model.forward(x).values), [0, 0]);
    model.setAmplitude(0, 0.5);
    assert.equal(model.trainedStages, 1);
    assert.deepEqual(Array.from(model.forward(x).values), Array.from(model.stage(0).forward(x).mul(0.5).values));
  });

  it('runs under fit as MultiStageFit: one stage per epoch, resumable from the model', async () => {
    const { x, y } = m1Data();
    const model = new nn.MultiStage(1, 1, { stages: 2, hidden: [10], generator: new px.Generator(2) });
    const optimizer = new px.optim.SGD(model.parameters(), { lr: 0 });
    const algorithm = new train.MultiStageFit({ adamIters: 100, lbfgsIters: 50 });
    const h1 = await px.fit(model, { x, y, batchSize: 300 }, { optimizer, loss: 'mse', epochs: 1, progress: false, algorithm });
    assert.equal(model.trainedStages, 1);
    // A "checkpoint": the model alone carries the stage list.
    const { model: back } = await io.loadModel(io.saveModel(model));
    const h2 = await px.fit(back, { x, y, batchSize: 300 }, { optimizer: new px.optim.SGD(back.parameters(), { lr: 0 }), loss: 'mse', epochs: 2, initialEpoch: 1, progress: false, algorithm: new train.MultiStageFit({ adamIters: 100, lbfgsIters: 50 }) });
    assert.equal((back as nn.MultiStage).trainedStages, 2);
    assert.ok(h2.last!.loss < h1.last!.loss, `stage 2 lowers the loss: ${h2.last!.loss} vs ${h1.last!.loss}`);
    await assert.rejects(
      px.fit(new nn.MultiStage(1, 1), { x, y, batchSize: 100 }, { optimizer, loss: 'mse', progress: false, algorithm: new train.MultiStageFit({ adamIters: 1, lbfgsIters: 1 }) }),
      isValue(/one batch holding the whole data set/),
    );
    await assert.rejects(px.fit(new nn.MLP([1, 4, 1]), { x, y, batchSize: 300 }, { optimizer, loss: 'mse', progress: false, algorithm: new train.MultiStageFit() }), isValue(/must be an nn\.MultiStage, got MLP/));
  });

  it('bad options are typed errors naming the option, before any training', () => {
    assert.throws(() => new train.MultiStageFit({ adamIters: -1 }), isValue(/adamIters must be an integer >= 0/));
    assert.throws(() => new train.MultiStageFit({ lr: 0 }), isValue(/lr must be a finite number > 0/));
    assert.throws(() => new train.MultiStageFit({ kappa: [1, -2] }), isValue(/kappa must be 'auto' or an array/));
    assert.throws(() => new train.MultiStageFit({ lbfgs: 3 } as never), isValue(/unknown option 'lbfgs'/));
    assert.throws(() => new nn.MultiStage(1, 1, { stages: 0 }), isValue(/stages must be an integer >= 1/));
    assert.throws(() => new nn.ScaledMLP([1, 4, 1], { firstActivation: 'relu' as never }), isValue(/firstActivation must be one of tanh, sin/));
    const m = new nn.MultiStage(2, 1, { stages: 2 });
    const x2 = px.randn([5, 2], { dtype: 'float64' });
    assert.throws(() => train.multistage(m, x2, px.randn([5, 1], { dtype: 'float64' }), { adamIters: 1, lbfgsIters: 1 }), isValue(/kappa 'auto' reads the residue's frequency along 1-D inputs/));
  });

  it('dominantFrequency: N_z / (2L) from sign changes (sin(2π·3t) on (0, 1): 5 interior changes, L = 0.999)', () => {
    const t = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
    assert.ok(Math.abs(train.dominantFrequency(t, t.map((v) => Math.sin(2 * Math.PI * 3 * v))) - 5 / (2 * 0.999)) < 1e-12);
    assert.throws(() => train.dominantFrequency([1, 1], [1, -1]), isValue(/empty interval/));
  });

  it('registry adapters: MULTISTAGE_OPTIONS defaults (kappa [] = auto); multistageAppliesTo', () => {
    const defaults = Object.fromEntries(Object.entries(train.MULTISTAGE_OPTIONS).map(([k, v]) => [k, v.default]));
    const a = train.createMultiStageFit(defaults);
    assert.deepEqual({ ...a.options }, { adamIters: 3000, lr: 1e-3, lbfgsIters: 3000, kappa: 'auto' });
    assert.deepEqual(train.createMultiStageFit({ ...defaults, kappa: [1, 9] }).options.kappa, [1, 9]);
    assert.equal(train.multistageAppliesTo(new nn.MultiStage(1, 1)), null);
    assert.match(train.multistageAppliesTo(new nn.MLP([1, 1]))!, /got MLP/);
  });
});
