/**
 * @file The fit loop end to end: it learns (spiral; the built-in digits default reaching >= 95%),
 * it is deterministic for a seed, it frees every step's tensors, and evaluate / predict / schedules /
 * abort / option checks behave. Runs on the js backend (the training loop, not kernels, is under test;
 * it keeps the digits run to a few seconds).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { allocationsDuring } from './allocations.js';
import { data, evaluate, fit, nn, optim, predict, type train } from '../src/node.js';
import { TOLERANCE, assertClose } from '../src/testing/index.js';

before(() => px.setBackend('js'));

/** Every parameter's values, for bitwise comparison. */
const weights = (m: nn.Module): number[][] => m.parameters().map((p) => Array.from(p.values));

describe('fit learns', () => {
  it('reduces the loss on a 3-class spiral with an MLP', async () => {
    px.manualSeed(0);
    const s = data.spiral({ nPerClass: 100, classes: 3, noise: 0.1, seed: 0 });
    const model = new nn.MLP([2, 64, 64, 3]);
    const before = evaluate(model, s);
    const h = await fit(model, { ...s, batchSize: 32 }, {
      optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }), epochs: 40, seed: 0, progress: false,
    });
    assert.equal(h.stopReason, 'completed');
    assert.equal(h.epochs.length, 40);
    assert.equal(h.steps, 40 * Math.ceil(300 / 32));
    const after = evaluate(model, s);
    assert.ok(after.loss < 0.25 * before.loss, `loss ${before.loss} -> ${after.loss}`);
    assert.ok(after.accuracy! > 0.9, `spiral accuracy ${after.accuracy}`);
    // The history's train loss falls too (first vs last epoch).
    assert.ok(h.epochs[39]!.loss < h.epochs[0]!.loss);
  });

  it('the built-in digits default (MLP 64-128-10 ReLU, Adam 1e-3, 20 epochs) reaches >= 95% test accuracy', async () => {
    px.manualSeed(0);
    const { train, test } = data.digits({ seed: 0 });
    const model = new nn.MLP([64, 128, 10], { activation: 'relu' });
    const h = await fit(model, { ...train, batchSize: 32 }, {
      optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }), epochs: 20, seed: 0, validation: test, progress: false,
    });
    const acc = evaluate(model, test).accuracy!;
    console.log(`digits test accuracy after 20 epochs: ${(acc * 100).toFixed(2)}%`);
    assert.ok(acc >= 0.95, `digits test accuracy ${acc}`);
    // valAccuracy of the last epoch is the same evaluation.
    assert.equal(h.last!.valAccuracy, acc);
    assert.deepEqual(Object.keys(h.last!), ['epoch', 'loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr', 'seconds', 'samplesPerSec']);
  });
});

describe('determinism and memory', () => {
  async function run(initSeed: number, shuffleSeed: number): Promise<number[][]> {
    px.manualSeed(initSeed);
    const s = data.moons({ n: 200, noise: 0.1, seed: 0 });
    const model = new nn.MLP([2, 16, 2], { dropout: 0.1 });
    await fit(model, { ...s, batchSize: 16 }, { optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }), epochs: 3, seed: shuffleSeed, progress: false });
    return weights(model);
  }

  it('two fits with the same seeds give bitwise identical weights; another shuffle seed differs', async () => {
    const a = await run(1, 7);
    const b = await run(1, 7);
    assert.deepEqual(a, b);
    const c = await run(1, 8);
    assert.notDeepEqual(a, c);
  });

  it('frees every step: once the optimizer state exists, a fit leaves none of the storages it allocated', async () => {
    px.manualSeed(0);
    const s = data.spiral({ nPerClass: 30, seed: 1 });
    const model = new nn.MLP([2, 8, 3]);
    const optimizer = new optim.Adam(model.parameters());
    // The first fit creates the optimizer state; after it the count must stay flat.
    await fit(model, { ...s, batchSize: 10 }, { optimizer, epochs: 1, progress: false, validation: s });
    // Counted by allocations, not memory(): earlier garbage may be finalized during the awaits.
    const { live, liveBytes, allocated } = await allocationsDuring(() => fit(model, { ...s, batchSize: 10 }, { optimizer, epochs: 4, progress: false, validation: s }));
    assert.ok(allocated > 0, 'the fit allocated its intermediates');
    assert.equal(live, 0, `storages left allocated: ${live} (${liveBytes} bytes)`);
  });
});

describe('evaluate and predict', () => {
  it('evaluate weights batches by size and equals a whole-set computation; predict equals forward in eval mode', () => {
    px.manualSeed(3);
    const s = data.gaussians({ centers: 3, nPerCenter: 37, seed: 2 });
    const model = new nn.MLP([2, 8, 3], { dropout: 0.5 });
    const r = evaluate(model, { ...s, batchSize: 16 }); // 111 samples: a short last batch
    model.eval();
    const logits = px.noGrad(() => model.forward(s.x));
    model.train();
    const wantLoss = px.crossEntropy(logits, s.y).item();
    const arg = logits.argmax(1).values;
    const wantAcc = Array.from(s.y.values).filter((v, i) => v === arg[i]).length / 111;
    assert.ok(Math.abs(r.loss - wantLoss) < 1e-5, `${r.loss} vs ${wantLoss}`);
    assert.equal(r.accuracy, wantAcc);
    assert.equal(model.training, true, 'evaluate restores training mode');
    const p = predict(model, s.x, { batchSize: 20 });
    assert.deepEqual(p.shape, [111, 3]);
    // Batched rows may be summed in another order by a blocked matmul: float32 tolerance, not bitwise.
    assertClose(p, logits, TOLERANCE.float32);
    assert.equal(model.training, true, 'predict restores training mode');
  });

  it('mse and bce losses by name; bce accuracy thresholds logits at 0', async () => {
    px.manualSeed(0);
    const c = data.circles({ n: 200, noise: 0.05, seed: 0 });
    const model = new nn.MLP([2, 16, 1], { activation: 'tanh' });
    const h = await fit(model, { ...c, batchSize: 20 }, { optimizer: new optim.Adam(model.parameters(), { lr: 3e-2 }), loss: 'bce', epochs: 30, seed: 0, progress: false });
    assert.ok(h.last!.accuracy! > 0.9, `circles bce accuracy ${h.last!.accuracy}`);
    const f = data.expSinSquare({ n: 100, seed: 0 });
    const reg = new nn.MLP([2, 16, 1], { activation: 'tanh' });
    const before = evaluate(reg, f, { loss: 'mse' });
    assert.deepEqual(Object.keys(before), ['loss'], 'no accuracy by default for mse');
    await fit(reg, { ...f, batchSize: 10 }, { optimizer: new optim.Adam(reg.parameters(), { lr: 1e-2 }), loss: 'mse', epochs: 20, seed: 0, progress: false });
    const after = evaluate(reg, f, { loss: 'mse' }).loss;
    assert.ok(after < before.loss / 3, `mse ${before.loss} -> ${after}`);
    // A [N] target against a [N, 1] output is aligned, not broadcast to [N, N].
    assert.equal(evaluate(reg, { x: f.x, y: f.y.reshape([100]) }, { loss: 'mse' }).loss, after);
  });
});

describe('schedules, abort and options', () => {
  const setup = (): { model: nn.MLP; s: data.Split } => {
    px.manualSeed(0);
    return { model: new nn.MLP([2, 4, 3]), s: data.spiral({ nPerClass: 10, seed: 0 }) };
  };

  it('an epoch scheduler steps once per epoch and the logs show the rate each epoch used', async () => {
    const { model, s } = setup();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const h = await fit(model, { ...s, batchSize: 10 }, { optimizer, epochs: 3, progress: false, scheduler: new optim.StepLR(optimizer, { stepSize: 1, gamma: 0.5 }) });
    assert.deepEqual(h.get('lr'), [0.1, 0.05, 0.025]);
  });

  it('a batch scheduler steps after every applied batch', async () => {
    const { model, s } = setup();
    const optimizer = new optim.SGD(model.parameters(), { lr: 1 });
    const scheduler = new optim.LambdaLR(optimizer, (e) => 1 / (1 + e));
    await fit(model, { ...s, batchSize: 10 }, { optimizer, epochs: 2, progress: false, scheduler, schedulerInterval: 'batch' });
    assert.equal(scheduler.lastEpoch, 6); // 3 batches x 2 epochs
    assert.equal(optimizer.paramGroups[0]!.lr, 1 / 7);
  });

  it('an AbortSignal ends the run after the current step with stopReason aborted', async () => {
    const { model, s } = setup();
    const ac = new AbortController();
    const h = await fit(model, { ...s, batchSize: 5 }, {
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 5, progress: false, signal: ac.signal,
      callbacks: [{ onBatchEnd: (l) => { if (l.step === 3) ac.abort(); } }],
    });
    assert.equal(h.stopReason, 'aborted');
    assert.equal(h.steps, 3);
    assert.equal(h.epochs.length, 0);
  });

  it('yields to the event loop while training, so a timer can abort a long run', async () => {
    const { model, s } = setup();
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 30);
    // 12 000 steps take well over the ~50 ms after which fit yields, so a loop that never yielded
    // would end 'completed' (a failure, not a hang); no wall-clock bound, so load cannot fail it.
    const h = await fit(model, { ...s, batchSize: 5 }, {
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 2000, progress: false, signal: ac.signal,
    });
    clearTimeout(timer);
    assert.equal(h.stopReason, 'aborted', `ran all ${h.steps} steps: the timer never got a turn`);
    assert.ok(h.steps > 0 && h.steps < 12_000, `aborted after ${h.steps} steps`);
  });

  it('initialEpoch resumes the epoch count', async () => {
    const { model, s } = setup();
    const seen: number[] = [];
    await fit(model, { ...s, batchSize: 10 }, {
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 4, initialEpoch: 2, initialStep: 6, progress: false,
      callbacks: [{ onEpochEnd: (e: number, _l: Readonly<train.EpochLogs>) => { seen.push(e); }, onBatchEnd: (l) => { if (l.batch === 1) seen.push(-l.step); } }],
    });
    assert.deepEqual(seen, [-7, 3, -10, 4]);
  });

  it('rejects bad options with a typed error naming the option', async () => {
    const { model, s } = setup();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /optimizer/],
      [{ optimizer, epochs: '10' }, /epochs/],
      [{ optimizer, epochs: 0 }, /epochs/],
      [{ optimizer, nanPolicy: 'ignore' }, /nanPolicy/],
      [{ optimizer, clipGradNorm: -1 }, /clipGradNorm/],
      [{ optimizer, loss: 'hinge' }, /unknown loss "hinge"/],
      [{ optimizer, metrics: ['f1'] }, /unknown metric "f1"/],
    ];
    for (const [opts, re] of cases) {
      await assert.rejects(fit(model, s, opts as never), (e: unknown) => e instanceof px.ValueError && re.test(e.message));
    }
    await assert.rejects(fit(model, 42 as never, { optimizer }), /data must be/);
  });
});
